package handlers_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"

	"golang.org/x/crypto/argon2"
)

// newSignedIn starts the application with a user of the role in the
// organisation (an acronym, "" for none) and a browser signed in as them:
// how most page tests begin.
func newSignedIn(t *testing.T, role, org string) (*apptest.Env, *domain.User, *apptest.Client) {
	t.Helper()
	env := apptest.New(t)
	u := env.User(t, role, org)
	return env, u, env.SignedIn(t, u)
}

func mustStatus(t *testing.T, r *apptest.Response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d\n%.600s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.Body)
	}
}

// redirectsToLogin reports whether a response sends the browser to sign in.
func redirectsToLogin(r *apptest.Response) bool {
	return r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login")
}

func sessionRow(t *testing.T, env *apptest.Env, userID int64) account.Session {
	t.Helper()
	var s account.Session
	if err := env.App.DB.Where("user_id = ?", userID).Order("id DESC").Take(&s).Error; err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoginAndLogout(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleFocalPoint, "MOLSW")
	b := env.Client(t)

	if r := b.Get("/"); !redirectsToLogin(r) {
		t.Fatalf("anonymous GET / = %d %s, want a redirect to /login", r.StatusCode, r.Header.Get("Location"))
	}
	r := b.Login(u.Email, "wrong password!")
	mustStatus(t, r, http.StatusUnauthorized)
	if !strings.Contains(r.Body, "The e-mail address or the password is not right.") {
		t.Error("a failed sign-in does not say why")
	}
	r = b.Login(strings.ToUpper(u.Email), apptest.Password)
	mustStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/" {
		t.Errorf("after sign-in, Location = %q", loc)
	}
	home := b.Get("/")
	mustStatus(t, home, http.StatusOK)
	if !strings.Contains(home.Body, u.Name) {
		t.Error("the signed-in user's name is not on the page")
	}
	sess := sessionRow(t, env, u.ID)
	if sess.EndedAt != nil || sess.TokenHash == "" {
		t.Fatalf("no live session on the server: %+v", sess)
	}
	var cookie *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "nap_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v, want HttpOnly and SameSite=Lax", cookie)
	}
	if strings.Contains(sess.TokenHash, cookie.Value) {
		t.Error("the database stores the session token itself")
	}

	// Signing out ends the session on the server: replaying the cookie fails.
	mustStatus(t, b.Post("/logout", nil), http.StatusSeeOther)
	if s := sessionRow(t, env, u.ID); s.EndedAt == nil || s.EndedReason != account.EndLogout {
		t.Errorf("after sign-out the session is %+v", s)
	}
	replay := env.Client(t)
	base, _ := url.Parse(env.Server.URL)
	replay.HTTP.Jar.SetCookies(base, []*http.Cookie{{Name: "nap_session", Value: cookie.Value, Path: "/"}})
	if r := replay.Get("/"); !redirectsToLogin(r) {
		t.Errorf("a signed-out cookie still works: %d", r.StatusCode)
	}
}

func TestLoginRotatesSessionAndRefusesOpenRedirects(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleDonor, "APJP")
	b := env.Client(t)
	mustStatus(t, b.Login(u.Email, apptest.Password), http.StatusSeeOther)
	first := sessionRow(t, env, u.ID)

	// A browser that is signed in posts the sign-in form again (from a tab
	// opened before): it carries the old session cookie.
	f := env.Client(t)
	form := f.Get("/login?next=//evil.example/steal")
	token := strings.Split(strings.Split(form.Body, `name="login_csrf" value="`)[1], `"`)[0]
	base, _ := url.Parse(env.Server.URL)
	f.HTTP.Jar.SetCookies(base, b.HTTP.Jar.Cookies(base))
	r := f.Do(http.MethodPost, "/login", strings.NewReader(url.Values{"login_csrf": {token}, "email": {u.Email}, "password": {apptest.Password}, "next": {"//evil.example/steal"}}.Encode()), "application/x-www-form-urlencoded")
	mustStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/" {
		t.Errorf("sign-in redirected to %q, want / (no open redirect)", loc)
	}
	second := sessionRow(t, env, u.ID)
	if second.ID == first.ID {
		t.Fatal("signing in again kept the same session")
	}
	var old account.Session
	env.App.DB.Take(&old, first.ID)
	if old.EndedAt == nil || old.EndedReason != account.EndRotated {
		t.Errorf("the previous session was not ended at sign-in: %+v", old)
	}
}

