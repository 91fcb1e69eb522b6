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

// Validates reports whether the scope may approve, return and reopen.
func (s Scope) Validates() bool { return s.Role == RoleAdmin || s.Role == RoleSecretariat }

// CanReport reports whether the scope may enter and submit the values of an
// indicator reported by the given organisation.
func (s Scope) CanReport(reportingOrgID int64) bool {
	return s.Validates() || (s.Role == RoleFocalPoint && s.OrgID != 0 && s.OrgID == reportingOrgID)
}

// SeesUnapproved reports whether the scope may see values of the given
// organisation that are not approved yet: its own organisation, and the
// secretariat and administrators. Donors and facilitators see approved data only.
func (s Scope) SeesUnapproved(reportingOrgID int64) bool {
	return s.Validates() || (s.Role == RoleFocalPoint && s.OrgID != 0 && s.OrgID == reportingOrgID)
}

// SeesEvidence reports whether the scope may list and download the
// evidence of an item reported by orgID, in the given status, of a
// sensitive indicator or not. It is the figure's own rule (its organisation
// and the secretariat always, everyone else once approved), narrowed for
// sensitive indicators, whose evidence may hold victims' personal data, to
// the reporting organisation's focal points, the secretariat and
// administrators, even once approved.
func (s Scope) SeesEvidence(orgID int64, sensitive bool, status string) bool {
	if s.SeesUnapproved(orgID) {
		return true
	}
	return !sensitive && status == StatusApproved
}

// CanRecordDecisions reports whether a scope may record decisions and mark
// them done: the facilitator who runs the workshop, the secretariat and
// administrators.
func (s Scope) CanRecordDecisions() bool { return s.Validates() || s.Role == RoleFacilitator }
