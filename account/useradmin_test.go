package account_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// uaFixture is a database with one organisation of each kind and an
// administrator and a secretariat member to act.
type uaFixture struct {
	db                         *gorm.DB
	ctx                        context.Context
	now                        time.Time
	ministry, partner          *domain.Organisation
	admin, secretariat         *domain.User
	asAdmin, asSecretariat     domain.Caller
	adminActor, secretaryActor domain.Actor
}

func newUAFixture(t *testing.T) *uaFixture {
	t.Helper()
	f := &uaFixture{db: storetest.New(t), ctx: context.Background(), now: time.Now().UTC()}
	f.ministry = &domain.Organisation{Acronym: "MOLSW", Name: "Ministry of Labour and Social Welfare", Type: domain.OrgMinistry, Version: 1}
	f.partner = &domain.Organisation{Acronym: "APJP", Name: "Asia Partnership for Justice", Type: domain.OrgPartner, Version: 1}
	for _, o := range []*domain.Organisation{f.ministry, f.partner} {
		if err := f.db.Create(o).Error; err != nil {
			t.Fatal(err)
		}
	}
	f.admin = f.user(t, domain.RoleAdmin, nil)
	f.secretariat = f.user(t, domain.RoleSecretariat, nil)
	f.adminActor = domain.Actor{UserID: &f.admin.ID, Name: f.admin.Email}
	f.secretaryActor = domain.Actor{UserID: &f.secretariat.ID, Name: f.secretariat.Email}
	f.asAdmin = domain.Caller{Actor: f.adminActor, Scope: domain.ScopeOf(f.admin), Now: f.now}
	f.asSecretariat = domain.Caller{Actor: f.secretaryActor, Scope: domain.ScopeOf(f.secretariat), Now: f.now}
	return f
}