func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleFacilitator, "")

	idle := env.SignedIn(t, u)
	mustStatus(t, idle.Get("/"), http.StatusOK)
	env.Clock.Advance(29 * time.Minute)
	mustStatus(t, idle.Get("/"), http.StatusOK) // activity resets the idle clock
	env.Clock.Advance(31 * time.Minute)
	if r := idle.Get("/"); !redirectsToLogin(r) {
		t.Fatalf("after 31 idle minutes GET / = %d", r.StatusCode)
	}
	if s := sessionRow(t, env, u.ID); s.EndedReason != account.EndIdle {
		t.Errorf("idle session ended with %q", s.EndedReason)
	}

	busy := env.SignedIn(t, u)
	for i := 0; i < 35; i++ { // 35 × 20 min = 11 h 40 min of steady work
		env.Clock.Advance(20 * time.Minute)
		mustStatus(t, busy.Get("/"), http.StatusOK)
	}
	env.Clock.Advance(20 * time.Minute) // 12 h after sign-in
	if r := busy.Get("/"); !redirectsToLogin(r) {
		t.Fatalf("12 h after sign-in GET / = %d", r.StatusCode)
	}
	if s := sessionRow(t, env, u.ID); s.EndedReason != account.EndExpired {
		t.Errorf("session ended with %q, want the absolute timeout", s.EndedReason)
	}
}

func TestDisabledUserIsStoppedAtTheNextRequest(t *testing.T) {
	t.Parallel()
	env, u, b := newSignedIn(t, domain.RoleFocalPoint, "MOPS")
	mustStatus(t, b.Get("/"), http.StatusOK)
	if err := env.App.DB.Model(&domain.User{}).Where("id = ?", u.ID).Update("disabled_at", time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	if r := b.Get("/"); !redirectsToLogin(r) {
		t.Fatalf("a disabled user's session still works: %d", r.StatusCode)
	}
	if s := sessionRow(t, env, u.ID); s.EndedReason != account.EndDisabled {
		t.Errorf("session ended with %q", s.EndedReason)
	}
	// Nor can they sign in again, and the answer does not say the account exists.
	r := env.Client(t).Login(u.Email, apptest.Password)
	mustStatus(t, r, http.StatusUnauthorized)
}

func TestThrottlingSurvivesARestart(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleFocalPoint, "MOJ")
	b := env.Client(t)
	for i := 0; i < account.DefaultThrottlePolicy.Free; i++ {
		mustStatus(t, b.Login(u.Email, "not the password"), http.StatusUnauthorized)
	}
	// After Free failures the next attempt waits, even with the right password.
	r := b.Login(u.Email, apptest.Password)
	mustStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.Body, "Too many failed sign-ins") || r.Header.Get("Retry-After") == "" {
		t.Errorf("throttled answer lacks its message or Retry-After: %q", r.Header.Get("Retry-After"))
	}

	// A restart (a new process on the same database) remembers.
	env.Server.Close()
	restarted := apptest.Start(t, env.Config)
	r = restarted.Client(t).Login(u.Email, apptest.Password)
	mustStatus(t, r, http.StatusTooManyRequests)

	// A delay, not a lock: once it has passed, the right password works.
	restarted.Clock.Advance(account.DefaultThrottlePolicy.Base + time.Second)
	mustStatus(t, restarted.Client(t).Login(u.Email, apptest.Password), http.StatusSeeOther)
}

