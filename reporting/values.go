package reporting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/store"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ValueInput is an edit of an indicator value, based on the version the
// user saw (0 when there was no value yet).
type ValueInput struct {
	Value          *float64
	TextValue      string
	Disaggregation map[string]float64
	Narrative      string
	Version        int
	// Reason says why a returned or reopened value is corrected; it is
	// required then, and kept in the value's history (the audit row).
	Reason string
}

// ValueTarget names a value: the plan, the indicator and the period.
type ValueTarget struct {
	Plan, Indicator, Period string
}

// valueContext is what every change of a value loads first.
type valueContext struct {
	plan      domain.Plan
	indicator domain.Indicator
	period    domain.ReportingPeriod
	set       *domain.DisaggregationSet
	value     *domain.IndicatorValue // nil when nothing was reported yet
}

// loadValueContext finds the plan, indicator, period and current value, and
// locks the value row on PostgreSQL (SQLite's immediate transaction already
// holds the write lock).
func loadValueContext(tx *gorm.DB, t ValueTarget) (*valueContext, error) {
	vc := &valueContext{}
	fields := planCols.Fields(make([]any, 0, len(planCols.Names)+len(indicatorCols.Names)+len(periodCols.Names)), &vc.plan)
	fields = indicatorCols.Fields(fields, &vc.indicator)
	fields = periodCols.Fields(fields, &vc.period)
	if err := tx.Raw(valueTargetQuery, t.Indicator, t.Period, t.Plan).Row().Scan(fields...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.ErrNotFound
		}
		return nil, err
	}
	if id := vc.indicator.DisaggregationSetID; id != nil {
		var set domain.DisaggregationSet
		err := tx.Preload("Dimensions", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
			Preload("Dimensions.Categories", func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }).
			Take(&set, *id).Error
		if err != nil {
			return nil, err
		}
		vc.set = &set
	}
	var v domain.IndicatorValue
	q := tx.Where("indicator_id = ? AND period_id = ?", vc.indicator.ID, vc.period.ID)
	if store.IsPostgres(tx) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(&v).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return nil, err
	default:
		// Only an indicator with a breakdown set has cells (the set cannot
		// change once values are reported: planedit refuses it).
		if vc.set != nil {
			if err := tx.Where("value_id = ?", v.ID).Order("cell").Find(&v.Breakdown).Error; err != nil {
				return nil, err
			}
		}
		vc.value = &v
	}
	return vc, nil
}

// The plan, indicator and period a value is addressed by, read in one
// query (a save is a handful of statements; these were three of them).
var (
	planCols, indicatorCols, periodCols = store.ColumnsOf(&domain.Plan{}), store.ColumnsOf(&domain.Indicator{}), store.ColumnsOf(&domain.ReportingPeriod{})

	valueTargetQuery = "SELECT " + planCols.Select("p") + ", " + indicatorCols.Select("i") + ", " + periodCols.Select("r") +
		" FROM plans p JOIN indicators i ON i.plan_id = p.id AND i.code = ? AND i.archived_at IS NULL" +
		" JOIN reporting_periods r ON r.plan_id = p.id AND r.label = ? WHERE p.code = ?"
)

// checkOpen refuses changes in a period that is closed (or not started) for
// the indicator's reporting organisation, taking its exception into account.
func checkOpen(tx *gorm.DB, vc *valueContext, now time.Time) error {
	return checkPeriodOpen(tx, vc.period, vc.indicator.ReportingOrgID, now)
}

// checkPeriodOpen refuses changes in a period that is closed (or not
// started) for an organisation, taking its exception into account.
func checkPeriodOpen(tx *gorm.DB, period domain.ReportingPeriod, orgID int64, now time.Time) error {
	state, err := periodStateFor(tx, period, orgID, now)
	if err != nil {
		return err
	}
	switch state {
	case domain.PeriodClosed:
		return domain.Lockedf("lock.period_closed", period.Label)
	case domain.PeriodUpcoming:
		return domain.Lockedf("lock.period_not_started", period.Label)
	}
	return nil
}

