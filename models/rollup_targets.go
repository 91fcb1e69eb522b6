package models

// Period targets from yearly targets. The Excel report (handlers/report,
// targets.go) and the dashboard roll-ups must choose the same target for a
// period, so the rule lives here:
//   - sum: the year's target split evenly over the year's periods;
//   - cumulative: the year's target at the year's last period, and for the
//     earlier periods of the year a straight line from the previous year's
//     target (or the baseline, or 0) to it;
//   - latest: the year's target.

// YearSlots gives, for each period of a plan (in order), its place in its
// year (1-based) and the number of periods in that year.
func YearSlots(all []ReportingPeriod) (place, count []int) {
	place, count = make([]int, len(all)), make([]int, len(all))
	perYear := map[int]int{}
	for i, p := range all {
		perYear[p.Year()]++
		place[i] = perYear[p.Year()]
	}
	for i, p := range all {
		count[i] = perYear[p.Year()]
	}
	return place, count
}

// PeriodTarget is the target of an indicator for the period with index k of
// all (place and count from YearSlots(all)), from its yearly targets; nil
// when the period's year has no target.
func PeriodTarget(ind Indicator, targets map[int]float64, all []ReportingPeriod, k int, place, count []int) *float64 {
	year := all[k].Year()
	t, ok := targets[year]
	if !ok {
		return nil
	}
	var out float64
	switch ind.Accumulation {
	case AccumulateSum:
		out = t / float64(count[k])
	case AccumulateCumulative:
		start := 0.0
		if prev, ok := targets[year-1]; ok {
			start = prev
		} else if ind.BaselineValue != nil {
			start = *ind.BaselineValue
		}
		out = start + (t-start)*float64(place[k])/float64(count[k])
	default:
		out = t
	}
	return &out
}
