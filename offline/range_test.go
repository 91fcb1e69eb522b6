package offline_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"naptracker/domain"
	"naptracker/offline"
	"naptracker/reporting"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
)

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
