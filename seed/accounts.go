package seed

import (
	"context"
	"fmt"

	"naptracker/models"

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
	{"admin@nap.example", "Demo administrator", models.RoleAdmin, ""},
	{"secretariat@nap.example", "Demo secretariat officer", models.RoleSecretariat, ""},
	{"focal.molsw@nap.example", "Demo focal point (MOLSW)", models.RoleFocalPoint, "MOLSW"},
	{"donor@nap.example", "Demo development partner", models.RoleDonor, "partner"},
	{"facilitator@nap.example", "Demo workshop facilitator", models.RoleFacilitator, ""},
}

// DemoAccounts creates one account per role with a random password and
// returns the credentials, to be printed once. It does nothing and returns
// nil when any user already exists, so that no account is ever created with
// a known password on a database that is in use.
func DemoAccounts(ctx context.Context, db *gorm.DB) ([]Credential, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&models.User{}).Count(&n).Error; err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, nil
	}
	var out []Credential
	for _, a := range demoAccounts {
		u := models.User{Email: a.email, Name: a.name, Role: a.role}
		var org *models.Organisation
		switch a.org {
		case "":
		case "partner":
			var p models.Organisation
			if err := db.WithContext(ctx).Where("type = ?", models.OrgPartner).Order("acronym").Take(&p).Error; err != nil {
				return nil, fmt.Errorf("demo donor account: no development partner: %w", err)
			}
			org = &p
		default:
			o, err := models.FindOrganisationByAcronym(ctx, db, a.org)
			if err != nil {
				return nil, fmt.Errorf("demo account %s: organisation %s: %w", a.email, a.org, err)
			}
			org = o
		}
		if org != nil {
			u.OrganisationID = &org.ID
		}
		pw := models.RandomPassword(16)
		if err := models.CreateUser(ctx, db, models.SystemActor, &u, pw); err != nil {
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
