package seed

import (
	"context"
	"fmt"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/planning"

	"gorm.io/gorm"
)

// Credential is a demo account's e-mail and its one-time printed password.
type Credential struct {
	Email    string
	Role     string
	Org      string
	Password string
}

// demoAccount describes one demo account; Org is an acronym or "" for none,
// "partner" for the first development partner.
type demoAccount struct {
	email, name, role, org string
}

var demoAccounts = []demoAccount{
	{"admin@nap.example", "Demo administrator", domain.RoleAdmin, ""},
	{"secretariat@nap.example", "Demo secretariat officer", domain.RoleSecretariat, ""},
	{"focal.molsw@nap.example", "Demo focal point (MOLSW)", domain.RoleFocalPoint, "MOLSW"},
	{"donor@nap.example", "Demo development partner", domain.RoleDonor, "partner"},
	{"facilitator@nap.example", "Demo workshop facilitator", domain.RoleFacilitator, ""},
}

// DemoAccounts creates one account per role with a random password and
// returns the credentials, to be printed once. It does nothing and returns
// nil when any user already exists, so that no account is ever created with
// a known password on a database that is in use.
func DemoAccounts(ctx context.Context, db *gorm.DB) ([]Credential, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&domain.User{}).Count(&n).Error; err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, nil
	}
	var out []Credential
	for _, a := range demoAccounts {
		u := domain.User{Email: a.email, Name: a.name, Role: a.role}
		var org *domain.Organisation
		switch a.org {
		case "":
		case "partner":
			var p domain.Organisation
			if err := db.WithContext(ctx).Where("type = ?", domain.OrgPartner).Order("acronym").Take(&p).Error; err != nil {
				return nil, fmt.Errorf("demo donor account: no development partner: %w", err)
			}
			org = &p
		default:
			o, err := planning.FindOrganisationByAcronym(ctx, db, a.org)
			if err != nil {
				return nil, fmt.Errorf("demo account %s: organisation %s: %w", a.email, a.org, err)
			}
			org = o
		}
		if org != nil {
			u.OrganisationID = &org.ID
		}
		pw := account.RandomPassword(16)
		if err := account.CreateUser(ctx, db, domain.SystemActor, &u, pw); err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.email, err)
		}
		c := Credential{Email: u.Email, Role: u.Role, Password: pw}
		if org != nil {
			c.Org = org.Acronym
		}
		out = append(out, c)
	}
	return out, nil
}
