package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"

	"github.com/pquerna/otp/totp"
)

var (
	mfaCSRFField    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	mfaRecoveryCode = regexp.MustCompile(`<li><code>([0-9a-z]{4}(?:-[0-9a-z]{4}){5})</code></li>`)
)

// mfaGet fetches a page and takes the session's CSRF token from it, as a
// browser whose session owes the second factor cannot read /account.
func mfaGet(b *apptest.Client, path string) *apptest.Response {
	r := b.Get(path)
	if m := mfaCSRFField.FindStringSubmatch(r.Body); m != nil {
		b.CSRF = m[1]
	}
	return r
}

// mfaTakeCSRF picks up a rotated session's CSRF token from a page.
func mfaTakeCSRF(t *testing.T, b *apptest.Client, r *apptest.Response) {
	t.Helper()
	m := mfaCSRFField.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	b.CSRF = m[1]
}

func mfaLocation(t *testing.T, r *apptest.Response, want string) {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != want {
		t.Fatalf("%s %s = %d to %q, want a redirect to %q", r.Request.Method, r.Request.URL.RequestURI(), r.StatusCode, r.Header.Get("Location"), want)
	}
}

func mfaUser(t *testing.T, env *apptest.Env, id int64) domain.User {
	t.Helper()
	var u domain.User
	if err := env.App.DB.Take(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

// mfaKey matches the key the set-up page shows for typing by hand.
var mfaKey = regexp.MustCompile(`<code class="totp-key">([A-Z2-7 ]+)</code>`)

// mfaSecret is the TOTP secret as the user's app takes it from the set-up
// page: the key shown there, without the spaces that group it.
func mfaSecret(t *testing.T, page *apptest.Response) string {
	t.Helper()
	m := mfaKey.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("the set-up page shows no key:\n%.2000s", page.Body)
	}
	return strings.ReplaceAll(m[1], " ", "")
}

func mfaCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mfaCookie(t *testing.T, env *apptest.Env, b *apptest.Client) string {
	t.Helper()
	base, _ := url.Parse(env.Server.URL)
	for _, c := range b.HTTP.Jar.Cookies(base) {
		if c.Name == "nap_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// mfaReplay is a new browser holding only the given session cookie.
func mfaReplay(t *testing.T, env *apptest.Env, cookie string) *apptest.Client {
	b := env.Client(t)
	base, _ := url.Parse(env.Server.URL)
	b.HTTP.Jar.SetCookies(base, []*http.Cookie{{Name: "nap_session", Value: cookie, Path: "/"}})
	return b
}

// mfaSignIn signs in with the password and expects to be sent to step.
func mfaSignIn(t *testing.T, env *apptest.Env, u *domain.User, step string) *apptest.Client {
	t.Helper()
	b := env.Client(t)
	mfaLocation(t, b.Login(u.Email, apptest.Password), step+"?next=%2F")
	mfaGet(b, step)
	return b
}

// mfaEnrol takes a user who must enrol from the password to the recovery
// codes, checking what they see on the way, and returns the browser, the
// secret and the codes.
func mfaEnrol(t *testing.T, env *apptest.Env, u *domain.User) (*apptest.Client, string, []string) {
	t.Helper()
	b := mfaSignIn(t, env, u, "/account/2fa")
	page := mfaGet(b, "/account/2fa")
	mustStatus(t, page, http.StatusOK)
	secret := mfaSecret(t, page)
	for _, want := range []string{`src="data:image/png;base64,`, `alt="QR code for your authenticator app`, "otpauth://totp/", secret[:4] + " " + secret[4:8], "Google Authenticator", "work offline"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the set-up page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, `name="password"`) {
		t.Error("the set-up page asks for the password the user has just given")
	}
	r := b.Post("/account/2fa", url.Values{"code": {mfaCode(t, secret, env.Clock.Now())}, "next": {"/"}})
	mustStatus(t, r, http.StatusOK)
	m := mfaRecoveryCode.FindAllStringSubmatch(r.Body, -1)
	if len(m) != account.RecoveryCodeCount || !strings.Contains(r.Body, "Print these recovery codes") || !strings.Contains(r.Body, `href="/"`) {
		t.Fatalf("the page after enrolment shows %d recovery codes, want %d with advice and a way on:\n%.2000s", len(m), account.RecoveryCodeCount, r.Body)
	}
	codes := make([]string, len(m))
	for i := range m {
		codes[i] = m[i][1]
	}
	mfaTakeCSRF(t, b, r)
	return b, secret, codes
}

func TestAdminMustEnrolBeforeAnythingElse(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.User(t, domain.RoleAdmin, "")
	b := mfaSignIn(t, env, admin, "/account/2fa")
	pending := mfaCookie(t, env, b)

	// The password alone reaches nothing but the enrolment.
	for _, path := range []string{"/", "/account", "/plans/" + seed.DemoPlanCode, "/account/tokens"} {
		mfaLocation(t, b.Get(path), "/account/2fa")
	}
	mfaLocation(t, b.Post("/account/2fa/recovery-codes", url.Values{"password": {apptest.Password}}), "/account/2fa")
	mfaLocation(t, b.Post("/account/sessions/1/end", nil), "/account/2fa")
	mfaLocation(t, b.Get("/login/2fa"), "/account/2fa?next=%2F")

	page := mfaGet(b, "/account/2fa")
	mustStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, "As Administrator you must use two-step sign-in") {
		t.Error("the set-up page does not say why an administrator must enrol")
	}
	secret := mfaSecret(t, page)
	wrong := "123456"
	if wrong == mfaCode(t, secret, env.Clock.Now()) {
		wrong = "654321"
	}
	r := b.Post("/account/2fa", url.Values{"code": {wrong}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "The code is not right") {
		t.Error("a wrong first code does not say why it was refused")
	}
	if mfaUser(t, env, admin.ID).TOTPEnabledAt != nil {
		t.Fatal("a wrong code turned the second factor on")
	}
	mfaLocation(t, b.Get("/"), "/account/2fa")

	r = b.Post("/account/2fa", url.Values{"code": {mfaCode(t, secret, env.Clock.Now())}})
	mustStatus(t, r, http.StatusOK)
	if n := len(mfaRecoveryCode.FindAllString(r.Body, -1)); n != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d", n, account.RecoveryCodeCount)
	}
	mfaTakeCSRF(t, b, r)
	if !strings.Contains(r.Body, `href="/account"`) {
		t.Error("without next, the codes page does not lead on to the account")
	}
	if mfaUser(t, env, admin.ID).TOTPEnabledAt == nil {
		t.Fatal("the right code did not turn the second factor on")
	}
	// A new session: the cookie from before the second factor is dead.
	if mfaCookie(t, env, b) == pending {
		t.Fatal("enrolment kept the session id")
	}
	if r := mfaReplay(t, env, pending).Get("/"); !redirectsToLogin(r) || strings.HasPrefix(r.Header.Get("Location"), "/login/2fa") {
		t.Errorf("the pre-enrolment cookie still works: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	mustStatus(t, b.Get("/"), http.StatusOK)
	acct := b.Get("/account")
	mustStatus(t, acct, http.StatusOK)
	if !strings.Contains(acct.Body, "Two-step sign-in") || !strings.Contains(acct.Body, "On since") {
		t.Error("the account page does not show the second factor as on")
	}
	status := b.Get("/account/2fa")
	mustStatus(t, status, http.StatusOK)
	if !strings.Contains(status.Body, "10 unused codes") || strings.Contains(status.Body, `action="/account/2fa/disable"`) {
		t.Error("an administrator's status page should count the codes and offer no way to turn it off")
	}
	// Enrolling again is not possible; the status page stays.
	mfaLocation(t, b.Post("/account/2fa", url.Values{"code": {"000000"}, "password": {apptest.Password}}), "/account/2fa")
}

func TestSignInWithTheSecondFactor(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleSecretariat, "")
	_, secret, codes := mfaEnrol(t, env, u)
	enrolCode := mfaCode(t, secret, env.Clock.Now())
	sealed := mfaUser(t, env, u.ID).TOTPSecret // sealed anew whenever it changes

	// The next sign-in asks for the code, and nothing is reachable before it.
	b := mfaSignIn(t, env, u, "/login/2fa")
	pending := mfaCookie(t, env, b)
	mfaLocation(t, b.Get("/"), "/login/2fa")
	mfaLocation(t, b.Get("/account"), "/login/2fa")
	// Nor can the password alone replace the authenticator.
	mfaLocation(t, b.Get("/account/2fa"), "/login/2fa?next=%2F")
	mfaLocation(t, b.Post("/account/2fa", url.Values{"code": {"000000"}}), "/login/2fa?next=%2F")
	if got := mfaUser(t, env, u.ID); got.TOTPSecret != sealed || got.TOTPEnabledAt == nil {
		t.Fatal("a session owing the second factor changed the authenticator")
	}
	form := mfaGet(b, "/login/2fa")
	mustStatus(t, form, http.StatusOK)
	if !strings.Contains(form.Body, `autocomplete="one-time-code"`) {
		t.Error("the code form lacks its field")
	}

	// The code that confirmed enrolment is spent.
	r := b.Post("/login/2fa", url.Values{"code": {enrolCode}, "next": {"/"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "The code is not right") {
		t.Error("a refused code does not say so")
	}

	env.Clock.Advance(time.Minute)
	code := mfaCode(t, secret, env.Clock.Now())
	r = b.Post("/login/2fa", url.Values{"code": {code[:3] + " " + code[3:]}, "next": {"/plans/" + seed.DemoPlanCode}})
	mfaLocation(t, r, "/plans/"+seed.DemoPlanCode)
	if mfaCookie(t, env, b) == pending {
		t.Fatal("passing the second factor kept the session id")
	}
	if r := mfaReplay(t, env, pending).Get("/"); !redirectsToLogin(r) || strings.HasPrefix(r.Header.Get("Location"), "/login/2fa") {
		t.Errorf("the pre-code cookie still works: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	mustStatus(t, b.Get("/"), http.StatusOK)
	mfaLocation(t, b.Get("/login/2fa"), "/")

	// The same code, in another browser that has the password: refused.
	c := mfaSignIn(t, env, u, "/login/2fa")
	mustStatus(t, c.Post("/login/2fa", url.Values{"code": {code}}), http.StatusUnprocessableEntity)

	// A recovery code works once, typed in capitals.
	r = c.Post("/login/2fa", url.Values{"code": {strings.ToUpper(codes[0])}, "next": {"//evil.example"}})
	mfaLocation(t, r, "/")
	d := mfaSignIn(t, env, u, "/login/2fa")
	r = d.Post("/login/2fa", url.Values{"code": {codes[0]}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "already been used") {
		t.Error("a used recovery code is not explained")
	}

	// Guessing is slowed down: a few wrong codes, then 429 even for a right one.
	var throttled *apptest.Response
	for i := 0; i < account.DefaultThrottlePolicy.Free+3 && throttled == nil; i++ {
		r := d.Post("/login/2fa", url.Values{"code": {"000000"}})
		switch r.StatusCode {
		case http.StatusTooManyRequests:
			throttled = r
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("wrong code %d: %d", i, r.StatusCode)
		}
	}
	if throttled == nil {
		t.Fatal("repeated wrong codes were never throttled")
	}
	if !strings.Contains(throttled.Body, "Too many wrong codes") || throttled.Header.Get("Retry-After") == "" {
		t.Error("the throttled answer lacks its message or Retry-After")
	}
	// The next step's code is valid (clock drift) and not yet used.
	right := mfaCode(t, secret, env.Clock.Now().Add(30*time.Second))
	mustStatus(t, d.Post("/login/2fa", url.Values{"code": {right}}), http.StatusTooManyRequests)
	// A delay, not a lock.
	env.Clock.Advance(account.DefaultThrottlePolicy.Max)
	mfaLocation(t, d.Post("/login/2fa", url.Values{"code": {mfaCode(t, secret, env.Clock.Now())}}), "/")

	var got []domain.AuditEntry
	env.App.DB.Where("user_id = ? AND action LIKE ?", u.ID, "mfa.%").Find(&got)
	count := map[string]int{}
	for _, e := range got {
		count[e.Action]++
	}
	if count["mfa.enable"] != 1 || count["mfa.success"] != 3 || count["mfa.recovery_code_used"] != 1 || count["mfa.failure"] < 4 || count["mfa.throttled"] < 1 {
		t.Errorf("security log: %v", count)
	}
	mfaNoSecretsInAudit(t, env, append(codes, secret))
}

// mfaNoSecretsInAudit fails if the audit log holds any of the secrets.
func mfaNoSecretsInAudit(t *testing.T, env *apptest.Env, secrets []string) {
	t.Helper()
	var all []domain.AuditEntry
	env.App.DB.Find(&all)
	for _, e := range all {
		text := e.OldValue + e.NewValue + e.Reason
		for _, s := range secrets {
			if strings.Contains(text, s) || strings.Contains(text, strings.ReplaceAll(s, "-", "")) {
				t.Errorf("audit entry %s holds a TOTP secret or recovery code", e.Action)
			}
		}
	}
}

func TestOptionalSecondFactor(t *testing.T) {
	t.Parallel()
	env, fp, b := newSignedIn(t, domain.RoleFocalPoint, "MOLSW")
	acct := b.Get("/account")
	mustStatus(t, acct, http.StatusOK)
	if !strings.Contains(acct.Body, "Set up two-step sign-in") {
		t.Error("the account page does not offer the optional second factor")
	}
	page := b.Get("/account/2fa")
	mustStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, `name="password"`) {
		t.Fatal("adding a second factor from an ordinary session does not ask for the password")
	}
	secret := mfaSecret(t, page)
	before := mfaCookie(t, env, b)

	r := b.Post("/account/2fa", url.Values{"code": {mfaCode(t, secret, env.Clock.Now())}, "password": {"not my password"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "This is not your current password.") || mfaUser(t, env, fp.ID).TOTPEnabledAt != nil {
		t.Fatal("a wrong password was not refused with a message")
	}
	r = b.Post("/account/2fa", url.Values{"code": {mfaCode(t, secret, env.Clock.Now())}, "password": {apptest.Password}})
	mustStatus(t, r, http.StatusOK)
	codes := mfaRecoveryCode.FindAllStringSubmatch(r.Body, -1)
	if len(codes) != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	mfaTakeCSRF(t, b, r)
	if mfaCookie(t, env, b) == before || !redirectsToLogin(mfaReplay(t, env, before).Get("/")) {
		t.Error("turning the second factor on did not replace the session")
	}

	// New recovery codes replace the old ones, after the password.
	mustStatus(t, b.Post("/account/2fa/recovery-codes", url.Values{"password": {"wrong one"}}), http.StatusUnprocessableEntity)
	r = b.Post("/account/2fa/recovery-codes", url.Values{"password": {apptest.Password}})
	mustStatus(t, r, http.StatusOK)
	fresh := mfaRecoveryCode.FindAllStringSubmatch(r.Body, -1)
	if len(fresh) != account.RecoveryCodeCount || fresh[0][1] == codes[0][1] {
		t.Fatal("no new recovery codes")
	}
	c := mfaSignIn(t, env, fp, "/login/2fa")
	mustStatus(t, c.Post("/login/2fa", url.Values{"code": {codes[1][1]}}), http.StatusUnprocessableEntity)
	mfaLocation(t, c.Post("/login/2fa", url.Values{"code": {fresh[1][1]}}), "/")

	// Turning it off needs the password.
	status := b.Get("/account/2fa")
	if !strings.Contains(status.Body, `action="/account/2fa/disable"`) {
		t.Fatal("the status page offers no way to turn the optional second factor off")
	}
	r = b.Post("/account/2fa/disable", url.Values{"password": {"wrong one"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "This is not your current password.") || mfaUser(t, env, fp.ID).TOTPEnabledAt == nil {
		t.Fatal("a wrong password turned the second factor off, or was not explained")
	}
	mfaLocation(t, b.Post("/account/2fa/disable", url.Values{"password": {apptest.Password}}), "/account?flash=flash.mfa_disabled")
	if got := mfaUser(t, env, fp.ID); got.TOTPEnabledAt != nil || got.TOTPSecret != "" {
		t.Fatal("the second factor is still on")
	}
	if !strings.Contains(b.Get("/account?flash=flash.mfa_disabled").Body, "Two-step sign-in is off.") {
		t.Error("no confirmation after turning it off")
	}
	// The next sign-in needs the password only.
	mfaLocation(t, env.Client(t).Login(fp.Email, apptest.Password), "/")

	// An administrator cannot turn theirs off.
	admin := env.User(t, domain.RoleAdmin, "")
	mustStatus(t, env.SignedIn(t, admin).Post("/account/2fa/disable", url.Values{"password": {apptest.Password}}), http.StatusForbidden)

	var off int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND entity_id = ?", "mfa.disable", fp.ID).Count(&off)
	if off != 1 {
		t.Errorf("%d mfa.disable audit entries, want 1", off)
	}
	all := []string{secret}
	for _, m := range append(codes, fresh...) {
		all = append(all, m[1])
	}
	mfaNoSecretsInAudit(t, env, all)
}
