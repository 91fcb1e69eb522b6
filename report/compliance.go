package report

import (
	"slices"

	"naptracker/domain"
	"naptracker/reporting"

	"github.com/xuri/excelize/v2"
)

// normalSheet starts a small sheet in normal mode: a title, an intro line
// and the header row of its table at row 3, frozen, with column widths.
func (b *build) normalSheet(key, title, intro string, heads []string, widths []float64) (string, error) {
	sheet := b.sheet[key]
	f, st := b.f, b.st
	if err := f.SetCellStr(sheet, "A1", safe(title)); err != nil {
		return sheet, err
	}
	if err := f.SetCellStyle(sheet, "A1", "A1", st.title); err != nil {
		return sheet, err
	}
	if err := f.SetCellStr(sheet, "A2", safe(intro)); err != nil {
		return sheet, err
	}
	if err := f.SetCellStyle(sheet, "A2", "A2", st.subtitle); err != nil {
		return sheet, err
	}
	for i, h := range heads {
		if err := f.SetCellStr(sheet, cellName(i+1, 3), safe(h)); err != nil {
			return sheet, err
		}
	}
	if len(heads) > 0 {
		if err := f.SetCellStyle(sheet, "A3", cellName(len(heads), 3), st.header); err != nil {
			return sheet, err
		}
		if err := f.SetRowHeight(sheet, 3, 30); err != nil {
			return sheet, err
		}
	}
	if err := setWidths(sheetWidths{f, sheet}, widths); err != nil {
		return sheet, err
	}
	return sheet, f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"})
}

// finishTable adds the autofilter over a table (header at row 3) and the
// print setup (see pageSetup: repeatCols 0 fits the page width); lastRow is
// the table's last row.
func (b *build) finishTable(sheet string, cols, lastRow, repeatCols int, widths []float64) error {
	if err := b.filter(sheet, cols, 3, lastRow); err != nil {
		return err
	}
	// AutoFilter replaces the sheet properties, so they come after it.
	if err := b.sheetProps(sheet); err != nil {
		return err
	}
	return b.pageSetup(sheet, 3, 3, repeatCols, widths)
}

// setRow writes cells (as built for the stream writer) into a normal sheet.
func (b *build) setRow(sheet string, row int, cells []any) error {
	for i, c := range cells {
		name := cellName(i+1, row)
		cell, ok := c.(excelize.Cell)
		if !ok {
			continue
		}
		var err error
		switch v := cell.Value.(type) {
		case string:
			err = b.f.SetCellStr(sheet, name, v)
		default:
			err = b.f.SetCellValue(sheet, name, v)
		}
		if err != nil {
			return err
		}
		if cell.StyleID != 0 {
			if err := b.f.SetCellStyle(sheet, name, name, cell.StyleID); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeCompliance writes reporting compliance per period and organisation,
// from models.Completeness: expected, on time, late, missing, not due,
// returned, approved, and the completeness and timeliness rates.
func (b *build) writeCompliance() error {
	L, st := b.L, b.st
	keys := []string{"period", "org", "org_name", "expected", "on_time", "late", "missing", "not_due", "returned", "approved", "completeness", "timeliness"}
	heads := make([]string, len(keys))
	for i, k := range keys {
		heads[i] = L.T("report.col." + k)
	}
	sheet, err := b.normalSheet("compliance", L.T("report.compliance.title", b.tree.Plan.Code), L.T("report.compliance.intro", b.rangeLabel()),
		heads, []float64{10, 10, 40, 10, 10, 10, 10, 10, 10, 10, 13, 13})
	if err != nil {
		return err
	}
	rep, err := b.waitCompliance()
	if err != nil {
		return err
	}
	rate := func(r *float64) any {
		if r == nil {
			return st.dash()
		}
		return st.percent(*r, false)
	}
	counts := func(c reporting.CompletenessCounts) []any {
		return []any{st.number(float64(c.Expected), false), st.number(float64(c.OnTime), false), st.number(float64(c.Late), false),
			st.number(float64(c.Missing), false), st.number(float64(c.NotDue), false), st.number(float64(c.Returned), false),
			st.number(float64(c.Approved), false), rate(c.CompletenessRate()), rate(c.TimelinessRate())}
	}
	row := 4
	for _, pc := range rep.Periods {
		for _, r := range pc.Rows {
			cells := append([]any{str(st.text, pc.Period.Label), str(st.bold, r.Organisation.Acronym), str(st.text, r.Organisation.Name)}, counts(r.CompletenessCounts)...)
			if err := b.setRow(sheet, row, cells); err != nil {
				return err
			}
			row++
		}
		cells := append([]any{str(st.bold, pc.Period.Label), str(st.bold, L.T("report.total")), str(st.text, "")}, counts(pc.Total)...)
		if err := b.setRow(sheet, row, cells); err != nil {
			return err
		}
		row++
	}
	return b.finishTable(sheet, len(keys), row-1, 0, nil)
}

// complianceResult is what the background read of the compliance figures gave.
type complianceResult struct {
	rep *reporting.CompletenessReport
	err error
}

// prefetchCompliance starts reading the compliance figures.
func (b *build) prefetchCompliance() {
	var orgID int64
	if b.org != nil {
		orgID = b.org.ID
	}
	b.compliance = make(chan complianceResult, 1)
	go func() {
		rep, err := b.completeness(orgID)
		b.compliance <- complianceResult{rep, err}
	}()
}

// waitCompliance returns the compliance figures once they are read (and
// may be called again: the result is kept).
func (b *build) waitCompliance() (*reporting.CompletenessReport, error) {
	r := <-b.compliance
	b.compliance <- r
	return r.rep, r.err
}

// completeness is models.Completeness of the range, or what the snapshot
// froze of it (the periods of the range, the organisation's rows).
func (b *build) completeness(orgID int64) (*reporting.CompletenessReport, error) {
	if b.snap == nil {
		// The roll-ups the pages read (held equal to a count over the values
		// and updates by the roll-up test): a few rows per period.
		return reporting.CompletenessFromRollups(b.ctx, b.db, b.tree.Plan, b.rng, orgID, b.opts.Now)
	}
	frozen := b.snapContent.Compliance
	rep := &reporting.CompletenessReport{Plan: frozen.Plan, At: frozen.At}
	for _, pc := range frozen.Periods {
		if !slices.ContainsFunc(b.rng, func(p domain.ReportingPeriod) bool { return p.ID == pc.Period.ID }) {
			continue
		}
		if orgID != 0 {
			kept := reporting.PeriodCompleteness{Period: pc.Period}
			for _, r := range pc.Rows {
				if r.Organisation.ID == orgID {
					kept.Rows = append(kept.Rows, r)
					kept.Total = r.CompletenessCounts
				}
			}
			pc = kept
		}
		rep.Periods = append(rep.Periods, pc)
	}
	return rep, nil
}
