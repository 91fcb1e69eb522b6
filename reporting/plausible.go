package reporting

import (
	"math"

	"naptracker/domain"
	"naptracker/figures"
)

// The indicators carry no plausible range of their own, so it is derived
// the way the jump warning is (JumpBetween): from figures the plan already
// has, widened by the same factor of 1.5 either way. The jump compares a
// value with the previous period's; the range compares it with what the
// plan expects of the period — its target (figures.PeriodExpected) and, for
// indicators that report a level, the baseline. A value outside is often a
// typing slip (a missing or extra digit), so the pages say so when the
// draft is saved, before it is submitted and locked.

// RangeFactor widens the expected figures into the plausible range.
const RangeFactor = 1.5

// Range is the plausible range of a period's value.
type Range struct {
	Low, High float64
}

// PlausibleRange is the range a number indicator's value for the period k
// is expected in, or nil when the plan gives nothing to derive it from (no
// target, a yes/no or milestone indicator, or only zero or negative
// references). targets are the indicator's period targets
// (figures.PeriodTargets). Percentages are kept within 0–100.
func PlausibleRange(ind domain.Indicator, targets []*float64, k int) *Range {
	if ind.UnitType != domain.UnitNumber && ind.UnitType != domain.UnitPercentage {
		return nil
	}
	fig := ind.Figures(nil)
	var refs []float64
	if x := figures.PeriodExpected(fig, targets, k); x != nil && *x > 0 {
		refs = append(refs, *x)
	}
	if ind.Accumulation == domain.AccumulateLatest && ind.BaselineValue != nil && *ind.BaselineValue > 0 {
		refs = append(refs, *ind.BaselineValue)
	}
	if len(refs) == 0 {
		return nil
	}
	lo, hi := refs[0], refs[0]
	for _, x := range refs[1:] {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	r := &Range{Low: lo / RangeFactor, High: hi * RangeFactor}
	if ind.UnitType == domain.UnitNumber {
		// Counts: whole bounds that still hold the exact range.
		r.Low, r.High = math.Floor(r.Low), math.Ceil(r.High)
	} else {
		r.High = math.Min(r.High, 100)
	}
	return r
}

// Outside reports whether v is reported and outside the range (a nil range
// holds everything).
func (r *Range) Outside(v *float64) bool {
	return r != nil && v != nil && (*v < r.Low || *v > r.High)
}
