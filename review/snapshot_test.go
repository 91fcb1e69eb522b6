package review_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/seed"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// secretariatUser creates a secretariat account and returns its actor and scope.
func secretariatUser(t *testing.T, db *gorm.DB) (domain.Actor, domain.Scope) {
	t.Helper()
	u := &domain.User{Email: "sec." + account.RandomPassword(6) + "@test.example", Name: "Secretariat", Role: domain.RoleSecretariat}
	if err := storetest.CreateUser(context.Background(), db, domain.SystemActor, u, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	return domain.Actor{UserID: &u.ID, Name: u.Email}, domain.ScopeOf(u)
}

// demoDB is a copy of a database holding the demo plan placed around today.
func demoDB(t *testing.T) *gorm.DB {
	t.Helper()
	return storetest.Demo(t, time.Now().UTC())
}

// demoPlan returns the demo plan of a database made by demoDB.
func demoPlan(t *testing.T, db *gorm.DB) *domain.Plan {
	t.Helper()
	ctx := context.Background()
	plan, err := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// approveOneSubmitted approves a submitted value of the plan whose period
// ends by end, returning its id.
func approveOneSubmitted(t *testing.T, db *gorm.DB, plan *domain.Plan, end time.Time) int64 {
	t.Helper()
	actor, secretariat := secretariatUser(t, db)
	var row struct {
		ID      int64
		Code    string
		Label   string
		Version int
	}
	err := db.Raw(`SELECT v.id, i.code, p.label, v.version FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
JOIN reporting_periods p ON p.id = v.period_id WHERE i.plan_id = ? AND v.status = 'submitted' AND v.value IS NOT NULL AND p.end_date <= ?
ORDER BY v.id LIMIT 1`, plan.ID, end).Scan(&row).Error
	if err != nil || row.ID == 0 {
		t.Fatalf("no submitted value to approve (%v)", err)
	}
	target := reporting.ValueTarget{Plan: plan.Code, Indicator: row.Code, Period: row.Label}
	if _, err := reporting.TransitionValue(context.Background(), db, domain.Caller{Actor: actor, Scope: secretariat, Now: time.Now().UTC()}, target, reporting.ActionApprove, row.Version, ""); err != nil {
		t.Fatal(err)
	}
	return row.ID
}

func count(t *testing.T, db *gorm.DB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(sql, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSnapshotFreezesApprovedData takes a snapshot of the demo plan and
// checks that it copied exactly the approved rows, that a value approved
// afterwards changes neither its rows nor its slides, that its JSON
// decodes, and that names are unique per plan.
func TestSnapshotFreezesApprovedData(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	ctx := context.Background()
	plan := demoPlan(t, db)
	now := time.Now().UTC()
	actor, secretariat := secretariatUser(t, db)

	if _, err := review.CreateSnapshot(ctx, db, domain.Caller{Actor: domain.SystemActor, Scope: domain.Scope{Role: domain.RoleDonor, OrgID: 1}, Now: now}, plan.Code, review.SnapshotInput{Name: "Donor's"}); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("a donor took a snapshot: %v", err)
	}
	snap, err := review.CreateSnapshot(ctx, db, domain.Caller{Actor: actor, Scope: secretariat, Now: now}, plan.Code, review.SnapshotInput{Name: "Mid-year review"})
	if err != nil {
		t.Fatal(err)
	}
	var end time.Time
	if err := db.Model(&domain.ReportingPeriod{}).Select("end_date").Where("id = ?", snap.ToPeriodID).Scan(&end).Error; err != nil {
		t.Fatal(err)
	}
	approvedValues := `SELECT COUNT(*) FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN reporting_periods p ON p.id = v.period_id
WHERE i.plan_id = ? AND v.status = 'approved' AND p.end_date <= ?`
	live := count(t, db, approvedValues, plan.ID, end)
	copied := count(t, db, `SELECT COUNT(*) FROM snapshot_values WHERE snapshot_id = ?`, snap.ID)
	if live == 0 || copied != live {
		t.Fatalf("snapshot copied %d values, the plan has %d approved ones up to %s", copied, live, end.Format("2006-01-02"))
	}
	if n := count(t, db, `SELECT COUNT(*) FROM snapshot_values WHERE snapshot_id = ? AND status <> 'approved'`, snap.ID); n != 0 {
		t.Errorf("%d unapproved values copied", n)
	}
	// Exactly the approved rows: every copied id is an approved value of the plan.
	if n := count(t, db, `SELECT COUNT(*) FROM snapshot_values s JOIN indicator_values v ON v.id = s.value_id
WHERE s.snapshot_id = ? AND v.status = 'approved' AND v.indicator_id = s.indicator_id AND v.period_id = s.period_id`, snap.ID); n != copied {
		t.Errorf("%d of %d copied rows match an approved value", n, copied)
	}
	liveCells := count(t, db, `SELECT COUNT(*) FROM value_breakdowns b JOIN indicator_values v ON v.id = b.value_id JOIN indicators i ON i.id = v.indicator_id
JOIN reporting_periods p ON p.id = v.period_id WHERE i.plan_id = ? AND v.status = 'approved' AND p.end_date <= ?`, plan.ID, end)
	if c := count(t, db, `SELECT COUNT(*) FROM snapshot_breakdowns WHERE snapshot_id = ?`, snap.ID); c != liveCells || c == 0 {
		t.Errorf("snapshot copied %d breakdown cells, want %d", c, liveCells)
	}
	liveUpdates := count(t, db, `SELECT COUNT(*) FROM activity_updates u JOIN activities a ON a.id = u.activity_id JOIN reporting_periods p ON p.id = u.period_id
WHERE a.plan_id = ? AND u.status = 'approved' AND p.end_date <= ?`, plan.ID, end)
	if c := count(t, db, `SELECT COUNT(*) FROM snapshot_updates WHERE snapshot_id = ?`, snap.ID); c != liveUpdates || c == 0 {
		t.Errorf("snapshot copied %d updates, want %d", c, liveUpdates)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM audit_entries WHERE action = 'snapshot.create' AND entity_id = ?`, snap.ID); n != 1 {
		t.Errorf("%d audit rows for the snapshot", n)
	}

	// A value approved afterwards changes the live data, not the snapshot.
	approved := approveOneSubmitted(t, db, plan, end)
	if after := count(t, db, approvedValues, plan.ID, end); after != live+1 {
		t.Fatalf("live approved values: %d, want %d", after, live+1)
	}
	if c := count(t, db, `SELECT COUNT(*) FROM snapshot_values WHERE snapshot_id = ?`, snap.ID); c != copied {
		t.Errorf("snapshot values: %d, want %d", c, copied)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM snapshot_values WHERE snapshot_id = ? AND value_id = ?`, snap.ID, approved); n != 0 {
		t.Error("the value approved later is in the snapshot")
	}

	// What FindSnapshot reads back decodes whole.
	again, err := review.FindSnapshot(ctx, db, plan.ID, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	content, err := again.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if content.Tree.Plan.Code != plan.Code || len(content.Tree.Pillars) == 0 || len(content.Targets) == 0 || len(content.Compliance.Periods) == 0 {
		t.Errorf("decoded snapshot is incomplete: %d pillars, %d targets", len(content.Tree.Pillars), len(content.Targets))
	}
	slides, err := again.Slides()
	if err != nil {
		t.Fatal(err)
	}
	if len(slides.Pillars) != len(content.Tree.Pillars) || slides.Overview.Indicators != content.Tree.Indicators {
		t.Errorf("slides: %d pillars and %d indicators, tree: %d and %d", len(slides.Pillars), slides.Overview.Indicators, len(content.Tree.Pillars), content.Tree.Indicators)
	}

	// Names are unique per plan (whatever the case); ranges are checked.
	var ve *domain.ValidationError
	_, err = review.CreateSnapshot(ctx, db, domain.Caller{Actor: actor, Scope: secretariat, Now: now}, plan.Code, review.SnapshotInput{Name: "MID-YEAR review"})
	if !errors.As(err, &ve) || ve.Fields["name"] == "" {
		t.Errorf("a duplicate name was accepted: %v", err)
	}
	_, err = review.CreateSnapshot(ctx, db, domain.Caller{Actor: actor, Scope: secretariat, Now: now}, plan.Code, review.SnapshotInput{Name: "Other", From: "1999-Q1"})
	if !errors.As(err, &ve) || ve.Fields["from"] == "" {
		t.Errorf("an unknown period was accepted: %v", err)
	}
	list, err := review.ListSnapshots(ctx, db, plan.ID)
	if err != nil || len(list) != 1 || list[0].FromLabel == "" || list[0].Name != "Mid-year review" {
		t.Errorf("list: %+v (%v)", list, err)
	}
	if _, err := review.FindSnapshot(ctx, db, plan.ID+1, snap.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another plan's snapshot was found: %v", err)
	}
}

// TestSlidesCostAFixedNumberOfQueries compares the demo plan with a larger
// synthetic plan: the slides cost the same number of queries.
func TestSlidesCostAFixedNumberOfQueries(t *testing.T) {
	t.Parallel()
	db := demoDB(t)
	ctx := context.Background()
	demoPlan(t, db)
	if _, err := seed.Synthetic(ctx, db, seed.SyntheticOptions{Activities: 60, IndicatorsPerActivity: 3, Years: 2, Code: "SYN"}, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	counter := storetest.CountQueries(db)
	var counts []int64
	for _, code := range []string{seed.DemoPlanCode, "SYN"} {
		counter.Reset()
		s, err := review.LoadSlides(ctx, db, code, "", "", time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		if s.Overview.Indicators == 0 || len(s.Pillars) == 0 {
			t.Fatalf("%s: empty slides", code)
		}
		counts = append(counts, counter.N())
	}
	if counts[0] != counts[1] {
		t.Errorf("slides cost %d queries on the demo plan and %d on the synthetic one", counts[0], counts[1])
	}
	t.Logf("slides: %d queries", counts[0])
}
