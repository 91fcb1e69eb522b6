package models

import "time"

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
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

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