// periodStateFor is a period's state for one organisation at now, taking
// the organisation's exception, if it has one, into account.
func periodStateFor(tx *gorm.DB, period domain.ReportingPeriod, orgID int64, now time.Time) (string, error) {
	// An exception only keeps a period open that would be closed, and not
	// one the secretariat locked: the exception is read only then.
	if st := period.State(now, nil); st != domain.PeriodClosed || (period.LockOverride != nil && *period.LockOverride == domain.LockLocked) {
		return st, nil
	}
	var exc domain.PeriodException
	var until *time.Time
	err := tx.Where("period_id = ? AND organisation_id = ?", period.ID, orgID).Take(&exc).Error
	switch {
	case err == nil:
		until = &exc.UntilDate
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return "", err
	}
	return period.State(now, until), nil
}

// checkVersion compares the version an edit was based on with the current one.
func checkVersion(tx *gorm.DB, w *domain.Workflow, based int) error {
	current := 0
	if w != nil {
		current = w.Version
	}
	if based == current {
		return nil
	}
	se := &domain.StaleError{Current: current}
	if w != nil {
		se.ChangedAt = w.UpdatedAt
		if w.UpdatedByID != nil {
			var u domain.User
			if tx.Select("name", "email").Take(&u, *w.UpdatedByID).Error == nil {
				se.ChangedBy = u.Name + " <" + u.Email + ">"
			}
		}
	}
	return se
}

// ValidateValueInput checks an edit against the indicator's unit and
// disaggregation set, with per-field messages.
func ValidateValueInput(ind domain.Indicator, set *domain.DisaggregationSet, in ValueInput) error {
	v := &domain.ValidationError{}
	if in.Value != nil {
		x := *in.Value
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			v.AddKey("value", "err.number")
		case ind.UnitType == domain.UnitPercentage && (x < 0 || x > 100):
			v.AddKey("value", "err.percentage")
		case (ind.UnitType == domain.UnitYesNo || ind.UnitType == domain.UnitMilestone) && x != 0 && x != 1:
			v.AddKey("value", "err.yes_no")
		case ind.UnitType == domain.UnitNumber && x < 0:
			v.AddKey("value", "err.non_negative")
		case math.Abs(x) > 1e12:
			v.AddKey("value", "err.too_large")
		}
	}
	if utf8.RuneCountInString(in.Narrative) > 5000 {
		v.AddKey("narrative", "err.narrative_long")
	}
	if utf8.RuneCountInString(in.TextValue) > 1000 {
		v.AddKey("text_value", "err.milestone_long")
	}
	if len(in.Disaggregation) > 0 {
		if set == nil {
			v.AddKey("disaggregation", "err.no_disaggregation")
			return v.Err()
		}
		valid := map[string]bool{}
		for _, c := range set.Cells() {
			valid[c] = true
		}
		var sum float64
		cells := make([]string, 0, len(in.Disaggregation))
		for c := range in.Disaggregation {
			cells = append(cells, c)
		}
		sort.Strings(cells)
		for _, c := range cells {
			x := in.Disaggregation[c]
			switch {
			case !valid[c]:
				v.AddKey("disaggregation."+c, "err.unknown_category")
			case math.IsNaN(x) || x < 0:
				v.AddKey("disaggregation."+c, "err.non_negative")
			}
			sum += x
		}
		switch {
		case in.Value == nil:
			v.AddKey("value", "err.total_missing")
		case math.Abs(sum-*in.Value) > 1e-6:
			v.AddKey("disaggregation", "err.breakdown_sum", trimFloat(sum), trimFloat(*in.Value))
		}
	}
	return v.Err()
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.4f", f)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

// valueSnapshot is what the audit log records of a value.
func valueSnapshot(v *domain.IndicatorValue) map[string]any {
	if v == nil {
		return nil
	}
	cells := map[string]float64{}
	for _, b := range v.Breakdown {
		cells[b.Cell] = b.Value
	}
	return map[string]any{"value": v.Value, "text_value": v.TextValue, "narrative": v.Narrative, "disaggregation": cells, "status": v.Status, "version": v.Version}
}

// sameContent reports whether an edit would leave a value as it is, so that
// a retried form (a double submit on a flaky connection) is not applied twice.
func sameContent(v *domain.IndicatorValue, in ValueInput) bool {
	if (v.Value == nil) != (in.Value == nil) || (v.Value != nil && *v.Value != *in.Value) {
		return false
	}
	if v.TextValue != in.TextValue || v.Narrative != in.Narrative || len(v.Breakdown) != len(in.Disaggregation) {
		return false
	}
	for _, b := range v.Breakdown {
		if x, ok := in.Disaggregation[b.Cell]; !ok || x != b.Value {
			return false
		}
	}
	return true
}