func TestCSRFProtection(t *testing.T) {
	t.Parallel()
	env, u, b := newSignedIn(t, domain.RoleFocalPoint, "MOLSW")

	noToken := b.Do(http.MethodPost, "/logout", strings.NewReader(""), "application/x-www-form-urlencoded")
	mustStatus(t, noToken, http.StatusForbidden)
	wrong := b.Post("/logout", url.Values{"csrf_token": {"forged"}})
	mustStatus(t, wrong, http.StatusForbidden)
	b.Header.Set("Origin", "https://evil.example")
	mustStatus(t, b.Post("/logout", nil), http.StatusForbidden)
	b.Header.Del("Origin")
	b.Header.Set("Sec-Fetch-Site", "cross-site")
	mustStatus(t, b.Post("/logout", nil), http.StatusForbidden)
	b.Header.Del("Sec-Fetch-Site")
	if s := sessionRow(t, env, u.ID); s.EndedAt != nil {
		t.Fatal("a forged request ended the session")
	}
	mustStatus(t, b.Post("/logout", nil), http.StatusSeeOther)

	// The sign-in form has its own token.
	anon := env.Client(t)
	r := anon.Do(http.MethodPost, "/login", strings.NewReader(url.Values{"email": {u.Email}, "password": {apptest.Password}}.Encode()), "application/x-www-form-urlencoded")
	mustStatus(t, r, http.StatusForbidden)

	rejected := auditCount(env, "csrf.rejected")
	if rejected < 5 {
		t.Errorf("%d CSRF rejections in the security log, want 5", rejected)
	}
}

func TestSecurityLog(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleFocalPoint, "MOLSW")
	b := env.Client(t)
	b.Login(u.Email, "a wrong password")
	b.Login("nobody@test.example", "whatever123")
	b.Login(u.Email, apptest.Password)
	b.Post("/logout", nil)

	var entries []domain.AuditEntry
	if err := env.App.DB.WithContext(context.Background()).Where("entity_type = ?", "security").Order("id").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range entries {
		got[e.Action]++
		if e.RequestID == "" || e.ClientIP == "" || e.OccurredAt.IsZero() {
			t.Errorf("%s entry lacks request id, address or time: %+v", e.Action, e)
		}
		for _, secret := range []string{apptest.Password, "a wrong password", "whatever123"} {
			if strings.Contains(e.NewValue, secret) || strings.Contains(e.OldValue, secret) {
				t.Errorf("%s entry contains a password", e.Action)
			}
		}
	}
	if got["login.failure"] != 2 || got["login.success"] != 1 || got["logout"] != 1 {
		t.Errorf("security log = %v, want 2 failures, 1 success, 1 logout", got)
	}
}

// demoUser is one of the demo accounts of the cloned database (no hash to compute).
func demoUser(t *testing.T, env *apptest.Env, email string) *domain.User {
	t.Helper()
	u, err := account.FindUserByEmail(context.Background(), env.App.DB, email)
	if err != nil {
		t.Fatalf("demo account %s: %v", email, err)
	}
	return u
}

