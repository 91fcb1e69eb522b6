package report_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/report"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/seed"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
)

// cellsOf reads every cell of every sheet but the cover (which says when
// the report was generated).
func cellsOf(t *testing.T, f *excelize.File) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, name := range f.GetSheetList()[1:] {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out[name] = rows
	}
	return out
}

// TestSnapshotReproducesTheReport: a report produced from a review snapshot
// is the same, cell for cell, after the live data changed — a value
// approved, another reopened and corrected, a decision recorded — while the
// live report shows the changes.
func TestSnapshotReproducesTheReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := demo(t)
	d := loadPlan(t, db)
	u := &domain.User{Email: "sec.snapshot@test.example", Name: "Secretariat", Role: domain.RoleSecretariat}
	if err := storetest.CreateUser(ctx, db, domain.SystemActor, u, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	actor, scope := domain.Actor{UserID: &u.ID, Name: u.Name}, domain.ScopeOf(u)

	// The range a workshop would look at: the year of the last period started.
	to := 0
	for i, p := range d.periods {
		if !today.Before(p.StartDate) {
			to = i
		}
	}
	from := to
	for from > 0 && d.periods[from-1].Year() == d.periods[to].Year() {
		from--
	}
	taken := today.Add(-time.Hour)
	snap, err := review.CreateSnapshot(ctx, db, domain.Caller{Actor: actor, Scope: scope, Now: taken}, seed.DemoPlanCode, review.SnapshotInput{Name: "Mid-year review", From: d.periods[from].Label, To: d.periods[to].Label})
	if err != nil {
		t.Fatal(err)
	}
	donor := domain.Scope{UserID: 2, Role: domain.RoleDonor}
	frozen, _ := generate(t, db, report.Options{Scope: donor, Snapshot: snap.ID})
	before := cellsOf(t, frozen)
	liveBefore, _ := generate(t, db, report.Options{Scope: donor})
	// Taken an hour before, the snapshot shows what the live report shows.
	for _, name := range []string{"IPTT", "Activities", "Funding"} {
		if !reflect.DeepEqual(before[name], cellsOf(t, liveBefore)[name]) {
			t.Errorf("sheet %s: the snapshot's report differs from the live one of the same moment", name)
		}
	}
	if n := strings.Count(flatten(before["IPTT"]), "\t"); n < 1000 {
		t.Errorf("the snapshot's IPTT has only %d cells", n)
	}

	// Change the live data: approve a submitted value, reopen an approved one.
	var submitted, approved domain.IndicatorValue
	inRange := []int64{}
	for _, p := range d.periods[from : to+1] {
		inRange = append(inRange, p.ID)
	}
	if err := db.Where("status = ? AND period_id IN ? AND value IS NOT NULL", domain.StatusSubmitted, inRange).Order("id").Take(&submitted).Error; err != nil {
		t.Fatalf("the demo plan has no submitted value in the range: %v", err)
	}
	if err := db.Where("status = ? AND period_id IN ? AND value IS NOT NULL", domain.StatusApproved, inRange).Order("id").Take(&approved).Error; err != nil {
		t.Fatalf("the demo plan has no approved value in the range: %v", err)
	}
	target := func(v domain.IndicatorValue) reporting.ValueTarget {
		var ind domain.Indicator
		var p domain.ReportingPeriod
		db.Take(&ind, v.IndicatorID)
		db.Take(&p, v.PeriodID)
		return reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: ind.Code, Period: p.Label}
	}
	if _, err := reporting.TransitionValue(ctx, db, domain.Caller{Actor: actor, Scope: scope, Now: today}, target(submitted), reporting.ActionApprove, submitted.Version, ""); err != nil {
		t.Fatalf("approve: %v", err)
	}
	if _, err := reporting.TransitionValue(ctx, db, domain.Caller{Actor: actor, Scope: scope, Now: today}, target(approved), reporting.ActionReopen, approved.Version, "Corrected after the workshop"); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if _, err := review.CreateDecision(ctx, db, domain.Caller{Actor: actor, Scope: scope, Now: today}, d.plan.ID, review.DecisionInput{Text: "Follow up with MOLSW", PillarCode: "1"}); err != nil {
		t.Fatalf("decision: %v", err)
	}

	again, _ := generate(t, db, report.Options{Scope: donor, Snapshot: snap.ID})
	if after := cellsOf(t, again); !reflect.DeepEqual(before, after) {
		for name := range before {
			if !reflect.DeepEqual(before[name], after[name]) {
				t.Errorf("sheet %s of the snapshot's report changed with the live data", name)
			}
		}
	}
	liveAfter, _ := generate(t, db, report.Options{Scope: donor})
	if reflect.DeepEqual(cellsOf(t, liveBefore)["IPTT"], cellsOf(t, liveAfter)["IPTT"]) {
		t.Error("the live report did not change: the test changed nothing that shows")
	}
	changes, _ := liveAfter.GetRows("Changes")
	if !strings.Contains(flatten(changes), "Follow up with MOLSW") {
		t.Error("the live report's Changes sheet lacks the workshop decision")
	}
	if strings.Contains(flatten(before["Changes"]), "Follow up with MOLSW") {
		t.Error("the snapshot's Changes sheet shows a decision recorded after it")
	}
	cover, _ := again.GetRows(again.GetSheetList()[0])
	if !strings.Contains(flatten(cover), "Mid-year review") {
		t.Error("the cover does not name the snapshot")
	}

	// A snapshot holds approved data of its range only.
	err = report.Workshop(ctx, db, report.Options{Plan: seed.DemoPlanCode, Scope: secretariat, Snapshot: snap.ID, IncludeUnapproved: true, Now: today}, &strings.Builder{})
	var v *domain.ValidationError
	if !errors.As(err, &v) || v.Fields["include_unapproved"] == "" {
		t.Errorf("snapshot with unapproved data: %v, want a validation error", err)
	}
	if from > 0 {
		err = report.Workshop(ctx, db, report.Options{Plan: seed.DemoPlanCode, Scope: donor, Snapshot: snap.ID, From: d.periods[from-1].Label, Now: today}, &strings.Builder{})
		if !errors.As(err, &v) || v.Fields["to"] == "" {
			t.Errorf("snapshot report beyond its range: %v, want a validation error", err)
		}
	}
	err = report.Workshop(ctx, db, report.Options{Plan: seed.DemoPlanCode, Scope: donor, Snapshot: snap.ID + 1000, Now: today}, &strings.Builder{})
	if !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown snapshot: %v, want ErrNotFound", err)
	}
}

func flatten(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}
