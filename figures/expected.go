package figures

// PeriodExpected is the amount a single period's report is expected to be
// near, from the period targets (PeriodTargets) — nil when there is none:
//   - sum: the period's share of the year's target;
//   - cumulative: the step of the running target in this period (the
//     targets are running totals, a period reports what happened in it);
//   - latest: the period's target, a level.
func PeriodExpected(ind Indicator, targets []*float64, k int) *float64 {
	if k < 0 || k >= len(targets) || targets[k] == nil {
		return nil
	}
	if ind.Accumulation != Cumulative {
		return targets[k]
	}
	start := 0.0
	switch {
	case k > 0 && targets[k-1] != nil:
		start = *targets[k-1]
	case ind.Baseline != nil:
		start = *ind.Baseline
	}
	step := *targets[k] - start
	return &step
}