// cheapPassword gives u the password apptest.Password under a deliberately
// weak argon2id hash (64 KiB, one pass). The server reads the cost from the
// stored hash, so it checks this one in microseconds, even under -race,
// through exactly the same code (throttle, hashing slots) as a real one.
func cheapPassword(t *testing.T, env *apptest.Env, u *domain.User) {
	t.Helper()
	salt := []byte("cheap test salt!")
	key := argon2.IDKey([]byte(apptest.Password), salt, 1, 64, 1, 32)
	b64 := base64.RawStdEncoding
	hash := fmt.Sprintf("$argon2id$v=%d$m=64,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
	if err := env.App.DB.Model(&domain.User{}).Where("id = ?", u.ID).Update("password_hash", hash).Error; err != nil {
		t.Fatal(err)
	}
	u.PasswordHash = hash
}

// cheapDemoUser is the demo account with the e-mail address, given the
// password apptest.Password under a cheap hash (cheapPassword).
func cheapDemoUser(t *testing.T, env *apptest.Env, email string) *domain.User {
	t.Helper()
	u := demoUser(t, env, email)
	cheapPassword(t, env, u)
	return u
}

// staleAfter is how far the tests move the clock for a password check to be too old.
const staleAfter = account.RecentPasswordWindow + time.Minute

func accountFailures(t *testing.T, env *apptest.Env, email string) int {
	t.Helper()
	var row account.LoginThrottle
	if err := env.App.DB.Where("key = ?", account.AccountKey(email)).Limit(1).Find(&row).Error; err != nil {
		t.Fatal(err)
	}
	return row.Failures
}

func mustContain(t *testing.T, r *apptest.Response, texts ...string) {
	t.Helper()
	umContains(t, r, texts...)
}

// An administrator who signed in more than 5 minutes ago (a laptop left
// unlocked) cannot change a role without typing the password: without it
// or with a wrong one nothing changes, and a wrong one counts as a failed
// sign-in. Other edits need no password; a right one lets the change and
// the next high-value action through.
func TestReauthBeforeRoleChange(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := cheapDemoUser(t, env, "admin@nap.example")
	focal := demoUser(t, env, "focal.molsw@nap.example")
	donor := demoUser(t, env, "donor@nap.example")
	ab := env.SignedIn(t, admin)

	page := ab.Get(umPath(focal, ""))
	mustStatus(t, page, http.StatusOK)
	if strings.Contains(page.Body, `name="password"`) {
		t.Error("right after signing in, the page asks for the password")
	}
	env.Clock.Advance(staleAfter)
	page = ab.Get(umPath(focal, ""))
	if !strings.Contains(page.Body, `id="confirm-details"`) || !strings.Contains(page.Body, `id="confirm-disable"`) {
		t.Error("with a stale password check, the role and disable forms have no password field")
	}

	form := func(name, role, org string, version int) url.Values {
		return url.Values{"name": {name}, "role": {role}, "organisation": {org}, "version": {strconv.Itoa(version)}}
	}
	org := strconv.FormatInt(*focal.OrganisationID, 10)
	// A name change is not high-value.
	mustStatus(t, ab.Post(umPath(focal, ""), form("Somchai P.", domain.RoleFocalPoint, org, focal.Version)), http.StatusSeeOther)
	focal = umReload(t, env, focal.ID)

	change := form(focal.Name, domain.RoleFacilitator, "", focal.Version)
	r := ab.Post(umPath(focal, ""), change)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "Confirm your password to do this")
	change.Set("password", "not my password")
	r = ab.Post(umPath(focal, ""), change)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "This is not your current password.")
	if got := umReload(t, env, focal.ID); got.Role != domain.RoleFocalPoint || got.Version != focal.Version {
		t.Fatalf("the role changed without the password: %s, version %d → %d", got.Role, focal.Version, got.Version)
	}
	if n := accountFailures(t, env, admin.Email); n != 1 {
		t.Errorf("the wrong password counts %d failed sign-ins, want 1", n)
	}

	change.Set("password", apptest.Password)
	mustStatus(t, ab.Post(umPath(focal, ""), change), http.StatusSeeOther)
	if got := umReload(t, env, focal.ID); got.Role != domain.RoleFacilitator {
		t.Fatalf("the role is %s after the right password", got.Role)
	}
	// The password just typed is a fresh check: disabling needs no other.
	mustStatus(t, ab.Post(umPath(donor, "/disable"), url.Values{"version": {strconv.Itoa(donor.Version)}}), http.StatusSeeOther)
	if !umReload(t, env, donor.ID).Disabled() {
		t.Error("the donor is not disabled")
	}
}

// Guessing the password through the confirmation is throttled like
// sign-in, on the same counter: after 5 wrong ones even the right one
// waits, and so does the sign-in form; nothing is disabled meanwhile.
func TestReauthWrongPasswordsAreThrottled(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := cheapDemoUser(t, env, "admin@nap.example")
	donor := demoUser(t, env, "donor@nap.example")
	ab := env.SignedIn(t, admin)
	env.Clock.Advance(staleAfter)

	disable := url.Values{"version": {strconv.Itoa(donor.Version)}}
	r := ab.Post(umPath(donor, "/disable"), disable)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "Confirm your password to do this")
	for i := 0; i < account.DefaultThrottlePolicy.Free; i++ {
		disable.Set("password", "guess "+strconv.Itoa(i))
		mustStatus(t, ab.Post(umPath(donor, "/disable"), disable), http.StatusUnprocessableEntity)
	}
	disable.Set("password", apptest.Password)
	r = ab.Post(umPath(donor, "/disable"), disable)
	mustStatus(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" {
		t.Error("a throttled confirmation has no Retry-After")
	}
	if umReload(t, env, donor.ID).Disabled() {
		t.Fatal("the account was disabled while the password was throttled")
	}
	mustStatus(t, env.Client(t).Login(admin.Email, apptest.Password), http.StatusTooManyRequests)
}

