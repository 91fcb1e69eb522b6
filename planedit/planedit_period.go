package planedit

import (
	"context"
	"errors"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/reporting"

	"gorm.io/gorm"
)

// PlanPeriodRows lists a plan's periods in order with their state at now, in two queries.
func PlanPeriodRows(ctx context.Context, db *gorm.DB, planID int64, now time.Time) ([]domain.PeriodStateRow, error) {
	db = db.WithContext(ctx)
	var periods []domain.ReportingPeriod
	if err := db.Where("plan_id = ?", planID).Order("start_date").Find(&periods).Error; err != nil {
		return nil, err
	}
	var counts []struct {
		PeriodID int64
		N        int
	}
	inPlan := db.Model(&domain.ReportingPeriod{}).Select("id").Where("plan_id = ?", planID)
	if err := db.Model(&domain.PeriodException{}).Select("period_id, COUNT(*) AS n").Where("period_id IN (?)", inPlan).Group("period_id").Scan(&counts).Error; err != nil {
		return nil, err
	}
	n := map[int64]int{}
	for _, c := range counts {
		n[c.PeriodID] = c.N
	}
	out := make([]domain.PeriodStateRow, len(periods))
	for i, p := range periods {
		out[i] = domain.PeriodStateRow{ReportingPeriod: p, State: p.State(now, nil), Exceptions: n[p.ID]}
	}
	return out, nil
}

// PeriodByLabel loads a period of a plan by label.
func PeriodByLabel(ctx context.Context, db *gorm.DB, planID int64, label string) (*domain.ReportingPeriod, error) {
	var p domain.ReportingPeriod
	if err := db.WithContext(ctx).Where("plan_id = ? AND label = ?", planID, label).Take(&p).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	return &p, nil
}

// periodFacts is what the audit log records of a period's dates and lock.
func periodFacts(p *domain.ReportingPeriod) map[string]any {
	return map[string]any{"label": p.Label, "due_date": p.DueDate.Format(time.DateOnly), "grace_days": p.GraceDays, "lock": p.Lock()}
}

// loadPeriod loads a period for a change from the version the page showed.
func loadPeriod(tx *gorm.DB, planID int64, label string, version int) (*domain.ReportingPeriod, error) {
	var p domain.ReportingPeriod
	if err := tx.Where("plan_id = ? AND label = ?", planID, label).Take(&p).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if version != p.Version {
		return nil, staleRow(tx, "period", p.ID, p.Version)
	}
	return &p, nil
}

// PeriodInput is what the period form submits; a zero DueDate was missing or unreadable.
type PeriodInput struct {
	DueDate   time.Time
	GraceDays int
	Version   int
}

// UpdatePeriod changes a period's due date and grace days, with the audit row.
func UpdatePeriod(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, label string, in PeriodInput) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := loadPeriod(tx, plan.ID, label, in.Version)
		if err != nil {
			return err
		}
		v := &domain.ValidationError{}
		switch {
		case in.DueDate.IsZero():
			v.AddKey("due_date", "err.due_date")
		case in.DueDate.Before(p.EndDate):
			v.AddKey("due_date", "err.due_before_end", p.EndDate.Format(time.DateOnly))
		case in.DueDate.After(p.EndDate.AddDate(2, 0, 0)):
			v.AddKey("due_date", "err.due_far")
		}
		if in.GraceDays < 0 || in.GraceDays > 366 {
			v.AddKey("grace_days", "err.days")
		}
		if err := v.Err(); err != nil {
			return err
		}
		old := periodFacts(p)
		if err := bumpRow(tx, "period", "reporting_periods", p.ID, p.Version, map[string]any{"due_date": in.DueDate, "grace_days": in.GraceDays}, who.Now); err != nil {
			return err
		}
		p.DueDate, p.GraceDays = in.DueDate, in.GraceDays
		// Completeness: what was handed in on time depends on the due date.
		periods, err := reporting.PlanPeriods(tx.Statement.Context, tx, plan.ID)
		if err != nil {
			return err
		}
		if err := reporting.RebuildCompleteness(tx, plan.ID, periods); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "period.update", "period", &p.ID, &plan.ID, old, periodFacts(p), "")
	})
}

// SetPeriodLock locks a period (no one can report in it, exceptions
// included), unlocks it (reporting stays possible after the grace days), or
// returns it to locking automatically; the change is audited as
// period.lock, period.unlock or period.auto_lock.
func SetPeriodLock(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, label, lock string, version int) error {
	var override *string
	switch lock {
	case domain.LockLocked, domain.LockUnlocked:
		override = &lock
	case domain.LockAuto:
	default:
		return domain.FieldError("lock", "err.lock_choice")
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := loadPeriod(tx, plan.ID, label, version)
		if err != nil {
			return err
		}
		if p.Lock() == lock {
			return nil
		}
		old := periodFacts(p)
		if err := bumpRow(tx, "period", "reporting_periods", p.ID, p.Version, map[string]any{"lock_override": override}, who.Now); err != nil {
			return err
		}
		p.LockOverride = override
		action := map[string]string{domain.LockLocked: "period.lock", domain.LockUnlocked: "period.unlock", domain.LockAuto: "period.auto_lock"}[lock]
		return domain.Audit(tx, who.Actor, action, "period", &p.ID, &plan.ID, old, periodFacts(p), "")
	})
}

