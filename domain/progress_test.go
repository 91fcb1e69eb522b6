package domain

import (
	"testing"
	"time"
)

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
