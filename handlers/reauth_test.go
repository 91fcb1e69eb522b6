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
