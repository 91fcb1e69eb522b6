package models

import (
	"encoding/json"
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
	return tx.Create(&e).Error
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
