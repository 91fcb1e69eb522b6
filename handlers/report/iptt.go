package report

import (
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
	targets, err := b.loadTargets()
	if err != nil {
		return err
	}
	sets, err := b.loadSets()
	if err != nil {
		return err
	}
	vs, err := b.openValues()
	if err != nil {
		return err
	}
	w := &ipttWriter{build: b, sw: sw, row: ipttHeaderRow + 1, targets: targets, sets: sets, vs: vs, pos: map[int64]int{}}
	w.place, w.count = yearSlots(b.all)
	w.from, w.to = b.index(b.rng[0]), b.index(b.rng[len(b.rng)-1])
	err = w.walk()
	if cerr := vs.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := b.f.AutoFilter(sheet, cellName(1, ipttHeaderRow)+":"+cellName(lastCol, max(w.row-1, ipttHeaderRow+1)), nil); err != nil {
		return err
	}
	if err := b.pageSetup(sheet, 3, ipttHeaderRow); err != nil {
		return err
	}
	return sw.Flush()
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

// ipttWriter walks the plan tree and writes a row per indicator and per breakdown cell.
type ipttWriter struct {
	*build
	sw           *excelize.StreamWriter
	row          int
	targets      map[int64]map[int]float64
	sets         map[int64]*models.DisaggregationSet
	vs           *valueStream
	pos          map[int64]int
	place, count []int
	from, to     int
}

func (w *ipttWriter) walk() error {
	// Number the indicators in walk order first, so the value stream can
	// tell a row of a later indicator from one to skip.
	n := 0
	for _, p := range w.pillars() {
		for _, o := range p.Objectives {
			for i := range o.Indicators {
				w.pos[o.Indicators[i].ID] = n
				n++
			}
			for _, a := range o.Activities {
				for i := range a.Indicators {
					w.pos[a.Indicators[i].ID] = n
					n++
				}
			}
		}
	}
	for _, p := range w.pillars() {
		if w.ragByPillar[p.ID] == nil {
			w.ragByPillar[p.ID] = map[string]int{}
		}
		wrotePillar := false
		for _, o := range p.Objectives {
			wroteObjective := false
			emit := func(ind *models.Indicator, a *models.ActivityNode) error {
				if !w.indicatorMatches(ind, a) {
					return nil
				}
				if !wrotePillar {
					if err := w.separator(w.st.pillar, w.tree.Plan.Tier1Label+" "+p.Code, p.Title); err != nil {
						return err
					}
					wrotePillar = true
				}
				if !wroteObjective {
					if err := w.separator(w.st.objective, w.tree.Plan.Tier2Label+" "+o.Code, o.Title); err != nil {
						return err
					}
					wroteObjective = true
				}
				return w.indicator(p.ID, ind)
			}
			for i := range o.Indicators {
				if err := emit(&o.Indicators[i], nil); err != nil {
					return err
				}
			}
			for _, a := range o.Activities {
				for i := range a.Indicators {
					if err := emit(&a.Indicators[i], a); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (w *ipttWriter) separator(style int, code, title string) error {
	err := w.sw.SetRow(cellName(1, w.row), []any{str(style, code), str(style, title)}, excelize.RowOpts{StyleID: style})
	w.row++
	return err
}

// indicator writes an indicator's row and, grouped under it, its breakdown rows.
func (w *ipttWriter) indicator(pillarID int64, ind *models.Indicator) error {
	L, st := w.L, w.st
	data := w.vs.take(ind.ID, w.pos[ind.ID], w.pos)
	if w.vs.err != nil {
		return w.vs.err
	}
	suppress := w.restricted && ind.Sensitive
	withheld := L.T("report.withheld")
	baseline := any(w.st.dash())
	if ind.BaselineValue != nil {
		baseline = st.number(*ind.BaselineValue, false)
	}
	r := ipttRow{cells: []any{
		str(st.bold, ind.Code), str(st.wrap, ind.Name), str(st.text, L.T("report.level."+ind.Level())),
		str(st.text, L.T("unit."+ind.UnitType)), str(st.text, L.T("direction."+ind.Direction)),
		str(st.text, L.T("accumulation."+ind.Accumulation)), baseline, str(st.text, w.tree.Org(ind.ReportingOrgID).Acronym), nil,
	}}
	// The end-of-plan group.
	end := w.actualOf(ind.Accumulation, data.total, w.from, w.to, suppress, withheld)
	endDue := !w.opts.Now.Before(w.all[w.to].DueBy())
	w.group(&r, ind, ind.EndTarget, end, endDue, true)
	current := ""
	tg := w.targets[ind.ID]
	for k := w.from; k <= w.to; k++ {
		f := w.actualOf(ind.Accumulation, data.total, k, k, suppress, withheld)
		due := !w.opts.Now.Before(w.all[k].DueBy())
		rag := w.group(&r, ind, w.periodTarget(ind, tg, k, w.place, w.count), f, due, true)
		if due || current == "" {
			current = rag
		}
	}
	w.ragByPillar[pillarID][current]++
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
		figs[i] = make([]figure, n)
		figs[i][0] = w.actualOf(ind.Accumulation, pts, w.from, w.to, suppress, withheld)
		for k := w.from; k <= w.to; k++ {
			figs[i][k-w.from+1] = w.actualOf(ind.Accumulation, pts, k, k, suppress, withheld)
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
