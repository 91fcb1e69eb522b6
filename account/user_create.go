package account

import (
	"context"
	"errors"
	"net/mail"
	"strings"

	"naptracker/domain"

	"gorm.io/gorm"
)

// Password length limits (ASVS: at least 8, allow at least 64; no composition rules).
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// ValidateNewUser checks the fields of a user to be created and its password.
func ValidateNewUser(u *domain.User, password string) error {
	v := &domain.ValidationError{}
	u.Email = strings.TrimSpace(strings.ToLower(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	if _, err := mail.ParseAddress(u.Email); err != nil || !strings.Contains(u.Email, "@") || len(u.Email) > 254 {
		v.AddKey("email", "err.email")
	}
	if u.Name == "" {
		v.AddKey("name", "err.person_name")
	}
	if !domain.ValidRole(u.Role) {
		v.AddKey("role", "err.role_list", strings.Join(domain.Roles, ", "))
	}
	if domain.NeedsOrganisation(u.Role) && u.OrganisationID == nil {
		v.AddKey("organisation", "err.org_needed")
	}
	if m := PasswordRuleMessage(password); m != nil {
		v.AddKey("password", m.Key, m.Args...)
	}
	return v.Err()
}

// CreateUser validates and stores a new user with a hashed password, and
// audits it in the same transaction. A taken e-mail address is a validation error.
func CreateUser(ctx context.Context, db *gorm.DB, actor domain.Actor, u *domain.User, password string) error {
	if err := ValidateNewUser(u, password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return CreateUserWithHash(ctx, db, actor, u, hash)
}

// CreateUserWithHash is CreateUser after its two slow or checking steps: u
// has passed ValidateNewUser and hash is HashPassword's hash of its
// password. It stores and audits the user in one transaction. (The test
// helpers hash a password once and create many users with it.)
func CreateUserWithHash(ctx context.Context, db *gorm.DB, actor domain.Actor, u *domain.User, hash string) error {
	u.PasswordHash = hash
	u.Version = 1
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return domain.FieldError("email", "err.email_taken")
			}
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return domain.FieldError("organisation", "err.org_missing")
			}
			return err
		}
		return domain.Audit(tx, actor, "user.create", "user", &u.ID, nil, nil,
			map[string]any{"email": u.Email, "role": u.Role, "organisation_id": u.OrganisationID}, "")
	})
}

// FindUserByEmail looks a user up by e-mail address, ignoring case.
func FindUserByEmail(ctx context.Context, db *gorm.DB, email string) (*domain.User, error) {
	var u domain.User
	err := db.WithContext(ctx).Where("lower(email) = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.ErrNotFound
	}
	return &u, err
}
