package models

import (
	"math"
	"time"
)

// RAG ratings. Colour is never the only signal: pages and reports always show
// the word for the rating too.
const (
	RAGOnTrack  = "on_track"
	RAGBehind   = "behind"
	RAGOffTrack = "off_track"
	RAGNoData   = "no_data"
	RAGNotDue   = "not_due"
)

// RAGs lists the ratings in display order.
var RAGs = []string{RAGOnTrack, RAGBehind, RAGOffTrack, RAGNoData, RAGNotDue}

// Thresholds are a plan's RAG limits as fractions of progress toward target:
// on track at or above Green, behind above Red, off track at or below Red.
type Thresholds struct {
	Green float64
	Red   float64
}

// DefaultThresholds are the thresholds of a new plan (85 % and 50 %).
var DefaultThresholds = Thresholds{Green: 0.85, Red: 0.5}

// Classify turns a progress fraction into a rating.
func (t Thresholds) Classify(progress float64) string {
	switch {
	case progress >= t.Green:
		return RAGOnTrack
	case progress > t.Red:
		return RAGBehind
	default:
		return RAGOffTrack
	}
}

// Progress returns the fraction of the way from baseline to target that the
// actual has come: (actual − baseline) / (target − baseline), which works for
// decreasing indicators as well, since numerator and denominator change sign
// together. Without a baseline (or when the target equals the baseline, so
// there is no distance to cover) the fraction compares the actual with the
// target directly: actual / target for increasing indicators and
// target / actual for decreasing ones (reaching zero counts as reaching the
// target). A "maintain" indicator scores 1 − |actual − target| / |target|,
// never below 0. A zero target with no distance to cover scores 1 when the
// actual is at or beyond it in the right direction and 0 otherwise.
func Progress(actual float64, baseline *float64, target float64, direction string) float64 {
	if direction == Maintain {
		if target == 0 {
			return boolFraction(actual == 0)
		}
		return math.Max(0, 1-math.Abs(actual-target)/math.Abs(target))
	}
	if baseline != nil && target != *baseline {
		return (actual - *baseline) / (target - *baseline)
	}
	if direction == Decrease {
		if actual <= 0 {
			return boolFraction(actual <= target)
		}
		return target / actual
	}
	if target == 0 {
		return boolFraction(actual >= 0)
	}
	return actual / target
}

func boolFraction(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Rating is the assessment of an actual against a target.
type Rating struct {
	Actual   *float64 // nil: no data
	Target   *float64 // nil: no target set
	Progress *float64 // nil when either is missing
	RAG      string
}

// Rate assesses an actual against a target. With no actual the rating is
// "not due" while the reporting deadline is still ahead (due false) and
// "no data" once it has passed; with no target it is "no data" too, since
// there is nothing to measure the actual against.
func Rate(actual, baseline, target *float64, direction string, th Thresholds, due bool) Rating {
	r := Rating{Actual: actual, Target: target}
	switch {
	case actual == nil && !due:
		r.RAG = RAGNotDue
	case actual == nil || target == nil:
		r.RAG = RAGNoData
	default:
		p := Progress(*actual, baseline, *target, direction)
		r.Progress = &p
		r.RAG = th.Classify(p)
	}
	return r
}

// PeriodValue is a reported value with the end of the period it belongs to.
type PeriodValue struct {
	End   time.Time
	Value float64
}

// Actual combines the values reported for periods ending within [from, to]
// according to the accumulation mode; values must be in period order. It
// returns nil when no period in the window has a value.
//   - sum: the sum of the window's values;
//   - cumulative: the running total of every value since the start of the
//     plan up to the end of the window;
//   - latest: the value of the window's last reported period.
func Actual(mode string, values []PeriodValue, from, to time.Time) *float64 {
	var sum, total, latest float64
	found := false
	for _, v := range values {
		if v.End.After(to) {
			break
		}
		total += v.Value
		if v.End.Before(from) {
			continue
		}
		found = true
		sum += v.Value
		latest = v.Value
	}
	if !found {
		return nil
	}
	switch mode {
	case AccumulateCumulative:
		return &total
	case AccumulateLatest:
		return &latest
	default:
		return &sum
	}
}

// MeasureBaseline is the baseline progress is measured from. Sum-of-periods
// indicators count what happens in each period and their targets are totals
// for a window (a quarter, a year, the plan), while their baseline is a
// yearly figure from before the plan: subtracting it from a quarter's count
// would be meaningless, so they are measured as actual ÷ target and the
// baseline is shown for context only. Cumulative and latest-value indicators
// measure a level, and the baseline is where that level started.
func MeasureBaseline(ind Indicator) *float64 {
	if ind.Accumulation == AccumulateSum {
		return nil
	}
	return ind.BaselineValue
}
