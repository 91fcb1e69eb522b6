package report

import (
	"fmt"
	"slices"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"

	"github.com/xuri/excelize/v2"
)

// IPTT layout: fixed columns, then the end-of-plan group and one group of
// four columns (target, actual, % of target, rating) per period.
const (
	ipttFixed     = 9 // No., indicator, level, unit, direction, accumulation, baseline, reporting org, note
	ipttHeaderRow = 4
	// Widths (characters) of the indicator name and note columns.
	ipttNameWidth, ipttNoteWidth = 48, 12
)

// ipttRow is one indicator, or one breakdown cell, being written.
type ipttRow struct {
	cells []any
	note  bool // a number is unapproved
	hid   bool // a number is suppressed
}

// writeIPTT streams the indicator performance tracking table.
func (b *build) writeIPTT() error {
	lastCol := ipttFixed + 4*(len(b.rng)+1)
	widths := []float64{9, ipttNameWidth, 9, 11, 11, 13, 10, 10, ipttNoteWidth}
	for i := 0; i <= len(b.rng); i++ {
		widths = append(widths, 11, 11, 9, 11)
	}
	sheet, sw, err := b.streamSheet("iptt", &excelize.Panes{Freeze: true, XSplit: 2, YSplit: ipttHeaderRow, TopLeftCell: cellName(3, ipttHeaderRow+1), ActivePane: "bottomRight"}, widths)
	if err != nil {
		return err
	}
	if err := b.ipttHeader(sw); err != nil {
		return err
	}
	sets, err := reporting.LoadDisaggregationSets(b.db)
	if err != nil {
		return err
	}
	w := &ipttWriter{build: b, tg: map[int]float64{}, sets: sets, widths: widths}
	w.window = b.tree.Plan.Window(domain.FigurePeriods(b.all), b.index(b.rng[0]), b.index(b.rng[len(b.rng)-1]), b.opts.Now)
	// First pass: count the rows (the autofilter needs the last one) and
	// rate the indicators for the summary. The rows themselves are written
	// when the workbook is zipped (sheetxml.go), from the data read again.
	if err := w.walk(discardRows{}, true); err != nil {
		return err
	}
	lastRow := w.row - 1
	// Each pillar starts a page: a printed page never mixes two pillars.
	for _, row := range w.pillarRows[1:] {
		if err := b.f.InsertPageBreak(sheet, cellName(1, row)); err != nil {
			return err
		}
	}
	if err := b.filter(sheet, lastCol, ipttHeaderRow, lastRow); err != nil {
		return err
	}
	if err := b.pageSetup(sheet, 3, ipttHeaderRow, 2, w.widths); err != nil {
		return err
	}
	b.zipRows[sheetPath(sheetKeys, "iptt")] = func(out rowSink) error { return w.walk(out, false) }
	return sw.Flush()
}

// sheetPath is where excelize stores a sheet of a new workbook whose sheets
// were added in the order of keys.
func sheetPath(keys []string, key string) string {
	return fmt.Sprintf("xl/worksheets/sheet%d.xml", slices.Index(keys, key)+1)
}

// index is the position of a period in the plan.
func (b *build) index(p domain.ReportingPeriod) int {
	for i, q := range b.all {
		if q.ID == p.ID {
			return i
		}
	}
	return -1
}

