package reporting_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/planedit"
	"naptracker/reporting"
	"naptracker/seed"

	"gorm.io/gorm"
)

// rollupState reads a plan's roll-up rows in a comparable form (without
// their timestamps).
func rollupState(t *testing.T, db *gorm.DB, planID int64) ([]reporting.IndicatorRollup, []reporting.ActivityRollup) {
	t.Helper()
	var inds []reporting.IndicatorRollup
	var acts []reporting.ActivityRollup
	if err := db.Where("plan_id = ?", planID).Order("indicator_id, period_id").Find(&inds).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Where("plan_id = ?", planID).Order("activity_id").Find(&acts).Error; err != nil {
		t.Fatal(err)
	}
	for i := range inds {
		inds[i].UpdatedAt = domain.Date(2000, 1, 1)
	}
	for i := range acts {
		acts[i].UpdatedAt = domain.Date(2000, 1, 1)
	}
	return inds, acts
}

var errRollback = errors.New("rollback")

// requireRollupsMatchRebuild checks that the incrementally kept roll-ups
// equal those a full rebuild computes (the rebuild is rolled back).
func requireRollupsMatchRebuild(t *testing.T, db *gorm.DB, planID int64, step string) {
	t.Helper()
	gotI, gotA := rollupState(t, db, planID)
	var wantI []reporting.IndicatorRollup
	var wantA []reporting.ActivityRollup
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := reporting.RebuildRollups(tx, planID); err != nil {
			return err
		}
		wantI, wantA = rollupState(t, tx, planID)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("%s: rebuild: %v", step, err)
	}
	if !reflect.DeepEqual(gotI, wantI) {
		t.Errorf("%s: indicator roll-ups differ from a rebuild:\n got %s\nwant %s", step, dumpRollups(gotI), dumpRollups(wantI))
	}
	if !reflect.DeepEqual(gotA, wantA) {
		t.Errorf("%s: activity roll-ups differ from a rebuild:\n got %+v\nwant %+v", step, gotA, wantA)
	}
}

