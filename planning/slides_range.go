package planning

import (
	"time"

	"naptracker/domain"
)

// PeriodRange is a run of consecutive reporting periods of a plan: All is
// every period of the plan in order, From and To index the first and last
// period of the range (both included).
type PeriodRange struct {
	All      []domain.ReportingPeriod
	From, To int
}

// Periods returns the periods of the range.
func (r PeriodRange) Periods() []domain.ReportingPeriod { return r.All[r.From : r.To+1] }

// First is the range's first period.
func (r PeriodRange) First() domain.ReportingPeriod { return r.All[r.From] }

// Last is the range's last period.
func (r PeriodRange) Last() domain.ReportingPeriod { return r.All[r.To] }

// ResolveRange picks a range of the plan's periods (all, in order) by
// their labels, the way the workshop report does: without to, the last
// period that has started at now (or the first period); without from, the
// first period of the same year as to, since a workshop looks at a year at
// a time. It returns a *ValidationError (fields "from" and "to") for an
// unknown label, for from after to, and when the plan has no period.
func ResolveRange(all []domain.ReportingPeriod, from, to string, now time.Time) (PeriodRange, error) {
	v := &domain.ValidationError{}
	r := PeriodRange{All: all, From: 0, To: -1}
	if len(all) == 0 {
		v.AddKey("to", "err.no_periods")
		return r, v
	}
	for i, p := range all {
		if !now.Before(p.StartDate) {
			r.To = i
		}
	}
	if r.To < 0 {
		r.To = 0
	}
	find := func(label, field string) int {
		for i, p := range all {
			if p.Label == label {
				return i
			}
		}
		v.AddKey(field, "err.no_such_period", label)
		return -1
	}
	if to != "" {
		r.To = find(to, "to")
	}
	switch {
	case from != "":
		r.From = find(from, "from")
	case r.To >= 0:
		for r.From = r.To; r.From > 0 && all[r.From-1].Year() == all[r.To].Year(); r.From-- {
		}
	}
	if r.From >= 0 && r.To >= 0 && r.From > r.To {
		v.AddKey("to", "err.range_reversed")
	}
	if err := v.Err(); err != nil {
		return r, err
	}
	return r, nil
}

// Period targets: use YearSlots and PeriodTarget of rollup_targets.go (one
// rule for the report, the dashboard and the slides):
// PeriodTarget(ind, targets, all, k, place, count) with k the period's index in all.
