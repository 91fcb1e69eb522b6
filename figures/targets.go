package figures

import (
	"math"
	"time"
)

// Period is one reporting period of a plan as the figures need it. A plan's
// periods are always handed over in order, all of them, and figures name a
// period by its index.
type Period struct {
	Label string
	Start time.Time // first day
	End   time.Time // last day
	// Due is the instant the period's report is due (the day after its due
	// date): before it, a period without data is "not due".
	Due time.Time
}

// Year is the calendar year the period belongs to (that of its end date).
func (p Period) Year() int { return p.End.Year() }

// Indicator is what the figures need to know of an indicator.
type Indicator struct {
	Accumulation string
	Direction    string
	Baseline     *float64
	// Targets are the yearly targets by calendar year.
	Targets map[int]float64
	// Count: the indicator counts things (people, cases), so period targets
	// are whole numbers.
	Count bool
	// Sensitive: the indicator counts victims; an external audience sees
	// its small counts protected (see Disclose).
	Sensitive bool
}

// PeriodTargets gives the target of every period (nil where the period's
// year has no target), from the yearly targets:
//   - sum: the year's target shared over the year's periods; for counts
//     in whole numbers that add up to the year's target (largest
//     remainder: the earlier periods take the units left over);
//   - cumulative: the year's target at the year's last period, and for the
//     earlier periods of the year a straight line from the previous year's
//     target (or the baseline, or 0) to it, rounded for counts;
//   - latest: the year's target.
func PeriodTargets(ind Indicator, periods []Period) []*float64 {
	place, count := yearSlots(periods)
	out := make([]*float64, len(periods))
	for k, p := range periods {
		year := p.Year()
		t, ok := ind.Targets[year]
		if !ok {
			continue
		}
		var x float64
		switch ind.Accumulation {
		case Sum:
			x = t / float64(count[k])
			if ind.Count && t == math.Trunc(t) && t >= 0 {
				base := math.Floor(t / float64(count[k]))
				x = base
				if float64(place[k]) <= t-base*float64(count[k]) {
					x++
				}
			}
		case Cumulative:
			start := 0.0
			if prev, ok := ind.Targets[year-1]; ok {
				start = prev
			} else if ind.Baseline != nil {
				start = *ind.Baseline
			}
			x = start + (t-start)*float64(place[k])/float64(count[k])
			if ind.Count {
				x = math.Round(x)
			}
		default:
			x = t
		}
		out[k] = &x
	}
	return out
}

// RangeTarget is the target to compare with the actual of the periods
// from..to, like with like: for sum indicators the sum of the period
// targets (nil when a period of the range has none), otherwise the target
// of the range's last period.
func RangeTarget(ind Indicator, targets []*float64, from, to int) *float64 {
	if ind.Accumulation != Sum {
		return targets[to]
	}
	var sum float64
	for k := from; k <= to; k++ {
		if targets[k] == nil {
			return nil
		}
		sum += *targets[k]
	}
	return &sum
}

// yearSlots gives, for each period (in order), its place in its year
// (1-based) and the number of periods in that year.
func yearSlots(all []Period) (place, count []int) {
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

// RatedPeriod is the period of from..to an indicator is rated at: the last
// one whose due date has passed at now (due true), or the first while none
// has (due false). It returns -1 when the range is empty.
func RatedPeriod(periods []Period, from, to int, now time.Time) (k int, due bool) {
	if from < 0 || to < from || to >= len(periods) {
		return -1, false
	}
	k = from
	for i := from; i <= to; i++ {
		if !now.Before(periods[i].Due) {
			k, due = i, true
		}
	}
	return k, due
}