func dumpRollups(rows []reporting.IndicatorRollup) string {
	s := ""
	for _, r := range rows {
		s += fmt.Sprintf("{%d p%d %v %v %v} ", r.IndicatorID, r.PeriodID, deref(r.Actual), deref(r.Target), deref(r.Progress))
	}
	return s
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// workflowItem finds an item of the demo plan in a given status:
// an indicator value (table indicator_values) or an activity update.
func workflowItem(t *testing.T, db *gorm.DB, kind, status, accumulation string) (code, period string, version int) {
	t.Helper()
	var row struct {
		Code    string
		Label   string
		Version int
	}
	var q *gorm.DB
	if kind == "value" {
		q = db.Table("indicator_values v").Select("i.code, p.label, v.version").
			Joins("JOIN indicators i ON i.id = v.indicator_id").Joins("JOIN reporting_periods p ON p.id = v.period_id").
			Where("v.status = ? AND v.value IS NOT NULL AND i.accumulation = ? AND i.archived_at IS NULL", status, accumulation)
	} else {
		q = db.Table("activity_updates v").Select("a.code, p.label, v.version").
			Joins("JOIN activities a ON a.id = v.activity_id").Joins("JOIN reporting_periods p ON p.id = v.period_id").
			Where("v.status = ? AND a.archived_at IS NULL", status)
	}
	if err := q.Order("p.start_date DESC, v.id").Limit(1).Take(&row).Error; err != nil {
		t.Fatalf("no %s %s %s in the demo plan: %v", status, accumulation, kind, err)
	}
	return row.Code, row.Label, row.Version
}

// TestRollupsFollowApprovalsReopeningAndTargetEdits runs approvals,
// reopenings and a target edit on the demo plan and checks after each that
// the roll-ups kept in those transactions equal a full rebuild.
func TestRollupsFollowApprovalsReopeningAndTargetEdits(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx, db := context.Background(), f.db
	plan := f.plan(t)
	var err error
	var n int64
	db.Model(&reporting.IndicatorRollup{}).Where("plan_id = ?", plan.ID).Count(&n)
	if n == 0 {
		t.Fatal("the demo seed left no indicator roll-ups")
	}
	requireRollupsMatchRebuild(t, db, plan.ID, "after seeding")

	for _, mode := range []string{domain.AccumulateCumulative, domain.AccumulateSum, domain.AccumulateLatest} {
		code, period, version := workflowItem(t, db, "value", domain.StatusSubmitted, mode)
		target := reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: code, Period: period}
		if _, err := reporting.TransitionValue(ctx, db, f.as(f.sec), target, reporting.ActionApprove, version, ""); err != nil {
			t.Fatalf("approve %s %s: %v", code, period, err)
		}
		requireRollupsMatchRebuild(t, db, plan.ID, "approving "+mode+" value "+code+" "+period)
	}

	// Reopen the latest approved value of a cumulative indicator: its
	// roll-up of that period goes.
	code, period, version := workflowItem(t, db, "value", domain.StatusApproved, domain.AccumulateCumulative)
	ind, err := planedit.FindCoded[domain.Indicator](ctx, db, plan.ID, code)
	if err != nil {
		t.Fatal(err)
	}
	var p domain.ReportingPeriod
	if err := db.Where("plan_id = ? AND label = ?", plan.ID, period).Take(&p).Error; err != nil {
		t.Fatal(err)
	}
	rowsAt := func() int64 {
		var n int64
		db.Model(&reporting.IndicatorRollup{}).Where("indicator_id = ? AND period_id = ?", ind.ID, p.ID).Count(&n)
		return n
	}
	if rowsAt() != 1 {
		t.Fatalf("no roll-up of %s at the approved %s", code, period)
	}
	if _, err := reporting.TransitionValue(ctx, db, f.as(f.sec), reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: code, Period: period}, reporting.ActionReopen, version, "Wrong source"); err != nil {
		t.Fatalf("reopen %s %s: %v", code, period, err)
	}
	requireRollupsMatchRebuild(t, db, plan.ID, "reopening "+code+" "+period)
	if rowsAt() != 0 {
		t.Errorf("reopening %s %s left its roll-up of that period", code, period)
	}
	var after reporting.IndicatorRollup
	if err := db.Where("indicator_id = ? AND target IS NOT NULL", ind.ID).Order("period_id DESC").Take(&after).Error; err != nil {
		t.Fatalf("no roll-up of %s with a target left: %v", code, err)
	}

	// Double the indicator's targets through the plan editor.
	targets, err := planedit.IndicatorTargets(ctx, db, ind.ID)
	if err != nil {
		t.Fatal(err)
	}
	doubled := map[int]float64{}
	for y, v := range targets {
		doubled[y] = 2*v + 1
	}
	parent := planedit.IndicatorParent{}
	if ind.ActivityID != nil {
		if parent.Activity, err = planedit.FindByID[domain.Activity](ctx, db, *ind.ActivityID); err != nil {
			t.Fatal(err)
		}
	} else if parent.Objective, err = planedit.FindByID[domain.Objective](ctx, db, *ind.ObjectiveID); err != nil {
		t.Fatal(err)
	}
	in := planedit.IndicatorInput{Code: ind.Code, Name: ind.Name, Definition: ind.Definition, UnitType: ind.UnitType, UnitLabel: ind.UnitLabel,
		Direction: ind.Direction, Accumulation: ind.Accumulation, BaselineValue: ind.BaselineValue, BaselineYear: ind.BaselineYear,
		Targets: doubled, EndTarget: ind.EndTarget, MeansOfVerification: ind.MeansOfVerification, ReportingOrgID: ind.ReportingOrgID,
		DisaggregationSetID: ind.DisaggregationSetID, Sensitive: ind.Sensitive, Position: ind.Position, Version: ind.Version}
	if err := planedit.UpdateIndicator(ctx, db, f.as(f.sec), plan, parent, ind.Code, in); err != nil {
		t.Fatalf("edit targets of %s: %v", ind.Code, err)
	}
	requireRollupsMatchRebuild(t, db, plan.ID, "editing the targets of "+ind.Code)
	var edited reporting.IndicatorRollup
	db.Where("indicator_id = ? AND period_id = ?", ind.ID, after.PeriodID).Take(&edited)
	if edited.Target == nil || after.Target == nil || *edited.Target == *after.Target {
		t.Errorf("target of %s's roll-up after doubling: %v, before %v", ind.Code, deref(edited.Target), deref(after.Target))
	}

	// Activity updates: approve a submitted one, reopen an approved one.
	acode, aperiod, aversion := workflowItem(t, db, "update", domain.StatusSubmitted, "")
	if _, err := reporting.TransitionUpdate(ctx, db, f.as(f.sec), reporting.UpdateTarget{Plan: seed.DemoPlanCode, Activity: acode, Period: aperiod}, reporting.ActionApprove, aversion, ""); err != nil {
		t.Fatalf("approve update %s %s: %v", acode, aperiod, err)
	}
	requireRollupsMatchRebuild(t, db, plan.ID, "approving update "+acode+" "+aperiod)
	acode, aperiod, aversion = workflowItem(t, db, "update", domain.StatusApproved, "")
	if _, err := reporting.TransitionUpdate(ctx, db, f.as(f.sec), reporting.UpdateTarget{Plan: seed.DemoPlanCode, Activity: acode, Period: aperiod}, reporting.ActionReopen, aversion, "Expenditure double counted"); err != nil {
		t.Fatalf("reopen update %s %s: %v", acode, aperiod, err)
	}
	requireRollupsMatchRebuild(t, db, plan.ID, "reopening update "+acode+" "+aperiod)
}

