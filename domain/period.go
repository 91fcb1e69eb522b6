package domain

import (
	"fmt"
	"time"
)

// Period states as the product shows them.
const (
	PeriodUpcoming = "upcoming" // has not started
	PeriodOpen     = "open"     // started, due date not passed
	PeriodOverdue  = "overdue"  // due date passed, still inside the grace days
	PeriodClosed   = "closed"   // locked, automatically or by the secretariat
)

// Lock overrides set by the secretariat.
const (
	LockLocked   = "locked"
	LockUnlocked = "unlocked"
)

// ReportingPeriod is one period of a plan (2024-Q1, 2024-H1, 2024) with its
// due date and grace days.
type ReportingPeriod struct {
	ID           int64
	PlanID       int64
	Label        string
	StartDate    time.Time
	EndDate      time.Time
	DueDate      time.Time
	GraceDays    int
	LockOverride *string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName keeps the table name explicit.
func (ReportingPeriod) TableName() string { return "reporting_periods" }

// LocksAt is the first instant at which the period locks automatically.
func (p ReportingPeriod) LocksAt() time.Time {
	return DayAfter(p.DueDate).AddDate(0, 0, p.GraceDays)
}

// Year is the calendar year the period belongs to (that of its end date).
func (p ReportingPeriod) Year() int { return p.EndDate.Year() }

// State gives the period's state at the instant now, for an organisation
// that may hold an exception until the given date (nil when none).
func (p ReportingPeriod) State(now time.Time, exceptionUntil *time.Time) string {
	if p.LockOverride != nil && *p.LockOverride == LockLocked {
		return PeriodClosed
	}
	if now.Before(p.StartDate) {
		return PeriodUpcoming
	}
	if now.Before(DayAfter(p.DueDate)) {
		return PeriodOpen
	}
	if p.LockOverride != nil && *p.LockOverride == LockUnlocked {
		return PeriodOverdue
	}
	if now.Before(p.LocksAt()) {
		return PeriodOverdue
	}
	if exceptionUntil != nil && now.Before(DayAfter(*exceptionUntil)) {
		return PeriodOverdue
	}
	return PeriodClosed
}

// Ended reports whether the period's last day is over at the instant now.
func (p ReportingPeriod) Ended(now time.Time) bool { return !now.Before(DayAfter(p.EndDate)) }

// PeriodException lets one organisation report late in a period.
type PeriodException struct {
	ID             int64
	PeriodID       int64
	OrganisationID int64
	UntilDate      time.Time
	Reason         string
	GrantedByID    *int64
	CreatedAt      time.Time
}

// dayAfter returns the midnight (UTC) that ends the given calendar day.
func DayAfter(d time.Time) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day+1, 0, 0, 0, 0, time.UTC)
}

// Date returns midnight UTC of the given calendar day.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// PeriodLabel names the period of the given frequency that starts at start:
// 2024-Q1, 2024-H2 or 2024.
func PeriodLabel(frequency string, start time.Time) string {
	y := start.Year()
	switch frequency {
	case Quarterly:
		return fmt.Sprintf("%d-Q%d", y, (int(start.Month())-1)/3+1)
	case HalfYearly:
		return fmt.Sprintf("%d-H%d", y, (int(start.Month())-1)/6+1)
	default:
		return fmt.Sprintf("%d", y)
	}
}

// GeneratePeriods lays out the reporting periods of a plan from its start
// year to its end year at its frequency, each due dueDays after its last day,
// with graceDays of grace. IDs and timestamps are left for the caller.
func GeneratePeriods(p Plan, dueDays, graceDays int) []ReportingPeriod {
	months := frequencyMonths(p.Frequency)
	var out []ReportingPeriod
	for start := Date(p.StartYear, 1, 1); start.Year() <= p.EndYear; start = start.AddDate(0, months, 0) {
		end := start.AddDate(0, months, -1)
		out = append(out, ReportingPeriod{
			PlanID:    p.ID,
			Label:     PeriodLabel(p.Frequency, start),
			StartDate: start,
			EndDate:   end,
			DueDate:   end.AddDate(0, 0, dueDays),
			GraceDays: graceDays,
			Version:   1,
		})
	}
	return out
}

// CurrentPeriodLabel names the period of a plan that contains the instant
// now, or "" when now is outside the plan's years.
func CurrentPeriodLabel(p Plan, now time.Time) string {
	y := now.Year()
	if y < p.StartYear || y > p.EndYear {
		return ""
	}
	months := frequencyMonths(p.Frequency)
	start := Date(y, time.Month((int(now.Month())-1)/months*months+1), 1)
	return PeriodLabel(p.Frequency, start)
}

// DueBy is the instant a period's due date ends (midnight UTC after it): an
// item submitted before it is on time.
func (p ReportingPeriod) DueBy() time.Time { return DayAfter(p.DueDate) }

// Lock is the period's lock setting: locked, unlocked or auto.
func (p ReportingPeriod) Lock() string {
	if p.LockOverride == nil {
		return LockAuto
	}
	return *p.LockOverride
}

// Lock settings of a period as the secretariat chooses them: locked,
// unlocked, or automatic (locks after the due date and grace days).
const LockAuto = "auto"

// PeriodStateRow is a reporting period with its state now and its number of exceptions.
type PeriodStateRow struct {
	ReportingPeriod
	State      string
	Exceptions int
}

// frequencyMonths is the length in months of a period at a reporting
// frequency.
func frequencyMonths(frequency string) int {
	switch frequency {
	case Quarterly:
		return 3
	case HalfYearly:
		return 6
	}
	return 12
}