func (b *build) ipttHeader(sw *excelize.StreamWriter) error {
	L, st := b.L, b.st
	if err := sw.SetRow("A1", []any{str(st.title, L.T("report.iptt.title", b.tree.Plan.Code))}, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{str(st.subtitle, b.tree.Plan.Title+" · "+b.rangeLabel()+" · "+b.statusLabel())}); err != nil {
		return err
	}
	groups := make([]any, ipttFixed, ipttFixed+4*(len(b.rng)+1))
	for i := range groups {
		groups[i] = str(st.header, "")
	}
	heads := []any{}
	for _, k := range []string{"no", "indicator", "level", "unit", "direction", "accumulation", "baseline", "reporting_org", "note"} {
		heads = append(heads, str(st.header, L.T("report.col."+k)))
	}
	group := func(title, suffix string) {
		groups = append(groups, str(st.header, title), str(st.header, ""), str(st.header, ""), str(st.header, ""))
		for _, k := range []string{"target", "actual", "pct", "rag"} {
			heads = append(heads, str(st.header, L.T("report.col."+k)+suffix))
		}
	}
	group(L.T("report.iptt.range", b.rangeLabel()), " "+L.T("report.iptt.range_short"))
	for _, p := range b.rng {
		group(L.T("report.iptt.period", p.Label, L.Date(p.DueDate)), " "+p.Label)
	}
	if err := sw.SetRow("A3", groups, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for g := 0; g <= len(b.rng); g++ {
		c := ipttFixed + 1 + 4*g
		if err := sw.MergeCell(cellName(c, 3), cellName(c+3, 3)); err != nil {
			return err
		}
	}
	return sw.SetRow(cellName(1, ipttHeaderRow), heads, excelize.RowOpts{Height: 42})
}

// eachIndicator calls fn for every indicator the IPTT shows, in its order.
func (b *build) eachIndicator(fn func(*planning.PillarNode, *planning.ObjectiveNode, *domain.Indicator, *planning.ActivityNode)) {
	for _, p := range b.pillars() {
		for _, o := range p.Objectives {
			for i := range o.Indicators {
				if b.indicatorMatches(&o.Indicators[i], nil) {
					fn(p, o, &o.Indicators[i], nil)
				}
			}
			for _, a := range o.Activities {
				for i := range a.Indicators {
					if b.indicatorMatches(&a.Indicators[i], a) {
						fn(p, o, &a.Indicators[i], a)
					}
				}
			}
		}
	}
}

// ipttWriter walks the plan tree and writes a row per indicator and per breakdown cell.
type ipttWriter struct {
	*build
	sw   rowSink
	row  int
	rate bool // count the ratings per pillar (first pass only)
	src  *ipttSource
	tg   map[int]float64 // the current indicator's targets by year
	// widths are the column widths.
	widths []float64
	// pillarRows are the rows where each pillar starts (first pass).
	pillarRows []int
	sets       map[int64]*domain.DisaggregationSet
	window     figures.Window
	// row is the cells of the row being written, reused from row to row
	// (the sink copies them out), and the cells every row repeats are
	// boxed once: 5,000 indicators × 21 groups made them most of the
	// report's garbage.
	rowBuf   []any
	dash     any
	withheld any
	small    any
	rag      map[string]any
}

// cellsFor starts a row's cells in the reused buffer.
func (w *ipttWriter) cellsFor(fixed ...any) []any {
	if w.rowBuf == nil {
		w.rowBuf = make([]any, 0, ipttFixed+4*(len(w.rng)+1))
		w.dash = w.st.dash()
		w.withheld = str(w.st.text, w.L.T("report.withheld"))
		w.small = str(w.st.text, "<5")
		w.rag = map[string]any{}
	}
	return append(w.rowBuf[:0], fixed...)
}

// ragCell is the cell of a rating word.
func (w *ipttWriter) ragCell(rating string) any {
	c, ok := w.rag[rating]
	if !ok {
		c = str(w.st.rag[rating], w.L.T(ragKey(rating)))
		w.rag[rating] = c
	}
	return c
}

// walk writes the rows below the header into out, in the order of the tree;
// rate counts the ratings per pillar for the summary.
func (w *ipttWriter) walk(out rowSink, rate bool) (err error) {
	w.sw, w.row, w.rate = out, ipttHeaderRow+1, rate
	wanted := map[int64]bool{}
	w.eachIndicator(func(_ *planning.PillarNode, _ *planning.ObjectiveNode, ind *domain.Indicator, _ *planning.ActivityNode) {
		wanted[ind.ID] = true
	})
	if w.src, err = w.openSource(wanted, !rate); err != nil {
		return err
	}
	defer func() {
		if cerr := w.src.close(); err == nil {
			err = cerr
		}
	}()
	var lastPillar, lastObjective int64
	w.eachIndicator(func(p *planning.PillarNode, o *planning.ObjectiveNode, ind *domain.Indicator, _ *planning.ActivityNode) {
		if err != nil {
			return
		}
		if p.ID != lastPillar {
			lastPillar = p.ID
			if w.ragByPillar[p.ID] == nil {
				w.ragByPillar[p.ID] = map[string]int{}
			}
			if w.rate {
				w.pillarRows = append(w.pillarRows, w.row)
			}
			if err = w.separator(w.st.pillar, p.Code, w.tree.Plan.Tier1In(w.L.Lang)+" "+p.Code+" — "+p.TitleIn(w.L.Lang)); err != nil {
				return
			}
		}
		if o.ID != lastObjective {
			lastObjective = o.ID
			if err = w.separator(w.st.objective, o.Code, w.tree.Plan.Tier2In(w.L.Lang)+" "+o.Code+" — "+o.TitleIn(w.L.Lang)); err != nil {
				return
			}
		}
		err = w.indicator(p.ID, ind)
	})
	return err
}

func (w *ipttWriter) separator(style int, code, title string) error {
	err := w.sw.SetRow(cellName(1, w.row), []any{str(style, code), str(style, title)}, excelize.RowOpts{StyleID: style})
	w.row++
	return err
}

// indicator writes an indicator's row and, grouped under it, its breakdown
// rows: every figure from figures.Assess for the report's audience.
func (w *ipttWriter) indicator(pillarID int64, ind *domain.Indicator) error {
	L, st := w.L, w.st
	data, targets := w.src.next(ind.ID)
	if err := w.src.err(); err != nil {
		return err
	}
	var set *domain.DisaggregationSet
	var cells []string
	if ind.DisaggregationSetID != nil {
		if set = w.sets[*ind.DisaggregationSetID]; set != nil {
			cells = set.Cells()
		}
	}
	a := figures.Assess(ind.Figures(targetsOf(w.tg, targets)), data.data(cells), w.window, w.audience)
	if w.rate {
		// First pass: the indicator's current rating and its number of rows.
		w.ragByPillar[pillarID][a.Current().Rating]++
		w.row += 1 + len(cells)
		return nil
	}
	r := ipttRow{cells: w.cellsFor(
		str(st.bold, ind.Code), str(st.wrap, ind.NameIn(L.Lang)), str(st.text, L.T("report.level."+ind.Level())),
		str(st.text, L.T("unit."+ind.UnitType)), str(st.text, L.T("direction."+ind.Direction)),
		str(st.text, L.T("accumulation."+ind.Accumulation)), w.dash, str(st.text, w.tree.Org(ind.ReportingOrgID).Acronym), nil,
	)}
	if ind.BaselineValue != nil {
		r.cells[6] = st.number(*ind.BaselineValue, false)
	}
	w.group(&r, a.Range)
	for _, c := range a.Periods {
		w.group(&r, c)
	}
	w.setNote(&r)
	// The row is as tall as its wrapped name and note need, so that
	// LibreOffice and Excel show them whole.
	name, note := ind.NameIn(L.Lang), ""
	if c, ok := r.cells[ipttFixed-1].(excelize.Cell); ok {
		note, _ = c.Value.(string)
	}
	if err := w.sw.SetRow(cellName(1, w.row), r.cells, excelize.RowOpts{Height: wrapHeight([]string{name, note}, []float64{ipttNameWidth, ipttNoteWidth})}); err != nil {
		return err
	}
	w.row++
	for i, c := range cells {
		r := ipttRow{cells: w.cellsFor(str(w.st.indent, ind.Code), str(w.st.indent, cellLabel(set, c)), nil, nil, nil, nil, nil, nil, nil)}
		for _, f := range a.Breakdown[i] {
			r.cells = append(r.cells, nil, w.figureCell(&r, f), nil, nil)
		}
		w.setNote(&r)
		if err := w.sw.SetRow(cellName(1, w.row), r.cells, excelize.RowOpts{OutlineLevel: 1, Hidden: true}); err != nil {
			return err
		}
		w.row++
	}
	return nil
}

// group appends a target / actual / % of target / rating group.
func (w *ipttWriter) group(r *ipttRow, c figures.Cell) {
	st := w.st
	t := w.dash
	if c.Target != nil {
		t = st.number(*c.Target, false)
	}
	pct := w.dash
	switch {
	case c.Progress != nil:
		pct = st.percent(*c.Progress, c.Actual.Unapproved)
	case c.Actual.Hidden():
		pct = w.withheld
	}
	r.cells = append(r.cells, t, w.figureCell(r, c.Actual), pct, w.ragCell(c.Rating))
}

// figureCell is the cell of an actual: a number, "–", "<5" or the withheld marker.
func (w *ipttWriter) figureCell(r *ipttRow, f figures.Figure) any {
	switch {
	case f.Small:
		r.hid = true
		r.note = r.note || f.Unapproved
		return w.small
	case f.Withheld:
		r.hid = true
		r.note = r.note || f.Unapproved
		return w.withheld
	case f.Value == nil:
		return w.dash
	default:
		r.note = r.note || f.Unapproved
		return w.st.number(*f.Value, f.Unapproved)
	}
}

// setNote fills the note column: unapproved numbers, suppressed counts.
func (w *ipttWriter) setNote(r *ipttRow) {
	var notes []string
	if r.note {
		notes = append(notes, w.L.T("report.note.unapproved"))
	}
	if r.hid {
		notes = append(notes, w.L.T("report.note.suppressed"))
	}
	if len(notes) > 0 {
		s := notes[0]
		for _, n := range notes[1:] {
			s += "; " + n
		}
		r.cells[ipttFixed-1] = str(w.st.note, s)
	}
}
