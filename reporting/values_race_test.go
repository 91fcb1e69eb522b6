package reporting_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/store"

	"gorm.io/gorm"
)

// TestSaveValueFirstSaveRace makes a first save of a value meet another
// first save of the same value that commits between its read (no value yet,
// so version 0 is current) and its insert. On PostgreSQL the read cannot lock
// a row that does not exist, so the insert hits the unique key; the loser
// must get what it would get had the two run one after the other — a
// conflict naming who saved first, or for an exact retry by the same user
// the no-op success — never an internal error.
func TestSaveValueFirstSaveRace(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx := context.Background()
	var ind struct {
		ID   int64
		Code string
	}
	err := f.db.Table("indicators").Select("indicators.id, indicators.code").
		Joins("JOIN organisations o ON o.id = indicators.reporting_org_id").
		Where("o.acronym = 'MOLSW' AND indicators.disaggregation_set_id IS NULL AND indicators.unit_type = ? AND indicators.archived_at IS NULL", domain.UnitNumber).
		Where("NOT EXISTS (SELECT 1 FROM indicator_values v JOIN reporting_periods p ON p.id = v.period_id WHERE v.indicator_id = indicators.id AND p.label = ?)", f.period).
		Order("indicators.code").Limit(1).Scan(&ind).Error
	if err != nil || ind.ID == 0 {
		t.Fatalf("no MOLSW indicator without a value in %s: %v", f.period, err)
	}
	var periodID int64
	f.db.Table("reporting_periods").Select("id").Where("label = ?", f.period).Scan(&periodID)
	target := f.target(ind.Code)

	tests := []struct {
		name      string
		firstBy   domain.Scope // who saves first
		firstText string       // and with which narrative
		wantStale bool
	}{
		{"another user saved first", f.sec, "saved by the secretariat", true},
		{"the same edit, double-submitted", f.molsw, "double submit", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The first save holds its transaction open with the value inserted.
			first := f.db.Begin()
			defer first.Rollback()
			uid := tt.firstBy.UserID
			row := domain.IndicatorValue{IndicatorID: ind.ID, PeriodID: periodID, Value: num(5), Narrative: tt.firstText,
				Workflow: domain.Workflow{Status: domain.StatusDraft, Version: 1, CreatedByID: &uid, UpdatedByID: &uid, CreatedAt: f.now, UpdatedAt: f.now}}
			if err := first.Omit("Breakdown").Create(&row).Error; err != nil {
				t.Fatal(err)
			}
			type result struct {
				v   *domain.IndicatorValue
				err error
			}
			done := make(chan result, 1)
			go func() {
				v, err := reporting.SaveValue(ctx, f.db, f.as(f.molsw), target, reporting.ValueInput{Value: num(5), Narrative: "double submit", Version: 0})
				done <- result{v, err}
			}()
			if store.IsPostgres(f.db) {
				waitForInsertBlockedOn(t, f, first)
			} // on SQLite the second save waits for the write lock and reads the value afterwards
			if err := first.Commit().Error; err != nil {
				t.Fatal(err)
			}
			var got result
			select {
			case got = <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("the second save did not finish after the first committed")
			}
			var stale *domain.StaleError
			switch {
			case tt.wantStale && (!errors.As(got.err, &stale) || stale.Current != 1 || !strings.Contains(stale.ChangedBy, "sec@test.example")):
				t.Errorf("losing the race: %v (%+v), want a conflict on version 1 naming the secretariat", got.err, stale)
			case !tt.wantStale && (got.err != nil || got.v.Version != 1 || got.v.ID != row.ID):
				t.Errorf("an exact double submit: %v, %+v; want the first save's value, version 1", got.err, got.v)
			}
			if v := f.current(t, ind.Code, f.period); v != 1 {
				t.Errorf("version %d after one save, want 1", v)
			}
			// Clear the value for the next case (the audit log is append-only, so no save was audited here).
			if err := f.db.Where("id = ?", row.ID).Delete(&domain.IndicatorValue{}).Error; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// waitForInsertBlockedOn waits until another PostgreSQL backend waits for
// the transaction first, which is how an insert of the same unique key blocks.
func waitForInsertBlockedOn(t *testing.T, f *valueFixture, first *gorm.DB) {
	t.Helper()
	var pid int64
	if err := first.Raw("SELECT pg_backend_pid()").Scan(&pid).Error; err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var waiting int64
		err := f.db.Raw(`SELECT count(*) FROM pg_locks w JOIN pg_locks h
			ON h.locktype = 'transactionid' AND h.transactionid = w.transactionid AND h.granted AND h.pid = ?
			WHERE w.locktype = 'transactionid' AND NOT w.granted`, pid).Scan(&waiting).Error
		if err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
	}
	t.Fatal("the second save never waited on the first one's insert")
}
