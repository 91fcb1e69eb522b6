package domain

// Scope is what a caller may see and change: their role and, for focal
// points and donors, their organisation. Handlers build it from the signed-in
// user; models use it for object-level checks so that the rule lives in one place.
type Scope struct {
	UserID int64
	Role   string
	OrgID  int64 // 0 when the user has no organisation
}

// ScopeOf returns the scope of a user.
func ScopeOf(u *User) Scope {
	s := Scope{UserID: u.ID, Role: u.Role}
	if u.OrganisationID != nil {
		s.OrgID = *u.OrganisationID
	}
	return s
}
