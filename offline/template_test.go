package offline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/offline"
	"naptracker/reporting"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
)

// TestTemplateUploadSavesTheEditedRows fills a template with excelize (a
// number, a breakdown, a number typed as text, a narrative), and checks
// that the preview lists exactly those rows as "will save", that applying
// saves exactly those values, and that the same file uploaded again
// changes nothing, not even the audit log.
func TestTemplateUploadSavesTheEditedRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g := f.grid(t)
	plain, split := editable(t, g)
	rows, cells := rowsOf(g)
	a, b, s := plain[0].Indicator.Code, plain[1].Indicator.Code, split[0]
	edits := map[string]any{
		fmt.Sprintf("G%d", rows[a]): 1234.5, fmt.Sprintf("I%d", rows[a]): "typed offline",
		fmt.Sprintf("G%d", rows[b]): "1,250", // text, in English notation
	}
	keys := s.Set.Cells()
	total := 0
	for i, k := range keys {
		edits[fmt.Sprintf("G%d", cells[s.Indicator.Code][k])] = i + 1
		total += i + 1
	}
	edits[fmt.Sprintf("G%d", rows[s.Indicator.Code])] = total
	filled := edit(t, f.template(t), "Values", edits)

	p, err := f.preview(t, filled)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{a, b, s.Indicator.Code}
	if got := p.Codes(offline.WillSave); !sameCodes(got, want) {
		t.Fatalf("will save %v, want %v (rows: %+v)", got, want, p.Rows)
	}
	out, err := f.apply(t, filled, false)
	if err != nil {
		t.Fatal(err)
	}
	if !sameCodes(out.Saved, want) || len(out.Submitted) != 0 {
		t.Errorf("saved %v submitted %v", out.Saved, out.Submitted)
	}
	if v := f.stored(t, a); v == nil || v.Value == nil || *v.Value != 1234.5 || v.Narrative != "typed offline" || v.Status != domain.StatusDraft {
		t.Errorf("%s stored %+v", a, v)
	}
	if v := f.stored(t, b); v == nil || v.Value == nil || *v.Value != 1250 {
		t.Errorf("%s stored %+v", b, v)
	}
	v := f.stored(t, s.Indicator.Code)
	if v == nil || v.Value == nil || *v.Value != float64(total) || len(v.Breakdown) != len(keys) {
		t.Fatalf("%s stored %+v", s.Indicator.Code, v)
	}
	for _, c := range v.Breakdown {
		if i := slices.Index(keys, c.Cell); i < 0 || c.Value != float64(i+1) {
			t.Errorf("cell %+v", c)
		}
	}
	var audits int64
	f.db.Model(&domain.AuditEntry{}).Where("action = ?", "values.import").Count(&audits)
	if audits != 1 {
		t.Errorf("%d import audit entries, want 1", audits)
	}
	var entry domain.AuditEntry
	f.db.Where("action = ?", "values.import").Take(&entry)
	file, _ := offline.Parse(filled, f.keys, offline.Limits{})
	if file == nil || !contains(entry.NewValue, file.SHA256) {
		t.Errorf("the audit entry %q does not name the file's SHA-256", entry.NewValue)
	}

	// The same file again: every row unchanged, nothing written.
	var before int64
	f.db.Model(&domain.AuditEntry{}).Count(&before)
	again, err := f.apply(t, filled, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Saved) != 0 || again.Count(offline.WillSave) != 0 || again.Count(offline.Conflict) != 0 {
		t.Errorf("second upload saved %v; rows %+v", again.Saved, again.Rows)
	}
	var after int64
	f.db.Model(&domain.AuditEntry{}).Count(&after)
	if after != before {
		t.Errorf("the second upload wrote %d audit entries", after-before)
	}
}

