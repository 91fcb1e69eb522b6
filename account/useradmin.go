package account

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/domain"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// InviteUser creates an account without a usable password (an empty hash
// never matches) and returns the one-time link token with which its owner
// sets one. Both, and their audit rows, are written in one transaction.
func InviteUser(ctx context.Context, db *gorm.DB, who domain.Caller, u *domain.User) (string, *domain.PasswordToken, error) {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	if domain.ValidRole(u.Role) && !domain.CanManageRole(who.Scope.Role, u.Role) {
		return "", nil, domain.ErrForbidden
	}
	var secret string
	var tok *domain.PasswordToken
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v := &domain.ValidationError{}
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || len(u.Email) > 254 {
			v.AddKey("email", "err.email")
		} else if _, err := FindUserByEmail(ctx, tx, u.Email); err == nil {
			v.AddKey("email", "err.email_taken")
		} else if !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		org, err := checkAccount(tx, v, u.Name, u.Role, u.OrganisationID, true)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		u.ID, u.PasswordHash, u.Version, u.DisabledAt = 0, "", 1, nil
		if err := tx.Create(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return domain.FieldError("email", "err.email_taken")
			}
			return err
		}
		if err := domain.Audit(tx, who.Actor, "user.create", "user", &u.ID, nil, nil, accountFacts(u, org), ""); err != nil {
			return err
		}
		secret, tok, err = createPasswordToken(tx, who.Actor, u.ID, who.Now)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// UserChange is what the edit form submits: the new name, role and
// organisation, and the version of the account the form was made from.
type UserChange struct {
	Name           string
	Role           string
	OrganisationID *int64
	Version        int
}

// UpdateUser changes an account's name, role and organisation. A change of
// role or organisation ends the person's sessions, so that a reduced
// privilege takes effect at once and a new one passes the sign-in (and
// second factor) it requires. Nobody may change their own role or organisation.
func UpdateUser(ctx context.Context, db *gorm.DB, who domain.Caller, id int64, ch UserChange) error {
	ch.Name = strings.TrimSpace(ch.Name)
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := loadUser(tx, id, true)
		if err != nil {
			return err
		}
		if !domain.CanManageRole(who.Scope.Role, u.Role) || (domain.ValidRole(ch.Role) && !domain.CanManageRole(who.Scope.Role, ch.Role)) {
			return domain.ErrForbidden
		}
		if ch.Version != u.Version {
			return staleUser(tx, u)
		}
		roleChanged, orgChanged := ch.Role != u.Role, !domain.SameID(ch.OrganisationID, u.OrganisationID)
		v := &domain.ValidationError{}
		if who.Is(u.ID) && roleChanged {
			v.AddKey("role", "err.own_role")
		}
		if who.Is(u.ID) && orgChanged {
			v.AddKey("organisation", "err.own_org")
		}
		org, err := checkAccount(tx, v, ch.Name, ch.Role, ch.OrganisationID, orgChanged)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if !roleChanged && !orgChanged && ch.Name == u.Name {
			return nil
		}
		oldOrg, err := findOrg(tx, u.OrganisationID)
		if err != nil {
			return err
		}
		if err := bumpUser(tx, u, map[string]any{"name": ch.Name, "role": ch.Role, "organisation_id": ch.OrganisationID}, who.Now); err != nil {
			return err
		}
		old := accountFacts(u, oldOrg)
		u.Name, u.Role, u.OrganisationID = ch.Name, ch.Role, ch.OrganisationID
		changed := accountFacts(u, org)
		delete(old, "email")
		delete(changed, "email")
		if roleChanged || orgChanged {
			n, err := EndUserSessions(ctx, tx, u.ID, EndRole, who.Now)
			if err != nil {
				return err
			}
			changed["sessions_ended"] = n
		}
		return domain.Audit(tx, who.Actor, "user.update", "user", &u.ID, nil, old, changed, "")
	})
}

// DisableUser disables an account: its sessions end in the same
// transaction, its API tokens stop working, and any unused set-password
// link expires. Nobody may disable their own account.
func DisableUser(ctx context.Context, db *gorm.DB, who domain.Caller, id int64, version int) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := loadUserFor(tx, who, id, domain.CanManageRole)
		if err != nil {
			return err
		}
		if who.Is(u.ID) {
			return domain.FieldError("status", "err.own_disable")
		}
		if version != u.Version {
			return staleUser(tx, u)
		}
		if u.Disabled() {
			return nil
		}
		if err := bumpUser(tx, u, map[string]any{"disabled_at": who.Now}, who.Now); err != nil {
			return err
		}
		n, err := EndUserSessions(ctx, tx, u.ID, EndDisabled, who.Now)
		if err != nil {
			return err
		}
		if err := expirePasswordTokens(tx, u.ID, who.Now); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "user.disable", "user", &u.ID, nil, nil, map[string]any{"sessions_ended": n}, "")
	})
}

