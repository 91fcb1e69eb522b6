package models

import (
	"math"
	"testing"
	"time"
)

func f(v float64) *float64 { return &v }

func TestProgress(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	th := DefaultThresholds
	tests := []struct {
		progress float64
		want     string
	}{
		{1.5, RAGOnTrack},
		{1, RAGOnTrack},
		{0.85, RAGOnTrack},
		{0.8499, RAGBehind},
		{0.51, RAGBehind},
		{0.5, RAGOffTrack}, // "behind above the red threshold": 50 % itself is off track
		{0.2, RAGOffTrack},
		{0, RAGOffTrack},
		{-0.3, RAGOffTrack},
	}
	for _, tt := range tests {
		if got := th.Classify(tt.progress); got != tt.want {
			t.Errorf("Classify(%v) = %s, want %s", tt.progress, got, tt.want)
		}
	}
	custom := Thresholds{Green: 0.9, Red: 0.6}
	if got := custom.Classify(0.88); got != RAGBehind {
		t.Errorf("custom thresholds: Classify(0.88) = %s, want behind", got)
	}
	if got := custom.Classify(0.55); got != RAGOffTrack {
		t.Errorf("custom thresholds: Classify(0.55) = %s, want off_track", got)
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	th := DefaultThresholds
	tests := []struct {
		name             string
		actual, baseline *float64
		target           *float64
		direction        string
		due              bool
		wantRAG          string
		wantProgress     *float64
	}{
		{"no value before the deadline", nil, f(10), f(20), Increase, false, RAGNotDue, nil},
		{"no value after the deadline", nil, f(10), f(20), Increase, true, RAGNoData, nil},
		{"no value, no target, not due", nil, nil, nil, Increase, false, RAGNotDue, nil},
		{"value but no target", f(15), f(10), nil, Increase, true, RAGNoData, nil},
		{"value reported early counts", f(20), f(10), f(20), Increase, false, RAGOnTrack, f(1)},
		{"behind", f(17), f(10), f(20), Increase, true, RAGBehind, f(0.7)},
		{"off track", f(12), f(10), f(20), Increase, true, RAGOffTrack, f(0.2)},
		{"decrease on track", f(45), f(100), f(40), Decrease, true, RAGOnTrack, f(55.0 / 60)},
		{"zero actual is data", f(0), nil, f(10), Increase, true, RAGOffTrack, f(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rate(tt.actual, tt.baseline, tt.target, tt.direction, th, tt.due)
			if r.RAG != tt.wantRAG {
				t.Errorf("RAG = %s, want %s", r.RAG, tt.wantRAG)
			}
			switch {
			case tt.wantProgress == nil && r.Progress != nil:
				t.Errorf("progress = %v, want none", *r.Progress)
			case tt.wantProgress != nil && r.Progress == nil:
				t.Errorf("progress = none, want %v", *tt.wantProgress)
			case tt.wantProgress != nil && math.Abs(*r.Progress-*tt.wantProgress) > 1e-9:
				t.Errorf("progress = %v, want %v", *r.Progress, *tt.wantProgress)
			}
		})
	}
}

func TestActual(t *testing.T) {
	t.Parallel()
	q := func(y int, m time.Month) time.Time { return Date(y, m, 1).AddDate(0, 1, -1) }
	values := []PeriodValue{
		{q(2023, 3), 5}, {q(2023, 6), 7}, {q(2023, 9), 0}, {q(2023, 12), 8},
		{q(2024, 3), 4}, {q(2024, 6), 6}, // 2024-Q3 and Q4 not reported
	}
	y2023 := [2]time.Time{Date(2023, 1, 1), Date(2023, 12, 31)}
	y2024 := [2]time.Time{Date(2024, 1, 1), Date(2024, 12, 31)}
	y2025 := [2]time.Time{Date(2025, 1, 1), Date(2025, 12, 31)}
	whole := [2]time.Time{Date(2023, 1, 1), Date(2027, 12, 31)}
	q3of2023 := [2]time.Time{Date(2023, 7, 1), Date(2023, 9, 30)}
	q2of2024 := [2]time.Time{Date(2024, 4, 1), Date(2024, 6, 30)}
	tests := []struct {
		name   string
		mode   string
		window [2]time.Time
		want   *float64
	}{
		{"sum of a year", AccumulateSum, y2023, f(20)},
		{"sum of a partly reported year", AccumulateSum, y2024, f(10)},
		{"sum of the whole plan", AccumulateSum, whole, f(30)},
		{"sum of one period", AccumulateSum, q2of2024, f(6)},
		{"sum of a zero period is zero, not missing", AccumulateSum, q3of2023, f(0)},
		{"sum with nothing reported", AccumulateSum, y2025, nil},
		{"cumulative through a year", AccumulateCumulative, y2023, f(20)},
		{"cumulative carries earlier years", AccumulateCumulative, y2024, f(30)},
		{"cumulative of one period", AccumulateCumulative, q2of2024, f(30)},
		{"cumulative through the middle of a year", AccumulateCumulative, q3of2023, f(12)},
		{"cumulative with nothing reported in the window", AccumulateCumulative, y2025, nil},
		{"latest of a year", AccumulateLatest, y2023, f(8)},
		{"latest of a partly reported year", AccumulateLatest, y2024, f(6)},
		{"latest of the whole plan", AccumulateLatest, whole, f(6)},
		{"latest zero is a value", AccumulateLatest, q3of2023, f(0)},
		{"latest with nothing reported", AccumulateLatest, y2025, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Actual(tt.mode, values, tt.window[0], tt.window[1])
			switch {
			case got == nil && tt.want == nil:
			case got == nil || tt.want == nil:
				t.Fatalf("Actual = %v, want %v", got, tt.want)
			case *got != *tt.want:
				t.Errorf("Actual = %v, want %v", *got, *tt.want)
			}
		})
	}
	if got := Actual(AccumulateSum, nil, whole[0], whole[1]); got != nil {
		t.Errorf("Actual of no values = %v, want nil", *got)
	}
}