// ExceptionRow is an exception with the acronym of its organisation.
type ExceptionRow struct {
	domain.PeriodException
	Acronym string
	OrgName string
}

// PeriodExceptions lists a period's exceptions by organisation.
func PeriodExceptions(ctx context.Context, db *gorm.DB, periodID int64) ([]ExceptionRow, error) {
	var out []ExceptionRow
	err := db.WithContext(ctx).Table("period_exceptions").
		Select("period_exceptions.*, organisations.acronym AS acronym, organisations.name AS org_name").
		Joins("JOIN organisations ON organisations.id = period_exceptions.organisation_id").
		Where("period_exceptions.period_id = ?", periodID).Order("organisations.acronym").Scan(&out).Error
	return out, err
}

// ExceptionInput is what the exception form submits; a zero Until was missing or unreadable.
type ExceptionInput struct {
	OrganisationID int64
	Until          time.Time
	Reason         string
}

// GrantException lets one organisation report in a period until a date,
// after the period has locked automatically (a period locked by the
// secretariat stays locked for everyone). Granting again replaces the
// organisation's exception. Audited as period.exception_grant.
func GrantException(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, label string, in ExceptionInput) error {
	in.Reason = strings.TrimSpace(in.Reason)
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p domain.ReportingPeriod
		if err := tx.Where("plan_id = ? AND label = ?", plan.ID, label).Take(&p).Error; err != nil {
			return domain.NotFound(err)
		}
		v := &domain.ValidationError{}
		org, err := activeOrg(tx, v, "organisation", in.OrganisationID, false)
		if err != nil {
			return err
		}
		switch {
		case in.Until.IsZero():
			v.AddKey("until", "err.until")
		case in.Until.Before(p.EndDate):
			v.AddKey("until", "err.until_after", p.EndDate.Format(time.DateOnly))
		}
		checkText(v, "reason", in.Reason, true, 1000)
		if err := v.Err(); err != nil {
			return err
		}
		var old domain.PeriodException
		var oldFacts any
		err = tx.Where("period_id = ? AND organisation_id = ?", p.ID, org.ID).Take(&old).Error
		switch {
		case err == nil:
			oldFacts = map[string]any{"organisation": org.Acronym, "until": old.UntilDate.Format(time.DateOnly), "reason": old.Reason}
			err = tx.Model(&old).Updates(map[string]any{"until_date": in.Until, "reason": in.Reason, "granted_by_id": who.Actor.UserID}).Error
		case errors.Is(err, gorm.ErrRecordNotFound):
			err = tx.Create(&domain.PeriodException{PeriodID: p.ID, OrganisationID: org.ID, UntilDate: in.Until, Reason: in.Reason, GrantedByID: who.Actor.UserID, CreatedAt: who.Now}).Error
		}
		if err != nil {
			return err
		}
		newFacts := map[string]any{"period": p.Label, "organisation": org.Acronym, "until": in.Until.Format(time.DateOnly), "reason": in.Reason}
		return domain.Audit(tx, who.Actor, "period.exception_grant", "period", &p.ID, &plan.ID, oldFacts, newFacts, in.Reason)
	})
}

// RemoveException withdraws an organisation's exception, with the audit row.
func RemoveException(ctx context.Context, db *gorm.DB, who domain.Caller, plan *domain.Plan, label string, id int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p domain.ReportingPeriod
		if err := tx.Where("plan_id = ? AND label = ?", plan.ID, label).Take(&p).Error; err != nil {
			return domain.NotFound(err)
		}
		var e domain.PeriodException
		if err := tx.Where("id = ? AND period_id = ?", id, p.ID).Take(&e).Error; err != nil {
			return domain.NotFound(err)
		}
		var org domain.Organisation
		if err := tx.Take(&org, e.OrganisationID).Error; err != nil {
			return err
		}
		if err := tx.Delete(&domain.PeriodException{}, e.ID).Error; err != nil {
			return err
		}
		old := map[string]any{"period": p.Label, "organisation": org.Acronym, "until": e.UntilDate.Format(time.DateOnly), "reason": e.Reason}
		return domain.Audit(tx, who.Actor, "period.exception_remove", "period", &p.ID, &plan.ID, old, nil, "")
	})
}