func sameCodes(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func contains(s, sub string) bool { return sub != "" && strings.Contains(s, sub) }

// TestTemplateConflictAfterAnotherSave: a colleague saves a value after
// the template was made; the file's different value is a conflict showing
// both values and who changed it, and is not saved.
func TestTemplateConflictAfterAnotherSave(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g := f.grid(t)
	plain, _ := editable(t, g)
	rows, _ := rowsOf(g)
	code := plain[0].Indicator.Code
	tmpl := f.template(t)
	colleague := f.newUser(t, domain.RoleFocalPoint, f.org)
	theirs := 77.0
	_, err := reporting.SaveValue(context.Background(), f.db, domain.Caller{Actor: domain.Actor{UserID: &colleague.ID, Name: colleague.Email}, Scope: domain.ScopeOf(colleague), Now: time.Now().UTC()}, reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: code, Period: f.period}, reporting.ValueInput{Value: &theirs, Version: plain[0].Version()})
	if err != nil {
		t.Fatal(err)
	}
	filled := edit(t, tmpl, "Values", map[string]any{fmt.Sprintf("G%d", rows[code]): 55})
	out, err := f.apply(t, filled, false)
	if err != nil {
		t.Fatal(err)
	}
	var row *offline.Row
	for i := range out.Rows {
		if out.Rows[i].Code == code {
			row = &out.Rows[i]
		}
	}
	if row == nil || row.Status != offline.Conflict {
		t.Fatalf("row %+v, want a conflict", row)
	}
	if row.Typed.Value == nil || *row.Typed.Value != 55 || row.Stored.Value == nil || *row.Stored.Value != 77 || !contains(row.ChangedBy, colleague.Email) {
		t.Errorf("conflict shows typed %v stored %v by %q", row.Typed.Value, row.Stored.Value, row.ChangedBy)
	}
	if len(out.Saved) != 0 {
		t.Errorf("saved %v", out.Saved)
	}
	if v := f.stored(t, code); *v.Value != 77 {
		t.Errorf("stored %v, want the colleague's 77", *v.Value)
	}
}

// TestTemplateRefusals: a tampered hidden sheet, another organisation's
// template and a closed period are each refused with their own message,
// and nothing is written.
func TestTemplateRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g := f.grid(t)
	plain, _ := editable(t, g)
	rows, _ := rowsOf(g)
	cell := fmt.Sprintf("G%d", rows[plain[0].Indicator.Code])
	tmpl := edit(t, f.template(t), "Values", map[string]any{cell: 4321})
	mops := f.newUser(t, domain.RoleFocalPoint, "MOPS")
	var before int64
	f.db.Model(&domain.AuditEntry{}).Count(&before)

	// Tampered: a version in the hidden sheet raised to hide a conflict.
	tampered := edit(t, tmpl, offline.MetaSheet, map[string]any{"G11": "99"})
	if _, err := f.apply(t, tampered, false); !refused(err, offline.KindTampered, "offline.err.tampered") {
		t.Errorf("tampered: %v", err)
	}
	// Another organisation's template, made for a MOPS focal point.
	other := &fixture{db: f.db, keys: f.keys, l: f.l, user: mops, scope: domain.ScopeOf(mops), org: "MOPS", period: f.period}
	if _, err := f.apply(t, other.template(t), false); !refused(err, offline.KindForbidden, "offline.err.other_org") {
		t.Errorf("other organisation: %v", err)
	}
	// A template of another server (another key).
	stranger, _ := account.ParseKeys(account.NewKey())
	if _, err := offline.Parse(tmpl, stranger, offline.Limits{}); !refused(err, offline.KindTampered, "offline.err.tampered") {
		t.Errorf("another server: %v", err)
	}
	// The period locked by the secretariat after the template was made.
	if err := f.db.Model(&domain.ReportingPeriod{}).Where("id = ?", g.Period.ID).Update("lock_override", domain.LockLocked).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.apply(t, tmpl, false); !refused(err, offline.KindClosed, "offline.err.period_closed") {
		t.Errorf("closed period: %v", err)
	}
	var after int64
	f.db.Model(&domain.AuditEntry{}).Count(&after)
	if after != before {
		t.Errorf("%d audit entries written by refused files", after-before)
	}
	if v := f.stored(t, plain[0].Indicator.Code); v != nil && v.Value != nil && *v.Value == 4321 {
		t.Error("a refused file saved a value")
	}
}

func refused(err error, kind, key string) bool {
	var r *offline.Refusal
	return errors.As(err, &r) && r.Kind == kind && r.Msg.Key == key
}

