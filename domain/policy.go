package domain

// The access policy: every rule that depends on a role lives in this file,
// as a function of a Scope (or of role names, for account management), and
// templates reach the same rules through Can ({{if .Can.Approve}}), so that
// what a role may do is changed here and nowhere else. The route table
// (handlers/routes.go) names the roles allowed on each route; the rules here
// decide object by object.

// ReportsForOwnOrg reports whether the scope is a focal point of an
// organisation, who enters and sees the unapproved figures of that
// organisation only.
func (s Scope) ReportsForOwnOrg() bool { return s.Role == RoleFocalPoint && s.OrgID != 0 }

// CanContribute reports whether the scope may write the contribution note
// of supporting organisation orgID to an activity update: that
// organisation's focal points, the secretariat and administrators.
func (s Scope) CanContribute(orgID int64) bool {
	return s.Validates() || (s.Role == RoleFocalPoint && s.OrgID == orgID)
}

// ReadsApprovedOnly reports whether the scope sees only approved data of
// organisation orgID (0: of no organisation in particular): donors and
// facilitators always, focal points for other organisations than theirs.
func (s Scope) ReadsApprovedOnly(orgID int64) bool {
	switch s.Role {
	case RoleDonor, RoleFacilitator:
		return true
	case RoleFocalPoint:
		return orgID != 0 && !s.SeesUnapproved(orgID)
	}
	return false
}

// Can is the policy of one scope in the form templates ask it, with no
// arguments: {{if .Can.Approve}}. The zero value (nobody signed in) may
// do nothing.
type Can struct{ scope Scope }

// Can returns the scope's policy for templates.
func (s Scope) Can() Can { return Can{s} }

// Approve: validate what organisations submit (approve, return, reopen),
// see the queue, completeness and reminders.
func (c Can) Approve() bool { return c.scope.Validates() }

// Report: open the reporting pages (My reporting) to enter figures.
func (c Can) Report() bool { return c.scope.Validates() || c.scope.Role == RoleFocalPoint }

// EditPlan: create and edit plans.
func (c Can) EditPlan() bool { return c.scope.Validates() }

// Administer: users, organisations, reminders and the audit log.
func (c Can) Administer() bool { return c.scope.Validates() }

// IncludeUnapproved: ask reports for data not approved yet.
func (c Can) IncludeUnapproved() bool { return c.scope.Validates() }

// Validates reports whether the scope may approve, return and reopen.
func (s Scope) Validates() bool { return s.Role == RoleAdmin || s.Role == RoleSecretariat }

// CanReport reports whether the scope may enter and submit the values of an
// indicator reported by the given organisation.
func (s Scope) CanReport(reportingOrgID int64) bool {
	return s.Validates() || (s.ReportsForOwnOrg() && s.OrgID == reportingOrgID)
}

// SeesUnapproved reports whether the scope may see values of the given
// organisation that are not approved yet: its own organisation, and the
// secretariat and administrators. Donors and facilitators see approved data only.
func (s Scope) SeesUnapproved(reportingOrgID int64) bool {
	return s.Validates() || (s.ReportsForOwnOrg() && s.OrgID == reportingOrgID)
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

// MFARequired reports whether a role must use a second factor.
func MFARequired(role string) bool { return role == RoleAdmin || role == RoleSecretariat }

// Privileged reports whether a role manages accounts and validates data
// (administrators and the NAP secretariat): their high-value actions ask
// for a recent password check.
func Privileged(role string) bool { return role == RoleAdmin || role == RoleSecretariat }

// NeedsOrganisation reports whether a role must belong to an organisation.
func NeedsOrganisation(role string) bool { return role == RoleFocalPoint || role == RoleDonor }

// CanManageRole reports whether a manager with role manager may create,
// change, disable or grant accounts of role target: administrators every
// account, the secretariat only the accounts of the people it works with.
func CanManageRole(manager, target string) bool {
	switch manager {
	case RoleAdmin:
		return ValidRole(target)
	case RoleSecretariat:
		return target == RoleFocalPoint || target == RoleDonor || target == RoleFacilitator
	}
	return false
}

// GrantableRoles lists the roles a manager may give, most privileged first.
func GrantableRoles(manager string) []string {
	var out []string
	for _, r := range Roles {
		if CanManageRole(manager, r) {
			out = append(out, r)
		}
	}
	return out
}

// OnlyAdministrators is the rule of the actions only administrators may
// take on any account: resetting a lost second factor, ending every
// session of a person.
func OnlyAdministrators(manager, _ string) bool { return manager == RoleAdmin }
