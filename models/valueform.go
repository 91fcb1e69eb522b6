package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// ValueForm is everything the data-entry page of one value shows: the
// indicator and its breakdown grid, the period and whether it is open, the
// current value, and the values of the periods before it for comparison.
type ValueForm struct {
	Plan      Plan
	Indicator Indicator
	Set       *DisaggregationSet
	Period    ReportingPeriod
	State     string // the period's state for the reporting organisation
	Reporter  Organisation
	Value     *IndicatorValue // nil when nothing was reported yet
	Previous  []ScopedPeriodValue
}

// ScopedPeriodValue is an earlier period's value of the same indicator.
type ScopedPeriodValue struct {
	Label  string
	Value  *float64
	Status string
}

// LoadValueForm reads a value's data-entry page for a scope that reports it
// (ErrForbidden otherwise), with a fixed number of queries.
func LoadValueForm(ctx context.Context, db *gorm.DB, scope Scope, t ValueTarget, now time.Time) (*ValueForm, error) {
	f := &ValueForm{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		vc, err := loadValueContext(tx, t)
		if err != nil {
			return err
		}
		if !scope.CanReport(vc.indicator.ReportingOrgID) {
			return ErrForbidden
		}
		f.Plan, f.Indicator, f.Set, f.Period, f.Value = vc.plan, vc.indicator, vc.set, vc.period, vc.value
		if err := tx.Take(&f.Reporter, vc.indicator.ReportingOrgID).Error; err != nil {
			return err
		}
		var exc PeriodException
		var until *time.Time
		if tx.Where("period_id = ? AND organisation_id = ?", vc.period.ID, vc.indicator.ReportingOrgID).Limit(1).Find(&exc).RowsAffected == 1 {
			until = &exc.UntilDate
		}
		f.State = vc.period.State(now, until)
		return tx.Table("indicator_values").Select("reporting_periods.label, indicator_values.value, indicator_values.status").
			Joins("JOIN reporting_periods ON reporting_periods.id = indicator_values.period_id").
			Where("indicator_values.indicator_id = ? AND reporting_periods.end_date < ?", vc.indicator.ID, vc.period.StartDate).
			Order("reporting_periods.end_date DESC").Limit(4).Scan(&f.Previous).Error
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Editable reports whether the value can be changed now (open period, not
// submitted or approved).
func (f *ValueForm) Editable() bool {
	if f.State != PeriodOpen && f.State != PeriodOverdue {
		return false
	}
	return f.Value == nil || f.Value.Status == StatusDraft || f.Value.Status == StatusReturned
}

// Version is the version the form is based on (0 for a new value).
func (f *ValueForm) Version() int {
	if f.Value == nil {
		return 0
	}
	return f.Value.Version
}

// Cell returns the stored breakdown value of a cell, or nil.
func (f *ValueForm) Cell(cell string) *float64 {
	if f.Value == nil {
		return nil
	}
	for _, b := range f.Value.Breakdown {
		if b.Cell == cell {
			v := b.Value
			return &v
		}
	}
	return nil
}
