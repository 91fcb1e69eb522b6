package reporting

import (
	"context"
	"errors"
	"math"
	"strings"
	"unicode/utf8"

	"naptracker/domain"
	"naptracker/store"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// UpdateTarget names an activity update: the plan, the activity and the period.
type UpdateTarget struct {
	Plan, Activity, Period string
}

// UpdateInput is an edit of an activity update, based on the version the
// user saw (0 when there was none yet).
type UpdateInput struct {
	domain.UpdateContent
	Version int
}

// updateContext is what every change of an activity update loads first.
type updateContext struct {
	plan     domain.Plan
	activity domain.Activity
	period   domain.ReportingPeriod
	update   *domain.ActivityUpdate
}

func loadUpdateContext(tx *gorm.DB, t UpdateTarget) (*updateContext, error) {
	uc := &updateContext{}
	if err := tx.Where("code = ?", t.Plan).Take(&uc.plan).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if err := tx.Where("plan_id = ? AND code = ? AND archived_at IS NULL", uc.plan.ID, t.Activity).Take(&uc.activity).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	if err := tx.Where("plan_id = ? AND label = ?", uc.plan.ID, t.Period).Take(&uc.period).Error; err != nil {
		return nil, domain.NotFound(err)
	}
	var u domain.ActivityUpdate
	q := tx.Where("activity_id = ? AND period_id = ?", uc.activity.ID, uc.period.ID)
	if store.IsPostgres(tx) {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	switch err := q.Take(&u).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return nil, err
	default:
		uc.update = &u
	}
	return uc, nil
}

// ValidateUpdateInput checks an activity update with per-field messages.
func ValidateUpdateInput(in UpdateInput) error {
	v := &domain.ValidationError{}
	valid := false
	for _, p := range domain.ProgressStatuses {
		valid = valid || p == in.Progress
	}
	if !valid {
		v.AddKey("progress", "err.progress")
	}
	if in.PercentComplete < 0 || in.PercentComplete > 100 {
		v.AddKey("percent_complete", "err.percentage")
	}
	if in.Expenditure < 0 || math.IsNaN(in.Expenditure) || in.Expenditure > 1e13 {
		v.AddKey("expenditure", "err.expenditure")
	}
	for field, text := range map[string]string{"achievements": in.Achievements, "challenges": in.Challenges, "next_steps": in.NextSteps} {
		if utf8.RuneCountInString(text) > 5000 {
			v.AddKey(field, "err.text_long")
		}
	}
	if in.Progress == domain.ProgressCompleted && in.PercentComplete != 100 {
		v.AddKey("percent_complete", "err.completed_full")
	}
	return v.Err()
}

func updateSnapshot(u *domain.ActivityUpdate) map[string]any {
	if u == nil {
		return nil
	}
	return map[string]any{"progress": u.Progress, "percent_complete": u.PercentComplete, "achievements": u.Achievements,
		"challenges": u.Challenges, "next_steps": u.NextSteps, "expenditure": u.Expenditure, "status": u.Status, "version": u.Version}
}

func sameUpdate(u *domain.ActivityUpdate, in UpdateInput) bool {
	return u.UpdateContent == in.UpdateContent
}

// SaveUpdate stores an edit of the lead organisation's update on an
// activity for a period, as a draft, with the same checks as SaveValue:
// the lead's focal points or the secretariat (ErrForbidden), an open period
// (ErrLocked), the current version (ErrStale, exact retries excepted),
// valid input (*ValidationError); the audit row is in the same transaction.
func SaveUpdate(ctx context.Context, db *gorm.DB, who domain.Caller, t UpdateTarget, in UpdateInput) (*domain.ActivityUpdate, error) {
	return retryFirstSave(func() (*domain.ActivityUpdate, error) { return saveUpdate(ctx, db, who, t, in) })
}

func saveUpdate(ctx context.Context, db *gorm.DB, who domain.Caller, t UpdateTarget, in UpdateInput) (*domain.ActivityUpdate, error) {
	var out *domain.ActivityUpdate
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		uc, err := loadUpdateContext(tx, t)
		if err != nil {
			return err
		}
		if !who.Scope.CanReport(uc.activity.LeadOrgID) {
			return domain.ErrForbidden
		}
		if err := checkPeriodOpen(tx, uc.period, uc.activity.LeadOrgID, who.Now); err != nil {
			return err
		}
		old := uc.update
		if old != nil && in.Version == old.Version-1 && old.UpdatedByID != nil && *old.UpdatedByID == who.Scope.UserID && sameUpdate(old, in) {
			out = old
			return nil
		}
		var w *domain.Workflow
		if old != nil {
			w = &old.Workflow
		}
		if err := checkEditable(tx, w, in.Version, "lock.update_status"); err != nil {
			return err
		}
		in.Achievements, in.Challenges, in.NextSteps = strings.TrimSpace(in.Achievements), strings.TrimSpace(in.Challenges), strings.TrimSpace(in.NextSteps)
		if err := ValidateUpdateInput(in); err != nil {
			return err
		}
		uid := &who.Scope.UserID
		nu := domain.ActivityUpdate{ActivityID: uc.activity.ID, PeriodID: uc.period.ID, UpdateContent: in.UpdateContent}
		if old == nil {
			nu.Workflow = domain.Workflow{Status: domain.StatusDraft, Version: 1, CreatedByID: uid, UpdatedByID: uid, CreatedAt: who.Now, UpdatedAt: who.Now}
			if err := tx.Create(&nu).Error; err != nil {
				return createdMeanwhile(err)
			}
		} else {
			nu.ID, nu.Workflow = old.ID, old.Workflow
			nu.Status, nu.Version, nu.UpdatedByID, nu.UpdatedAt = domain.StatusDraft, old.Version+1, uid, who.Now
			res := tx.Model(&domain.ActivityUpdate{}).Where("id = ? AND version = ?", old.ID, old.Version).Updates(map[string]any{
				"progress": in.Progress, "percent_complete": in.PercentComplete, "achievements": in.Achievements,
				"challenges": in.Challenges, "next_steps": in.NextSteps, "expenditure": in.Expenditure,
				"status": domain.StatusDraft, "version": nu.Version, "updated_by_id": uid, "updated_at": who.Now,
			})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return &domain.StaleError{Current: old.Version + 1}
			}
		}
		// A returned update edited is a draft again: it no longer counts as handed in.
		if old != nil && old.Status == domain.StatusReturned {
			if err := RefreshCompleteness(tx, uc.plan.ID, []int64{uc.activity.LeadOrgID}, []domain.ReportingPeriod{uc.period}, ItemUpdate); err != nil {
				return err
			}
			if err := domain.TouchPlan(tx, uc.plan.ID); err != nil {
				return err
			}
		}
		if err := domain.Audit(tx, who.Actor, "update.save", "activity_update", &nu.ID, &uc.plan.ID, updateSnapshot(old), updateSnapshot(&nu), ""); err != nil {
			return err
		}
		out = &nu
		return nil
	})
	return out, err
}

