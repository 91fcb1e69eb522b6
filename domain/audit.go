package domain

import (
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"
)

// AuditEntry is one row of the append-only audit log: who did what to which
// record, the old and new values and the reason. The database refuses any
// update or delete of these rows.
type AuditEntry struct {
	ID         int64
	OccurredAt time.Time
	UserID     *int64
	Actor      string
	Action     string
	EntityType string
	EntityID   *int64
	PlanID     *int64
	OldValue   string
	NewValue   string
	Reason     string
	RequestID  string
	ClientIP   string `gorm:"column:client_ip"`
}

// Actor says who makes a change and from where; it travels with every write
// so that the audit row can be written in the same transaction.
type Actor struct {
	UserID    *int64
	Name      string
	RequestID string
	ClientIP  string
}

// SystemActor is the actor for changes made by the program itself (seeding, migrations).
var SystemActor = Actor{Name: "system"}

// Audit appends an entry to the audit log inside tx. Old and new values are
// stored as JSON (nil becomes an empty string).
func Audit(tx *gorm.DB, a Actor, action, entityType string, entityID, planID *int64, oldV, newV any, reason string) error {
	e := AuditEntry{
		OccurredAt: time.Now().UTC(),
		UserID:     a.UserID,
		Actor:      a.Name,
		Action:     action,
		EntityType: entityType,
		EntityID:   entityID,
		PlanID:     planID,
		OldValue:   jsonText(oldV),
		NewValue:   jsonText(newV),
		Reason:     reason,
		RequestID:  a.RequestID,
		ClientIP:   a.ClientIP,
	}
	if err := tx.Create(&e).Error; err != nil {
		return err
	}
	return touchForAudit(tx, action, planID)
}

// touchForAudit raises the data version of the plans a change may show on
// their pages (see Plan.DataVersion), in the change's transaction: the
// plan it is about; every plan for a change of an organisation, a user or a
// breakdown category (shared by every plan), whose names the pages show. Saving a draft is left out: only its own
// organisation and the secretariat see drafts, and the pages that show
// drafts to them are never answered 304 Not Modified. A draft saved over a
// returned value changes the completeness counts, and the save raises the
// version itself (touchPlan).
func touchForAudit(tx *gorm.DB, action string, planID *int64) error {
	switch {
	case action == "value.save" || action == "update.save":
		return nil
	case planID != nil:
		return TouchPlan(tx, *planID)
	case strings.HasPrefix(action, "organisation.") || strings.HasPrefix(action, "user.") || strings.HasPrefix(action, "disaggregation."):
		return tx.Exec("UPDATE plans SET data_version = data_version + 1").Error
	}
	return nil
}

// touchPlan raises a plan's data version inside tx.
func TouchPlan(tx *gorm.DB, planID int64) error {
	return tx.Exec("UPDATE plans SET data_version = data_version + 1 WHERE id = ?", planID).Error
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
