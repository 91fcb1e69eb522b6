package reporting

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/domain"

	"gorm.io/gorm"
)

// Workflow actions on a value.
const (
	ActionSubmit  = "submit"
	ActionApprove = "approve"
	ActionReturn  = "return"
	// ActionReopen sends an approved item back to its organisation; only the
	// secretariat may, and only with a reason.
	ActionReopen = "reopen"
	// ActionWithdraw takes a submission back to draft, by its organisation,
	// as long as the secretariat has not acted on it.
	ActionWithdraw = "withdraw"
)

// TransitionValue moves a value through its workflow: a focal point (or the
// secretariat) submits a draft or returned value; the secretariat approves a
// submitted value, which locks it, or returns it with a comment. The caller
// names the version it saw; the change and its audit row are one transaction.
func TransitionValue(ctx context.Context, db *gorm.DB, who domain.Caller, t ValueTarget, action string, version int, comment string) (*domain.IndicatorValue, error) {
	var out *domain.IndicatorValue
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		vc, err := loadValueContext(tx, t)
		if err != nil {
			return err
		}
		var w *domain.Workflow
		if vc.value != nil {
			w = &vc.value.Workflow
		}
		done, err := checkTransition(tx, who.Scope, action, vc.indicator.ReportingOrgID, vc.period, w, "value", version, who.Now)
		if err != nil {
			return err
		}
		if done {
			out = vc.value
			return nil
		}
		v := vc.value
		old := valueSnapshot(v)
		if action == ActionSubmit {
			if v.Value == nil {
				return domain.FieldError("value", "err.value_before_submit")
			}
			if vc.set != nil && len(v.Breakdown) == 0 {
				return domain.FieldError("disaggregation", "err.breakdown_before_submit")
			}
		}
		comment = strings.TrimSpace(comment)
		if err := moveRow(tx, who, &domain.IndicatorValue{}, v.ID, &v.Workflow, action, comment,
			func() error { return RefreshIndicatorRollup(tx, vc.indicator.ID) }, domain.Comment{IndicatorValueID: &v.ID}); err != nil {
			return err
		}
		var nv domain.IndicatorValue
		if err := tx.Take(&nv, v.ID).Error; err != nil {
			return err
		}
		nv.Breakdown = v.Breakdown
		if _, err := adjustValueCompleteness(tx, vc.plan.ID, vc.indicator.ReportingOrgID, vc.period, &v.Workflow, &nv.Workflow); err != nil {
			return err
		}
		if err := domain.Audit(tx, who.Actor, "value."+action, "indicator_value", &v.ID, &vc.plan.ID, old, valueSnapshot(&nv), comment); err != nil {
			return err
		}
		out = &nv
		return nil
	})
	return out, err
}

// moveRow applies action to the workflow w of a value or an update (model
// and id name its row) with what every move brings: approving or reopening
// changes the approved data, so the roll-ups are refreshed (refresh);
// returning or reopening keeps the comment in the item's thread (thread
// names the item).
func moveRow(tx *gorm.DB, who domain.Caller, model any, id int64, w *domain.Workflow, action, comment string, refresh func() error, thread domain.Comment) error {
	if err := applyTransition(tx, model, id, w, action, who.Scope.UserID, comment, who.Now); err != nil {
		return err
	}
	if action == ActionApprove || action == ActionReopen {
		if err := refresh(); err != nil {
			return err
		}
	}
	if action == ActionReturn || action == ActionReopen {
		thread.AuthorID, thread.Body, thread.CreatedAt = who.Scope.UserID, comment, who.Now
		if err := tx.Create(&thread).Error; err != nil {
			return err
		}
	}
	return nil
}

