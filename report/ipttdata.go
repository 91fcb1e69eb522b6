package report

import (
	"database/sql"
	"errors"
	"slices"
	"strings"

	"naptracker/domain"
	"naptracker/figures"
)

// The IPTT's figures — period targets, actuals, % of target, rating words
// and what the reader may see of them — come from figures.Assess, as on
// every other output; this file only reads the data.

// point is one reported value of an indicator (or of one breakdown cell),
// by the index of its period in build.all.
type point = figures.Point

// indicatorData is what the values query returned for one indicator.
type indicatorData struct {
	total []point
	cells map[string][]point
}

// data gives the indicator's data with the breakdown in the order of cells.
func (d indicatorData) data(cells []string) figures.Data {
	out := figures.Data{Total: d.total}
	if len(cells) > 0 && len(d.cells) > 0 {
		out.Cells = make([][]point, len(cells))
		for i, c := range cells {
			out.Cells[i] = d.cells[c]
		}
	}
	return out
}

// ipttSource reads what the IPTT shows of each indicator — its values, its
// breakdown cells and its yearly targets — from three queries ordered by
// indicator id, streamed as the tree is walked (see cursor). Every value
// reported up to the end of the range is read (cumulative indicators need
// the earlier ones), approved ones only unless the report includes
// unapproved data.
type ipttSource struct {
	period  map[int64]int // period id → index in build.all
	values  *cursor[valueRow]
	cells   *cursor[cellRow]
	targets *cursor[yearTarget]
	vbuf    []valueRow
	cbuf    []cellRow
	tbuf    []yearTarget
	// The points handed out, reused from indicator to indicator (the
	// caller is done with them when it asks for the next).
	total  []point
	cellPt map[string][]point
	// approvedOnly drops the values not approved yet.
	approvedOnly bool
}

type valueRow struct {
	period     int64
	value      float64
	unapproved bool
}

type cellRow struct {
	valueRow
	cell string
}

// openSource starts the queries; wanted are the indicators the walk will
// visit; withCells false skips the breakdown cells (the first pass only
// rates the indicators).
func (b *build) openSource(wanted map[int64]bool, withCells bool) (*ipttSource, error) {
	last := b.rng[len(b.rng)-1]
	s := &ipttSource{period: map[int64]int{}}
	for i, p := range b.all {
		if !p.EndDate.After(last.EndDate) {
			s.period[p.ID] = i
		}
	}
	s.approvedOnly = !b.opts.IncludeUnapproved
	// Periods and status are checked here, not in SQL: that way the
	// database reads each indicator's values as one range of the index
	// instead of seeking every period of every indicator.
	// Live data: the plan's indicators' values. A snapshot: the rows it copied.
	from, cellFrom := `FROM indicator_values v WHERE v.indicator_id IN (SELECT id FROM indicators WHERE plan_id = ?)`,
		`FROM indicator_values v JOIN value_breakdowns bd ON bd.value_id = v.id
WHERE v.indicator_id IN (SELECT id FROM indicators WHERE plan_id = ? AND disaggregation_set_id IS NOT NULL)`
	args := []any{b.tree.Plan.ID}
	if b.snap != nil {
		from = `FROM snapshot_values v WHERE v.snapshot_id = ?`
		cellFrom = `FROM snapshot_values v JOIN snapshot_breakdowns bd ON bd.snapshot_id = v.snapshot_id AND bd.value_id = v.value_id
WHERE v.snapshot_id = ?`
		args = []any{b.snap.ID}
	}
	// Whether a value is approved comes as a number: a status as text
	// would be a string made for every one of 100,000 rows.
	unapproved := `CASE WHEN v.status = ? THEN 0 ELSE 1 END`
	args = append([]any{domain.StatusApproved}, args...)
	rows, err := b.db.Raw(`SELECT v.indicator_id, v.period_id, v.value, `+unapproved+` `+from+` AND v.value IS NOT NULL ORDER BY v.indicator_id`, args...).Rows()
	if err != nil {
		return nil, err
	}
	// Each cursor scans on a goroutine of its own (see cursor): what a
	// scan writes besides its row is its own.
	var flag int64
	s.values = newCursor(rows, wanted, func(r *sql.Rows) (id int64, v valueRow, err error) {
		err = r.Scan(&id, &v.period, &v.value, &flag)
		v.unapproved = flag != 0
		return id, v, err
	})
	// Only indicators with a disaggregation set have breakdown cells.
	s.cells = &cursor[cellRow]{done: true}
	if withCells {
		rows, err = b.db.Raw(`SELECT v.indicator_id, v.period_id, bd.value, `+unapproved+`, bd.cell `+cellFrom+`
AND v.value IS NOT NULL ORDER BY v.indicator_id`, args...).Rows()
		if err != nil {
			s.values.close()
			return nil, err
		}
		var cell sql.RawBytes
		var cellFlag int64
		names := map[string]string{} // breakdown cell names, stored once
		s.cells = newCursor(rows, wanted, func(r *sql.Rows) (id int64, c cellRow, err error) {
			err = r.Scan(&id, &c.period, &c.value, &cellFlag, &cell)
			c.unapproved = cellFlag != 0
			name, ok := names[string(cell)]
			if !ok {
				name = string(cell)
				names[name] = name
			}
			c.cell = name
			return id, c, err
		})
	}
	if b.snap != nil {
		list := make([]keyed[yearTarget], len(b.snapContent.Targets))
		for i, t := range b.snapContent.Targets {
			list[i] = keyed[yearTarget]{t.IndicatorID, yearTarget{year: t.Year, value: t.Value}}
		}
		s.targets = listCursor(list, wanted)
		return s, nil
	}
	rows, err = b.db.Raw(`SELECT t.indicator_id, t.year, t.value FROM indicator_targets t
WHERE t.indicator_id IN (SELECT id FROM indicators WHERE plan_id = ?) ORDER BY t.indicator_id`, b.tree.Plan.ID).Rows()
	if err != nil {
		s.values.close()
		s.cells.close()
		return nil, err
	}
	s.targets = newCursor(rows, wanted, func(r *sql.Rows) (id int64, t yearTarget, err error) {
		err = r.Scan(&id, &t.year, &t.value)
		return id, t, err
	})
	return s, nil
}