// SaveValue stores an edit of a value as a draft, with its audit row in the
// same transaction. It checks, in order: the value exists in the plan
// (ErrNotFound), the caller reports for the indicator's organisation
// (ErrForbidden), the period is open for it and the value is not submitted
// or approved (ErrLocked), the edit is based on the current version
// (ErrStale, unless it is an exact retry of the edit that made the current
// version), and the input is valid (*ValidationError).
func SaveValue(ctx context.Context, db *gorm.DB, who domain.Caller, t ValueTarget, in ValueInput) (*domain.IndicatorValue, error) {
	return retryFirstSave(func() (*domain.IndicatorValue, error) { return saveValue(ctx, db, who, t, in) })
}

// errCreatedMeanwhile marks the insert of a row (a value, an update, a note)
// that another transaction inserted first.
var errCreatedMeanwhile = errors.New("the record was created meanwhile")

// createdMeanwhile turns the duplicate-key error of a first insert into errCreatedMeanwhile.
func createdMeanwhile(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("%w: %w", errCreatedMeanwhile, err)
	}
	return err
}

// retryFirstSave runs a save once more when another first save of the same
// record committed between its read and its insert (PostgreSQL cannot lock
// a row that does not exist yet). The second run sees that record, as
// SQLite's serialised writers would have: a conflict, or the no-op of an
// exact retry.
func retryFirstSave[T any](save func() (T, error)) (T, error) {
	out, err := save()
	if errors.Is(err, errCreatedMeanwhile) {
		out, err = save()
	}
	return out, err
}

func saveValue(ctx context.Context, db *gorm.DB, who domain.Caller, t ValueTarget, in ValueInput) (*domain.IndicatorValue, error) {
	var out *domain.IndicatorValue
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		vc, err := loadValueContext(tx, t)
		if err != nil {
			return err
		}
		if !who.Scope.CanReport(vc.indicator.ReportingOrgID) {
			return domain.ErrForbidden
		}
		if err := checkOpen(tx, vc, who.Now); err != nil {
			return err
		}
		old := vc.value
		if old != nil && in.Version == old.Version-1 && old.UpdatedByID != nil && *old.UpdatedByID == who.Scope.UserID && sameContent(old, in) {
			out = old // the same edit again: already applied
			return nil
		}
		var w *domain.Workflow
		if old != nil {
			w = &old.Workflow
		}
		if err := checkEditable(tx, w, in.Version, "lock.value_status"); err != nil {
			return err
		}
		reason := strings.TrimSpace(in.Reason)
		if err := ValidateValueInput(vc.indicator, vc.set, in); err != nil || (old != nil && old.Status == domain.StatusReturned && reason == "") || utf8.RuneCountInString(reason) > 5000 {
			return withReason(err, old, reason)
		}
		uid := &who.Scope.UserID
		nv := domain.IndicatorValue{IndicatorID: vc.indicator.ID, PeriodID: vc.period.ID, Value: in.Value, TextValue: in.TextValue, Narrative: in.Narrative}
		if old == nil {
			nv.Workflow = domain.Workflow{Status: domain.StatusDraft, Version: 1, CreatedByID: uid, UpdatedByID: uid, CreatedAt: who.Now, UpdatedAt: who.Now}
			if err := tx.Omit("Breakdown").Create(&nv).Error; err != nil {
				return createdMeanwhile(err)
			}
		} else {
			nv.ID, nv.Workflow = old.ID, old.Workflow
			nv.Status, nv.Version, nv.UpdatedByID, nv.UpdatedAt = domain.StatusDraft, old.Version+1, uid, who.Now
			res := tx.Model(&domain.IndicatorValue{}).Where("id = ? AND version = ?", old.ID, old.Version).Updates(map[string]any{
				"value": in.Value, "text_value": in.TextValue, "narrative": in.Narrative, "status": domain.StatusDraft,
				"version": nv.Version, "updated_by_id": uid, "updated_at": who.Now,
			})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return &domain.StaleError{Current: old.Version + 1}
			}
			if len(old.Breakdown) > 0 {
				if err := tx.Where("value_id = ?", old.ID).Delete(&domain.ValueBreakdown{}).Error; err != nil {
					return err
				}
			}
		}
		for cell, x := range in.Disaggregation {
			nv.Breakdown = append(nv.Breakdown, domain.ValueBreakdown{ValueID: nv.ID, Cell: cell, Value: x})
		}
		sort.Slice(nv.Breakdown, func(i, j int) bool { return nv.Breakdown[i].Cell < nv.Breakdown[j].Cell })
		if len(nv.Breakdown) > 0 {
			if err := tx.Create(&nv.Breakdown).Error; err != nil {
				return err
			}
		}
		// A returned value edited is a draft again: it no longer counts as handed in.
		var before *domain.Workflow
		if old != nil {
			before = &old.Workflow
		}
		changed, err := adjustValueCompleteness(tx, vc.plan.ID, vc.indicator.ReportingOrgID, vc.period, before, &nv.Workflow)
		if err != nil {
			return err
		}
		if changed {
			if err := domain.TouchPlan(tx, vc.plan.ID); err != nil {
				return err
			}
		}
		if err := domain.Audit(tx, who.Actor, "value.save", "indicator_value", &nv.ID, &vc.plan.ID, valueSnapshot(old), valueSnapshot(&nv), reason); err != nil {
			return err
		}
		out = &nv
		return nil
	})
	return out, err
}

