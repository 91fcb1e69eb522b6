package notify

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Reminder is an e-mail NAP Tracker decided to send, recorded before it is
// sent so that it is never lost and never sent twice: the table's unique
// key (kind, user, period, ref) stops a second instance or a second run
// from recording it again, and a claim (claimed_at) stops two instances
// from sending it at the same time.
type Reminder struct {
	ID        int64
	Kind      string
	UserID    int64
	PlanID    *int64
	PeriodID  *int64
	Ref       string
	ToAddress string
	Subject   string
	Body      string
	CreatedAt time.Time
	ClaimedAt *time.Time
	Attempts  int
	SentAt    *time.Time
	// Error is why the last attempt did not send it (ReminderNotConfigured
	// when there is no mail server), "" once sent.
	Error string
}

// ReminderNotConfigured is the Error of reminders left unsent because no
// mail server is configured.
const ReminderNotConfigured = "e-mail is not configured"

// Reminders are claimed for this long: an instance that dies while sending
// leaves its claim, and another instance retries after it expires.
const reminderClaim = 10 * time.Minute

// ReminderMaxAge is how long an unsent reminder is still worth sending: an
// older one (e-mail was not configured, or the server kept refusing) stays
// listed but is no longer tried, so a newly configured server is not
// flooded with stale news.
const ReminderMaxAge = 14 * 24 * time.Hour

// CreateReminders records reminders, skipping any whose key is already
// recorded (by an earlier run or another instance), and returns those it
// recorded, with their ids.
func CreateReminders(ctx context.Context, db *gorm.DB, rems []Reminder) ([]Reminder, error) {
	var out []Reminder
	db = db.WithContext(ctx)
	for _, r := range rems {
		r.Subject = strings.TrimSpace(strings.Map(noNewline, r.Subject))
		if utf8.RuneCountInString(r.Subject) > 300 {
			r.Subject = string([]rune(r.Subject)[:299]) + "…"
		}
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
		if res.Error != nil {
			return out, res.Error
		}
		if res.RowsAffected == 1 {
			out = append(out, r)
		}
	}
	return out, nil
}

func noNewline(r rune) rune {
	if r == '\r' || r == '\n' {
		return ' '
	}
	return r
}

// SendableReminders lists the reminders to try sending at now: not sent,
// recorded within ReminderMaxAge, and not claimed by an instance sending
// them right now; oldest first, at most limit.
func SendableReminders(ctx context.Context, db *gorm.DB, now time.Time, limit int) ([]Reminder, error) {
	var out []Reminder
	err := db.WithContext(ctx).Where("sent_at IS NULL AND created_at >= ? AND (claimed_at IS NULL OR claimed_at < ?)",
		now.Add(-ReminderMaxAge), now.Add(-reminderClaim)).Order("id").Limit(limit).Find(&out).Error
	return out, err
}

// ClaimReminder marks a reminder as being sent by this instance; false
// when it was sent or claimed meanwhile by another.
func ClaimReminder(ctx context.Context, db *gorm.DB, id int64, now time.Time) (bool, error) {
	res := db.WithContext(ctx).Model(&Reminder{}).
		Where("id = ? AND sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < ?)", id, now.Add(-reminderClaim)).
		Updates(map[string]any{"claimed_at": now, "attempts": gorm.Expr("attempts + 1")})
	return res.RowsAffected == 1, res.Error
}

// ReminderSent records that a claimed reminder went out.
func ReminderSent(ctx context.Context, db *gorm.DB, id int64, now time.Time) error {
	return db.WithContext(ctx).Model(&Reminder{}).Where("id = ?", id).
		Updates(map[string]any{"sent_at": now, "error": "", "claimed_at": nil}).Error
}

// ReminderFailed records why a claimed reminder did not go out and
// releases it, so that the next run tries again.
func ReminderFailed(ctx context.Context, db *gorm.DB, id int64, reason string) error {
	if utf8.RuneCountInString(reason) > 1000 {
		reason = string([]rune(reason)[:1000])
	}
	return db.WithContext(ctx).Model(&Reminder{}).Where("id = ? AND sent_at IS NULL", id).
		Updates(map[string]any{"error": reason, "claimed_at": nil}).Error
}

// MarkRemindersUnconfigured records on every unsent reminder without an
// error that it waits for a mail server to be configured, in one statement,
// and returns how many unsent reminders are waiting.
func MarkRemindersUnconfigured(ctx context.Context, db *gorm.DB) (int64, error) {
	db = db.WithContext(ctx)
	if err := db.Model(&Reminder{}).Where("sent_at IS NULL AND error <> ?", ReminderNotConfigured).
		Update("error", ReminderNotConfigured).Error; err != nil {
		return 0, err
	}
	var n int64
	err := db.Model(&Reminder{}).Where("sent_at IS NULL").Count(&n).Error
	return n, err
}

// ReminderListItem is a reminder with its recipient's name and its plan and period.
type ReminderListItem struct {
	Reminder
	UserName    string
	PlanCode    string
	PeriodLabel string
}

// ListReminders returns a page of the reminders, newest first (ids below
// before when it is not 0), one more than size to tell whether another page
// follows, in one query.
func ListReminders(ctx context.Context, db *gorm.DB, before int64, size int) ([]ReminderListItem, error) {
	q := db.WithContext(ctx).Table("reminders r").
		Select("r.*, u.name AS user_name, pl.code AS plan_code, p.label AS period_label").
		Joins("JOIN users u ON u.id = r.user_id").
		Joins("LEFT JOIN plans pl ON pl.id = r.plan_id").
		Joins("LEFT JOIN reporting_periods p ON p.id = r.period_id")
	if before > 0 {
		q = q.Where("r.id < ?", before)
	}
	var out []ReminderListItem
	err := q.Order("r.id DESC").Limit(size + 1).Scan(&out).Error
	return out, err
}