// An API token of an administrator or the secretariat acts with their
// rights without a second factor, so making one needs a recent password;
// other roles' tokens do not.
func TestReauthForPrivilegedTokens(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := cheapDemoUser(t, env, "secretariat@nap.example")
	focal := demoUser(t, env, "focal.molsw@nap.example")
	sb, fb := env.SignedIn(t, sec), env.SignedIn(t, focal)
	env.Clock.Advance(staleAfter)

	if !strings.Contains(sb.Get("/account/tokens").Body, `id="token-password"`) {
		t.Error("the secretariat's token form has no password field")
	}
	if strings.Contains(fb.Get("/account/tokens").Body, `id="token-password"`) {
		t.Error("a focal point's token form asks for the password")
	}
	tokens := func(u *domain.User) int64 {
		var n int64
		env.App.DB.Model(&account.APIToken{}).Where("user_id = ?", u.ID).Count(&n)
		return n
	}
	r := sb.Post("/account/tokens", url.Values{"name": {"nightly export"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "Confirm your password to do this", `value="nightly export"`)
	r = sb.Post("/account/tokens", url.Values{"name": {"nightly export"}, "password": {"wrong"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if n := tokens(sec); n != 0 {
		t.Fatalf("%d tokens made without the password", n)
	}
	r = sb.Post("/account/tokens", url.Values{"name": {"nightly export"}, "password": {apptest.Password}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, account.TokenPrefix)
	mustStatus(t, fb.Post("/account/tokens", url.Values{"name": {"upload"}}), http.StatusOK)
	if tokens(sec) != 1 || tokens(focal) != 1 {
		t.Errorf("tokens: secretariat %d, focal point %d; want 1 each", tokens(sec), tokens(focal))
	}
}

// Signing in is a password check; passing the second factor afterwards is
// not: the session it opens keeps the time the password was typed.
func TestReauthCountsFromThePasswordNotTheCode(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := cheapDemoUser(t, env, "admin@nap.example")
	focal := demoUser(t, env, "focal.molsw@nap.example")
	org := strconv.FormatInt(*focal.OrganisationID, 10)
	ab, secret, _ := mfaEnrol(t, env, admin)
	toFacilitator := func(f *domain.User) url.Values {
		return url.Values{"name": {f.Name}, "role": {domain.RoleFacilitator}, "organisation": {""}, "version": {strconv.Itoa(f.Version)}}
	}
	// Just signed in through the form: no password asked.
	mustStatus(t, ab.Post(umPath(focal, ""), toFacilitator(focal)), http.StatusSeeOther)
	focal = umReload(t, env, focal.ID)

	b := mfaSignIn(t, env, admin, "/login/2fa")
	env.Clock.Advance(account.RecentPasswordWindow - time.Minute)
	mfaLocation(t, b.Post("/login/2fa", url.Values{"code": {mfaCode(t, secret, env.Clock.Now())}, "next": {"/"}}), "/")
	b.RefreshCSRF()
	env.Clock.Advance(2 * time.Minute)
	back := url.Values{"name": {focal.Name}, "role": {domain.RoleFocalPoint}, "organisation": {org}, "version": {strconv.Itoa(focal.Version)}}
	mustStatus(t, b.Post(umPath(focal, ""), back), http.StatusUnprocessableEntity)
	if got := umReload(t, env, focal.ID); got.Role != domain.RoleFacilitator {
		t.Errorf("role changed to %s 6 minutes after the password, 2 after the code", got.Role)
	}
}
