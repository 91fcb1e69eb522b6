package figures

import "testing"

func TestPeriodExpected(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	targets := []*float64{nil, f(10), f(25), f(40)}
	base := f(4)
	for _, c := range []struct {
		acc  string
		k    int
		base *float64
		want *float64
	}{
		{Sum, 2, nil, f(25)},
		{Latest, 3, nil, f(40)},
		{Sum, 0, nil, nil},
		{Cumulative, 2, nil, f(15)}, // the step from the previous target
		{Cumulative, 1, base, f(6)}, // the step from the baseline
		{Cumulative, 1, nil, f(10)}, // from 0
		{Cumulative, 9, nil, nil},   // no such period
	} {
		got := PeriodExpected(Indicator{Accumulation: c.acc, Baseline: c.base}, targets, c.k)
		if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("%s k=%d: got %v, want %v", c.acc, c.k, got, c.want)
		}
	}
}
