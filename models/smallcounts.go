package models

// The small-count rules, one definition for the workshop report, the
// indicator page and the slides. For an indicator flagged sensitive, read
// by someone who does not validate:
//   - R1: a figure between 1 and 4 is shown as "<5";
//   - R2 (breakdowns, applied by the report and the indicator page): in a
//     period where a breakdown cell shows "<5", the other non-zero cells are
//     withheld, so that the total minus the visible cells cannot reveal it;
//   - R3: a figure built from two or more reported values (a running total,
//     a sum over a range) is withheld when one of them is between 1 and 4,
//     so that the difference of two figures cannot reveal it.

// CountPoint is one reported figure of an indicator (or of one breakdown
// cell), by the index of its period in the plan's periods.
type CountPoint struct {
	Value      float64
	Period     int32
	Unapproved bool
}

// SeriesOf turns points into the series Actual takes.
func SeriesOf(pts []CountPoint, periods []ReportingPeriod) []PeriodValue {
	series := make([]PeriodValue, len(pts))
	for i, p := range pts {
		series[i] = PeriodValue{End: periods[p.Period].EndDate, Value: p.Value}
	}
	return series
}

// FigureOf combines the points (in period order) of the periods from..to
// (indices in periods) by the accumulation mode, with Actual, marks it
// unapproved when it rests on a value not approved yet, and, when suppress
// is set, hides it by rules R1 and R3. series is SeriesOf(pts, periods),
// passed in so that a caller rating many ranges builds it once.
func FigureOf(mode string, pts []CountPoint, series []PeriodValue, periods []ReportingPeriod, from, to int, suppress bool) Figure {
	var f Figure
	f.Value = Actual(mode, series, periods[from].EndDate, periods[to].EndDate)
	if f.Value == nil {
		return f
	}
	// The reported values the figure is made of.
	var parts []CountPoint
	for _, p := range pts {
		k := int(p.Period)
		if k > to {
			break
		}
		switch {
		case mode == AccumulateCumulative:
			parts = append(parts, p)
		case k < from:
		case mode == AccumulateLatest:
			parts = []CountPoint{p}
		default:
			parts = append(parts, p)
		}
	}
	anySmall := false
	for _, p := range parts {
		f.Unapproved = f.Unapproved || p.Unapproved
		anySmall = anySmall || IsSmallCount(p.Value)
	}
	if !suppress {
		return f
	}
	switch {
	case IsSmallCount(*f.Value):
		f.Hidden, f.Small = true, true
	case len(parts) > 1 && anySmall:
		f.Hidden = true
	}
	return f
}