// next returns the values (in period order) and yearly targets of the
// indicator the walk has reached, valid until the next call.
func (s *ipttSource) next(id int64) (indicatorData, []yearTarget) {
	d := indicatorData{total: s.total[:0]}
	for c, pts := range s.cellPt {
		s.cellPt[c] = pts[:0]
	}
	s.vbuf = s.values.take(id, s.vbuf)
	for _, v := range s.vbuf {
		if pi, ok := s.period[v.period]; ok && !(s.approvedOnly && v.unapproved) {
			d.total = append(d.total, point{Period: pi, Value: v.value, Unapproved: v.unapproved})
		}
	}
	byPeriod := func(a, b point) int { return a.Period - b.Period }
	slices.SortFunc(d.total, byPeriod)
	s.cbuf = s.cells.take(id, s.cbuf)
	for _, c := range s.cbuf {
		if pi, ok := s.period[c.period]; ok && !(s.approvedOnly && c.unapproved) {
			if s.cellPt == nil {
				s.cellPt = map[string][]point{}
			}
			d.cells = s.cellPt
			d.cells[c.cell] = append(d.cells[c.cell], point{Period: pi, Value: c.value, Unapproved: c.unapproved})
		}
	}
	for _, pts := range d.cells {
		slices.SortFunc(pts, byPeriod)
	}
	s.total = d.total
	s.tbuf = s.targets.take(id, s.tbuf)
	return d, s.tbuf
}

// err is the first error of the three queries.
func (s *ipttSource) err() error {
	for _, err := range []error{s.values.err, s.cells.err, s.targets.err} {
		if err != nil {
			return err
		}
	}
	return nil
}

// close ends the three queries.
func (s *ipttSource) close() error {
	return errors.Join(s.values.close(), s.cells.close(), s.targets.close())
}

// cellLabels names breakdown cells: "sex=female;age=child" → "Female × Child".
func cellLabel(set *domain.DisaggregationSet, cell string) string {
	if set == nil {
		return cell
	}
	var out []string
	for _, part := range strings.Split(cell, ";") {
		dim, cat, _ := strings.Cut(part, "=")
		label := cat
		for _, d := range set.Dimensions {
			if d.Code != dim {
				continue
			}
			for _, c := range d.Categories {
				if c.Code == cat {
					label = c.Label
				}
			}
		}
		out = append(out, label)
	}
	return strings.Join(out, " × ")
}