// EnableUser lets a disabled account sign in again.
func EnableUser(ctx context.Context, db *gorm.DB, who domain.Caller, id int64, version int) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := loadUserFor(tx, who, id, domain.CanManageRole)
		if err != nil {
			return err
		}
		if version != u.Version {
			return staleUser(tx, u)
		}
		if !u.Disabled() {
			return nil
		}
		if err := bumpUser(tx, u, map[string]any{"disabled_at": nil}, who.Now); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "user.enable", "user", &u.ID, nil, nil, nil, "")
	})
}

// EndAllUserSessions signs a person out everywhere (a lost laptop, a
// suspected break-in). Only administrators may; it returns how many sessions ended.
func EndAllUserSessions(ctx context.Context, db *gorm.DB, who domain.Caller, id int64) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := loadUserFor(tx, who, id, domain.OnlyAdministrators)
		if err != nil {
			return err
		}
		if n, err = EndUserSessions(ctx, tx, u.ID, EndByAdmin, who.Now); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "user.sessions_end", "user", &u.ID, nil, nil, map[string]any{"sessions_ended": n}, "")
	})
	return n, err
}

// checkAccount adds to v what is wrong with an account's name, role and
// organisation, and returns the organisation (nil for none). Focal points
// report for a ministry, agency or civil-society organisation; donors
// belong to a development partner or an international organisation.
func checkAccount(tx *gorm.DB, v *domain.ValidationError, name, role string, orgID *int64, orgChanged bool) (*domain.Organisation, error) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		v.AddKey("name", "err.person_name")
	case n > 200:
		v.AddKey("name", "err.name_200")
	}
	if !domain.ValidRole(role) {
		v.AddKey("role", "err.role")
	}
	if orgID == nil {
		if domain.NeedsOrganisation(role) {
			v.AddKey("organisation", "err.org_needed")
		}
		return nil, nil
	}
	org, err := findOrg(tx, orgID)
	if err != nil {
		return nil, err
	}
	switch {
	case org == nil:
		v.AddKey("organisation", "err.org_missing")
	case orgChanged && org.ArchivedAt != nil:
		v.AddKey("organisation", "err.org_archived_other")
	case role == domain.RoleFocalPoint && org.Type != domain.OrgMinistry && org.Type != domain.OrgAgency && org.Type != domain.OrgCSO:
		v.AddKey("organisation", "err.focal_org")
	case role == domain.RoleDonor && org.Type != domain.OrgPartner && org.Type != domain.OrgInternational:
		v.AddKey("organisation", "err.donor_org")
	}
	return org, nil
}

// findOrg loads an organisation by id; nil, nil for a nil id or none.
func findOrg(tx *gorm.DB, id *int64) (*domain.Organisation, error) {
	if id == nil {
		return nil, nil
	}
	var o domain.Organisation
	err := tx.Take(&o, *id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &o, err
}

// loadUser loads a user, locking its row (on PostgreSQL) when lock is set so
// that changes to one account take turns.
func loadUser(tx *gorm.DB, id int64, lock bool) (*domain.User, error) {
	var u domain.User
	q := tx
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(&u, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.ErrNotFound
	}
	return &u, err
}

// bumpUser writes changes to a user read at u.Version and bumps the
// version; a concurrent change in between makes it ErrStale.
func bumpUser(tx *gorm.DB, u *domain.User, changes map[string]any, now time.Time) error {
	changes["version"] = gorm.Expr("version + 1")
	changes["updated_at"] = now
	res := tx.Model(&domain.User{}).Where("id = ? AND version = ?", u.ID, u.Version).Updates(changes)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return staleUser(tx, u)
	}
	return nil
}

// staleUser is ErrStale with who last changed the account and when.
func staleUser(tx *gorm.DB, u *domain.User) error {
	e := &domain.StaleError{Current: u.Version, ChangedAt: u.UpdatedAt}
	var last domain.AuditEntry
	if err := tx.Where("entity_type = ? AND entity_id = ?", "user", u.ID).Order("id DESC").Take(&last).Error; err == nil {
		e.ChangedBy, e.ChangedAt = last.Actor, last.OccurredAt
	}
	return e
}

// accountFacts are the fields of an account the audit log records.
func accountFacts(u *domain.User, org *domain.Organisation) map[string]any {
	f := map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "organisation_id": u.OrganisationID}
	if org != nil {
		f["organisation"] = org.Acronym
	}
	return f
}

// loadUserFor loads the account a manager acts on, or returns ErrForbidden
// when may (a rule of the access policy) refuses the manager's role that
// account's role.
func loadUserFor(tx *gorm.DB, who domain.Caller, id int64, may func(manager, target string) bool) (*domain.User, error) {
	u, err := loadUser(tx, id, true)
	if err != nil {
		return nil, err
	}
	if !may(who.Scope.Role, u.Role) {
		return nil, domain.ErrForbidden
	}
	return u, nil
}
