package report

import (
	"database/sql"
	"strings"

	"naptracker/models"
)

// IPTT semantics, also stated on the cover:
//
// Target of a period, from the targets per calendar year:
//   - sum: the year's target split evenly over the year's periods;
//   - cumulative: the year's target at the year's last period, and for the
//     earlier periods of the year a straight line from the previous year's
//     target (or the baseline, or 0) to it;
//   - latest: the year's target.
//
// Actual of a period: models.Actual over that one period (for cumulative
// indicators the running total since the start of the plan). The end
// columns compare the end-of-plan target with models.Actual over the whole
// range. % of target is models.Progress(actual, models.MeasureBaseline, target,
// direction) and the rating models.Rate with the plan's thresholds: "not
// due" while a period's due date has not passed and nothing is reported,
// "no data" otherwise.
//
// Small counts (suppression) for scopes that do not validate, on indicators
// flagged sensitive, for the total and for each breakdown cell alike:
//   - R1: a figure between 1 and 4 is shown as "<5";
//   - R2: in a period where a breakdown cell shows "<5", the other non-zero
//     cells of the breakdown are withheld, so that the total minus the
//     visible cells cannot reveal it;
//   - R3: a figure built from two or more reported values (a running total,
//     the sum over the range) is withheld when one of them is between 1
//     and 4, so that the difference of two figures cannot reveal it.
//
// A withheld figure's % of target is withheld too; the rating word stays.

// point is one reported value of an indicator (or of one breakdown cell).
type point struct {
	period     int // index in build.all
	value      float64
	unapproved bool
}

// indicatorData is what the values query returned for one indicator.
type indicatorData struct {
	total []point
	cells map[string][]point
}

// valueStream reads indicator values (with their breakdown cells) in the
// order of the plan tree, one indicator at a time.
type valueStream struct {
	rows    *sql.Rows
	period  map[int64]int
	pending bool
	row     struct {
		indicator, period int64
		value             float64
		status            string
		cell              sql.NullString
		cellValue         sql.NullFloat64
	}
	err error
}

// openValues starts the one query that reads every value the IPTT needs:
// every value reported up to the end of the range (cumulative indicators
// need the earlier ones), approved ones only unless the report includes
// unapproved data, ordered like the tree.
func (b *build) openValues() (*valueStream, error) {
	q := `SELECT v.indicator_id, v.period_id, v.value, v.status, bd.cell, bd.value
FROM indicator_values v
JOIN indicators i ON i.id = v.indicator_id
JOIN reporting_periods p ON p.id = v.period_id
LEFT JOIN activities a ON a.id = i.activity_id
JOIN objectives o ON o.id = COALESCE(i.objective_id, a.objective_id)
JOIN pillars pl ON pl.id = o.pillar_id
LEFT JOIN value_breakdowns bd ON bd.value_id = v.id
WHERE i.plan_id = ? AND i.archived_at IS NULL AND o.archived_at IS NULL AND pl.archived_at IS NULL
AND (i.activity_id IS NULL OR a.archived_at IS NULL) AND v.value IS NOT NULL AND p.end_date <= ?`
	last := b.rng[len(b.rng)-1]
	args := []any{b.tree.Plan.ID, last.EndDate}
	if !b.opts.IncludeUnapproved {
		q += ` AND v.status = ?`
		args = append(args, models.StatusApproved)
	}
	if b.pillar != nil {
		q += ` AND pl.id = ?`
		args = append(args, b.pillar.ID)
	}
	q += ` ORDER BY pl.position, pl.code, o.position, o.code, CASE WHEN i.activity_id IS NULL THEN 0 ELSE 1 END,
a.position, a.code, i.position, i.code, p.start_date, p.id, bd.cell`
	rows, err := b.db.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	s := &valueStream{rows: rows, period: map[int64]int{}}
	for i, p := range b.all {
		s.period[p.ID] = i
	}
	return s, nil
}

// advance reads the next row into s.row; false at the end.
func (s *valueStream) advance() bool {
	if s.pending {
		return true
	}
	if s.err != nil || !s.rows.Next() {
		return false
	}
	r := &s.row
	s.err = s.rows.Scan(&r.indicator, &r.period, &r.value, &r.status, &r.cell, &r.cellValue)
	s.pending = s.err == nil
	return s.pending
}

// take returns the values of the indicator with the given position in the
// walk, skipping rows of indicators the walk has passed (pos maps an
// indicator id to its position in the walk).
func (s *valueStream) take(id int64, at int, pos map[int64]int) indicatorData {
	var d indicatorData
	lastPeriod := int64(-1)
	for s.advance() {
		r := s.row
		if r.indicator != id {
			if p, ok := pos[r.indicator]; ok && p > at {
				break
			}
			s.pending = false
			continue
		}
		s.pending = false
		pi, ok := s.period[r.period]
		if !ok {
			continue
		}
		un := r.status != models.StatusApproved
		if r.period != lastPeriod {
			d.total = append(d.total, point{period: pi, value: r.value, unapproved: un})
			lastPeriod = r.period
		}
		if r.cell.Valid && r.cellValue.Valid {
			if d.cells == nil {
				d.cells = map[string][]point{}
			}
			d.cells[r.cell.String] = append(d.cells[r.cell.String], point{period: pi, value: r.cellValue.Float64, unapproved: un})
		}
	}
	return d
}

func (s *valueStream) close() error {
	err := s.rows.Close()
	if s.err != nil {
		return s.err
	}
	if err == nil {
		err = s.rows.Err()
	}
	return err
}

// figure is an actual as the reader may see it.
type figure struct {
	value      *float64
	unapproved bool
	// hidden is "" or the text shown instead of the number ("<5" or the
	// withheld marker).
	hidden string
	// small: the figure itself is between 1 and 4 (rule R1).
	small bool
}

// small reports whether a count is one a donor must not see (1 to 4).
func isSmall(x float64) bool { return x > 0 && x < 5 }

// actualOf combines the points of a series over the periods from..to
// (indices in build.all) by the accumulation mode, with models.Actual, and
// applies the suppression rules R1 and R3 when suppress is set.
func (b *build) actualOf(mode string, pts []point, from, to int, suppress bool, withheld string) figure {
	series := make([]models.PeriodValue, len(pts))
	for i, p := range pts {
		series[i] = models.PeriodValue{End: b.all[p.period].EndDate, Value: p.value}
	}
	var f figure
	f.value = models.Actual(mode, series, b.all[from].EndDate, b.all[to].EndDate)
	if f.value == nil {
		return f
	}
	// The reported values the figure is made of.
	var parts []point
	for _, p := range pts {
		if p.period > to {
			break
		}
		switch {
		case mode == models.AccumulateCumulative:
			parts = append(parts, p)
		case p.period < from:
		case mode == models.AccumulateLatest:
			parts = []point{p}
		default:
			parts = append(parts, p)
		}
	}
	anySmall := false
	for _, p := range parts {
		f.unapproved = f.unapproved || p.unapproved
		anySmall = anySmall || isSmall(p.value)
	}
	if !suppress {
		return f
	}
	switch {
	case isSmall(*f.value):
		f.hidden, f.small = "<5", true
	case len(parts) > 1 && anySmall:
		f.hidden = withheld
	}
	return f
}

// cellLabels names breakdown cells: "sex=female;age=child" → "Female × Child".
func cellLabel(set *models.DisaggregationSet, cell string) string {
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