// TransitionUpdate submits, approves, returns or reopens an activity update,
// like TransitionValue.
func TransitionUpdate(ctx context.Context, db *gorm.DB, who domain.Caller, t UpdateTarget, action string, version int, comment string) (*domain.ActivityUpdate, error) {
	var out *domain.ActivityUpdate
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		uc, err := loadUpdateContext(tx, t)
		if err != nil {
			return err
		}
		var w *domain.Workflow
		if uc.update != nil {
			w = &uc.update.Workflow
		}
		done, err := checkTransition(tx, who.Scope, action, uc.activity.LeadOrgID, uc.period, w, "progress", version, who.Now)
		if err != nil {
			return err
		}
		if done {
			out = uc.update
			return nil
		}
		u := uc.update
		comment = strings.TrimSpace(comment)
		old := updateSnapshot(u)
		if err := moveRow(tx, who, &domain.ActivityUpdate{}, u.ID, &u.Workflow, action, comment,
			func() error { return RefreshActivityRollup(tx, uc.activity.ID) }, domain.Comment{ActivityUpdateID: &u.ID}); err != nil {
			return err
		}
		// Completeness: an approved update that reports the activity
		// completed or cancelled ends what is expected of it in the later
		// periods, so approving and reopening recount every period.
		periods := []domain.ReportingPeriod{uc.period}
		if action == ActionApprove || action == ActionReopen {
			periods = nil
		}
		if err := RefreshCompleteness(tx, uc.plan.ID, []int64{uc.activity.LeadOrgID}, periods, ItemUpdate); err != nil {
			return err
		}
		var nu domain.ActivityUpdate
		if err := tx.Take(&nu, u.ID).Error; err != nil {
			return err
		}
		if err := domain.Audit(tx, who.Actor, "update."+action, "activity_update", &u.ID, &uc.plan.ID, old, updateSnapshot(&nu), comment); err != nil {
			return err
		}
		out = &nu
		return nil
	})
	return out, err
}