func TestPeriodState(t *testing.T) {
	t.Parallel()
	locked, unlocked := LockLocked, LockUnlocked
	p := ReportingPeriod{StartDate: Date(2024, 1, 1), EndDate: Date(2024, 3, 31), DueDate: Date(2024, 4, 30), GraceDays: 10}
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	exc := Date(2024, 6, 1)
	tests := []struct {
		name     string
		override *string
		now      time.Time
		except   *time.Time
		want     string
	}{
		{"before start", nil, at(2023, 12, 31, 23), nil, PeriodUpcoming},
		{"first day", nil, at(2024, 1, 1, 0), nil, PeriodOpen},
		{"on the due date", nil, at(2024, 4, 30, 23), nil, PeriodOpen},
		{"day after due", nil, at(2024, 5, 1, 0), nil, PeriodOverdue},
		{"last grace day", nil, at(2024, 5, 10, 23), nil, PeriodOverdue},
		{"after grace", nil, at(2024, 5, 11, 0), nil, PeriodClosed},
		{"after grace with exception", nil, at(2024, 5, 20, 0), &exc, PeriodOverdue},
		{"after exception", nil, at(2024, 6, 2, 0), &exc, PeriodClosed},
		{"locked by the secretariat while open", &locked, at(2024, 2, 1, 0), nil, PeriodClosed},
		{"unlocked by the secretariat after grace", &unlocked, at(2024, 9, 1, 0), nil, PeriodOverdue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.LockOverride = tt.override
			if got := p.State(tt.now, tt.except); got != tt.want {
				t.Errorf("State = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestGeneratePeriods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		freq      string
		n         int
		first     string
		last      string
		lastStart time.Time
		lastEnd   time.Time
	}{
		{Quarterly, 20, "2023-Q1", "2027-Q4", Date(2027, 10, 1), Date(2027, 12, 31)},
		{HalfYearly, 10, "2023-H1", "2027-H2", Date(2027, 7, 1), Date(2027, 12, 31)},
		{Yearly, 5, "2023", "2027", Date(2027, 1, 1), Date(2027, 12, 31)},
	}
	for _, tt := range tests {
		ps := GeneratePeriods(Plan{StartYear: 2023, EndYear: 2027, Frequency: tt.freq}, 30, 7)
		if len(ps) != tt.n {
			t.Fatalf("%s: %d periods, want %d", tt.freq, len(ps), tt.n)
		}
		last := ps[len(ps)-1]
		if ps[0].Label != tt.first || last.Label != tt.last || !last.StartDate.Equal(tt.lastStart) || !last.EndDate.Equal(tt.lastEnd) {
			t.Errorf("%s: got %s … %s (%s–%s)", tt.freq, ps[0].Label, last.Label, last.StartDate, last.EndDate)
		}
		if want := tt.lastEnd.AddDate(0, 0, 30); !last.DueDate.Equal(want) || last.GraceDays != 7 {
			t.Errorf("%s: due %s grace %d, want %s and 7", tt.freq, last.DueDate, last.GraceDays, want)
		}
		for i := 1; i < len(ps); i++ {
			if !ps[i].StartDate.Equal(ps[i-1].EndDate.AddDate(0, 0, 1)) {
				t.Errorf("%s: gap between %s and %s", tt.freq, ps[i-1].Label, ps[i].Label)
			}
		}
	}
}

func TestDisaggregationCells(t *testing.T) {
	t.Parallel()
	set := DisaggregationSet{Dimensions: []DisaggregationDimension{
		{Code: "sex", Categories: []DisaggregationCategory{{Code: "f"}, {Code: "m"}}},
		{Code: "age", Categories: []DisaggregationCategory{{Code: "child"}, {Code: "adult"}}},
	}}
	got := set.Cells()
	want := []string{"sex=f;age=child", "sex=f;age=adult", "sex=m;age=child", "sex=m;age=adult"}
	if len(got) != len(want) {
		t.Fatalf("cells = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d = %s, want %s", i, got[i], want[i])
		}
	}
	if cells := (DisaggregationSet{}).Cells(); cells != nil {
		t.Errorf("empty set cells = %v, want none", cells)
	}
}

func TestCurrentPeriodLabel(t *testing.T) {
	t.Parallel()
	p := Plan{StartYear: 2024, EndYear: 2027, Frequency: Quarterly}
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	for now, want := range map[time.Time]string{at(2025, 1, 1): "2025-Q1", at(2025, 3, 31): "2025-Q1", at(2025, 11, 27): "2025-Q4", at(2023, 6, 1): "", at(2028, 1, 1): ""} {
		if got := CurrentPeriodLabel(p, now); got != want {
			t.Errorf("CurrentPeriodLabel(%s) = %q, want %q", now.Format("2006-01-02"), got, want)
		}
	}
	p.Frequency = HalfYearly
	if got := CurrentPeriodLabel(p, at(2025, 7, 1)); got != "2025-H2" {
		t.Errorf("half-yearly: %q", got)
	}
}

func TestMeasureBaseline(t *testing.T) {
	t.Parallel()
	b := 40.0
	for mode, want := range map[string]*float64{AccumulateSum: nil, AccumulateCumulative: &b, AccumulateLatest: &b} {
		got := MeasureBaseline(Indicator{Accumulation: mode, BaselineValue: &b})
		if (got == nil) != (want == nil) {
			t.Errorf("%s: baseline %v, want %v", mode, got, want)
		}
	}
}