func (f *uaFixture) user(t *testing.T, role string, org *domain.Organisation) *domain.User {
	t.Helper()
	u := &domain.User{Email: fmt.Sprintf("%s.%s@test.example", role, account.RandomPassword(6)), Name: "Test " + role, Role: role}
	if org != nil {
		u.OrganisationID = &org.ID
	}
	if err := storetest.CreateUser(f.ctx, f.db, domain.SystemActor, u, "a long test password"); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *uaFixture) reload(t *testing.T, id int64) *domain.User {
	t.Helper()
	u, err := account.FindUser(f.ctx, f.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *uaFixture) session(t *testing.T, u *domain.User) *account.Session {
	t.Helper()
	_, s, err := account.CreateSession(f.ctx, f.db, account.DefaultSessionPolicy, u, true, "127.0.0.1", "test", f.now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *uaFixture) liveSessions(t *testing.T, userID int64) int64 {
	t.Helper()
	var n int64
	if err := f.db.Model(&account.Session{}).Where("user_id = ? AND ended_at IS NULL", userID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// auditActor returns the actor of the latest audit row of an action about a user.
func (f *uaFixture) auditActor(t *testing.T, action string, userID int64) *int64 {
	t.Helper()
	var e domain.AuditEntry
	if err := f.db.Where("action = ? AND entity_type = 'user' AND entity_id = ?", action, userID).Order("id DESC").Take(&e).Error; err != nil {
		t.Fatalf("no audit row %s for user %d: %v", action, userID, err)
	}
	return e.UserID
}

func fieldMsg(err error, field string) string {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields[field]
	}
	return ""
}

func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("passwords/common.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "MIT") || !strings.Contains(string(raw), "trustelem/zxcvbn") {
		t.Error("the list does not say where it comes from and under which licence")
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		n++
		if line != strings.ToLower(line) || utf8.RuneCountInString(line) < account.MinPasswordLen {
			t.Fatalf("entry %q is not lower case or is shorter than the minimum", line)
		}
		if n%997 == 0 && !account.IsCommonPassword(strings.ToUpper(line)) {
			t.Errorf("%q is on the list but not refused", line)
		}
	}
	if n < 10000 {
		t.Errorf("the list has %d passwords, want at least 10,000", n)
	}
}

func TestPasswordRules(t *testing.T) {
	t.Parallel()
	// A Lao passphrase of exactly 128 characters (far more bytes).
	lao := string([]rune(strings.Repeat("ສະບາຍດີ ປະເທດລາວ ", 20))[:account.MaxPasswordLen])
	tests := []struct {
		pw   string
		want string // part of the message, "" for accepted
	}{
		{"password123", "most common"},
		{"iloveyou1", "most common"},
		{"PassWord123", "most common"},
		{"seven77", "between 8 and 128"},
		{"ສະບາຍດີ", "between 8 and 128"}, // 7 characters, 21 bytes
		{lao, ""},
		{lao + "x", "between 8 and 128"},
		{"mango river cloud", ""},
		{"Tr0ub4dor&3x", ""},
	}
	for _, tt := range tests {
		got := account.CheckPasswordRules(tt.pw)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("CheckPasswordRules(%q) = %q, want a message with %q", tt.pw, got, tt.want)
		}
	}
}

func TestInviteAndOneTimeLink(t *testing.T) {
	t.Parallel()
	f := newUAFixture(t)
	u := &domain.User{Email: " Somchai@Molsw.Example ", Name: "Somchai", Role: domain.RoleFocalPoint, OrganisationID: &f.ministry.ID}
	secret, tok, err := account.InviteUser(f.ctx, f.db, f.asSecretariat, u)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "somchai@molsw.example" || u.AccountStatus() != domain.AccountInvited || u.PasswordHash != "" {
		t.Fatalf("invited user = %q status %s", u.Email, u.AccountStatus())
	}
	if tok.TokenHash == secret || tok.TokenHash != account.HashSecret(secret) || !tok.ExpiresAt.Equal(f.now.Add(72*time.Hour)) {
		t.Errorf("token stored as %q, expires %v", tok.TokenHash, tok.ExpiresAt)
	}
	if *f.auditActor(t, "user.create", u.ID) != f.secretariat.ID || *f.auditActor(t, "user.password_link", u.ID) != f.secretariat.ID {
		t.Error("the creation is not audited with its actor")
	}
	// A taken e-mail address is a field error, whatever its case.
	again := &domain.User{Email: "SOMCHAI@molsw.example", Name: "Other", Role: domain.RoleFacilitator}
	if _, _, err := account.InviteUser(f.ctx, f.db, f.asSecretariat, again); fieldMsg(err, "email") == "" {
		t.Errorf("a taken e-mail address gives %v", err)
	}

	// A new link replaces the first one.
	secret2, _, err := account.CreatePasswordToken(f.ctx, f.db, f.asSecretariat, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := account.PasswordTokenUser(f.ctx, f.db, secret, f.now); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the replaced link still works: %v", err)
	}
	if _, err := account.UsePasswordToken(f.ctx, f.db, domain.Caller{Actor: domain.Actor{}, Now: f.now}, secret2, "iloveyou1"); fieldMsg(err, "password") == "" {
		t.Errorf("a common password was accepted: %v", err)
	}
	f.session(t, u) // as if they had signed in before (a reset)
	if _, err := account.UsePasswordToken(f.ctx, f.db, domain.Caller{Actor: domain.Actor{}, Now: f.now}, secret2, "mango river cloud"); err != nil {
		t.Fatal(err)
	}
	got := f.reload(t, u.ID)
	if !account.CheckPassword(got.PasswordHash, "mango river cloud") || got.PasswordChangedAt == nil || got.AccountStatus() != domain.AccountActive {
		t.Error("the password was not set")
	}
	if f.liveSessions(t, u.ID) != 0 {
		t.Error("setting the password left a session open")
	}
	if *f.auditActor(t, "user.password_set", u.ID) != u.ID {
		t.Error("the password change is not audited as the person's own")
	}
	if _, err := account.UsePasswordToken(f.ctx, f.db, domain.Caller{Actor: domain.Actor{}, Now: f.now}, secret2, "another good phrase"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a link worked twice: %v", err)
	}

	// Links expire after 72 hours.
	secret3, _, err := account.CreatePasswordToken(f.ctx, f.db, f.asAdmin, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := account.UsePasswordToken(f.ctx, f.db, domain.Caller{Actor: domain.Actor{}, Now: f.now.Add(72*time.Hour + time.Second)}, secret3, "another good phrase"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("an expired link worked: %v", err)
	}
	// Managers cannot make links for themselves.
	if _, _, err := account.CreatePasswordToken(f.ctx, f.db, f.asAdmin, f.admin.ID); fieldMsg(err, "password_link") == "" {
		t.Errorf("an administrator made a link for their own account: %v", err)
	}
}

func TestManagerPrivileges(t *testing.T) {
	t.Parallel()
	f := newUAFixture(t)
	otherAdmin := f.user(t, domain.RoleAdmin, nil)
	fp := f.user(t, domain.RoleFocalPoint, f.ministry)

	for _, role := range []string{domain.RoleAdmin, domain.RoleSecretariat} {
		u := &domain.User{Email: role + "@new.example", Name: "New", Role: role}
		if _, _, err := account.InviteUser(f.ctx, f.db, f.asSecretariat, u); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("the secretariat invited a %s: %v", role, err)
		}
	}
	change := account.UserChange{Name: "Renamed", Role: domain.RoleAdmin, Version: otherAdmin.Version}
	if err := account.UpdateUser(f.ctx, f.db, f.asSecretariat, otherAdmin.ID, change); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("the secretariat edited an administrator: %v", err)
	}
	if err := account.DisableUser(f.ctx, f.db, f.asSecretariat, otherAdmin.ID, otherAdmin.Version); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("the secretariat disabled an administrator: %v", err)
	}
	promote := account.UserChange{Name: fp.Name, Role: domain.RoleSecretariat, Version: fp.Version}
	if err := account.UpdateUser(f.ctx, f.db, f.asSecretariat, fp.ID, promote); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("the secretariat promoted a focal point: %v", err)
	}
	if _, err := account.EndAllUserSessions(f.ctx, f.db, f.asSecretariat, fp.ID); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("the secretariat ended someone's sessions: %v", err)
	}
	if got := f.reload(t, otherAdmin.ID); got.Name != otherAdmin.Name || got.Disabled() || got.Version != otherAdmin.Version {
		t.Error("a refused change changed the administrator")
	}
	if got := f.reload(t, fp.ID); got.Role != domain.RoleFocalPoint {
		t.Error("a refused promotion changed the role")
	}

	// Nobody changes their own role or disables themselves.
	self := account.UserChange{Name: f.admin.Name, Role: domain.RoleFacilitator, Version: f.admin.Version}
	if err := account.UpdateUser(f.ctx, f.db, f.asAdmin, f.admin.ID, self); fieldMsg(err, "role") == "" {
		t.Errorf("an administrator changed their own role: %v", err)
	}
	if err := account.DisableUser(f.ctx, f.db, f.asAdmin, f.admin.ID, f.admin.Version); fieldMsg(err, "status") == "" {
		t.Errorf("an administrator disabled themselves: %v", err)
	}

	// Organisations must fit the role.
	toPartner := account.UserChange{Name: fp.Name, Role: domain.RoleFocalPoint, OrganisationID: &f.partner.ID, Version: fp.Version}
	if err := account.UpdateUser(f.ctx, f.db, f.asSecretariat, fp.ID, toPartner); fieldMsg(err, "organisation") == "" {
		t.Errorf("a focal point was moved to a development partner: %v", err)
	}
	donor := &domain.User{Email: "donor@new.example", Name: "Donor", Role: domain.RoleDonor, OrganisationID: &f.ministry.ID}
	if _, _, err := account.InviteUser(f.ctx, f.db, f.asSecretariat, donor); fieldMsg(err, "organisation") == "" {
		t.Errorf("a donor was created in a ministry: %v", err)
	}

	// The administrator may do what the secretariat may not; the role
	// change ends the person's sessions and is audited old → new.
	f.session(t, otherAdmin)
	demote := account.UserChange{Name: "Former admin", Role: domain.RoleFacilitator, Version: otherAdmin.Version}
	if err := account.UpdateUser(f.ctx, f.db, f.asAdmin, otherAdmin.ID, demote); err != nil {
		t.Fatal(err)
	}
	got := f.reload(t, otherAdmin.ID)
	if got.Role != domain.RoleFacilitator || got.Name != "Former admin" || got.Version != otherAdmin.Version+1 {
		t.Errorf("after the update: %+v", got)
	}
	if f.liveSessions(t, otherAdmin.ID) != 0 {
		t.Error("a role change left the person's session open")
	}
	var e domain.AuditEntry
	f.db.Where("action = 'user.update' AND entity_id = ?", otherAdmin.ID).Take(&e)
	if !strings.Contains(e.OldValue, `"role":"admin"`) || !strings.Contains(e.NewValue, `"role":"facilitator"`) || *e.UserID != f.admin.ID {
		t.Errorf("audit of the update: old %s new %s", e.OldValue, e.NewValue)
	}

	// The form's version must be the current one.
	if err := account.UpdateUser(f.ctx, f.db, f.asAdmin, otherAdmin.ID, demote); !errors.Is(err, domain.ErrStale) {
		t.Errorf("a stale version gives %v", err)
	}
}

