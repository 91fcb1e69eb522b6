// Package figures is the one place where an indicator's figures are worked
// out: the target of a period, the actual by accumulation mode, progress
// toward the target, the rating word and the period an indicator is rated
// at, and what an audience may see of each number (disclosure control of
// small counts of victims). Every output that shows a number — pages,
// slides, the workbook, the API, the dashboard's roll-ups — gets it from
// Assess or Disclose, so a rule written here holds on every output.
//
// The package is pure arithmetic: callers read the data (live or from a
// review snapshot) and hand it over as Indicator, Data and Window values.
package figures

import "math"

// Rating words. Colour is never the only signal: outputs always show the
// word too.
const (
	OnTrack  = "on_track"
	Behind   = "behind"
	OffTrack = "off_track"
	NoData   = "no_data"
	NotDue   = "not_due"
	// Withheld rates a figure hidden from the audience: a word such as
	// "behind" next to a visible target would narrow the hidden count.
	Withheld = "withheld"
)

// Ratings lists the rating words in display order.
var Ratings = []string{OnTrack, Behind, OffTrack, NoData, NotDue, Withheld}

// Accumulation modes: how period values combine into an actual.
const (
	// Sum: each period reports what happened in it; a range's actual is the
	// sum of its periods.
	Sum = "sum"
	// Cumulative: each period reports what happened in it, and the actual at
	// any point is the running total since the start of the plan.
	Cumulative = "cumulative"
	// Latest: each period reports a level; the actual is the latest value.
	Latest = "latest"
)

// Directions in which an indicator should move.
const (
	Increase = "increase"
	Decrease = "decrease"
	Maintain = "maintain"
)

// Thresholds are a plan's rating limits as fractions of progress toward
// target: on track at or above Green, behind above Red, off track at or
// below Red.
type Thresholds struct {
	Green float64
	Red   float64
}

// DefaultThresholds are the thresholds of a new plan (85 % and 50 %).
var DefaultThresholds = Thresholds{Green: 0.85, Red: 0.5}

// Classify turns a progress fraction into a rating word.
func (t Thresholds) Classify(progress float64) string {
	switch {
	case progress >= t.Green:
		return OnTrack
	case progress > t.Red:
		return Behind
	default:
		return OffTrack
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

// MeasureBaseline is the baseline progress is measured from. Sum-of-periods
// indicators count what happens in each period and their targets are totals
// for a window, while their baseline is a yearly figure from before the
// plan: they are measured as actual ÷ target and the baseline is shown for
// context only. Cumulative and latest-value indicators measure a level, and
// the baseline is where that level started.
func MeasureBaseline(accumulation string, baseline *float64) *float64 {
	if accumulation == Sum {
		return nil
	}
	return baseline
}

// Rate gives the rating word and the progress of an actual, as an
// audience sees it, against a target (see Word). The progress is nil when
// the actual is hidden or missing, or there is no target.
func Rate(actual Figure, baseline, target *float64, direction string, th Thresholds, due bool) (string, *float64) {
	var progress *float64
	if actual.Value != nil && target != nil {
		p := Progress(*actual.Value, baseline, *target, direction)
		if !math.IsNaN(p) && !math.IsInf(p, 0) {
			progress = &p
		}
	}
	return Word(actual.Reported(), actual.Hidden(), progress, th, due), progress
}

// Word is the only place a rating word is decided: "withheld" when the
// figure is hidden from the audience; "not due" when nothing is reported
// and the deadline is ahead (due false), "no data" once it has passed or
// when there is no progress to measure (no target); otherwise the progress
// classified by the thresholds. The dashboard calls it with the progress
// stored in a roll-up, so that a change of thresholds applies at once.
func Word(reported, hidden bool, progress *float64, th Thresholds, due bool) string {
	switch {
	case hidden:
		return Withheld
	case !reported && !due:
		return NotDue
	case !reported || progress == nil:
		return NoData
	}
	return th.Classify(*progress)
}