// SaveContribution stores a supporting organisation's note on an activity
// for a period (empty note: nothing is stored). Only focal points of a
// supporting organisation, or the secretariat naming one, may; versions as above.
func SaveContribution(ctx context.Context, db *gorm.DB, who domain.Caller, t UpdateTarget, orgID int64, note string, version int) (*domain.ContributionNote, error) {
	return retryFirstSave(func() (*domain.ContributionNote, error) {
		return saveContribution(ctx, db, who, t, orgID, note, version)
	})
}

func saveContribution(ctx context.Context, db *gorm.DB, who domain.Caller, t UpdateTarget, orgID int64, note string, version int) (*domain.ContributionNote, error) {
	var out *domain.ContributionNote
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		uc, err := loadUpdateContext(tx, t)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&domain.ActivitySupporter{}).Where("activity_id = ? AND organisation_id = ?", uc.activity.ID, orgID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 || !who.Scope.CanContribute(orgID) {
			return domain.ErrForbidden
		}
		if err := checkPeriodOpen(tx, uc.period, orgID, who.Now); err != nil {
			return err
		}
		note = strings.TrimSpace(note)
		if note == "" || utf8.RuneCountInString(note) > 5000 {
			return domain.FieldError("note", "err.contribution")
		}
		var old domain.ContributionNote
		found := tx.Where("activity_id = ? AND period_id = ? AND organisation_id = ?", uc.activity.ID, uc.period.ID, orgID).Limit(1).Find(&old).RowsAffected == 1
		current := 0
		if found {
			current = old.Version
			if version == old.Version-1 && old.Note == note && old.UpdatedByID != nil && *old.UpdatedByID == who.Scope.UserID {
				out = &old
				return nil
			}
		}
		if version != current {
			return &domain.StaleError{Current: current, ChangedAt: old.UpdatedAt}
		}
		uid := &who.Scope.UserID
		cn := domain.ContributionNote{ActivityID: uc.activity.ID, PeriodID: uc.period.ID, OrganisationID: orgID, Note: note, Version: 1, CreatedByID: uid, UpdatedByID: uid, CreatedAt: who.Now, UpdatedAt: who.Now}
		if found {
			cn.ID, cn.Version, cn.CreatedByID, cn.CreatedAt = old.ID, old.Version+1, old.CreatedByID, old.CreatedAt
			res := tx.Model(&domain.ContributionNote{}).Where("id = ? AND version = ?", old.ID, old.Version).
				Updates(map[string]any{"note": note, "version": cn.Version, "updated_by_id": uid, "updated_at": who.Now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return &domain.StaleError{Current: old.Version + 1}
			}
		} else if err := tx.Create(&cn).Error; err != nil {
			return createdMeanwhile(err)
		}
		var oldV any
		if found {
			oldV = map[string]any{"note": old.Note, "version": old.Version}
		}
		if err := domain.Audit(tx, who.Actor, "contribution.save", "contribution_note", &cn.ID, &uc.plan.ID, oldV, map[string]any{"note": note, "version": cn.Version, "organisation_id": orgID}, ""); err != nil {
			return err
		}
		out = &cn
		return nil
	})
	return out, err
}

// Text returns one of the update's free-text fields by form name, so that a
// template can lay out the three alike.
func (in UpdateInput) Text(field string) string {
	switch field {
	case "achievements":
		return in.Achievements
	case "challenges":
		return in.Challenges
	case "next_steps":
		return in.NextSteps
	}
	return ""
}