// checkTransition runs the checks every workflow move shares, for the row w
// (nil when nothing was reported) of an item its organisation orgID reports
// in period: who may make the move, that there is something to move (field
// names the form field to blame), that a submission comes while the period
// is open, and that it is based on the current version. done is true when
// the move already happened: a retried click is not an error.
func checkTransition(tx *gorm.DB, scope domain.Scope, action string, orgID int64, period domain.ReportingPeriod, w *domain.Workflow, field string, version int, now time.Time) (done bool, err error) {
	switch action {
	case ActionSubmit, ActionWithdraw:
		if !scope.CanReport(orgID) {
			return false, domain.ErrForbidden
		}
	case ActionApprove, ActionReturn, ActionReopen:
		if !scope.Validates() {
			return false, domain.ErrForbidden
		}
	default:
		return false, domain.ErrNotFound
	}
	if w == nil {
		return false, domain.FieldError(field, "err.nothing_reported")
	}
	if action == ActionSubmit || action == ActionWithdraw {
		if err := checkPeriodOpen(tx, period, orgID, now); err != nil {
			return false, err
		}
	}
	if version == w.Version-1 && w.UpdatedByID != nil && *w.UpdatedByID == scope.UserID && w.Status == statusAfter(action) {
		return true, nil
	}
	return false, checkVersion(tx, w, version)
}

// applyTransition moves a workflow row (an indicator value or an activity
// update) to the status that follows action, checking that the move is
// allowed from its current status, and writing who and when — guarded by the
// version, so that two validators cannot both act on the same version.
func applyTransition(tx *gorm.DB, model any, id int64, w *domain.Workflow, action string, userID int64, comment string, now time.Time) error {
	uid := &userID
	updates := map[string]any{"version": w.Version + 1, "updated_by_id": uid, "updated_at": now}
	// Every comment is kept whole (audit log, comment thread, workbook), so
	// its length is bounded like every other text of a report.
	if utf8.RuneCountInString(comment) > 5000 {
		return domain.FieldError("comment", "err.too_long", 5000)
	}
	switch action {
	case ActionSubmit:
		if w.Status != domain.StatusDraft && w.Status != domain.StatusReturned {
			return domain.Lockedf("lock.already", domain.Enum{Prefix: "status.", Value: w.Status})
		}
		updates["status"], updates["submitted_at"], updates["submitted_by_id"] = domain.StatusSubmitted, now, uid
	case ActionWithdraw:
		if w.Status != domain.StatusSubmitted {
			return domain.Lockedf("lock.withdraw_submitted", domain.Enum{Prefix: "status.", Value: w.Status})
		}
		updates["status"], updates["submitted_at"], updates["submitted_by_id"] = domain.StatusDraft, nil, nil
	case ActionApprove:
		if w.Status != domain.StatusSubmitted {
			return domain.Lockedf("lock.approve_submitted", domain.Enum{Prefix: "status.", Value: w.Status})
		}
		updates["status"], updates["approved_at"], updates["approved_by_id"] = domain.StatusApproved, now, uid
	case ActionReturn:
		if w.Status != domain.StatusSubmitted {
			return domain.Lockedf("lock.return_submitted", domain.Enum{Prefix: "status.", Value: w.Status})
		}
		if comment == "" || utf8.RuneCountInString(comment) > 5000 {
			return domain.FieldError("comment", "err.return_comment")
		}
		updates["status"], updates["returned_at"], updates["returned_by_id"], updates["return_comment"] = domain.StatusReturned, now, uid, comment
	case ActionReopen:
		if w.Status != domain.StatusApproved {
			return domain.Lockedf("lock.reopen_approved", domain.Enum{Prefix: "status.", Value: w.Status})
		}
		if comment == "" || utf8.RuneCountInString(comment) > 5000 {
			return domain.FieldError("comment", "err.reopen_reason")
		}
		updates["status"], updates["returned_at"], updates["returned_by_id"], updates["return_comment"] = domain.StatusReturned, now, uid, comment
		updates["approved_at"], updates["approved_by_id"] = nil, nil
	default:
		return domain.ErrNotFound
	}
	res := tx.Model(model).Where("id = ? AND version = ?", id, w.Version).Updates(updates)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return &domain.StaleError{Current: w.Version + 1}
	}
	return nil
}

func statusAfter(action string) string {
	switch action {
	case ActionSubmit:
		return domain.StatusSubmitted
	case ActionApprove:
		return domain.StatusApproved
	case ActionWithdraw:
		return domain.StatusDraft
	default:
		return domain.StatusReturned
	}
}