func TestDisableAndEnable(t *testing.T) {
	t.Parallel()
	f := newUAFixture(t)
	fp := f.user(t, domain.RoleFocalPoint, f.ministry)
	f.session(t, fp)
	if _, _, err := account.CreatePasswordToken(f.ctx, f.db, f.asSecretariat, fp.ID); err != nil {
		t.Fatal(err)
	}
	if err := account.DisableUser(f.ctx, f.db, f.asSecretariat, fp.ID, fp.Version); err != nil {
		t.Fatal(err)
	}
	got := f.reload(t, fp.ID)
	if !got.Disabled() || got.AccountStatus() != domain.AccountDisabled || f.liveSessions(t, fp.ID) != 0 {
		t.Error("disabling left the account usable")
	}
	var live int64
	f.db.Model(&domain.PasswordToken{}).Where("user_id = ? AND expires_at > ?", fp.ID, f.now).Count(&live)
	if live != 0 {
		t.Error("disabling left a set-password link working")
	}
	if *f.auditActor(t, "user.disable", fp.ID) != f.secretariat.ID {
		t.Error("disabling is not audited")
	}
	if err := account.EnableUser(f.ctx, f.db, f.asSecretariat, fp.ID, fp.Version); !errors.Is(err, domain.ErrStale) {
		t.Errorf("enabling with the version from before disabling gives %v", err)
	}
	if err := account.EnableUser(f.ctx, f.db, f.asSecretariat, fp.ID, got.Version); err != nil {
		t.Fatal(err)
	}
	if f.reload(t, fp.ID).Disabled() || *f.auditActor(t, "user.enable", fp.ID) != f.secretariat.ID {
		t.Error("enabling did not enable, or is not audited")
	}
	f.session(t, fp)
	if n, err := account.EndAllUserSessions(f.ctx, f.db, f.asAdmin, fp.ID); err != nil || n != 1 {
		t.Errorf("ending all sessions ended %d: %v", n, err)
	}
	if f.auditActor(t, "user.sessions_end", fp.ID) == nil {
		t.Error("ending the sessions is not audited")
	}
}

