package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/store/storetest"
)

func umOrgID(t *testing.T, env *apptest.Env, acronym string) string {
	t.Helper()
	o, err := planning.FindOrganisationByAcronym(context.Background(), env.App.DB, acronym)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(o.ID, 10)
}

func umReload(t *testing.T, env *apptest.Env, id int64) *domain.User {
	t.Helper()
	u, err := account.FindUser(context.Background(), env.App.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// umAuditActor returns the acting user of the latest audit row of an action about an account.
func umAuditActor(t *testing.T, env *apptest.Env, action string, userID int64) int64 {
	t.Helper()
	var e domain.AuditEntry
	if err := env.App.DB.Where("action = ? AND entity_type = 'user' AND entity_id = ?", action, userID).Order("id DESC").Take(&e).Error; err != nil {
		t.Fatalf("no %s audit row for user %d", action, userID)
	}
	if e.UserID == nil {
		t.Fatalf("the %s audit row has no actor", action)
	}
	return *e.UserID
}

func umPath(u *domain.User, suffix string) string {
	return "/users/" + strconv.FormatInt(u.ID, 10) + suffix
}

func umContains(t *testing.T, r *apptest.Response, texts ...string) {
	t.Helper()
	body := html.UnescapeString(r.Body)
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s %s: the page does not say %q", r.Request.Method, r.Request.URL.Path, s)
		}
	}
}

var umLink = regexp.MustCompile(`/set-password/([A-Za-z0-9_-]{20,})`)

