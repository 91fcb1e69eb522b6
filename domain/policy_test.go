package domain_test

import (
	"testing"

	"naptracker/domain"
)

// TestCanMatchesTheRoles pins what each role may do as templates ask it
// (.Can.…), the rules the templates used to spell out with role names.
func TestCanMatchesTheRoles(t *testing.T) {
	for _, tt := range []struct {
		role                                                     string
		approve, report, editPlan, administer, includeUnapproved bool
	}{
		{domain.RoleAdmin, true, true, true, true, true},
		{domain.RoleSecretariat, true, true, true, true, true},
		{domain.RoleFocalPoint, false, true, false, false, false},
		{domain.RoleDonor, false, false, false, false, false},
		{domain.RoleFacilitator, false, false, false, false, false},
	} {
		c := domain.Scope{UserID: 1, Role: tt.role, OrgID: 7}.Can()
		got := []bool{c.Approve(), c.Report(), c.EditPlan(), c.Administer(), c.IncludeUnapproved()}
		want := []bool{tt.approve, tt.report, tt.editPlan, tt.administer, tt.includeUnapproved}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: Can %v, want %v (approve, report, edit plan, administer, include unapproved)", tt.role, got, want)
				break
			}
		}
	}
	if c := (domain.Can{}); c.Approve() || c.Report() || c.Administer() {
		t.Error("nobody signed in may do something")
	}
}
