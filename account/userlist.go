package account

import (
	"context"

	"naptracker/domain"

	"gorm.io/gorm"
)

// UserFilter narrows the user list; zero values mean "any".
type UserFilter struct {
	Role           string
	OrganisationID int64
}

// UserListItem is one line of the user list: the account and its organisation (nil for none).
type UserListItem struct {
	domain.User
	Organisation *domain.Organisation
}

// ListUsers lists the accounts matching f, ordered by name, with their
// organisations: two queries, however many users there are.
func ListUsers(ctx context.Context, db *gorm.DB, f UserFilter) ([]UserListItem, error) {
	db = db.WithContext(ctx)
	q := db.Model(&domain.User{}).Order("lower(name), id")
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.OrganisationID != 0 {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	var users []domain.User
	if err := q.Find(&users).Error; err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, u := range users {
		if u.OrganisationID != nil && !seen[*u.OrganisationID] {
			seen[*u.OrganisationID] = true
			ids = append(ids, *u.OrganisationID)
		}
	}
	orgs := map[int64]*domain.Organisation{}
	if len(ids) > 0 {
		var list []domain.Organisation
		if err := db.Where("id IN ?", ids).Find(&list).Error; err != nil {
			return nil, err
		}
		for i := range list {
			orgs[list[i].ID] = &list[i]
		}
	}
	out := make([]UserListItem, len(users))
	for i, u := range users {
		out[i].User = u
		if u.OrganisationID != nil {
			out[i].Organisation = orgs[*u.OrganisationID]
		}
	}
	return out, nil
}

// OrganisationChoices lists every organisation by acronym, for the
// organisation fields and filters of the user pages.
func OrganisationChoices(ctx context.Context, db *gorm.DB) ([]domain.Organisation, error) {
	var out []domain.Organisation
	err := db.WithContext(ctx).Order("acronym").Find(&out).Error
	return out, err
}

// FindUser returns a user by id, or ErrNotFound.
func FindUser(ctx context.Context, db *gorm.DB, id int64) (*domain.User, error) {
	return loadUser(db.WithContext(ctx), id, false)
}

// UserAudit returns the latest audit entries about a user account, newest first.
func UserAudit(ctx context.Context, db *gorm.DB, userID int64, limit int) ([]domain.AuditEntry, error) {
	var out []domain.AuditEntry
	err := db.WithContext(ctx).Where("entity_type = ? AND entity_id = ?", "user", userID).
		Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}
