package reporting_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// valueFixture is the demo plan loaded as of 15 May 2026 (2026-Q2 open),
// with a MOLSW focal point, a MOPS focal point and a secretariat officer.
type valueFixture struct {
	db                *gorm.DB
	now               time.Time
	molsw, mops, sec  domain.Scope
	actor             domain.Actor
	period, oldPeriod string
}

func newValueFixture(t *testing.T) *valueFixture {
	t.Helper()
	today := domain.Date(2026, 5, 15)
	db := storetest.Demo(t, today)
	ctx := context.Background()
	mk := func(email, role, org string) domain.Scope {
		u := &domain.User{Email: email, Name: email, Role: role}
		if org != "" {
			o, err := planning.FindOrganisationByAcronym(ctx, db, org)
			if err != nil {
				t.Fatal(err)
			}
			u.OrganisationID = &o.ID
		}
		if err := storetest.CreateUser(ctx, db, domain.SystemActor, u, "a long password"); err != nil {
			t.Fatal(err)
		}
		return domain.ScopeOf(u)
	}
	return &valueFixture{
		db: db, now: today.Add(10 * time.Hour),
		molsw: mk("fp.molsw@test.example", domain.RoleFocalPoint, "MOLSW"),
		mops:  mk("fp.mops@test.example", domain.RoleFocalPoint, "MOPS"),
		sec:   mk("sec@test.example", domain.RoleSecretariat, ""),
		actor: domain.Actor{Name: "test"}, period: "2026-Q2", oldPeriod: "2024-Q1",
	}
}

