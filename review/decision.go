package review

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/domain"

	"gorm.io/gorm"
)

// Decision statuses.
const (
	DecisionOpen = "open"
	DecisionDone = "done"
)

// DecisionTextMax is the longest text a decision may have, in characters.
const DecisionTextMax = 2000

// Decision is a decision or follow-up action recorded during a review
// workshop: what, which organisation is responsible and by when, attached
// to the plan, one of its pillars or one of its activities. It stays open
// until someone marks it done, and shows on the plan and organisation
// pages and in the next report's Changes sheet.
type Decision struct {
	ID             int64
	PlanID         int64
	PillarID       *int64
	ActivityID     *int64
	SnapshotID     *int64
	OrganisationID *int64
	Text           string
	DueDate        *time.Time
	Status         string
	CreatedByID    *int64
	CreatedAt      time.Time
	DoneAt         *time.Time
	DoneByID       *int64
	Version        int
	UpdatedAt      time.Time
}

// TableName keeps the table name explicit.
func (Decision) TableName() string { return "workshop_decisions" }

// DecisionInput is a new decision as typed. PillarCode and ActivityCode
// name what it is attached to ("" for none: the plan; at most one may be
// set); OrganisationID is 0 for none; SnapshotID names the snapshot being
// presented when it was recorded (0 for the live presentation).
type DecisionInput struct {
	Text           string
	PillarCode     string
	ActivityCode   string
	OrganisationID int64
	DueDate        *time.Time
	SnapshotID     int64
}

// CreateDecision records a decision of a plan with an audit row
// ("decision.create"). It returns ErrForbidden for a scope that may not
// record decisions and a *ValidationError (fields text, target,
// organisation, due_date) for blank or too long text, a pillar, activity
// or snapshot of another plan, or an unknown organisation.
func CreateDecision(ctx context.Context, db *gorm.DB, who domain.Caller, planID int64, in DecisionInput) (*Decision, error) {
	if !who.Scope.CanRecordDecisions() {
		return nil, domain.ErrForbidden
	}
	in.Text = strings.TrimSpace(in.Text)
	d := &Decision{PlanID: planID, Text: in.Text, DueDate: in.DueDate, Status: DecisionOpen, CreatedByID: who.Actor.UserID,
		CreatedAt: who.Now.UTC(), UpdatedAt: who.Now.UTC(), Version: 1}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := &domain.ValidationError{}
		var qerr error
		switch n := utf8.RuneCountInString(in.Text); {
		case n == 0:
			v.AddKey("text", "err.decision_text")
		case n > DecisionTextMax:
			v.AddKey("text", "err.too_long", DecisionTextMax)
		}
		idOf := func(model any, where string, args ...any) int64 {
			var ids []int64
			if err := tx.Model(model).Where(where, args...).Limit(1).Pluck("id", &ids).Error; err != nil && qerr == nil {
				qerr = err
			}
			if len(ids) == 0 {
				return 0
			}
			return ids[0]
		}
		exists := func(model any, where string, args ...any) bool { return idOf(model, where, args...) != 0 }
		if in.PillarCode != "" && in.ActivityCode != "" {
			v.AddKey("target", "err.decision_target")
		}
		if in.PillarCode != "" {
			id := idOf(&domain.Pillar{}, "plan_id = ? AND code = ?", planID, in.PillarCode)
			if id == 0 {
				v.AddKey("target", "err.no_such_pillar")
			}
			d.PillarID = &id
		}
		if in.ActivityCode != "" {
			id := idOf(&domain.Activity{}, "plan_id = ? AND code = ?", planID, in.ActivityCode)
			if id == 0 {
				v.AddKey("target", "err.no_such_activity")
			}
			d.ActivityID = &id
		}
		if in.OrganisationID != 0 {
			if !exists(&domain.Organisation{}, "id = ? AND archived_at IS NULL", in.OrganisationID) {
				v.AddKey("organisation", "err.no_such_org")
			}
			d.OrganisationID = &in.OrganisationID
		}
		if in.SnapshotID != 0 {
			if !exists(&ReviewSnapshot{}, "id = ? AND plan_id = ?", in.SnapshotID, planID) {
				v.AddKey("snapshot", "err.no_such_snapshot")
			}
			d.SnapshotID = &in.SnapshotID
		}
		if in.DueDate != nil {
			due := domain.Date(in.DueDate.Date())
			d.DueDate = &due
		}
		if qerr != nil {
			return qerr
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "decision.create", "decision", &d.ID, &planID, nil, d, "")
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// MarkDecisionDone closes an open decision of a plan with an audit row
// ("decision.done"); marking a done decision again changes nothing. It
// returns ErrNotFound for a decision of another plan and ErrForbidden for
// a scope that may not record decisions.
func MarkDecisionDone(ctx context.Context, db *gorm.DB, who domain.Caller, planID int64, id int64) (*Decision, error) {
	if !who.Scope.CanRecordDecisions() {
		return nil, domain.ErrForbidden
	}
	var d Decision
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND plan_id = ?", id, planID).Take(&d).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.ErrNotFound
			}
			return err
		}
		if d.Status == DecisionDone {
			return nil
		}
		at := who.Now.UTC()
		res := tx.Model(&Decision{}).Where("id = ? AND version = ?", d.ID, d.Version).
			Updates(map[string]any{"status": DecisionDone, "done_at": at, "done_by_id": who.Actor.UserID, "version": d.Version + 1, "updated_at": at})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrStale
		}
		d.Status, d.DoneAt, d.DoneByID, d.Version, d.UpdatedAt = DecisionDone, &at, who.Actor.UserID, d.Version+1, at
		return domain.Audit(tx, who.Actor, "decision.done", "decision", &d.ID, &planID, map[string]string{"status": DecisionOpen}, map[string]string{"status": DecisionDone}, "")
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}
