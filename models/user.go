package models

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Roles, as PRODUCT.md names them.
const (
	RoleAdmin       = "admin"
	RoleSecretariat = "secretariat"
	RoleFocalPoint  = "focal_point"
	RoleDonor       = "donor"
	RoleFacilitator = "facilitator"
)

// Roles lists every role, most privileged first.
var Roles = []string{RoleAdmin, RoleSecretariat, RoleFocalPoint, RoleDonor, RoleFacilitator}

// User is a person who signs in. Focal points and donors belong to one organisation.
type User struct {
	ID             int64
	Email          string
	Name           string
	Role           string
	OrganisationID *int64
	PasswordHash   string `json:"-"`
	Language       string
	DisabledAt     *time.Time
	LastLoginAt    *time.Time
	// TOTPSecret is the base32 secret of the authenticator app; empty until enrolled.
	TOTPSecret        string     `gorm:"column:totp_secret" json:"-"`
	TOTPEnabledAt     *time.Time `gorm:"column:totp_enabled_at"`
	TOTPLastStep      int64      `gorm:"column:totp_last_step" json:"-"` // last 30-s step accepted: a code is never accepted twice
	PasswordChangedAt *time.Time
	Version           int
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// MFARequired reports whether a role must use a second factor.
func MFARequired(role string) bool { return role == RoleAdmin || role == RoleSecretariat }

// Privileged reports whether a role manages accounts and validates data
// (administrators and the NAP secretariat): their high-value actions ask
// for a recent password check.
func Privileged(role string) bool { return role == RoleAdmin || role == RoleSecretariat }

// Disabled reports whether the account is disabled.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// NeedsOrganisation reports whether a role must belong to an organisation.
func NeedsOrganisation(role string) bool { return role == RoleFocalPoint || role == RoleDonor }

// ValidRole reports whether r is one of the known roles.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Password length limits (ASVS: at least 8, allow at least 64; no composition rules).
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// ValidateNewUser checks the fields of a user to be created and its password.
func ValidateNewUser(u *User, password string) error {
	v := &ValidationError{}
	u.Email = strings.TrimSpace(strings.ToLower(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	if _, err := mail.ParseAddress(u.Email); err != nil || !strings.Contains(u.Email, "@") || len(u.Email) > 254 {
		v.AddKey("email", "err.email")
	}
	if u.Name == "" {
		v.AddKey("name", "err.person_name")
	}
	if !ValidRole(u.Role) {
		v.AddKey("role", "err.role_list", strings.Join(Roles, ", "))
	}
	if NeedsOrganisation(u.Role) && u.OrganisationID == nil {
		v.AddKey("organisation", "err.org_needed")
	}
	if m := PasswordRuleMessage(password); m != nil {
		v.AddKey("password", m.Key, m.Args...)
	}
	return v.Err()
}

// CreateUser validates and stores a new user with a hashed password, and
// audits it in the same transaction. A taken e-mail address is a validation error.
func CreateUser(ctx context.Context, db *gorm.DB, actor Actor, u *User, password string) error {
	if err := ValidateNewUser(u, password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	u.Version = 1
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return FieldError("email", "err.email_taken")
			}
			if errors.Is(err, gorm.ErrForeignKeyViolated) {
				return FieldError("organisation", "err.org_missing")
			}
			return err
		}
		return Audit(tx, actor, "user.create", "user", &u.ID, nil, nil,
			map[string]any{"email": u.Email, "role": u.Role, "organisation_id": u.OrganisationID}, "")
	})
}

// FindOrganisationByAcronym looks an organisation up by acronym, ignoring case.
func FindOrganisationByAcronym(ctx context.Context, db *gorm.DB, acronym string) (*Organisation, error) {
	var o Organisation
	err := db.WithContext(ctx).Where("lower(acronym) = lower(?)", acronym).Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &o, err
}

// FindUserByEmail looks a user up by e-mail address, ignoring case.
func FindUserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	var u User
	err := db.WithContext(ctx).Where("lower(email) = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &u, err
}