func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	f := newUAFixture(t)
	fp := f.user(t, domain.RoleFocalPoint, f.ministry)
	here, elsewhere := f.session(t, fp), f.session(t, fp)
	actor := domain.Actor{UserID: &fp.ID, Name: fp.Email}
	err := account.ChangeOwnPassword(f.ctx, f.db, domain.Caller{Actor: actor, Now: f.now}, fp.ID, "not my password", "password123", here.ID)
	if fieldMsg(err, "current") == "" || fieldMsg(err, "password") == "" {
		t.Fatalf("a wrong current password and a common new one give %v", err)
	}
	if err := account.ChangeOwnPassword(f.ctx, f.db, domain.Caller{Actor: actor, Now: f.now}, fp.ID, "a long test password", "mango river cloud", here.ID); err != nil {
		t.Fatal(err)
	}
	if !account.CheckPassword(f.reload(t, fp.ID).PasswordHash, "mango river cloud") {
		t.Error("the password did not change")
	}
	var s account.Session
	f.db.Take(&s, elsewhere.ID)
	if s.EndedAt == nil || s.EndedReason != account.EndPassword {
		t.Error("the other session is still open")
	}
	var mine account.Session
	f.db.Take(&mine, here.ID)
	if mine.EndedAt != nil || mine.ID == 0 {
		t.Error("the session that changed the password was ended")
	}
	if *f.auditActor(t, "user.password_set", fp.ID) != fp.ID {
		t.Error("the change is not audited")
	}
}

func TestListUsersUsesAFixedNumberOfQueries(t *testing.T) {
	t.Parallel()
	f := newUAFixture(t)
	f.user(t, domain.RoleFocalPoint, f.ministry)
	f.user(t, domain.RoleDonor, f.partner)
	c := storetest.CountQueries(f.db)
	count := func() (int64, int) {
		c.Reset()
		list, err := account.ListUsers(f.ctx, f.db, account.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range list {
			if it.OrganisationID != nil && it.Organisation == nil {
				t.Errorf("%s has no organisation loaded", it.Email)
			}
		}
		return c.N(), len(list)
	}
	small, n1 := count()
	for i := 0; i < 50; i++ {
		if i%2 == 0 {
			f.user(t, domain.RoleDonor, f.partner)
		} else {
			f.user(t, domain.RoleFocalPoint, f.ministry)
		}
	}
	large, n2 := count()
	if n2 != n1+50 || small != large || small > 2 {
		t.Errorf("listing %d users took %d queries, %d users %d", n1, small, n2, large)
	}
	only, err := account.ListUsers(f.ctx, f.db, account.UserFilter{Role: domain.RoleDonor, OrganisationID: f.partner.ID})
	if err != nil || len(only) != 26 {
		t.Errorf("filtered list has %d users: %v", len(only), err)
	}
}
