package figures

import "time"

// Point is one reported value of an indicator (or of one breakdown cell),
// by the index of its period.
type Point struct {
	Period     int
	Value      float64
	Unapproved bool
}

// Data is what an audience's source holds of one indicator: its reported
// values in period order and, when it is disaggregated, each breakdown
// cell's values in period order (Cells in the order of the set's cells).
// Values of periods after the window's last are ignored.
type Data struct {
	Total []Point
	Cells [][]Point
}

// Window is the stretch of a plan the figures describe: every period of the
// plan, the indices of the range's first and last periods, the instant the
// figures describe (due dates are compared with it) and the plan's
// thresholds.
type Window struct {
	Periods    []Period
	From, To   int
	Now        time.Time
	Thresholds Thresholds
}

// Cell is an indicator's figures for a period, or for the range: the
// target, the actual, the progress toward the target and the rating word.
type Cell struct {
	// Period is the index of the period (the range's last for the range).
	Period   int
	Target   *float64
	Actual   Figure
	Progress *float64 // nil when the actual or target is missing or hidden
	Rating   string
	// Due: the period's due date had passed at the window's instant.
	Due bool
}

// Assessment is one indicator's figures over a window for an audience.
type Assessment struct {
	// Periods holds a cell per period of the range, in order.
	Periods []Cell
	// Range compares the actual of the whole range with the target of the
	// range, like with like (RangeTarget).
	Range Cell
	// Rated is the index in Periods of the period the indicator is rated
	// at (RatedPeriod): the dashboard, pages, slides and workbook all show
	// this one as the indicator's current rating.
	Rated int
	// Breakdown holds, per breakdown cell of Data.Cells, the figure of the
	// range ([0]) and of each period of the range ([1+i] for Periods[i]).
	Breakdown [][]Figure
}

// Current is the cell of the rated period.
func (a Assessment) Current() Cell { return a.Periods[a.Rated] }

// Assess works out an indicator's figures over the window as the audience
// may see them. It is the one function every output calls.
func Assess(ind Indicator, d Data, w Window, aud Audience) Assessment {
	protect := protects(ind.Sensitive, aud)
	targets := PeriodTargets(ind, w.Periods)
	// Which reported values are hidden, by period: totals by R1, breakdown
	// columns by R2.
	var totalHidden, columnHidden []bool
	if protect {
		totalHidden = make([]bool, len(w.Periods))
		for _, p := range d.Total {
			if p.Period < len(w.Periods) && IsSmall(p.Value) {
				totalHidden[p.Period] = true
			}
		}
		columnHidden = make([]bool, len(w.Periods))
		for _, pts := range d.Cells {
			for _, p := range pts {
				if p.Period < len(w.Periods) && IsSmall(p.Value) {
					columnHidden[p.Period] = true
				}
			}
		}
	}
	base := MeasureBaseline(ind.Accumulation, ind.Baseline)
	cell := func(from, to int, target *float64) Cell {
		f := combine(ind.Accumulation, d.Total, from, to, totalHidden, true)
		due := !w.Now.Before(w.Periods[to].Due)
		word, progress := Rate(f, base, target, ind.Direction, w.Thresholds, due)
		return Cell{Period: to, Target: target, Actual: f, Progress: progress, Rating: word, Due: due}
	}
	var a Assessment
	if w.From < 0 || w.To < w.From || w.To >= len(w.Periods) {
		return a
	}
	a.Periods = make([]Cell, 0, w.To-w.From+1)
	for k := w.From; k <= w.To; k++ {
		a.Periods = append(a.Periods, cell(k, k, targets[k]))
	}
	a.Range = cell(w.From, w.To, RangeTarget(ind, targets, w.From, w.To))
	rated, _ := RatedPeriod(w.Periods, w.From, w.To, w.Now)
	a.Rated = rated - w.From
	if len(d.Cells) > 0 {
		a.Breakdown = make([][]Figure, len(d.Cells))
		for i, pts := range d.Cells {
			row := make([]Figure, 0, w.To-w.From+2)
			row = append(row, combine(ind.Accumulation, pts, w.From, w.To, columnHidden, false))
			for k := w.From; k <= w.To; k++ {
				row = append(row, combine(ind.Accumulation, pts, k, k, columnHidden, false))
			}
			a.Breakdown[i] = row
		}
	}
	return a
}

// combine is the actual of the periods from..to made of the points (in
// period order) by the accumulation mode, with rule R3:
//   - sum: the sum of the points of from..to;
//   - cumulative: the running total of every point up to to;
//   - latest: the last point of from..to.
//
// It is not reported when no point falls in from..to. hidden marks the
// periods whose value is hidden (nil: none); a figure made of one hidden
// value is "<5" when small allows it (totals, rule R1) and withheld
// otherwise (breakdown cells, rule R2); a figure made of several values one
// of which is hidden is withheld.
func combine(mode string, pts []Point, from, to int, hidden []bool, small bool) Figure {
	var f Figure
	var sum, latest float64
	parts, found, anyHidden := 0, false, false
	for _, p := range pts {
		if p.Period > to {
			break
		}
		if p.Period < from && mode != Cumulative {
			continue
		}
		if p.Period >= from {
			found = true
		}
		if mode == Latest {
			parts, latest, anyHidden, f.Unapproved = 1, p.Value, hidden != nil && hidden[p.Period], p.Unapproved
			continue
		}
		parts++
		sum += p.Value
		anyHidden = anyHidden || hidden != nil && hidden[p.Period]
		f.Unapproved = f.Unapproved || p.Unapproved
	}
	if !found {
		return Figure{}
	}
	if mode == Latest {
		sum = latest
	}
	switch {
	case anyHidden && parts == 1 && small && IsSmall(sum):
		f.Small = true
	case anyHidden:
		f.Withheld = true
	default:
		f.Value = &sum
	}
	return f
}
