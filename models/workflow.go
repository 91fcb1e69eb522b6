package models

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Workflow actions on a value.
const (
	ActionSubmit  = "submit"
	ActionApprove = "approve"
	ActionReturn  = "return"
)

// TransitionValue moves a value through its workflow: a focal point (or the
// secretariat) submits a draft or returned value; the secretariat approves a
// submitted value, which locks it, or returns it with a comment. The caller
// names the version it saw; the change and its audit row are one transaction.
func TransitionValue(ctx context.Context, db *gorm.DB, actor Actor, scope Scope, t ValueTarget, action string, version int, comment string, now time.Time) (*IndicatorValue, error) {
	var out *IndicatorValue
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		vc, err := loadValueContext(tx, t)
		if err != nil {
			return err
		}
		switch action {
		case ActionSubmit:
			if !scope.CanReport(vc.indicator.ReportingOrgID) {
				return ErrForbidden
			}
		case ActionApprove, ActionReturn:
			if !scope.Validates() {
				return ErrForbidden
			}
		default:
			return ErrNotFound
		}
		v := vc.value
		if v == nil {
			return &ValidationError{Fields: map[string]string{"value": "Nothing has been reported for this period yet."}}
		}
		if action == ActionSubmit {
			if err := checkOpen(tx, vc, now); err != nil {
				return err
			}
		}
		// A retried click after the change went through is not an error.
		if version == v.Version-1 && v.UpdatedByID != nil && *v.UpdatedByID == scope.UserID && v.Status == statusAfter(action) {
			out = v
			return nil
		}
		if err := checkVersion(tx, &v.Workflow, version); err != nil {
			return err
		}
		old := valueSnapshot(v)
		uid := &scope.UserID
		updates := map[string]any{"version": v.Version + 1, "updated_by_id": uid, "updated_at": now}
		comment = strings.TrimSpace(comment)
		switch action {
		case ActionSubmit:
			if v.Status != StatusDraft && v.Status != StatusReturned {
				return &LockedError{Reason: "the value is already " + v.Status}
			}
			if v.Value == nil {
				return &ValidationError{Fields: map[string]string{"value": "Enter the value before submitting."}}
			}
			if vc.set != nil && len(v.Breakdown) == 0 {
				return &ValidationError{Fields: map[string]string{"disaggregation": "Enter the breakdown before submitting."}}
			}
			updates["status"], updates["submitted_at"], updates["submitted_by_id"] = StatusSubmitted, now, uid
		case ActionApprove:
			if v.Status != StatusSubmitted {
				return &LockedError{Reason: "only submitted values can be approved; this one is " + v.Status}
			}
			updates["status"], updates["approved_at"], updates["approved_by_id"] = StatusApproved, now, uid
		case ActionReturn:
			if v.Status != StatusSubmitted {
				return &LockedError{Reason: "only submitted values can be returned; this one is " + v.Status}
			}
			if comment == "" || utf8.RuneCountInString(comment) > 5000 {
				return &ValidationError{Fields: map[string]string{"comment": "Say what needs to change (up to 5,000 characters)."}}
			}
			updates["status"], updates["returned_at"], updates["returned_by_id"], updates["return_comment"] = StatusReturned, now, uid, comment
		}
		res := tx.Model(&IndicatorValue{}).Where("id = ? AND version = ?", v.ID, v.Version).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return &StaleError{Current: v.Version + 1}
		}
		if action == ActionReturn {
			if err := tx.Create(&Comment{IndicatorValueID: &v.ID, AuthorID: scope.UserID, Body: comment, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		var nv IndicatorValue
		if err := tx.Take(&nv, v.ID).Error; err != nil {
			return err
		}
		nv.Breakdown = v.Breakdown
		if err := Audit(tx, actor, "value."+action, "indicator_value", &v.ID, &vc.plan.ID, old, valueSnapshot(&nv), comment); err != nil {
			return err
		}
		out = &nv
		return nil
	})
	return out, err
}

func statusAfter(action string) string {
	switch action {
	case ActionSubmit:
		return StatusSubmitted
	case ActionApprove:
		return StatusApproved
	default:
		return StatusReturned
	}
}
