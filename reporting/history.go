package reporting

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/domain"

	"gorm.io/gorm"
)

// HistoryEntry is one change of a value as its page shows it: who, when,
// what, old → new and the reason.
type HistoryEntry struct {
	At                 time.Time
	Actor              string
	Action             string
	OldValue, NewValue *float64
	OldStatus          string
	NewStatus          string
	Reason             string
}

// snapshotFields is the part of a value's audit snapshot the history shows.
type SnapshotFields struct {
	Value  *float64 `json:"value"`
	Status string   `json:"status"`
}

// ValueHistory returns the changes of a value, oldest first, from the audit log.
func ValueHistory(ctx context.Context, db *gorm.DB, valueID int64) ([]HistoryEntry, error) {
	var rows []domain.AuditEntry
	if err := db.WithContext(ctx).Where("entity_type = ? AND entity_id = ?", "indicator_value", valueID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(rows))
	for _, r := range rows {
		var o, n SnapshotFields
		_ = json.Unmarshal([]byte(r.OldValue), &o) // empty for the first save
		_ = json.Unmarshal([]byte(r.NewValue), &n)
		out = append(out, HistoryEntry{At: r.OccurredAt, Actor: r.Actor, Action: strings.TrimPrefix(r.Action, "value."),
			OldValue: o.Value, NewValue: n.Value, OldStatus: o.Status, NewStatus: n.Status, Reason: r.Reason})
	}
	return out, nil
}

// CommentView is a comment with its author's name.
type CommentView struct {
	domain.Comment
	AuthorName string
}

// ValueComments returns a value's comment thread, oldest first.
func ValueComments(ctx context.Context, db *gorm.DB, valueID int64) ([]CommentView, error) {
	var out []CommentView
	err := db.WithContext(ctx).Table("comments").Select("comments.*, users.name AS author_name").
		Joins("JOIN users ON users.id = comments.author_id").
		Where("comments.indicator_value_id = ?", valueID).Order("comments.id").Scan(&out).Error
	return out, err
}

// AddValueComment adds a message to a value's thread: those who report the
// value and the secretariat may write; the comment and its audit row are one transaction.
func AddValueComment(ctx context.Context, db *gorm.DB, who domain.Caller, t ValueTarget, body string) error {
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > 5000 {
		return domain.FieldError("comment", "err.comment")
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		vc, err := loadValueContext(tx, t)
		if err != nil {
			return err
		}
		if !who.Scope.CanReport(vc.indicator.ReportingOrgID) {
			return domain.ErrForbidden
		}
		if vc.value == nil {
			return domain.FieldError("comment", "err.nothing_reported")
		}
		c := domain.Comment{IndicatorValueID: &vc.value.ID, AuthorID: who.Scope.UserID, Body: body, CreatedAt: who.Now}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "comment.add", "indicator_value", &vc.value.ID, &vc.plan.ID, nil, map[string]any{"comment_id": c.ID}, "")
	})
}
