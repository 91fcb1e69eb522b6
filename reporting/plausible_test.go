package reporting

import (
	"testing"

	"naptracker/domain"
)

func TestPlausibleRange(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	targets := []*float64{f(20), f(40)}
	count := domain.Indicator{UnitType: domain.UnitNumber, Accumulation: domain.AccumulateSum}
	r := PlausibleRange(count, targets, 1)
	if r == nil || r.Low != 26 || r.High != 60 {
		t.Fatalf("count range: %+v", r)
	}
	if r.Outside(f(40)) || r.Outside(f(26)) || !r.Outside(f(400)) || !r.Outside(f(4)) || r.Outside(nil) {
		t.Errorf("Outside is wrong for %+v", *r)
	}
	level := domain.Indicator{UnitType: domain.UnitPercentage, Accumulation: domain.AccumulateLatest, BaselineValue: f(30)}
	if r := PlausibleRange(level, []*float64{f(80)}, 0); r == nil || r.Low != 20 || r.High != 100 {
		t.Errorf("percentage from baseline 30 and target 80: %+v", r)
	}
	if r := PlausibleRange(domain.Indicator{UnitType: domain.UnitYesNo}, targets, 0); r != nil {
		t.Errorf("a yes/no indicator has a range: %+v", r)
	}
	if r := PlausibleRange(count, []*float64{nil}, 0); r != nil {
		t.Errorf("no target, yet a range: %+v", r)
	}
	var none *Range
	if none.Outside(f(1e9)) {
		t.Errorf("a nil range holds nothing")
	}
}
