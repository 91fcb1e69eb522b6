package domain

import (
	"time"
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

// Disabled reports whether the account is disabled.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// ValidRole reports whether r is one of the known roles.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// sameID reports whether two optional ids are equal (both absent, or the same).
func SameID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// Account statuses, as the user list shows them.
const (
	AccountActive   = "active"
	AccountDisabled = "disabled"
	AccountInvited  = "invited" // no password set yet
)

// AccountStatus says whether the account is disabled, still waits for its
// owner to set a password through their link, or is active.
func (u *User) AccountStatus() string {
	switch {
	case u.DisabledAt != nil:
		return AccountDisabled
	case u.PasswordHash == "":
		return AccountInvited
	}
	return AccountActive
}
