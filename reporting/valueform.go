package reporting

import (
	"context"
	"time"

	"naptracker/domain"
	"naptracker/figures"

	"gorm.io/gorm"
)

// ValueForm is everything the data-entry page of one value shows: the
// indicator and its breakdown grid, the period and whether it is open, the
// current value, and the values of the periods before it for comparison.
type ValueForm struct {
	Plan      domain.Plan
	Indicator domain.Indicator
	Set       *domain.DisaggregationSet
	Period    domain.ReportingPeriod
	State     string // the period's state for the reporting organisation
	Reporter  domain.Organisation
	Value     *domain.IndicatorValue // nil when nothing was reported yet
	Previous  []ScopedPeriodValue
	History   []HistoryEntry
	Comments  []CommentView
	// Evidence is the files and links attached to the value.
	Evidence []EvidenceListing
	// Target is the period's target (figures.PeriodTargets) and Range
	// where the value is expected (PlausibleRange); nil when none.
	Target *float64
	Range  *Range
}

// ScopedPeriodValue is an earlier period's value of the same indicator.
type ScopedPeriodValue struct {
	Label  string
	Value  *float64
	Status string
}

// LoadValueForm reads a value's data-entry page for a scope that reports it
// (ErrForbidden otherwise), with a fixed number of queries.
func LoadValueForm(ctx context.Context, db *gorm.DB, scope domain.Scope, t ValueTarget, now time.Time) (*ValueForm, error) {
	f := &ValueForm{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		vc, err := loadValueContext(tx, t)
		if err != nil {
			return err
		}
		if !scope.CanReport(vc.indicator.ReportingOrgID) {
			return domain.ErrForbidden
		}
		f.Plan, f.Indicator, f.Set, f.Period, f.Value = vc.plan, vc.indicator, vc.set, vc.period, vc.value
		if err := tx.Take(&f.Reporter, vc.indicator.ReportingOrgID).Error; err != nil {
			return err
		}
		if f.State, err = periodStateFor(tx, vc.period, vc.indicator.ReportingOrgID, now); err != nil {
			return err
		}
		if vc.value != nil {
			if f.History, err = ValueHistory(ctx, tx, vc.value.ID); err != nil {
				return err
			}
			if f.Comments, err = ValueComments(ctx, tx, vc.value.ID); err != nil {
				return err
			}
			if f.Evidence, err = evidenceOf(tx, "indicator_value_id", vc.value.ID); err != nil {
				return err
			}
		}
		if err := loadFormTargets(tx, f); err != nil {
			return err
		}
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

// loadFormTargets fills the form's period target and plausible range.
func loadFormTargets(tx *gorm.DB, f *ValueForm) error {
	var periods []domain.ReportingPeriod
	if err := tx.Where("plan_id = ?", f.Plan.ID).Order("start_date, id").Find(&periods).Error; err != nil {
		return err
	}
	var rows []domain.IndicatorTarget
	if err := tx.Where("indicator_id = ?", f.Indicator.ID).Find(&rows).Error; err != nil {
		return err
	}
	yearly := map[int]float64{}
	for _, t := range rows {
		yearly[t.Year] = t.Value
	}
	targets := figures.PeriodTargets(f.Indicator.Figures(yearly), domain.FigurePeriods(periods))
	for k, p := range periods {
		if p.ID == f.Period.ID {
			f.Target, f.Range = targets[k], PlausibleRange(f.Indicator, targets, k)
		}
	}
	return nil
}

// OutOfRange returns the plausible range when the stored value is outside
// it, else nil.
func (f *ValueForm) OutOfRange() *Range {
	if f.Value == nil || !f.Range.Outside(f.Value.Value) {
		return nil
	}
	return f.Range
}

// Editable reports whether the value can be changed now (open period, not
// submitted or approved).
func (f *ValueForm) Editable() bool {
	if f.State != domain.PeriodOpen && f.State != domain.PeriodOverdue {
		return false
	}
	return f.Value == nil || f.Value.Status == domain.StatusDraft || f.Value.Status == domain.StatusReturned
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

// Jump compares the current value with the most recent earlier period's.
type Jump struct {
	Ratio float64 // 2 = twice, 0.5 = half
	Label string  // the earlier period
}

// JumpFromPrevious returns how far the current value is from the most recent
// earlier period's, or nil when there is nothing to compare or the change is
// ordinary (within a factor of 1.5 either way). The page shows it as a soft
// warning: big jumps are often typing slips, but not always.
func (f *ValueForm) JumpFromPrevious() *Jump {
	if f.Value == nil || len(f.Previous) == 0 {
		return nil
	}
	return JumpBetween(f.Previous[0].Value, f.Value.Value, f.Previous[0].Label)
}

// JumpBetween compares a value with an earlier period's (labelled label):
// nil when there is nothing to compare or the change is ordinary (within a
// factor of 1.5 either way).
func JumpBetween(prev, cur *float64, label string) *Jump {
	if prev == nil || cur == nil || *prev <= 0 || *cur < 0 {
		return nil
	}
	if r := *cur / *prev; r > 1.5 || r < 1/1.5 {
		return &Jump{Ratio: r, Label: label}
	}
	return nil
}