// TestValuesTemplateOfARange: a values template over two quarters has a
// row per indicator owed in each period, each naming its period; a value
// typed in each period is saved for that period where it can be changed,
// and is an error at its row where it cannot (a closed period, a submitted
// value); the keys of a range are CODE@PERIOD.
func TestValuesTemplateOfARange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, now := context.Background(), time.Now().UTC()
	from, to := previousPeriod(), f.period
	grids, err := reporting.LoadValueGrids(ctx, f.db, f.scope, seed.DemoPlanCode, f.org, from, to, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(grids) != 2 || grids[0].Period.Label != from || grids[1].Period.Label != to {
		t.Fatalf("%d grids", len(grids))
	}
	var buf bytes.Buffer
	if err := offline.WriteRangeTemplate(&buf, grids, offline.TemplateOptions{L: f.l, Keys: f.keys, UserID: f.user.ID, Now: now}); err != nil {
		t.Fatal(err)
	}
	tmpl := buf.Bytes()
	// The rows of the second period follow those of the first.
	rows0, _ := rowsOf(grids[0])
	rows1, _ := rowsOf(grids[1])
	offset := 0
	for _, gr := range grids[0].Rows {
		offset++
		if gr.Set != nil {
			offset += len(gr.Set.Cells())
		}
	}
	// An indicator editable now, and if there is one, also in the first period.
	plain, _ := editable(t, grids[1])
	code, bothOpen := plain[0].Indicator.Code, false
	for _, p := range plain {
		for _, r := range grids[0].Rows {
			if r.Indicator.ID == p.Indicator.ID && r.Editable(grids[0].Open()) && !bothOpen {
				code, bothOpen = p.Indicator.Code, true
			}
		}
	}
	rowNow, rowBefore := rows1[code]+offset, rows0[code]
	if rowBefore == 0 {
		t.Fatalf("%s is not owed in %s", code, from)
	}
	x, err := excelize.OpenReader(bytes.NewReader(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := x.GetCellValue("Values", "K2")
	p0, _ := x.GetCellValue("Values", fmt.Sprintf("K%d", rowBefore))
	p1, _ := x.GetCellValue("Values", fmt.Sprintf("K%d", rowNow))
	a1, _ := x.GetCellValue("Values", fmt.Sprintf("A%d", rowNow))
	x.Close()
	if head != "Period" || p0 != from || p1 != to || a1 != code {
		t.Fatalf("period column: %q, %q, %q; code %q", head, p0, p1, a1)
	}
	filled := edit(t, tmpl, "Values", map[string]any{fmt.Sprintf("G%d", rowNow): 111, fmt.Sprintf("G%d", rowBefore): 222})
	out, err := f.apply(t, filled, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Periods) != 2 {
		t.Errorf("preview periods %v", out.Periods)
	}
	want := []string{code + "@" + to}
	var before *offline.Row
	for i := range out.Rows {
		if out.Rows[i].Code == code && out.Rows[i].Period == from {
			before = &out.Rows[i]
		}
	}
	if before == nil {
		t.Fatal("no row of the first period")
	}
	if bothOpen {
		want = append(want, code+"@"+from)
	} else if before.Status != offline.Invalid || len(before.Errors) != 1 || (before.Errors[0].Msg.Key != "lock.period_closed" && before.Errors[0].Msg.Key != "lock.value_status") {
		t.Errorf("a value typed where %s takes no change: %+v", from, before)
	}
	if !sameCodes(out.Saved, want) {
		t.Fatalf("saved %v, want %v; the first period's row %+v", out.Saved, want, before)
	}
	g1, _ := reporting.LoadValueGrid(ctx, f.db, f.scope, seed.DemoPlanCode, f.org, to, now)
	for _, r := range g1.Rows {
		if r.Indicator.Code == code && (r.Value == nil || *r.Value.Value != 111) {
			t.Errorf("%s in %s: %+v", code, to, r.Value)
		}
	}
	if bothOpen {
		g0, _ := reporting.LoadValueGrid(ctx, f.db, f.scope, seed.DemoPlanCode, f.org, from, now)
		for _, r := range g0.Rows {
			if r.Indicator.Code == code && (r.Value == nil || *r.Value.Value != 222) {
				t.Errorf("%s in %s: %+v", code, from, r.Value)
			}
		}
	}
	again, err := f.apply(t, filled, false)
	if err != nil || len(again.Saved) != 0 {
		t.Errorf("uploaded again: saved %v, %v", again.Saved, err)
	}
	// The first period locked after a new template was made: a value typed
	// there is an error at its row, the file is still taken for the period
	// that is open.
	if grids, err = reporting.LoadValueGrids(ctx, f.db, f.scope, seed.DemoPlanCode, f.org, from, to, now); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := offline.WriteRangeTemplate(&buf, grids, offline.TemplateOptions{L: f.l, Keys: f.keys, UserID: f.user.ID, Now: now}); err != nil {
		t.Fatal(err)
	}
	tmpl = buf.Bytes()
	if err := f.db.Model(&domain.ReportingPeriod{}).Where("id = ?", grids[0].Period.ID).Update("lock_override", domain.LockLocked).Error; err != nil {
		t.Fatal(err)
	}
	p, err := f.preview(t, edit(t, tmpl, "Values", map[string]any{fmt.Sprintf("G%d", rowBefore): 333, fmt.Sprintf("G%d", rowNow): 444}))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Rows {
		if r.Code == code && r.Period == from && (r.Status != offline.Invalid || r.Errors[0].Msg.Key != "lock.period_closed") {
			t.Errorf("in the locked period: %+v", r)
		}
	}
}
