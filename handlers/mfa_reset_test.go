package handlers_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/store"
)

// A secretariat officer lost the phone with their authenticator: an
// administrator resets it with a reason. The officer's browser and API
// token stop working at once, the next sign-in leads to setting up a new
// authenticator, and the account's history says who did it and why.
func TestAdminResetsALostSecondFactor(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := cheapDemoUser(t, env, "admin@nap.example")
	officer := cheapDemoUser(t, env, "secretariat@nap.example")
	ob, _, _ := mfaEnrol(t, env, officer)
	api := env.APIClient(t, officer)
	mustStatus(t, ob.Get("/account"), http.StatusOK)
	mustStatus(t, api.Get("/api/v1/me"), http.StatusOK)

	ab := env.SignedIn(t, admin)
	page := ab.Get(umPath(officer, ""))
	mustStatus(t, page, http.StatusOK)
	mustContain(t, page, `action="/users/`, `/mfa-reset"`, "Reset two-step sign-in", "set it up again")

	// The reason is required; nothing happens without it.
	r := ab.Post(umPath(officer, "/mfa-reset"), url.Values{"reason": {"   "}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "Give the reason for the reset")
	if mfaUser(t, env, officer.ID).TOTPEnabledAt == nil {
		t.Fatal("a reset without a reason removed the second factor")
	}
	mustStatus(t, ob.Get("/account"), http.StatusOK)

	reason := "phone stolen; identity checked by a call to her office"
	r = ab.Post(umPath(officer, "/mfa-reset"), url.Values{"reason": {reason}})
	mfaLocation(t, r, umPath(officer, "?flash=flash.user_mfa_reset"))
	got := mfaUser(t, env, officer.ID)
	if got.TOTPSecret != "" || got.TOTPEnabledAt != nil {
		t.Fatal("the second factor is still set")
	}
	if n, err := account.RemainingRecoveryCodes(context.Background(), env.App.DB, officer.ID); err != nil || n != 0 {
		t.Errorf("%d recovery codes left (%v)", n, err)
	}
	if r := ob.Get("/account"); !redirectsToLogin(r) {
		t.Errorf("the officer's session still works after the reset: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	mustStatus(t, api.Get("/api/v1/me"), http.StatusUnauthorized)

	var e domain.AuditEntry
	if err := env.App.DB.Where("action = 'user.mfa_reset' AND entity_type = 'user' AND entity_id = ?", officer.ID).Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if e.Reason != reason || e.UserID == nil || *e.UserID != admin.ID {
		t.Errorf("audit row: reason %q by %v", e.Reason, e.UserID)
	}
	mustContain(t, ab.Get(umPath(officer, "")), "two-step sign-in reset", "Reason: "+reason)

	// The officer must set up a new authenticator before anything else.
	b := mfaSignIn(t, env, officer, "/account/2fa")
	mfaLocation(t, b.Get("/"), "/account/2fa")
}

// Only administrators reset second factors, never their own, and a stale
// password check asks for the password first.
func TestSecondFactorResetRefusals(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := cheapDemoUser(t, env, "admin@nap.example")
	focal := cheapDemoUser(t, env, "focal.molsw@nap.example")
	_, _, _ = mfaEnrol(t, env, admin) // an admin with a second factor of their own
	// The focal point turned on the optional second factor.
	fb := env.SignedIn(t, focal)
	if _, err := account.BeginTOTP(context.Background(), env.App.DB, env.App.Keys, focal); err != nil {
		t.Fatal(err)
	}
	enrolled := func() bool { u := mfaUser(t, env, focal.ID); return u.TOTPSecret != "" }
	// A new form each time: Post adds the sending session's CSRF token to it.
	reset := func(password string) url.Values {
		v := url.Values{"reason": {"lost phone"}}
		if password != "" {
			v.Set("password", password)
		}
		return v
	}

	for _, email := range []string{"secretariat@nap.example", "focal.molsw@nap.example", "donor@nap.example", "facilitator@nap.example"} {
		b := env.SignedIn(t, demoUser(t, env, email))
		mustStatus(t, b.Post(umPath(focal, "/mfa-reset"), reset("")), http.StatusForbidden)
		mustStatus(t, b.Post(umPath(admin, "/mfa-reset"), reset("")), http.StatusForbidden)
	}
	if !enrolled() || mfaUser(t, env, admin.ID).TOTPEnabledAt == nil {
		t.Fatal("a refused reset removed a second factor")
	}

	ab := env.SignedIn(t, admin)
	r := ab.Post(umPath(admin, "/mfa-reset"), reset(""))
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "You cannot reset your own second factor here")
	if mfaUser(t, env, admin.ID).TOTPEnabledAt == nil {
		t.Fatal("the administrator reset their own second factor")
	}
	if strings.Contains(ab.Get(umPath(admin, "")).Body, `/mfa-reset"`) {
		t.Error("the administrator's own page offers to reset their second factor")
	}

	env.Clock.Advance(staleAfter)
	r = ab.Post(umPath(focal, "/mfa-reset"), reset(""))
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "Confirm your password to do this", `id="confirm-mfa-reset"`, ">lost phone</textarea>")
	mustStatus(t, ab.Post(umPath(focal, "/mfa-reset"), reset("wrong")), http.StatusUnprocessableEntity)
	if !enrolled() {
		t.Fatal("reset with a stale check and no right password")
	}
	mustStatus(t, fb.Get("/account"), http.StatusOK)
	mustStatus(t, ab.Post(umPath(focal, "/mfa-reset"), reset(apptest.Password)), http.StatusSeeOther)
	if enrolled() {
		t.Error("the focal point's pending secret survived the reset")
	}
	if r := fb.Get("/account"); !redirectsToLogin(r) {
		t.Error("the focal point's session survived the reset")
	}
}

// Someone with a copy of the database (a dump, a backup, a stolen disk)
// must not get anyone's second factor: the secret of an enrolled user is
// nowhere in the SQLite files, nor in the PostgreSQL row. After a key
// rotation by another process (`naptracker keys rotate` while the server
// runs), the running server still signs the user in.
func TestTOTPSecretsAreEncryptedAtRest(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	u := env.User(t, domain.RoleSecretariat, "")
	now := env.Clock.Now().UTC()
	key, err := account.BeginTOTP(ctx, env.App.DB, env.App.Keys, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := account.ConfirmTOTP(ctx, env.App.DB, env.App.Keys, domain.Caller{Actor: domain.SystemActor, Now: now}, u.ID, mfaCode(t, key.Secret(), now)); err != nil {
		t.Fatal(err)
	}
	secret := key.Secret()
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}

	if store.IsPostgres(env.App.DB) {
		var row string
		if err := env.App.DB.Raw("SELECT u::text FROM users u WHERE id = ?", u.ID).Scan(&row).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(row, u.Email) {
			t.Fatalf("the row read is not the user's: %.200s", row)
		}
		if strings.Contains(row, secret) || strings.Contains(strings.ToUpper(row), strings.ToUpper(hex.EncodeToString(raw))) {
			t.Errorf("the PostgreSQL row holds the TOTP secret in clear: %.400s", row)
		}
	} else {
		var files [][]byte
		names, _ := filepath.Glob(filepath.Join(env.Config.DataDir, "naptracker.db*"))
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, b)
		}
		all := bytes.Join(files, nil)
		if !bytes.Contains(all, []byte(u.Email)) {
			t.Fatalf("the database files %v do not hold the user's e-mail address: not the right files", names)
		}
		if bytes.Contains(all, []byte(secret)) || bytes.Contains(all, raw) {
			t.Errorf("the SQLite files %v hold the TOTP secret in clear", names)
		}
	}
	var stored domain.User
	env.App.DB.Take(&stored, u.ID)
	if !account.IsSealed(stored.TOTPSecret) {
		t.Errorf("stored TOTP secret %q is not sealed", stored.TOTPSecret)
	}

	// Another process rotates the key file and seals every secret anew.
	other, _, err := account.LoadKeyring("", env.Config.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.RotateKeyFile(); err != nil {
		t.Fatal(err)
	}
	if n, err := account.SealTOTPSecrets(ctx, env.App.DB, other, true); err != nil || n != 1 {
		t.Fatalf("re-sealing after the rotation: %d, %v", n, err)
	}
	env.App.DB.Take(&stored, u.ID)
	if account.SealedWith(stored.TOTPSecret) != other.CurrentID() {
		t.Fatal("the secret is not sealed under the new key")
	}

	// The running server signs the user in with their app's code.
	env.Clock.Advance(90 * time.Second) // the next 30-s step: a code is accepted once
	b := mfaSignIn(t, env, u, "/login/2fa")
	r := b.Post("/login/2fa", url.Values{"code": {mfaCode(t, secret, env.Clock.Now())}, "next": {"/"}})
	mfaLocation(t, r, "/")
	mustStatus(t, b.Get("/account"), http.StatusOK)
}