// withReason adds to the validation error err (nil when the input itself is
// valid) the message about the reason: a returned or reopened value is
// corrected only with a reason, of at most 5,000 characters.
func withReason(err error, old *domain.IndicatorValue, reason string) error {
	ve := &domain.ValidationError{}
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	switch {
	case old != nil && old.Status == domain.StatusReturned && reason == "":
		ve.AddKey("reason", "err.correction_reason")
	case utf8.RuneCountInString(reason) > 5000:
		ve.AddKey("reason", "err.too_long", 5000)
	}
	return ve.Err()
}

// ScopedValue is a value with its indicator's code, for listings.
type ScopedValue struct {
	domain.IndicatorValue
	IndicatorCode  string
	ReportingOrgID int64
	Sensitive      bool
}

// PeriodValues returns the values of a period of a plan that the scope may
// see, in indicator order, with their breakdowns, in four queries.
func PeriodValues(ctx context.Context, db *gorm.DB, scope domain.Scope, planCode, periodLabel string) ([]ScopedValue, error) {
	db = db.WithContext(ctx)
	plan, err := planning.FindPlan(ctx, db, planCode)
	if err != nil {
		return nil, err
	}
	var period domain.ReportingPeriod
	if err := db.Where("plan_id = ? AND label = ?", plan.ID, periodLabel).Take(&period).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	q := db.Table("indicator_values").Select("indicator_values.*, indicators.code AS indicator_code, indicators.reporting_org_id, indicators.sensitive").
		Joins("JOIN indicators ON indicators.id = indicator_values.indicator_id").
		Where("indicator_values.period_id = ? AND indicators.archived_at IS NULL", period.ID)
	if !scope.Validates() {
		if scope.ReportsForOwnOrg() {
			q = q.Where("(indicator_values.status = ? OR indicators.reporting_org_id = ?)", domain.StatusApproved, scope.OrgID)
		} else {
			q = q.Where("indicator_values.status = ?", domain.StatusApproved)
		}
	}
	var rows []ScopedValue
	if err := q.Order("indicators.position, indicators.code").Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return rows, nil
	}
	byID := make(map[int64]*ScopedValue, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	var cells []domain.ValueBreakdown
	inPeriod := db.Model(&domain.IndicatorValue{}).Select("id").Where("period_id = ?", period.ID)
	if err := db.Where("value_id IN (?)", inPeriod).Order("value_id, cell").Find(&cells).Error; err != nil {
		return nil, err
	}
	for _, b := range cells {
		if v, ok := byID[b.ValueID]; ok { // cells of values hidden from the scope are skipped
			v.Breakdown = append(v.Breakdown, b)
		}
	}
	return rows, nil
}

// checkEditable checks that a saved item (nil: none yet) is at the version
// the form was based on and is neither submitted nor approved; lockKey is
// the message of that refusal.
func checkEditable(tx *gorm.DB, w *domain.Workflow, based int, lockKey string) error {
	if err := checkVersion(tx, w, based); err != nil {
		return err
	}
	if w != nil && (w.Status == domain.StatusSubmitted || w.Status == domain.StatusApproved) {
		return domain.Lockedf(lockKey, domain.Enum{Prefix: "status.", Value: w.Status})
	}
	return nil
}
