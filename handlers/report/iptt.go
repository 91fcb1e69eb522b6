package report

import (
	"fmt"
	"slices"

	"naptracker/models"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// IPTT layout: fixed columns, then the end-of-plan group and one group of
// four columns (target, actual, % of target, rating) per period.
const (
	ipttFixed     = 9 // No., indicator, level, unit, direction, accumulation, baseline, reporting org, note
	ipttHeaderRow = 4
)

// ipttRow is one indicator, or one breakdown cell, being written.
type ipttRow struct {
	cells []any
	note  bool // a number is unapproved
	hid   bool // a number is suppressed
}

// writeIPTT streams the indicator performance tracking table.
func (b *build) writeIPTT() error {
	sheet := b.sheet["iptt"]
	if err := b.sheetProps(sheet); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	lastCol := ipttFixed + 4*(len(b.rng)+1)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: ipttHeaderRow, TopLeftCell: cellName(3, ipttHeaderRow+1), ActivePane: "bottomRight"}); err != nil {
		return err
	}
	widths := []float64{9, 48, 9, 11, 11, 13, 10, 10, 12}
	for i := 0; i <= len(b.rng); i++ {
		widths = append(widths, 11, 11, 9, 11)
	}
	if err := setWidths(sw, widths); err != nil {
		return err
	}
	if err := b.ipttHeader(sw); err != nil {
		return err
	}
	sets, err := b.loadSets()
	if err != nil {
		return err
	}
	w := &ipttWriter{build: b, tg: map[int]float64{}, sets: sets}
	w.place, w.count = models.YearSlots(b.all)
	w.from, w.to = b.index(b.rng[0]), b.index(b.rng[len(b.rng)-1])
	// First pass: count the rows (the autofilter needs the last one) and
	// rate the indicators for the summary. The rows themselves are written
	// when the workbook is zipped (sheetxml.go), from the data read again.
	if err := w.walk(discardRows{}, true); err != nil {
		return err
	}
	lastRow := w.row - 1
	if err := b.f.AutoFilter(sheet, cellName(1, ipttHeaderRow)+":"+cellName(lastCol, max(lastRow, ipttHeaderRow+1)), nil); err != nil {
		return err
	}
	if err := b.pageSetup(sheet, 3, ipttHeaderRow); err != nil {
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
func (b *build) index(p models.ReportingPeriod) int {
	for i, q := range b.all {
		if q.ID == p.ID {
			return i
		}
	}
	return -1
}

// loadSets reads the disaggregation sets with their dimensions and categories (three queries).
func (b *build) loadSets() (map[int64]*models.DisaggregationSet, error) {
	var sets []models.DisaggregationSet
	err := b.db.Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
		Order("id").Find(&sets).Error
	out := make(map[int64]*models.DisaggregationSet, len(sets))
	for i := range sets {
		out[sets[i].ID] = &sets[i]
	}
	return out, err
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
	group(L.T("report.iptt.end"), " "+L.T("report.iptt.end_short"))
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
func (b *build) eachIndicator(fn func(*models.PillarNode, *models.ObjectiveNode, *models.Indicator, *models.ActivityNode)) {
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
	sw           rowSink
	row          int
	rate         bool // count the ratings per pillar (first pass only)
	src          *ipttSource
	tg           map[int]float64 // the current indicator's targets by year
	sets         map[int64]*models.DisaggregationSet
	place, count []int
	from, to     int
}

// walk writes the rows below the header into out, in the order of the tree;
// rate counts the ratings per pillar for the summary.
func (w *ipttWriter) walk(out rowSink, rate bool) (err error) {
	w.sw, w.row, w.rate = out, ipttHeaderRow+1, rate
	wanted := map[int64]bool{}
	w.eachIndicator(func(_ *models.PillarNode, _ *models.ObjectiveNode, ind *models.Indicator, _ *models.ActivityNode) {
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
	w.eachIndicator(func(p *models.PillarNode, o *models.ObjectiveNode, ind *models.Indicator, _ *models.ActivityNode) {
		if err != nil {
			return
		}
		if p.ID != lastPillar {
			lastPillar = p.ID
			if w.ragByPillar[p.ID] == nil {
				w.ragByPillar[p.ID] = map[string]int{}
			}
			if err = w.separator(w.st.pillar, w.tree.Plan.Tier1Label+" "+p.Code, p.TitleIn(w.L.Lang)); err != nil {
				return
			}
		}
		if o.ID != lastObjective {
			lastObjective = o.ID
			if err = w.separator(w.st.objective, w.tree.Plan.Tier2Label+" "+o.Code, o.TitleIn(w.L.Lang)); err != nil {
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

// indicator writes an indicator's row and, grouped under it, its breakdown rows.
func (w *ipttWriter) indicator(pillarID int64, ind *models.Indicator) error {
	L, st := w.L, w.st
	data, targets := w.src.next(ind.ID)
	if err := w.src.err(); err != nil {
		return err
	}
	suppress := w.restricted && ind.Sensitive
	withheld := L.T("report.withheld")
	series := w.seriesOf(data.total)
	due := func(k int) bool { return !w.opts.Now.Before(w.all[k].DueBy()) }
	tg := targetsOf(w.tg, targets)
	if w.rate {
		// First pass: the indicator's current rating (that of the last
		// period due, else of the first period) and its number of rows.
		k := w.from
		for j := w.from; j <= w.to; j++ {
			if due(j) {
				k = j
			}
		}
		f := w.actualOf(ind.Accumulation, data.total, series, k, k, suppress, withheld)
		rating := models.Rate(f.value, models.MeasureBaseline(*ind), models.PeriodTarget(*ind, tg, w.all, k, w.place, w.count), ind.Direction, w.th, due(k))
		w.ragByPillar[pillarID][rating.RAG]++
		rows := 1
		if ind.DisaggregationSetID != nil && w.sets[*ind.DisaggregationSetID] != nil {
			rows += len(w.sets[*ind.DisaggregationSetID].Cells())
		}
		w.row += rows
		return nil
	}
	baseline := any(w.st.dash())
	if ind.BaselineValue != nil {
		baseline = st.number(*ind.BaselineValue, false)
	}
	r := ipttRow{cells: []any{
		str(st.bold, ind.Code), str(st.wrap, ind.NameIn(L.Lang)), str(st.text, L.T("report.level."+ind.Level())),
		str(st.text, L.T("unit."+ind.UnitType)), str(st.text, L.T("direction."+ind.Direction)),
		str(st.text, L.T("accumulation."+ind.Accumulation)), baseline, str(st.text, w.tree.Org(ind.ReportingOrgID).Acronym), nil,
	}}
	// The end-of-plan group.
	end := w.actualOf(ind.Accumulation, data.total, series, w.from, w.to, suppress, withheld)
	w.group(&r, ind, ind.EndTarget, end, due(w.to), true)
	for k := w.from; k <= w.to; k++ {
		f := w.actualOf(ind.Accumulation, data.total, series, k, k, suppress, withheld)
		w.group(&r, ind, models.PeriodTarget(*ind, tg, w.all, k, w.place, w.count), f, due(k), true)
	}
	w.setNote(&r)
	if err := w.sw.SetRow(cellName(1, w.row), r.cells); err != nil {
		return err
	}
	w.row++
	if ind.DisaggregationSetID == nil {
		return nil
	}
	set := w.sets[*ind.DisaggregationSetID]
	if set == nil {
		return nil
	}
	return w.breakdown(ind, set, data, suppress, withheld)
}

// group appends a target / actual / % / rating group and returns the rating.
// Breakdown rows (withTarget false) show the actual only.
func (w *ipttWriter) group(r *ipttRow, ind *models.Indicator, target *float64, f figure, due, withTarget bool) string {
	st := w.st
	if !withTarget {
		r.cells = append(r.cells, nil, w.figureCell(r, f), nil, nil)
		return ""
	}
	t := any(st.dash())
	if target != nil {
		t = st.number(*target, false)
	}
	rating := models.Rate(f.value, models.MeasureBaseline(*ind), target, ind.Direction, w.th, due)
	pct := any(st.dash())
	if rating.Progress != nil {
		pct = st.percent(*rating.Progress, f.unapproved)
		if f.hidden != "" {
			pct = str(st.text, w.L.T("report.withheld"))
		}
	}
	r.cells = append(r.cells, t, w.figureCell(r, f), pct, str(st.rag[rating.RAG], w.L.T(ragKey(rating.RAG))))
	return rating.RAG
}

// figureCell is the cell of an actual: a number, "–", "<5" or the withheld marker.
func (w *ipttWriter) figureCell(r *ipttRow, f figure) any {
	switch {
	case f.value == nil:
		return w.st.dash()
	case f.hidden != "":
		r.hid = true
		r.note = r.note || f.unapproved
		return str(w.st.text, f.hidden)
	default:
		r.note = r.note || f.unapproved
		return w.st.number(*f.value, f.unapproved)
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

// breakdown writes one hidden outline row per breakdown cell, applying
// rule R2: in a period column where a cell shows "<5", the other non-zero
// cells are withheld.
func (w *ipttWriter) breakdown(ind *models.Indicator, set *models.DisaggregationSet, data indicatorData, suppress bool, withheld string) error {
	cells := set.Cells()
	n := w.to - w.from + 2 // the end group and each period
	figs := make([][]figure, len(cells))
	for i, c := range cells {
		pts := data.cells[c]
		series := w.seriesOf(pts)
		figs[i] = make([]figure, n)
		figs[i][0] = w.actualOf(ind.Accumulation, pts, series, w.from, w.to, suppress, withheld)
		for k := w.from; k <= w.to; k++ {
			figs[i][k-w.from+1] = w.actualOf(ind.Accumulation, pts, series, k, k, suppress, withheld)
		}
	}
	if suppress {
		for g := 0; g < n; g++ {
			small := false
			for i := range cells {
				small = small || figs[i][g].small
			}
			for i := range cells {
				if f := &figs[i][g]; small && f.hidden == "" && f.value != nil && *f.value != 0 {
					f.hidden = withheld
				}
			}
		}
	}
	for i, c := range cells {
		r := ipttRow{cells: []any{str(w.st.indent, ind.Code), str(w.st.indent, cellLabel(set, c)), nil, nil, nil, nil, nil, nil, nil}}
		for g := 0; g < n; g++ {
			w.group(&r, ind, nil, figs[i][g], false, false)
		}
		w.setNote(&r)
		if err := w.sw.SetRow(cellName(1, w.row), r.cells, excelize.RowOpts{OutlineLevel: 1, Hidden: true}); err != nil {
			return err
		}
		w.row++
	}
	return nil
}
