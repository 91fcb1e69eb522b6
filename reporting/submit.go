package reporting

import (
	"context"

	"naptracker/domain"

	"gorm.io/gorm"
)

// SaveValueAndSubmit is the value form's "Save and submit": SaveValue, then
// (when submit is set) the submission of the version just saved, in one
// transaction, so that a refused submission (no value yet, a breakdown
// missing) leaves nothing saved and the form comes back as it was typed.
// SaveValue and TransitionValue compose: each runs in the transaction it is
// given (a nested one is a savepoint).
func SaveValueAndSubmit(ctx context.Context, db *gorm.DB, who domain.Caller, t ValueTarget, in ValueInput, submit bool) (*domain.IndicatorValue, error) {
	var v *domain.IndicatorValue
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		saved, err := SaveValue(ctx, tx, who, t, in)
		if err != nil || !submit {
			v = saved
			return err
		}
		v, err = TransitionValue(ctx, tx, who, t, ActionSubmit, saved.Version, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// SaveUpdateAndSubmit is SaveValueAndSubmit for an activity update.
func SaveUpdateAndSubmit(ctx context.Context, db *gorm.DB, who domain.Caller, t UpdateTarget, in UpdateInput, submit bool) (*domain.ActivityUpdate, error) {
	var u *domain.ActivityUpdate
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		saved, err := SaveUpdate(ctx, tx, who, t, in)
		if err != nil || !submit {
			u = saved
			return err
		}
		u, err = TransitionUpdate(ctx, tx, who, t, ActionSubmit, saved.Version, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