// plan is the demo plan.
func (f *valueFixture) plan(t *testing.T) *domain.Plan {
	t.Helper()
	p, err := planning.FindPlan(context.Background(), f.db, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// target is the demo plan's indicator ind in the fixture's open period.
func (f *valueFixture) target(ind string) reporting.ValueTarget {
	return reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: ind, Period: f.period}
}

// draft saves value for ind in the open period as MOLSW's focal point, on
// the current version, and returns the target and the draft.
func (f *valueFixture) draft(t *testing.T, ind string, value float64) (reporting.ValueTarget, *domain.IndicatorValue) {
	t.Helper()
	target := f.target(ind)
	v, err := reporting.SaveValue(context.Background(), f.db, f.as(f.molsw), target, reporting.ValueInput{Value: &value, Version: f.current(t, ind, f.period)})
	if err != nil {
		t.Fatal(err)
	}
	return target, v
}

// as is the fixture's actor calling with scope at the fixture's time.
func (f *valueFixture) as(scope domain.Scope) domain.Caller {
	return domain.Caller{Actor: f.actor, Scope: scope, Now: f.now}
}

func (f *valueFixture) current(t *testing.T, ind, period string) int {
	t.Helper()
	var v domain.IndicatorValue
	err := f.db.Joins("JOIN indicators i ON i.id = indicator_values.indicator_id").Joins("JOIN reporting_periods p ON p.id = indicator_values.period_id").
		Where("i.code = ? AND p.label = ?", ind, period).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return v.Version
}

func (f *valueFixture) audits(t *testing.T, action string) int64 {
	var n int64
	f.db.Model(&domain.AuditEntry{}).Where("action = ?", action).Count(&n)
	return n
}

func num(v float64) *float64 { return &v }

func TestSaveValueRules(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx := context.Background()
	plain := f.target("2.1.1.b")
	split := f.target("2.1.1.a")
	cells := map[string]float64{"sex=female;age=child": 4, "sex=female;age=adult": 10, "sex=male;age=child": 3, "sex=male;age=adult": 8}

	v0 := f.current(t, "2.1.1.b", f.period)
	saved, err := reporting.SaveValue(ctx, f.db, f.as(f.molsw), plain, reporting.ValueInput{Value: num(12), Narrative: "Trainings in 3 provinces", Version: v0})
	if err != nil {
		t.Fatalf("focal point saving their own indicator: %v", err)
	}
	if saved.Version != v0+1 || saved.Status != domain.StatusDraft {
		t.Errorf("saved version %d status %s, want %d draft", saved.Version, saved.Status, v0+1)
	}

	tests := []struct {
		name   string
		scope  domain.Scope
		target reporting.ValueTarget
		in     reporting.ValueInput
		want   error
		field  string
	}{
		{"another ministry's indicator", f.mops, plain, reporting.ValueInput{Value: num(1), Version: saved.Version}, domain.ErrForbidden, ""},
		{"stale version", f.molsw, plain, reporting.ValueInput{Value: num(13), Version: v0}, domain.ErrStale, ""},
		{"closed period", f.molsw, reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: "2.1.1.b", Period: f.oldPeriod}, reporting.ValueInput{Value: num(1), Version: f.current(t, "2.1.1.b", f.oldPeriod)}, domain.ErrLocked, ""},
		{"unknown indicator", f.molsw, f.target("9.9.9"), reporting.ValueInput{}, domain.ErrNotFound, ""},
		{"unknown period", f.molsw, reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: "2.1.1.b", Period: "1999-Q1"}, reporting.ValueInput{}, domain.ErrNotFound, ""},
		{"negative count", f.molsw, plain, reporting.ValueInput{Value: num(-3), Version: saved.Version}, nil, "value"},
		{"breakdown that does not add up", f.molsw, split, reporting.ValueInput{Value: num(30), Disaggregation: cells, Version: f.current(t, "2.1.1.a", f.period)}, nil, "disaggregation"},
		{"unknown breakdown cell", f.molsw, split, reporting.ValueInput{Value: num(1), Disaggregation: map[string]float64{"sex=other": 1}, Version: f.current(t, "2.1.1.a", f.period)}, nil, "disaggregation.sex=other"},
		{"percentage above 100", f.molsw, f.target("2.1.a"), reporting.ValueInput{Value: num(120), Version: f.current(t, "2.1.a", f.period)}, nil, "value"},
		{"breakdown on an indicator without one", f.molsw, plain, reporting.ValueInput{Value: num(1), Disaggregation: map[string]float64{"x": 1}, Version: saved.Version}, nil, "disaggregation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reporting.SaveValue(ctx, f.db, f.as(tt.scope), tt.target, tt.in)
			if tt.field != "" {
				var ve *domain.ValidationError
				if !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
					t.Fatalf("error %v, want a message for field %q", err, tt.field)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}

	var stale *domain.StaleError
	_, err = reporting.SaveValue(ctx, f.db, f.as(f.molsw), plain, reporting.ValueInput{Value: num(13), Version: v0})
	if !errors.As(err, &stale) || stale.Current != saved.Version || stale.ChangedBy == "" || stale.ChangedAt.IsZero() {
		t.Errorf("stale error %+v does not say who changed the value and when", stale)
	}

	// A breakdown that adds up is stored with its total.
	sum := 0.0
	for _, x := range cells {
		sum += x
	}
	got, err := reporting.SaveValue(ctx, f.db, f.as(f.molsw), split, reporting.ValueInput{Value: &sum, Disaggregation: cells, Version: f.current(t, "2.1.1.a", f.period)})
	if err != nil || len(got.Breakdown) != 4 {
		t.Fatalf("a breakdown that adds up: %v, %d cells", err, len(got.Breakdown))
	}
}

func TestSaveValueRetryIsAppliedOnce(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx := context.Background()
	target := f.target("2.1.1.b")
	in := reporting.ValueInput{Value: num(7), Narrative: "first", Version: f.current(t, "2.1.1.b", f.period)}
	before := f.audits(t, "value.save")
	first, err := reporting.SaveValue(ctx, f.db, f.as(f.molsw), target, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := reporting.SaveValue(ctx, f.db, domain.Caller{Actor: f.actor, Scope: f.molsw, Now: f.now.Add(time.Second)}, target, in)
	if err != nil {
		t.Fatalf("the retried form was refused: %v", err)
	}
	if again.Version != first.Version || f.audits(t, "value.save") != before+1 {
		t.Errorf("the retry was applied twice: version %d → %d, %d audit rows", first.Version, again.Version, f.audits(t, "value.save")-before)
	}
	// A different edit on the same old version is a conflict, not a retry.
	in.Narrative = "second"
	if _, err := reporting.SaveValue(ctx, f.db, f.as(f.molsw), target, in); !errors.Is(err, domain.ErrStale) {
		t.Errorf("a different edit on an old version: %v, want ErrStale", err)
	}
}

func TestValueWorkflow(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx := context.Background()
	target, v := f.draft(t, "2.1.1.b", 5)
	step := func(scope domain.Scope, action string, version int, comment string, want error) *domain.IndicatorValue {
		t.Helper()
		got, err := reporting.TransitionValue(ctx, f.db, f.as(scope), target, action, version, comment)
		if want == nil && err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("%s: error %v, want %v", action, err, want)
		}
		return got
	}
	step(f.mops, reporting.ActionSubmit, v.Version, "", domain.ErrForbidden)
	v = step(f.molsw, reporting.ActionSubmit, v.Version, "", nil)
	if v.Status != domain.StatusSubmitted || v.SubmittedAt == nil {
		t.Fatalf("after submit: %+v", v.Workflow)
	}
	if _, err := reporting.SaveValue(ctx, f.db, f.as(f.molsw), target, reporting.ValueInput{Value: num(6), Version: v.Version}); !errors.Is(err, domain.ErrLocked) {
		t.Errorf("editing a submitted value: %v, want ErrLocked", err)
	}
	step(f.molsw, reporting.ActionApprove, v.Version, "", domain.ErrForbidden)
	var ve *domain.ValidationError
	if _, err := reporting.TransitionValue(ctx, f.db, f.as(f.sec), target, reporting.ActionReturn, v.Version, "  "); !errors.As(err, &ve) {
		t.Errorf("returning without a comment: %v, want a validation error", err)
	}
	v = step(f.sec, reporting.ActionReturn, v.Version, "Please check the Q2 register", nil)
	if v.Status != domain.StatusReturned || v.ReturnComment == "" {
		t.Fatalf("after return: %+v", v.Workflow)
	}
	if _, err := reporting.SaveValue(ctx, f.db, f.as(f.molsw), target, reporting.ValueInput{Value: num(6), Version: v.Version, Reason: " "}); !errors.As(err, &ve) || ve.Fields["reason"] == "" {
		t.Errorf("correcting a returned value without a reason: %v, want a message on the reason", err)
	}
	v, err := reporting.SaveValue(ctx, f.db, f.as(f.molsw), target, reporting.ValueInput{Value: num(6), Version: v.Version, Reason: "Q2 register recounted"})
	if err != nil {
		t.Fatalf("correcting a returned value: %v", err)
	}
	var reason string
	if err := f.db.Table("audit_entries").Select("reason").Where("action = ? AND entity_id = ?", "value.save", v.ID).Order("id DESC").Limit(1).Scan(&reason).Error; err != nil || reason != "Q2 register recounted" {
		t.Errorf("the correction's reason in the history: %q, %v", reason, err)
	}
	v = step(f.molsw, reporting.ActionSubmit, v.Version, "", nil)
	v = step(f.sec, reporting.ActionApprove, v.Version, "", nil)
	if v.Status != domain.StatusApproved || v.ApprovedAt == nil || *v.Value != 6 {
		t.Fatalf("after approval: %+v", v)
	}
	if _, err := reporting.SaveValue(ctx, f.db, f.as(f.sec), target, reporting.ValueInput{Value: num(9), Version: v.Version}); !errors.Is(err, domain.ErrLocked) {
		t.Errorf("editing an approved value: %v, want ErrLocked", err)
	}
	var n int64
	f.db.Model(&domain.AuditEntry{}).Where("entity_type = ? AND entity_id = ?", "indicator_value", v.ID).Count(&n)
	if n != 6 {
		t.Errorf("%d audit rows for the value, want 6 (save, submit, return, save, submit, approve)", n)
	}
}

func TestJumpFromPrevious(t *testing.T) {
	t.Parallel()
	mk := func(cur *float64, prev ...*float64) *reporting.ValueForm {
		f := &reporting.ValueForm{}
		if cur != nil {
			f.Value = &domain.IndicatorValue{Value: cur}
		}
		for i, p := range prev {
			f.Previous = append(f.Previous, reporting.ScopedPeriodValue{Label: fmt.Sprintf("P-%d", i+1), Value: p})
		}
		return f
	}
	tests := []struct {
		name string
		f    *reporting.ValueForm
		want float64 // 0: no warning
	}{
		{"ordinary change", mk(num(120), num(100)), 0},
		{"ten times", mk(num(1000), num(100)), 10},
		{"a quarter", mk(num(25), num(100)), 0.25},
		{"nothing before", mk(num(25)), 0},
		{"no value yet", mk(nil, num(100)), 0},
		{"previous zero", mk(num(5), num(0)), 0},
		{"compares with the latest earlier period only", mk(num(100), num(95), num(10)), 0},
	}
	for _, tt := range tests {
		j := tt.f.JumpFromPrevious()
		switch {
		case tt.want == 0 && j != nil:
			t.Errorf("%s: warned %+v", tt.name, j)
		case tt.want != 0 && (j == nil || j.Ratio != tt.want || j.Label != "P-1"):
			t.Errorf("%s: %+v, want ratio %v against P-1", tt.name, j, tt.want)
		}
	}
}

func TestWithdrawUntilTheSecretariatActs(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx := context.Background()
	target, v := f.draft(t, "2.1.1.b", 5)
	v, err := reporting.TransitionValue(ctx, f.db, f.as(f.molsw), target, reporting.ActionSubmit, v.Version, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reporting.TransitionValue(ctx, f.db, f.as(f.mops), target, reporting.ActionWithdraw, v.Version, ""); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("another ministry withdrawing: %v, want ErrForbidden", err)
	}
	before := f.audits(t, "value.withdraw")
	w, err := reporting.TransitionValue(ctx, f.db, f.as(f.molsw), target, reporting.ActionWithdraw, v.Version, "")
	if err != nil {
		t.Fatalf("withdrawing a submission: %v", err)
	}
	if w.Status != domain.StatusDraft || w.Version != v.Version+1 || w.SubmittedAt != nil || f.audits(t, "value.withdraw") != before+1 {
		t.Errorf("after withdrawing: status %s, version %d → %d, submitted at %v, %d audit rows", w.Status, v.Version, w.Version, w.SubmittedAt, f.audits(t, "value.withdraw")-before)
	}
	v, err = reporting.TransitionValue(ctx, f.db, f.as(f.molsw), target, reporting.ActionSubmit, w.Version, "")
	if err != nil {
		t.Fatal(err)
	}
	if v, err = reporting.TransitionValue(ctx, f.db, f.as(f.sec), target, reporting.ActionApprove, v.Version, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := reporting.TransitionValue(ctx, f.db, f.as(f.molsw), target, reporting.ActionWithdraw, v.Version, ""); !errors.Is(err, domain.ErrLocked) {
		t.Errorf("withdrawing an approved value: %v, want ErrLocked", err)
	}
}

// "Save and submit" is one transaction: a submission refused after the
// save (a breakdown is required before submitting) leaves nothing saved —
// no new version, no audit row — and a complete one saves and submits.
func TestSaveAndSubmitIsOneTransaction(t *testing.T) {
	t.Parallel()
	f := newValueFixture(t)
	ctx := context.Background()
	split := f.target("2.1.1.a")
	before, saves := f.current(t, "2.1.1.a", f.period), f.audits(t, "value.save")
	_, err := reporting.SaveValueAndSubmit(ctx, f.db, f.as(f.molsw), split, reporting.ValueInput{Value: num(12), Version: before}, true)
	var ve *domain.ValidationError
	if !errors.As(err, &ve) || ve.Fields["disaggregation"] == "" {
		t.Fatalf("submitting a total without its breakdown: %v, want a message on the breakdown", err)
	}
	if got := f.current(t, "2.1.1.a", f.period); got != before {
		t.Errorf("the refused submission left version %d saved, want %d (nothing saved)", got, before)
	}
	if got := f.audits(t, "value.save"); got != saves {
		t.Errorf("%d value.save audit rows after the refused submission, want %d", got, saves)
	}
	// Saving alone keeps the draft, as before.
	v, err := reporting.SaveValueAndSubmit(ctx, f.db, f.as(f.molsw), split, reporting.ValueInput{Value: num(12), Version: before}, false)
	if err != nil || v.Status != domain.StatusDraft {
		t.Fatalf("saving a total as a draft: %v %+v", err, v)
	}
	plain := f.target("2.1.1.b")
	v, err = reporting.SaveValueAndSubmit(ctx, f.db, f.as(f.molsw), plain, reporting.ValueInput{Value: num(4), Version: f.current(t, "2.1.1.b", f.period)}, true)
	if err != nil || v.Status != domain.StatusSubmitted || *v.Value != 4 {
		t.Fatalf("save and submit: %v %+v", err, v)
	}
}

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
