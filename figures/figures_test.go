package figures

import (
	"math"
	"testing"
	"time"
)

func f(v float64) *float64 { return &v }

func TestProgress(t *testing.T) {
	tests := []struct {
		name      string
		actual    float64
		baseline  *float64
		target    float64
		direction string
		want      float64
	}{
		{"increase halfway from baseline", 60, f(20), 100, Increase, 0.5},
		{"increase at target", 100, f(20), 100, Increase, 1},
		{"increase beyond target", 120, f(20), 100, Increase, 1.25},
		{"increase fell below baseline", 10, f(20), 100, Increase, -0.125},
		{"increase at baseline", 20, f(20), 100, Increase, 0},
		{"increase zero baseline", 30, f(0), 40, Increase, 0.75},
		{"increase missing baseline", 30, nil, 40, Increase, 0.75},
		{"increase missing baseline zero target met", 0, nil, 0, Increase, 1},
		{"increase target equals baseline falls back to ratio", 8, f(10), 10, Increase, 0.8},
		{"decrease halfway", 70, f(100), 40, Decrease, 0.5},
		{"decrease at target", 40, f(100), 40, Decrease, 1},
		{"decrease beyond target", 20, f(100), 40, Decrease, 4.0 / 3},
		{"decrease went up", 110, f(100), 40, Decrease, -1.0 / 6},
		{"decrease to zero target", 25, f(100), 0, Decrease, 0.75},
		{"decrease missing baseline", 50, nil, 40, Decrease, 0.8},
		{"decrease missing baseline reached zero", 0, nil, 40, Decrease, 1},
		{"decrease missing baseline zero target not met", 5, nil, 0, Decrease, 0},
		{"decrease missing baseline zero target met", 0, nil, 0, Decrease, 1},
		{"decrease target equals baseline falls back", 50, f(40), 40, Decrease, 0.8},
		{"maintain at level", 90, f(90), 90, Maintain, 1},
		{"maintain 10% below", 81, f(90), 90, Maintain, 0.9},
		{"maintain 10% above", 99, nil, 90, Maintain, 0.9},
		{"maintain far off floors at zero", 300, nil, 90, Maintain, 0},
		{"maintain zero target held", 0, nil, 0, Maintain, 1},
		{"maintain zero target lost", 3, nil, 0, Maintain, 0},
		{"yes/no achieved", 1, nil, 1, Increase, 1},
		{"yes/no not achieved", 0, f(0), 1, Increase, 0},
		{"percentage points", 62.5, f(50), 75, Increase, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Progress(tt.actual, tt.baseline, tt.target, tt.direction)
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Progress(%v, %v, %v, %s) = %v, want %v", tt.actual, tt.baseline, tt.target, tt.direction, got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	th := DefaultThresholds
	tests := []struct {
		progress float64
		want     string
	}{
		{1.5, OnTrack},
		{1, OnTrack},
		{0.85, OnTrack},
		{0.8499, Behind},
		{0.51, Behind},
		{0.5, OffTrack}, // "behind above the red threshold": 50 % itself is off track
		{0.2, OffTrack},
		{0, OffTrack},
		{-0.3, OffTrack},
	}
	for _, tt := range tests {
		if got := th.Classify(tt.progress); got != tt.want {
			t.Errorf("Classify(%v) = %s, want %s", tt.progress, got, tt.want)
		}
	}
	custom := Thresholds{Green: 0.9, Red: 0.6}
	if got := custom.Classify(0.88); got != Behind {
		t.Errorf("custom thresholds: Classify(0.88) = %s, want behind", got)
	}
	if got := custom.Classify(0.55); got != OffTrack {
		t.Errorf("custom thresholds: Classify(0.55) = %s, want off_track", got)
	}
}

func TestRateAndWord(t *testing.T) {
	th := DefaultThresholds
	shown := func(x float64) Figure { return Figure{Value: &x} }
	tests := []struct {
		name             string
		actual           Figure
		baseline, target *float64
		direction        string
		due              bool
		want             string
		wantProgress     *float64
	}{
		{"no value before the deadline", Figure{}, f(10), f(20), Increase, false, NotDue, nil},
		{"no value after the deadline", Figure{}, f(10), f(20), Increase, true, NoData, nil},
		{"value but no target", shown(15), f(10), nil, Increase, true, NoData, nil},
		{"value reported early counts", shown(20), f(10), f(20), Increase, false, OnTrack, f(1)},
		{"behind", shown(17), f(10), f(20), Increase, true, Behind, f(0.7)},
		{"off track", shown(12), f(10), f(20), Increase, true, OffTrack, f(0.2)},
		{"decrease on track", shown(45), f(100), f(40), Decrease, true, OnTrack, f(55.0 / 60)},
		{"zero actual is data", shown(0), nil, f(10), Increase, true, OffTrack, f(0)},
		// A word next to a visible target would bound a hidden count
		// (target 3.5 and "behind" pins 2): hidden figures are withheld.
		{"small count is withheld", Figure{Small: true}, nil, f(3.5), Increase, true, Withheld, nil},
		{"withheld aggregate", Figure{Withheld: true}, nil, f(10), Increase, false, Withheld, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			word, p := Rate(tt.actual, tt.baseline, tt.target, tt.direction, th, tt.due)
			if word != tt.want {
				t.Errorf("word = %s, want %s", word, tt.want)
			}
			switch {
			case (p == nil) != (tt.wantProgress == nil):
				t.Errorf("progress = %v, want %v", p, tt.wantProgress)
			case p != nil && math.Abs(*p-*tt.wantProgress) > 1e-9:
				t.Errorf("progress = %v, want %v", *p, *tt.wantProgress)
			}
			if got := Word(tt.actual.Reported(), tt.actual.Hidden(), p, th, tt.due); got != word {
				t.Errorf("Word from the stored progress = %s, Rate said %s", got, word)
			}
		})
	}
}

// quarters returns n quarterly periods from 2023-Q1, due a month after their end.
func quarters(n int) []Period {
	var out []Period
	for i := range n {
		start := time.Date(2023+i/4, time.Month(1+3*(i%4)), 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(0, 3, -1)
		out = append(out, Period{Label: start.Format("2006") + "-Q" + string(rune('1'+i%4)), Start: start, End: end, Due: end.AddDate(0, 1, 1)})
	}
	return out
}

func TestCombineByAccumulation(t *testing.T) {
	pts := []Point{{0, 5, false}, {1, 7, false}, {2, 0, false}, {3, 8, false}, {4, 4, false}, {5, 6, false}}
	tests := []struct {
		name     string
		mode     string
		from, to int
		want     *float64
	}{
		{"sum of a year", Sum, 0, 3, f(20)},
		{"sum of a partly reported year", Sum, 4, 7, f(10)},
		{"sum of one period", Sum, 5, 5, f(6)},
		{"sum of a zero period is zero, not missing", Sum, 2, 2, f(0)},
		{"sum with nothing reported", Sum, 8, 11, nil},
		{"cumulative carries earlier years", Cumulative, 4, 7, f(30)},
		{"cumulative through the middle of a year", Cumulative, 2, 2, f(12)},
		{"cumulative with nothing reported in the window", Cumulative, 8, 11, nil},
		{"latest of a year", Latest, 0, 3, f(8)},
		{"latest of a partly reported year", Latest, 4, 7, f(6)},
		{"latest zero is a value", Latest, 2, 2, f(0)},
	}
	for _, tt := range tests {
		got := combine(tt.mode, pts, tt.from, tt.to, nil, true)
		switch {
		case got.Value == nil && tt.want == nil:
		case got.Value == nil || tt.want == nil:
			t.Errorf("%s: %v, want %v", tt.name, got.Value, tt.want)
		case *got.Value != *tt.want:
			t.Errorf("%s: %v, want %v", tt.name, *got.Value, *tt.want)
		}
	}
}

func TestPeriodTargetsOfCountsAreWholeAndAddUp(t *testing.T) {
	periods := quarters(8)
	ind := Indicator{Accumulation: Sum, Count: true, Targets: map[int]float64{2023: 1375, 2024: 1}}
	got := PeriodTargets(ind, periods)
	want := []float64{344, 344, 344, 343, 1, 0, 0, 0}
	for k, w := range want {
		if got[k] == nil || *got[k] != w {
			t.Errorf("period %d target %v, want %v", k, got[k], w)
		}
	}
	if r := RangeTarget(ind, got, 0, 3); r == nil || *r != 1375 {
		t.Errorf("range target of 2023 = %v, want the yearly 1375", r)
	}
	ind.Count = false
	if got := PeriodTargets(ind, periods); *got[0] != 343.75 {
		t.Errorf("a non-count target is shared evenly: %v", *got[0])
	}
	cum := Indicator{Accumulation: Cumulative, Count: true, Baseline: f(10), Targets: map[int]float64{2023: 20}}
	if got := PeriodTargets(cum, periods); *got[0] != 13 || *got[3] != 20 || got[4] != nil {
		t.Errorf("cumulative targets %v %v %v", *got[0], *got[3], got[4])
	}
}

func TestAssessProtectsSmallCountsForExternalAudiences(t *testing.T) {
	periods := quarters(4)
	w := Window{Periods: periods, From: 0, To: 3, Now: periods[3].Due.AddDate(0, 1, 0), Thresholds: DefaultThresholds}
	ind := Indicator{Accumulation: Sum, Direction: Increase, Count: true, Sensitive: true, Targets: map[int]float64{2023: 14}}
	d := Data{
		Total: []Point{{0, 2, false}, {1, 12, false}, {2, 10, false}, {3, 0, false}},
		Cells: [][]Point{
			{{0, 1, false}, {1, 6, false}, {2, 5, false}, {3, 0, false}},
			{{0, 1, false}, {1, 6, false}, {2, 5, false}, {3, 0, false}},
		},
	}
	in := Assess(ind, d, w, Internal)
	if v := in.Periods[0].Actual.Value; v == nil || *v != 2 || in.Range.Actual.Value == nil || *in.Range.Actual.Value != 24 {
		t.Fatalf("internal audience sees every number: %+v %+v", in.Periods[0].Actual, in.Range.Actual)
	}
	ex := Assess(ind, d, w, External)
	q1 := ex.Periods[0]
	if !q1.Actual.Small || q1.Actual.Value != nil || q1.Rating != Withheld || q1.Progress != nil {
		t.Errorf("R1/R4: Q1's 2 must be <5 and its rating withheld: %+v", q1)
	}
	if v := ex.Periods[1].Actual.Value; v == nil || *v != 12 || ex.Periods[1].Rating == Withheld {
		t.Errorf("a count of 12 is shown and rated: %+v", ex.Periods[1])
	}
	if r := ex.Range; !r.Actual.Withheld || r.Actual.Small || r.Rating != Withheld {
		t.Errorf("R3: the range total over a <5 quarter is withheld, never <5: %+v", r)
	}
	for i, row := range ex.Breakdown {
		if !row[1].Withheld || row[1].Small || row[1].Value != nil {
			t.Errorf("R2: cell %d of Q1 must be withheld without a <5 mark: %+v", i, row[1])
		}
		if row[2].Value == nil || *row[2].Value != 6 {
			t.Errorf("cell %d of Q2 is shown: %+v", i, row[2])
		}
		if !row[0].Withheld {
			t.Errorf("R3: cell %d over the range includes a withheld Q1: %+v", i, row[0])
		}
	}
	if ex.Current().Period != 3 {
		t.Errorf("rated period %d, want the last due (3)", ex.Current().Period)
	}
	// A running total carries a small value forever after.
	ind.Accumulation = Cumulative
	ex = Assess(ind, d, w, External)
	if !ex.Periods[0].Actual.Small || !ex.Periods[3].Actual.Withheld {
		t.Errorf("cumulative: %+v / %+v", ex.Periods[0].Actual, ex.Periods[3].Actual)
	}
	// The same rules for one value on its own (the API, history).
	v := 3.0
	tot, cells := Disclose(true, External, &v, []float64{3, 0}, false)
	if !tot.Small || !cells[0].Withheld || !cells[1].Withheld {
		t.Errorf("Disclose: %+v %+v", tot, cells)
	}
	tot, cells = Disclose(true, Internal, &v, []float64{3, 0}, false)
	if tot.Value == nil || cells[0].Value == nil {
		t.Errorf("Disclose internal: %+v %+v", tot, cells)
	}
}

func TestRatedPeriod(t *testing.T) {
	periods := quarters(8)
	if k, due := RatedPeriod(periods, 0, 7, periods[0].Due.Add(-time.Second)); k != 0 || due {
		t.Errorf("before any due date: %d %v", k, due)
	}
	if k, due := RatedPeriod(periods, 0, 7, periods[2].Due); k != 2 || !due {
		t.Errorf("at the third due date: %d %v", k, due)
	}
	if k, due := RatedPeriod(periods, 4, 7, periods[2].Due); k != 4 || due {
		t.Errorf("a range not due yet rates its first period: %d %v", k, due)
	}
}
