package offline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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

// previousPeriod is the quarter before the current one.
func previousPeriod() string {
	now := time.Now().UTC()
	start := domain.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1)
	return domain.PeriodLabel(domain.Quarterly, start.AddDate(0, -3, 0))
}

// updateGrid is the fixture's update grid over from..to.
func (f *fixture) updateGrid(t testing.TB, from, to string) *reporting.UpdateGrid {
	t.Helper()
	g, err := reporting.LoadUpdateGrid(context.Background(), f.db, f.scope, seed.DemoPlanCode, f.org, from, to, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (f *fixture) updatesTemplate(t testing.TB, from, to string) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := offline.WriteUpdatesTemplate(&buf, f.updateGrid(t, from, to), offline.TemplateOptions{L: f.l, Keys: f.keys, UserID: f.user.ID, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *fixture) applyUpdates(t *testing.T, data []byte, submit bool) (*offline.UpdatesOutcome, error) {
	t.Helper()
	file, err := offline.ParseUpdates(data, f.keys, offline.Limits{})
	if err != nil {
		return nil, err
	}
	return offline.ApplyUpdates(context.Background(), f.db, f.actor, f.scope, file, offline.ApplyOptions{Submit: submit, FileName: "u.xlsx"}, time.Now().UTC())
}

// storedUpdate is the update of an activity for a period as saved now.
func (f *fixture) storedUpdate(t *testing.T, code, period string) *domain.ActivityUpdate {
	t.Helper()
	for _, r := range f.updateGrid(t, period, period).Rows {
		if r.Activity.Code == code {
			return r.Update
		}
	}
	t.Fatalf("no update row %s@%s", code, period)
	return nil
}

// updateRows is the sheet row of each update (activity@period) of a grid's template.
func updateRows(g *reporting.UpdateGrid) map[string]int {
	out := map[string]int{}
	for i := range g.Rows {
		out[g.Rows[i].Key()] = 3 + i
	}
	return out
}

// editableUpdates picks the editable rows of a grid.
func editableUpdates(t *testing.T, g *reporting.UpdateGrid, n int) []reporting.UpdateRow {
	t.Helper()
	var out []reporting.UpdateRow
	for _, r := range g.Rows {
		if r.Editable() {
			out = append(out, r)
		}
	}
	if len(out) < n {
		t.Fatalf("the demo update grid has %d editable rows, want %d", len(out), n)
	}
	return out
}

// TestUpdatesTemplateShape: one row per update owed in each period of the
// range, translated headers, the inputs open with the grid's validation,
// the rest protected, and the signed hidden sheet very hidden.
func TestUpdatesTemplateShape(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	from, to := previousPeriod(), f.period
	g := f.updateGrid(t, from, to)
	if len(g.Periods) != 2 || len(g.Rows) == 0 {
		t.Fatalf("range %s..%s: %d periods, %d rows", from, to, len(g.Periods), len(g.Rows))
	}
	var buf bytes.Buffer
	err := offline.WriteUpdatesTemplate(&buf, g, offline.TemplateOptions{L: bundle.For("fr"), Keys: f.keys, UserID: f.user.ID, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const sheet = "Mises à jour"
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2+len(g.Rows) || rows[1][4] != "État de l’activité" || rows[1][5] != "Avancement en % (0–100)" {
		t.Fatalf("%d rows; headers %q", len(rows), rows[1])
	}
	periods := map[string]int{}
	for _, r := range rows[2:] {
		periods[r[2]]++
	}
	if len(periods) != 2 {
		t.Errorf("rows by period: %v", periods)
	}
	dvs, err := x.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, dv := range dvs {
		kinds[dv.Type] += dv.Sqref + " " + dv.Formula1 + ";"
	}
	if !strings.Contains(kinds["list"], "En bonne voie") || !strings.Contains(kinds["whole"], "F") || !strings.Contains(kinds["decimal"], "G") {
		t.Errorf("validations: %v", kinds)
	}
	if vis, err := x.GetSheetVisible(offline.MetaSheet); err != nil || vis {
		t.Errorf("the hidden sheet is visible (%v)", err)
	}
	locked := editableUpdates(t, g, 1)
	row := updateRows(g)[locked[0].Key()]
	style, _ := x.GetCellStyle(sheet, fmt.Sprintf("E%d", row))
	codeStyle, _ := x.GetCellStyle(sheet, fmt.Sprintf("A%d", row))
	open, _ := x.GetStyle(style)
	closed, _ := x.GetStyle(codeStyle)
	if open.Protection == nil || open.Protection.Locked || (closed.Protection != nil && !closed.Protection.Locked) {
		t.Errorf("status cell protection %+v, code cell %+v", open.Protection, closed.Protection)
	}
}

// TestUpdatesRoundTripOpenpyxl: a template of activity updates filled with
// openpyxl saves exactly what was typed, and the same file uploaded again
// saves nothing.
func TestUpdatesRoundTripOpenpyxl(t *testing.T) {
	t.Parallel()
	py := python(t)
	f := newFixture(t)
	from, to := previousPeriod(), f.period
	g := f.updateGrid(t, from, to)
	rows := updateRows(g)
	ed := editableUpdates(t, g, 2)
	a, b := ed[0], ed[1]
	edits := map[string]any{
		fmt.Sprintf("E%d", rows[a.Key()]): "On track", fmt.Sprintf("F%d", rows[a.Key()]): 40,
		fmt.Sprintf("G%d", rows[a.Key()]): "1,250.5", fmt.Sprintf("H%d", rows[a.Key()]): "Trained 30 officers — ລາວ, français",
		fmt.Sprintf("E%d", rows[b.Key()]): "Completed", fmt.Sprintf("F%d", rows[b.Key()]): 100,
		fmt.Sprintf("J%d", rows[b.Key()]): "Hand over to the provinces",
	}
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "template.xlsx"), filepath.Join(dir, "filled.xlsx")
	if err := os.WriteFile(src, f.updatesTemplate(t, from, to), 0o600); err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(map[string]any{"sheet": "Updates", "cells": edits})
	runPython(t, py, openpyxlFill, src, dst, string(js))
	filled, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	var before int64
	f.db.Model(&domain.AuditEntry{}).Where("action = ?", "updates.import").Count(&before)
	out, err := f.applyUpdates(t, filled, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{a.Key(), b.Key()}; !sameCodes(out.Saved, want) {
		t.Fatalf("saved %v, want %v; rows %+v", out.Saved, want, out.Rows)
	}
	ua := f.storedUpdate(t, a.Activity.Code, a.Period.Label)
	if ua.Progress != domain.ProgressOnTrack || ua.PercentComplete != 40 || ua.Expenditure != 1250.5 ||
		ua.Achievements != "Trained 30 officers — ລາວ, français" || ua.Status != domain.StatusDraft {
		t.Errorf("%s: %+v", a.Key(), ua)
	}
	ub := f.storedUpdate(t, b.Activity.Code, b.Period.Label)
	if ub.Progress != domain.ProgressCompleted || ub.PercentComplete != 100 || ub.NextSteps != "Hand over to the provinces" {
		t.Errorf("%s: %+v", b.Key(), ub)
	}
	var audit domain.AuditEntry
	if err := f.db.Where("action = ?", "updates.import").Order("id DESC").Take(&audit).Error; err != nil {
		t.Fatal(err)
	}
	file, _ := offline.ParseUpdates(filled, f.keys, offline.Limits{})
	if !strings.Contains(string(audit.NewValue), file.SHA256) {
		t.Errorf("the audit entry does not name the file's SHA-256: %s", audit.NewValue)
	}
	again, err := f.applyUpdates(t, filled, false)
	if err != nil || len(again.Saved) != 0 {
		t.Errorf("uploaded again: saved %v, %v", again.Saved, err)
	}
	if n := again.Count(offline.Unchanged); n != len(again.Rows) {
		t.Errorf("uploaded again: %d of %d rows unchanged", n, len(again.Rows))
	}
}

// TestUpdatesTemplateChecks: a bad status, a percentage that is not whole,
// "completed" below 100 % and a formula are errors at their cells, and
// the rows without error are saved with submit.
func TestUpdatesTemplateChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g := f.updateGrid(t, f.period, f.period)
	rows := updateRows(g)
	ed := editableUpdates(t, g, 3)
	ra, rb, rc := rows[ed[0].Key()], rows[ed[1].Key()], rows[ed[2].Key()]
	filled := edit(t, f.updatesTemplate(t, f.period, f.period), "Updates", map[string]any{
		fmt.Sprintf("E%d", ra): "Almost there", fmt.Sprintf("F%d", ra): 12.5,
		fmt.Sprintf("E%d", rb): "Completed", fmt.Sprintf("F%d", rb): 90, fmt.Sprintf("G%d", rb): "=1+1",
		fmt.Sprintf("E%d", rc): "delayed", fmt.Sprintf("F%d", rc): 30,
	})
	out, err := f.applyUpdates(t, filled, true)
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]string{}
	for _, r := range out.Rows {
		for _, e := range r.Errors {
			errs[e.Cell] = e.Msg.Key
		}
	}
	want := map[string]string{fmt.Sprintf("E%d", ra): "err.progress", fmt.Sprintf("F%d", ra): "err.percentage",
		fmt.Sprintf("G%d", rb): "offline.err.formula"}
	for cell, key := range want {
		if errs[cell] != key {
			t.Errorf("%s: %q, want %q (all: %v)", cell, errs[cell], key, errs)
		}
	}
	if !sameCodes(out.Saved, []string{ed[2].Key()}) || !sameCodes(out.Submitted, []string{ed[2].Key()}) {
		t.Errorf("saved %v, submitted %v", out.Saved, out.Submitted)
	}
	if u := f.storedUpdate(t, ed[2].Activity.Code, f.period); u.Progress != domain.ProgressDelayed || u.Status != domain.StatusSubmitted {
		t.Errorf("stored %+v", u)
	}
	// Completed below 100 %, once the formula is gone: the grid's own check.
	filled = edit(t, filled, "Updates", map[string]any{fmt.Sprintf("G%d", rb): 0, fmt.Sprintf("E%d", ra): "", fmt.Sprintf("F%d", ra): ""})
	file, err := offline.ParseUpdates(filled, f.keys, offline.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := offline.MakeUpdatesPreview(context.Background(), f.db, f.scope, file, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Rows {
		if r.Key() == ed[1].Key() && (len(r.Errors) != 1 || r.Errors[0].Msg.Key != "err.completed_full" || r.Errors[0].Cell != fmt.Sprintf("F%d", rb)) {
			t.Errorf("completed at 90 %%: %+v", r.Errors)
		}
	}
}

// TestUpdatesConflictAfterAnotherSave: a colleague saves an update after
// the template was made; the file's different update is a conflict
// showing both and who changed it, and is not saved.
func TestUpdatesConflictAfterAnotherSave(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g := f.updateGrid(t, f.period, f.period)
	r := editableUpdates(t, g, 1)[0]
	row := updateRows(g)[r.Key()]
	tmpl := f.updatesTemplate(t, f.period, f.period)
	colleague := f.newUser(t, domain.RoleFocalPoint, f.org)
	who := domain.Caller{Actor: domain.Actor{UserID: &colleague.ID, Name: colleague.Email}, Scope: domain.ScopeOf(colleague), Now: time.Now().UTC()}
	_, err := reporting.SaveUpdate(context.Background(), f.db, who,
		reporting.UpdateTarget{Plan: seed.DemoPlanCode, Activity: r.Activity.Code, Period: f.period},
		reporting.UpdateInput{UpdateContent: domain.UpdateContent{Progress: domain.ProgressDelayed, PercentComplete: 10}, Version: r.Version()})
	if err != nil {
		t.Fatal(err)
	}
	filled := edit(t, tmpl, "Updates", map[string]any{fmt.Sprintf("E%d", row): "On track", fmt.Sprintf("F%d", row): 55})
	out, err := f.applyUpdates(t, filled, false)
	if err != nil {
		t.Fatal(err)
	}
	var got *offline.UpdatePreviewRow
	for i := range out.Rows {
		if out.Rows[i].Key() == r.Key() {
			got = &out.Rows[i]
		}
	}
	if got == nil || got.Status != offline.Conflict {
		t.Fatalf("row %+v, want a conflict", got)
	}
	if got.Typed.PercentComplete != 55 || got.Stored == nil || got.Stored.PercentComplete != 10 || !contains(got.ChangedBy, colleague.Email) {
		t.Errorf("conflict shows typed %+v stored %+v by %q", got.Typed, got.Stored, got.ChangedBy)
	}
	if len(out.Saved) != 0 {
		t.Errorf("saved %v", out.Saved)
	}
	if u := f.storedUpdate(t, r.Activity.Code, f.period); u.PercentComplete != 10 {
		t.Errorf("stored %+v, want the colleague's", u)
	}
}

// TestUpdatesTemplateRefusals: a tampered hidden sheet, another
// organisation's template, a closed period and a values template are each
// refused with their own message, and nothing is written.
func TestUpdatesTemplateRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g := f.updateGrid(t, f.period, f.period)
	r := editableUpdates(t, g, 1)[0]
	row := updateRows(g)[r.Key()]
	tmpl := edit(t, f.updatesTemplate(t, f.period, f.period), "Updates", map[string]any{fmt.Sprintf("E%d", row): "Delayed", fmt.Sprintf("F%d", row): 33})
	mops := f.newUser(t, domain.RoleFocalPoint, "MOPS")
	var before, updatesBefore int64
	f.db.Model(&domain.AuditEntry{}).Count(&before)
	f.db.Model(&domain.ActivityUpdate{}).Count(&updatesBefore)

	// Tampered: the version of the first row raised to hide a conflict.
	tampered := edit(t, tmpl, offline.MetaSheet, map[string]any{"G11": "99"})
	if _, err := f.applyUpdates(t, tampered, false); !refused(err, offline.KindTampered, "offline.err.tampered") {
		t.Errorf("tampered: %v", err)
	}
	// Another organisation's template, made for a MOPS focal point.
	other := &fixture{db: f.db, keys: f.keys, l: f.l, user: mops, scope: domain.ScopeOf(mops), org: "MOPS", period: f.period}
	if _, err := f.applyUpdates(t, other.updatesTemplate(t, f.period, f.period), false); !refused(err, offline.KindForbidden, "offline.err.other_org") {
		t.Errorf("other organisation: %v", err)
	}
	// Another server's template.
	stranger, _ := account.ParseKeys(account.NewKey())
	if _, err := offline.ParseUpdates(tmpl, stranger, offline.Limits{}); !refused(err, offline.KindTampered, "offline.err.tampered") {
		t.Errorf("another server: %v", err)
	}
	// A values template uploaded as updates, and the other way round.
	if _, err := offline.ParseUpdates(f.template(t), f.keys, offline.Limits{}); !refused(err, offline.KindTampered, "offline.err.wrong_kind."+offline.Format) {
		t.Errorf("a values template: %v", err)
	}
	if _, err := offline.Parse(tmpl, f.keys, offline.Limits{}); !refused(err, offline.KindTampered, "offline.err.wrong_kind."+offline.UpdatesFormat) {
		t.Errorf("an updates template as values: %v", err)
	}
	// The period locked by the secretariat after the template was made.
	if err := f.db.Model(&domain.ReportingPeriod{}).Where("id = ?", g.Periods[0].ID).Update("lock_override", domain.LockLocked).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.applyUpdates(t, tmpl, false); !refused(err, offline.KindClosed, "offline.err.period_closed") {
		t.Errorf("closed period: %v", err)
	}
	var after, updatesAfter int64
	f.db.Model(&domain.AuditEntry{}).Count(&after)
	f.db.Model(&domain.ActivityUpdate{}).Count(&updatesAfter)
	if after != before || updatesAfter != updatesBefore {
		t.Errorf("refused files wrote %d audit entries and %d updates", after-before, updatesAfter-updatesBefore)
	}
}
