package reporting_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

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
