package account

import (
	"context"
	"slices"
	"strings"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// AuditFilter narrows the audit log; zero values mean "any".
type AuditFilter struct {
	PlanID int64
	// UserEmail keeps the entries made by the account with this e-mail
	// address, or recorded under it (a failed sign-in, say); any case.
	UserEmail string
	// ActionPrefix keeps actions that start with it ("value.", "login.").
	ActionPrefix string
	EntityType   string
	// From and Until bound the time: From ≤ occurred_at < Until.
	From, Until *time.Time
	// Before pages to older entries (id < Before); After to newer ones
	// (id > After). Pages are keyed on the id, which only grows, so an
	// entry added meanwhile never shifts a page.
	Before, After int64
}

// AuditLogPage is one page of the audit log, newest first, with the users
// it names and whether there are older and newer entries to page to.
type AuditLogPage struct {
	Entries []domain.AuditEntry
	Users   map[int64]domain.User
	// HasOlder and HasNewer say whether pages exist past the last and the
	// first entry of this one.
	HasOlder, HasNewer bool
}

// AuditLogPageSize is the number of entries on a page of the audit log.
const AuditLogPageSize = 50

// BrowseAuditLog reads one page of the audit log matching f, newest first,
// with at most four queries whatever the size of the log: the page (one
// more entry than shown, to know whether another page follows), whether a
// page exists in the other direction, and the users it names.
func BrowseAuditLog(ctx context.Context, db *gorm.DB, f AuditFilter, size int) (*AuditLogPage, error) {
	db = db.WithContext(ctx)
	out := &AuditLogPage{Users: map[int64]domain.User{}}
	q := f.apply(db.Model(&domain.AuditEntry{}))
	var rows []domain.AuditEntry
	if f.After > 0 {
		if err := q.Where("id > ?", f.After).Order("id ASC").Limit(size + 1).Find(&rows).Error; err != nil {
			return nil, err
		}
		out.HasNewer = len(rows) > size
		if out.HasNewer {
			rows = rows[:size]
		}
		slices.Reverse(rows)
	} else {
		if f.Before > 0 {
			q = q.Where("id < ?", f.Before)
		}
		if err := q.Order("id DESC").Limit(size + 1).Find(&rows).Error; err != nil {
			return nil, err
		}
		out.HasOlder = len(rows) > size
		if out.HasOlder {
			rows = rows[:size]
		}
	}
	out.Entries = rows
	// The other direction: entries past the cursor the page came from.
	if f.After > 0 || f.Before > 0 {
		var ids []int64
		other := f.apply(db.Model(&domain.AuditEntry{}))
		if f.After > 0 {
			other = other.Where("id <= ?", f.After)
		} else {
			other = other.Where("id >= ?", f.Before)
		}
		if err := other.Limit(1).Pluck("id", &ids).Error; err != nil {
			return nil, err
		}
		if f.After > 0 {
			out.HasOlder = len(ids) > 0
		} else {
			out.HasNewer = len(ids) > 0
		}
	}
	var userIDs []int64
	for _, e := range rows {
		if e.UserID != nil && !slices.Contains(userIDs, *e.UserID) {
			userIDs = append(userIDs, *e.UserID)
		}
	}
	if len(userIDs) > 0 {
		var users []domain.User
		if err := db.Select("id", "email", "name", "role").Where("id IN ?", userIDs).Find(&users).Error; err != nil {
			return nil, err
		}
		for _, u := range users {
			out.Users[u.ID] = u
		}
	}
	return out, nil
}

// apply adds the filter's conditions (not its cursor) to q.
func (f AuditFilter) apply(q *gorm.DB) *gorm.DB {
	if f.PlanID != 0 {
		q = q.Where("plan_id = ?", f.PlanID)
	}
	if e := strings.ToLower(strings.TrimSpace(f.UserEmail)); e != "" {
		q = q.Where("(user_id IN (SELECT id FROM users WHERE lower(email) = ?) OR lower(actor) = ?)", e, e)
	}
	if p := strings.ToLower(strings.TrimSpace(f.ActionPrefix)); p != "" {
		q = q.Where(`action LIKE ? ESCAPE '\'`, likePrefix(p))
	}
	if t := strings.TrimSpace(f.EntityType); t != "" {
		q = q.Where("entity_type = ?", t)
	}
	if f.From != nil {
		q = q.Where("occurred_at >= ?", *f.From)
	}
	if f.Until != nil {
		q = q.Where("occurred_at < ?", *f.Until)
	}
	return q
}

// likePrefix turns a prefix into a LIKE pattern that matches it literally.
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}