// TestRollupRAGAtReadTime checks the read-time rating: a roll-up older than
// the rating period counts as missing, which is "not due" before the
// period's due date and "no data" after it.

// completenessRows reads a plan's completeness roll-up rows without their timestamps.
func completenessRows(t *testing.T, db *gorm.DB, planID int64) []reporting.CompletenessRollup {
	t.Helper()
	var rows []reporting.CompletenessRollup
	if err := db.Where("plan_id = ?", planID).Order("period_id, organisation_id, kind").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		rows[i].UpdatedAt = time.Time{}
	}
	return rows
}

// requireCompletenessMatchesRecount checks that the completeness kept in
// roll-ups equals a full recount: the report the pages read from the
// roll-ups equals models.Completeness over the values and updates, for
// every period of the plan, and the rows equal those a rebuild writes.
func requireCompletenessMatchesRecount(t *testing.T, db *gorm.DB, planID int64, now time.Time, step string) {
	t.Helper()
	ctx := context.Background()
	var plan domain.Plan
	if err := db.Take(&plan, planID).Error; err != nil {
		t.Fatal(err)
	}
	periods, err := reporting.PlanPeriods(ctx, db, planID)
	if err != nil {
		t.Fatal(err)
	}
	want, err := reporting.Completeness(ctx, db, plan, periods, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reporting.CompletenessFromRollups(ctx, db, plan, periods, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want.Periods {
		if w, g := want.Periods[k], got.Periods[k]; !reflect.DeepEqual(w, g) {
			t.Errorf("%s: completeness of %s from the roll-ups differs from a recount:\n got %+v\nwant %+v", step, w.Period.Label, g.Total, w.Total)
			for i := range max(len(w.Rows), len(g.Rows)) {
				if i >= len(w.Rows) || i >= len(g.Rows) || !reflect.DeepEqual(w.Rows[i], g.Rows[i]) {
					t.Errorf("  first differing row %d", i)
					break
				}
			}
		}
	}
	kept := completenessRows(t, db, planID)
	var rebuilt []reporting.CompletenessRollup
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := reporting.RebuildRollups(tx, planID); err != nil {
			return err
		}
		rebuilt = completenessRows(t, tx, planID)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("%s: rebuild: %v", step, err)
	}
	if !reflect.DeepEqual(kept, rebuilt) {
		t.Errorf("%s: completeness roll-up rows differ from a rebuild:\n got %+v\nwant %+v", step, kept, rebuilt)
	}
}

// TestCompletenessRollupEqualsRecount makes every kind of change that moves
// the completeness counts on the demo plan — save, submit, approve, return,
// reopen of values and activity updates, a period locked and its due date
// moved, an indicator and an activity given to another organisation, an
// indicator added, archived, restored and removed, an activity archived —
// and checks after each that the roll-ups kept in those transactions equal
// a full recount.
func TestCompletenessRollupEqualsRecount(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx, db := context.Background(), f.db
	plan := f.plan(t)
	var err error
	check := func(step string) {
		t.Helper()
		requireCompletenessMatchesRecount(t, db, plan.ID, f.now, step)
		// After every period's due date, and before the first one's.
		requireCompletenessMatchesRecount(t, db, plan.ID, f.now.AddDate(10, 0, 0), step+" (ten years on)")
	}
	if len(completenessRows(t, db, plan.ID)) == 0 {
		t.Fatal("the demo seed left no completeness roll-ups")
	}
	check("after seeding")

	// A value of the open period through its whole workflow.
	var ind domain.Indicator
	if err := db.Where("plan_id = ? AND reporting_org_id = ? AND unit_type = ? AND disaggregation_set_id IS NULL AND archived_at IS NULL",
		plan.ID, f.molsw.OrgID, domain.UnitNumber).Order("id").Take(&ind).Error; err != nil {
		t.Fatal(err)
	}
	target := f.target(ind.Code)
	version := f.current(t, ind.Code, f.period)
	move := func(step string, do func(version int) (*domain.IndicatorValue, error)) {
		t.Helper()
		v, err := do(version)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		version = v.Version
		check(step)
	}
	save := func(x float64) func(int) (*domain.IndicatorValue, error) {
		return func(version int) (*domain.IndicatorValue, error) {
			// A returned value is corrected with a reason; a draft ignores it.
			return reporting.SaveValue(ctx, db, f.as(f.molsw), target, reporting.ValueInput{Value: &x, Version: version, Reason: "Checked against the register"})
		}
	}
	act := func(scope domain.Scope, action, comment string) func(int) (*domain.IndicatorValue, error) {
		return func(version int) (*domain.IndicatorValue, error) {
			return reporting.TransitionValue(ctx, db, f.as(scope), target, action, version, comment)
		}
	}
	move("save a value", save(7))
	move("submit it", act(f.molsw, reporting.ActionSubmit, ""))
	move("return it", act(f.sec, reporting.ActionReturn, "Source?"))
	move("save it again after return", save(8))
	move("submit it again", act(f.molsw, reporting.ActionSubmit, ""))
	move("approve it", act(f.sec, reporting.ActionApprove, ""))
	move("reopen it", act(f.sec, reporting.ActionReopen, "Wrong source"))

	// Activity updates: approve a submitted one, return another, reopen an approved one.
	for _, step := range []struct{ status, action, comment string }{
		{domain.StatusSubmitted, reporting.ActionApprove, ""},
		{domain.StatusSubmitted, reporting.ActionReturn, "Expenditure?"},
		{domain.StatusApproved, reporting.ActionReopen, "Expenditure double counted"},
	} {
		code, period, v := workflowItem(t, db, "update", step.status, "")
		if _, err := reporting.TransitionUpdate(ctx, db, f.as(f.sec), reporting.UpdateTarget{Plan: seed.DemoPlanCode, Activity: code, Period: period}, step.action, v, step.comment); err != nil {
			t.Fatalf("%s update %s %s: %v", step.action, code, period, err)
		}
		check(step.action + " update " + code + " " + period)
	}

	// Periods: lock one, move an old one's due date back to its end.
	var open, old domain.ReportingPeriod
	db.Where("plan_id = ? AND label = ?", plan.ID, f.period).Take(&open)
	db.Where("plan_id = ? AND label = ?", plan.ID, f.oldPeriod).Take(&old)
	if err := planedit.SetPeriodLock(ctx, db, f.as(f.sec), plan, open.Label, domain.LockLocked, open.Version); err != nil {
		t.Fatal(err)
	}
	check("lock " + open.Label)
	if err := planedit.UpdatePeriod(ctx, db, f.as(f.sec), plan, old.Label, planedit.PeriodInput{DueDate: old.EndDate, GraceDays: 0, Version: old.Version}); err != nil {
		t.Fatal(err)
	}
	check("move the due date of " + old.Label)

	// Organisations: the indicator reported by MOPS from now on; an
	// activity led by MOPS.
	mops := f.mops.OrgID
	in := indicatorInput(ind)
	if in.Targets, err = planedit.IndicatorTargets(ctx, db, ind.ID); err != nil {
		t.Fatal(err)
	}
	in.ReportingOrgID = mops
	if err := planedit.UpdateIndicator(ctx, db, f.as(f.sec), plan, indicatorParent(t, db, ind), ind.Code, in); err != nil {
		t.Fatal(err)
	}
	check("indicator " + ind.Code + " moved to MOPS")
	var a domain.Activity
	if err := db.Where("plan_id = ? AND lead_org_id <> ? AND archived_at IS NULL", plan.ID, mops).
		Where("id NOT IN (SELECT activity_id FROM activity_supporters WHERE organisation_id = ?)", mops).Order("id").Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	supporters, err := planedit.ActivitySupporterIDs(ctx, db, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	ain := planedit.ActivityInput{NodeInput: planedit.NodeInput{Code: a.Code, Title: a.Title, Titles: a.TitleI18n, Description: a.Description, Position: a.Position, Version: a.Version},
		StartDate: a.StartDate, EndDate: a.EndDate, LeadOrgID: mops, SupporterIDs: supporters, Budget: a.Budget, Currency: a.Currency}
	if err := planedit.UpdateActivity(ctx, db, f.as(f.sec), plan, a.Code, ain); err != nil {
		t.Fatal(err)
	}
	check("activity " + a.Code + " led by MOPS")

	// Indicators added, archived, restored and removed; an activity archived.
	parent := indicatorParent(t, db, ind)
	nin := in
	nin.Code, nin.Version = ind.Code+"x", 0
	added, err := planedit.CreateIndicator(ctx, db, f.as(f.sec), plan, parent, nin)
	if err != nil {
		t.Fatal(err)
	}
	check("indicator " + added.Code + " added")
	ref := domain.EntityRef{Kind: "indicator", ID: ind.ID, PlanID: &plan.ID}
	for _, archive := range []bool{true, false} {
		var cur domain.Indicator
		db.Take(&cur, ind.ID)
		ref.Version = cur.Version
		if err := planedit.ArchiveEntity(ctx, db, f.as(f.sec), ref, archive); err != nil {
			t.Fatal(err)
		}
		check("indicator " + ind.Code + " archived or restored")
	}
	if err := planedit.DeleteEntity(ctx, db, f.as(f.sec), domain.EntityRef{Kind: "indicator", ID: added.ID, PlanID: &plan.ID, Version: added.Version}); err != nil {
		t.Fatal(err)
	}
	check("indicator " + added.Code + " removed")
	db.Take(&a, a.ID)
	if err := planedit.ArchiveEntity(ctx, db, f.as(f.sec), domain.EntityRef{Kind: "activity", ID: a.ID, PlanID: &plan.ID, Version: a.Version}, true); err != nil {
		t.Fatal(err)
	}
	check("activity " + a.Code + " archived")
}

// indicatorInput is the plan editor's form for an indicator as it is.
func indicatorInput(ind domain.Indicator) planedit.IndicatorInput {
	return planedit.IndicatorInput{Code: ind.Code, Name: ind.Name, Definition: ind.Definition, UnitType: ind.UnitType, UnitLabel: ind.UnitLabel,
		Direction: ind.Direction, Accumulation: ind.Accumulation, BaselineValue: ind.BaselineValue, BaselineYear: ind.BaselineYear,
		EndTarget: ind.EndTarget, MeansOfVerification: ind.MeansOfVerification, ReportingOrgID: ind.ReportingOrgID,
		DisaggregationSetID: ind.DisaggregationSetID, Sensitive: ind.Sensitive, Position: ind.Position, Version: ind.Version}
}

// indicatorParent is the objective or activity an indicator belongs to.
func indicatorParent(t *testing.T, db *gorm.DB, ind domain.Indicator) planedit.IndicatorParent {
	t.Helper()
	ctx := context.Background()
	var p planedit.IndicatorParent
	var err error
	if ind.ActivityID != nil {
		p.Activity, err = planedit.FindByID[domain.Activity](ctx, db, *ind.ActivityID)
	} else {
		p.Objective, err = planedit.FindByID[domain.Objective](ctx, db, *ind.ObjectiveID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}