func TestSecretariatInvitesAFocalPointWhoSetsAPassword(t *testing.T) {
	t.Parallel()
	env, sec, b := newSignedIn(t, domain.RoleSecretariat, "")

	form := b.Get("/users/new")
	mustStatus(t, form, http.StatusOK)
	if strings.Contains(form.Body, `value="admin"`) || strings.Contains(form.Body, `value="secretariat"`) {
		t.Error("the secretariat is offered roles it may not grant")
	}
	r := b.Post("/users", url.Values{"email": {"Khamla@molsw.example"}, "name": {"Khamla Vongsa"},
		"role": {domain.RoleFocalPoint}, "organisation": {umOrgID(t, env, "MOLSW")}})
	mustStatus(t, r, http.StatusOK)
	m := umLink.FindStringSubmatch(r.Body)
	if m == nil || !strings.Contains(r.Body, env.Config.BaseURL+"/set-password/"+m[1]) {
		t.Fatalf("no set-password link on the page:\n%.2000s", r.Body)
	}
	umContains(t, r, "trusted channel", "cannot send e-mail yet", "shown only this once")
	token := m[1]
	var stored int64
	env.App.DB.Model(&domain.PasswordToken{}).Where("token_hash = ?", token).Count(&stored)
	if stored != 0 {
		t.Error("the database stores the link token itself")
	}
	u, err := account.FindUserByEmail(context.Background(), env.App.DB, "khamla@molsw.example")
	if err != nil {
		t.Fatal(err)
	}
	list := b.Get("/users?role=focal_point")
	umContains(t, list, "Khamla Vongsa", "invited: no password yet")

	// The person opens the link: the form, then the password rules.
	p := env.Client(t)
	mustStatus(t, p.Get("/set-password/"+token), http.StatusOK)
	for _, tt := range []struct{ pw, repeat, msg string }{
		{"password123", "password123", "most common passwords"},
		{"iloveyou1", "iloveyou1", "most common passwords"},
		{"seven77", "seven77", "between 8 and 128 characters"},
		{"mango river cloud", "mango river clouds", "The two passwords are not the same."},
	} {
		r := p.Post("/set-password/"+token, url.Values{"password": {tt.pw}, "repeat": {tt.repeat}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		umContains(t, r, tt.msg)
	}
	r = p.Post("/set-password/"+token, url.Values{"password": {"mango river cloud"}, "repeat": {"mango river cloud"}})
	mustStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/login?flash=flash.password_set" {
		t.Errorf("after setting the password, Location = %q", loc)
	}
	umContains(t, p.Get("/login?flash=flash.password_set"), "Your password is set")

	// The link works once.
	again := p.Get("/set-password/" + token)
	mustStatus(t, again, http.StatusNotFound)
	umContains(t, again, "This link does not work", "ask the NAP secretariat or your administrator for a new link")
	mustStatus(t, p.Post("/set-password/"+token, url.Values{"password": {"another phrase here"}, "repeat": {"another phrase here"}}), http.StatusNotFound)

	// The person signs in with the new password.
	if r := env.Client(t).Login("khamla@molsw.example", "mango river cloud"); r.StatusCode != http.StatusSeeOther || redirectsToLogin(r) {
		t.Fatalf("sign-in with the new password = %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if umAuditActor(t, env, "user.create", u.ID) != sec.ID || umAuditActor(t, env, "user.password_link", u.ID) != sec.ID {
		t.Error("the creation is not audited with the secretariat as actor")
	}
	if umAuditActor(t, env, "user.password_set", u.ID) != u.ID {
		t.Error("setting the password is not audited as the person's own act")
	}
	umContains(t, b.Get(umPath(u, "")), "account created", "set-password link made", "password set")
}

func TestCreateUserShowsFieldMessages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.User(t, domain.RoleAdmin, "")
	taken := env.User(t, domain.RoleFacilitator, "")
	b := env.SignedIn(t, admin)
	tests := []struct {
		form url.Values
		msgs []string
	}{
		{url.Values{"email": {"not an address"}, "name": {""}, "role": {"king"}},
			[]string{"Enter a valid e-mail address.", "Enter the person", "Choose one of the roles offered."}},
		{url.Values{"email": {strings.ToUpper(taken.Email)}, "name": {"Again"}, "role": {domain.RoleFacilitator}},
			[]string{"A user with this e-mail address already exists."}},
		{url.Values{"email": {"fp@apjp.example"}, "name": {"Partner focal"}, "role": {domain.RoleFocalPoint}, "organisation": {umOrgID(t, env, "APJP")}},
			[]string{"A focal point reports for a ministry"}},
		{url.Values{"email": {"donor@mops.example"}, "name": {"Ministry donor"}, "role": {domain.RoleDonor}, "organisation": {umOrgID(t, env, "MOPS")}},
			[]string{"A donor account belongs to a development partner"}},
		{url.Values{"email": {"fp@none.example"}, "name": {"Nobody's focal"}, "role": {domain.RoleFocalPoint}},
			[]string{"This role belongs to one organisation"}},
	}
	for _, tt := range tests {
		r := b.Post("/users", tt.form)
		mustStatus(t, r, http.StatusUnprocessableEntity)
		umContains(t, r, tt.msgs...)
		if !strings.Contains(r.Body, `value="`+html.EscapeString(tt.form.Get("email"))+`"`) {
			t.Errorf("the refused form does not keep the e-mail address %q", tt.form.Get("email"))
		}
	}
	var invited int64
	env.App.DB.Model(&domain.User{}).Where("password_hash = ''").Count(&invited)
	if invited != 0 {
		t.Errorf("refused forms created %d accounts", invited)
	}
}

func TestSecretariatCannotTouchAdministrators(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := env.User(t, domain.RoleSecretariat, "")
	admin := env.User(t, domain.RoleAdmin, "")
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	b := env.SignedIn(t, sec)
	var before int64
	env.App.DB.Model(&domain.User{}).Count(&before)

	for _, role := range []string{domain.RoleAdmin, domain.RoleSecretariat} {
		r := b.Post("/users", url.Values{"email": {role + "@new.example"}, "name": {"New"}, "role": {role}})
		mustStatus(t, r, http.StatusForbidden)
	}
	// The secretariat may look at an administrator's account, not change it.
	view := b.Get(umPath(admin, ""))
	mustStatus(t, view, http.StatusOK)
	umContains(t, view, "Only an administrator can change this account.")
	if strings.Contains(view.Body, `action="`+umPath(admin, "/disable")+`"`) {
		t.Error("the read-only page offers to disable the administrator")
	}
	v := strconv.Itoa(admin.Version)
	mustStatus(t, b.Post(umPath(admin, ""), url.Values{"name": {"Renamed"}, "role": {domain.RoleFacilitator}, "version": {v}}), http.StatusForbidden)
	mustStatus(t, b.Post(umPath(admin, "/disable"), url.Values{"version": {v}}), http.StatusForbidden)
	mustStatus(t, b.Post(umPath(admin, "/password-link"), nil), http.StatusForbidden)
	mustStatus(t, b.Post(umPath(admin, "/sessions/end"), nil), http.StatusForbidden)
	fv := strconv.Itoa(fp.Version)
	mustStatus(t, b.Post(umPath(fp, ""), url.Values{"name": {fp.Name}, "role": {domain.RoleSecretariat}, "version": {fv}}), http.StatusForbidden)

	var escalations int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = 'access.denied' AND user_id = ? AND new_value LIKE ?", sec.ID, `%"requested_role"%`).Count(&escalations)
	if escalations < 3 {
		t.Errorf("%d refused escalations in the security log, want the 3 attempts", escalations)
	}
	var after int64
	env.App.DB.Model(&domain.User{}).Count(&after)
	got, gotFP := umReload(t, env, admin.ID), umReload(t, env, fp.ID)
	if after != before || got.Name != admin.Name || got.Role != domain.RoleAdmin || got.Disabled() || got.Version != admin.Version || gotFP.Role != domain.RoleFocalPoint {
		t.Error("a refused request changed the database")
	}
	var links int64
	env.App.DB.Model(&domain.PasswordToken{}).Where("user_id = ?", admin.ID).Count(&links)
	if links != 0 {
		t.Error("the secretariat made a set-password link for an administrator")
	}

	// An administrator may do all of it.
	a := env.SignedIn(t, env.User(t, domain.RoleAdmin, ""))
	mustStatus(t, a.Post("/users", url.Values{"email": {"admin2@new.example"}, "name": {"Second admin"}, "role": {domain.RoleAdmin}}), http.StatusOK)
	mustStatus(t, a.Post(umPath(admin, ""), url.Values{"name": {"Renamed"}, "role": {domain.RoleSecretariat}, "version": {v}}), http.StatusSeeOther)
	if got := umReload(t, env, admin.ID); got.Name != "Renamed" || got.Role != domain.RoleSecretariat {
		t.Errorf("the administrator's change did not apply: %s %s", got.Name, got.Role)
	}
	mustStatus(t, a.Post(umPath(fp, "/password-link"), nil), http.StatusOK)
}

func TestNobodyDisablesThemselvesOrChangesTheirRole(t *testing.T) {
	t.Parallel()
	env, admin, b := newSignedIn(t, domain.RoleAdmin, "")
	v := strconv.Itoa(admin.Version)
	r := b.Post(umPath(admin, "/disable"), url.Values{"version": {v}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	umContains(t, r, "You cannot disable your own account.")
	r = b.Post(umPath(admin, ""), url.Values{"name": {admin.Name}, "role": {domain.RoleFacilitator}, "version": {v}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	umContains(t, r, "You cannot change your own role")
	if got := umReload(t, env, admin.ID); got.Disabled() || got.Role != domain.RoleAdmin {
		t.Error("the administrator disabled or demoted themselves")
	}
	// Renaming oneself is fine.
	mustStatus(t, b.Post(umPath(admin, ""), url.Values{"name": {"New name"}, "role": {domain.RoleAdmin}, "version": {v}}), http.StatusSeeOther)
}

func TestDisablingSignsThePersonOutEverywhere(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := env.User(t, domain.RoleSecretariat, "")
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	browser, api := env.SignedIn(t, fp), env.APIClient(t, fp)
	mustStatus(t, browser.Get("/"), http.StatusOK)
	mustStatus(t, api.Get("/api/v1/plans"), http.StatusOK)

	m := env.SignedIn(t, sec)
	r := m.Post(umPath(fp, "/disable"), url.Values{"version": {strconv.Itoa(fp.Version)}})
	mustStatus(t, r, http.StatusSeeOther)
	umContains(t, m.Get(r.Header.Get("Location")), "The account was disabled", "disabled")

	if r := browser.Get("/"); !redirectsToLogin(r) {
		t.Errorf("the disabled person's open session still works: %d", r.StatusCode)
	}
	mustStatus(t, api.Get("/api/v1/plans"), http.StatusUnauthorized)
	if r := env.Client(t).Login(fp.Email, apptest.Password); r.StatusCode == http.StatusSeeOther {
		t.Error("a disabled account can sign in")
	}
	if umAuditActor(t, env, "user.disable", fp.ID) != sec.ID {
		t.Error("disabling is not audited with its actor")
	}
	var live int64
	env.App.DB.Model(&account.Session{}).Where("user_id = ? AND ended_at IS NULL", fp.ID).Count(&live)
	if live != 0 {
		t.Error("disabling left a session open")
	}

	// Enabling lets them back in with their password.
	cur := umReload(t, env, fp.ID)
	mustStatus(t, m.Post(umPath(fp, "/enable"), url.Values{"version": {strconv.Itoa(cur.Version)}}), http.StatusSeeOther)
	if r := env.Client(t).Login(fp.Email, apptest.Password); r.StatusCode != http.StatusSeeOther {
		t.Errorf("after enabling, sign-in = %d", r.StatusCode)
	}
	if umAuditActor(t, env, "user.enable", fp.ID) != sec.ID {
		t.Error("enabling is not audited")
	}
}

func TestRoleChangeEndsSessionsAndStaleFormsConflict(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin, sec := env.User(t, domain.RoleAdmin, ""), env.User(t, domain.RoleSecretariat, "")
	fac := env.User(t, domain.RoleFacilitator, "")
	person := env.SignedIn(t, fac)
	mustStatus(t, person.Get("/"), http.StatusOK)

	// Two managers open the same account.
	a, s := env.SignedIn(t, admin), env.SignedIn(t, sec)
	mustStatus(t, a.Get(umPath(fac, "")), http.StatusOK)
	mustStatus(t, s.Get(umPath(fac, "")), http.StatusOK)
	v := strconv.Itoa(fac.Version)

	r := a.Post(umPath(fac, ""), url.Values{"name": {fac.Name}, "role": {domain.RoleDonor}, "organisation": {umOrgID(t, env, "APJP")}, "version": {v}})
	mustStatus(t, r, http.StatusSeeOther)
	if r := person.Get("/"); !redirectsToLogin(r) {
		t.Errorf("after a role change the person's session still works: %d", r.StatusCode)
	}
	var e domain.AuditEntry
	env.App.DB.Where("action = 'user.update' AND entity_id = ?", fac.ID).Order("id DESC").Take(&e)
	if e.UserID == nil || *e.UserID != admin.ID || !strings.Contains(e.OldValue, `"role":"facilitator"`) ||
		!strings.Contains(e.NewValue, `"role":"donor"`) || !strings.Contains(e.NewValue, `"organisation":"APJP"`) {
		t.Errorf("the update's audit row: by %v, %s → %s", e.UserID, e.OldValue, e.NewValue)
	}

	// The secretariat saves its form made from the old version.
	r = s.Post(umPath(fac, ""), url.Values{"name": {"Someone else"}, "role": {domain.RoleFacilitator}, "version": {v}})
	mustStatus(t, r, http.StatusConflict)
	umContains(t, r, "Someone else changed this")
	if got := umReload(t, env, fac.ID); got.Name != fac.Name || got.Role != domain.RoleDonor {
		t.Error("the stale form overwrote the change")
	}
	mustStatus(t, s.Post(umPath(fac, "/disable"), url.Values{"version": {v}}), http.StatusConflict)
}

func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleDonor, "APJP")
	here, elsewhere := env.SignedIn(t, u), env.SignedIn(t, u)
	mustStatus(t, here.Get("/account/password"), http.StatusOK)
	lao := string([]rune(strings.Repeat("ຂ້ອຍມັກກິນເຂົ້າໜຽວກັບປາແດກ ", 10))[:account.MaxPasswordLen])

	for _, tt := range []struct{ current, pw, msg string }{
		{apptest.Password, "iloveyou1", "most common passwords"},
		{apptest.Password, "Password123", "most common passwords"},
		{apptest.Password, "ສະບາຍດີ", "between 8 and 128 characters"},
		{apptest.Password, lao + "ກ", "between 8 and 128 characters"},
		{"wrong password", lao, "This is not your current password."},
	} {
		r := here.Post("/account/password", url.Values{"current": {tt.current}, "password": {tt.pw}, "repeat": {tt.pw}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		umContains(t, r, tt.msg)
	}
	var failed int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = 'password.change_failed' AND user_id = ?", u.ID).Count(&failed)
	if failed != 1 {
		t.Errorf("%d failed attempts in the security log, want 1", failed)
	}

	r := here.Post("/account/password", url.Values{"current": {apptest.Password}, "password": {lao}, "repeat": {lao}})
	mustStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/account?flash=flash.password_changed" {
		t.Errorf("Location = %q", loc)
	}
	umContains(t, here.Get(r.Header.Get("Location")), "Your password was changed.")
	if r := elsewhere.Get("/"); !redirectsToLogin(r) {
		t.Error("the other session survived the password change")
	}
	if r := env.Client(t).Login(u.Email, lao); r.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in with the 128-character Lao passphrase = %d", r.StatusCode)
	}
	if umAuditActor(t, env, "user.password_set", u.ID) != u.ID {
		t.Error("the password change is not audited")
	}
}

func TestUserListCostsAFixedNumberOfQueries(t *testing.T) {
	t.Parallel()
	env, admin, b := newSignedIn(t, domain.RoleAdmin, "")
	counter := storetest.CountQueries(env.App.DB)
	measure := func() (int64, string) {
		mustStatus(t, b.Get("/users"), http.StatusOK) // warm: the session's last-seen time is written at most once a minute
		counter.Reset()
		r := b.Get("/users")
		mustStatus(t, r, http.StatusOK)
		return counter.N(), r.Body
	}
	few, _ := measure()
	m := domain.Caller{Actor: domain.Actor{UserID: &admin.ID, Name: admin.Email}, Scope: domain.ScopeOf(admin), Now: env.Clock.Now().UTC()}
	orgs := []string{"MOLSW", "MOPS", "MOJ"}
	for i := 0; i < 50; i++ {
		id, _ := strconv.ParseInt(umOrgID(t, env, orgs[i%3]), 10, 64)
		u := &domain.User{Email: fmt.Sprintf("fp%02d@list.example", i), Name: fmt.Sprintf("Focal point %02d", i), Role: domain.RoleFocalPoint, OrganisationID: &id}
		if _, _, err := account.InviteUser(context.Background(), env.App.DB, m, u); err != nil {
			t.Fatal(err)
		}
	}
	many, body := measure()
	if strings.Count(body, "@list.example") != 50 {
		t.Fatalf("the list shows %d of the 50 new users", strings.Count(body, "@list.example"))
	}
	if many != few {
		t.Errorf("GET /users took %d queries, %d after adding 50 users: the count must not grow", few, many)
	}
	t.Logf("GET /users: %d queries", many)
}
