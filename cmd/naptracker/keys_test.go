package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/domain"

	"github.com/pquerna/otp/totp"
)

// enrolAdmin creates an administrator with the command line and sets up
// their authenticator through the models, as the set-up page does; it
// returns their id and TOTP secret.
func enrolAdmin(t *testing.T, env func(string) string) (int64, string) {
	t.Helper()
	if code, out, errOut := runCmd(t, env, "a long passphrase\n", "user", "create", "--email", "boss@example.gov", "--name", "Boss", "--role", "admin"); code != exitOK {
		t.Fatalf("user create = %d, %q, %q", code, out, errOut)
	}
	a, err := app.New(app.ConfigFromEnv(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	u, err := account.FindUserByEmail(ctx, a.DB, "boss@example.gov")
	if err != nil {
		t.Fatal(err)
	}
	key, err := account.BeginTOTP(ctx, a.DB, a.Keys, u)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	c, _ := totp.GenerateCode(key.Secret(), now)
	if _, err := account.ConfirmTOTP(ctx, a.DB, a.Keys, domain.Caller{Actor: domain.SystemActor, Now: now}, u.ID, c); err != nil {
		t.Fatal(err)
	}
	return u.ID, key.Secret()
}

// codeWorks opens the application with env and checks the app's code of
// the next step against the stored secret, and which key sealed it.
func codeWorks(t *testing.T, env func(string) string, id int64, secret string) string {
	t.Helper()
	a, err := app.New(app.ConfigFromEnv(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	at := time.Now().UTC().Add(2 * time.Minute) // a later step than the one used at enrolment
	c, _ := totp.GenerateCode(secret, at)
	if got, err := account.VerifyTOTP(context.Background(), a.DB, a.Keys, id, c, at); err != nil || got != account.CodeAccepted {
		t.Fatalf("the app's code after the rotation: %v, %v", got, err)
	}
	var u domain.User
	a.DB.Take(&u, id)
	if strings.Contains(u.TOTPSecret, secret) {
		t.Fatal("the secret is stored in clear")
	}
	return account.SealedWith(u.TOTPSecret)
}

// With the key file, `naptracker keys rotate` writes a new key first,
// keeps the old one after it, and seals every secret under the new key;
// sign-in codes keep working.
func TestKeysRotateWithTheKeyFile(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	id, secret := enrolAdmin(t, env)
	file := filepath.Join(env("NAPTRACKER_DATA_DIR"), account.KeyFileName)
	before, _, err := account.LoadKeyring("", file)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, env, "", "keys", "rotate")
	if code != exitOK {
		t.Fatalf("keys rotate = %d, %q, %q", code, out, errOut)
	}
	after, _, err := account.LoadKeyring("", file)
	if err != nil {
		t.Fatal(err)
	}
	ids := after.IDs()
	if len(ids) != 2 || ids[1] != before.CurrentID() || ids[0] == before.CurrentID() {
		t.Fatalf("keys before %v, after %v: want a new key first and the old one kept", before.IDs(), ids)
	}
	if !strings.Contains(out, "1 TOTP secret(s) encrypted under key "+ids[0]) {
		t.Errorf("output %q does not say the secret was sealed under the new key", out)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the key file is not readable by its owner only after the rotation: %v", fi.Mode().Perm())
	}
	if got := codeWorks(t, env, id, secret); got != ids[0] {
		t.Errorf("the secret is sealed under %s, want the new key %s", got, ids[0])
	}
}

// With NAPTRACKER_SECRET_KEY=NEW,OLD the command seals everything under
// NEW, after which OLD can go; the secrets stored in clear by an older
// version are sealed by `naptracker migrate`.
func TestKeysRotateWithTheEnvironment(t *testing.T) {
	t.Parallel()
	base := testEnv(t)
	oldKey, newKey := account.NewKey(), account.NewKey()
	with := func(keys string) func(string) string {
		return func(k string) string {
			if k == "NAPTRACKER_SECRET_KEY" {
				return keys
			}
			return base(k)
		}
	}
	id, secret := enrolAdmin(t, with(oldKey))
	if _, err := os.Stat(filepath.Join(base("NAPTRACKER_DATA_DIR"), account.KeyFileName)); err == nil {
		t.Error("a key file was created although NAPTRACKER_SECRET_KEY is set")
	}

	// As a version that stored secrets in clear left it:
	a, err := app.New(app.ConfigFromEnv(with(oldKey)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a.DB.Model(&domain.User{}).Where("id = ?", id).UpdateColumn("totp_secret", secret)
	a.Close()
	code, out, errOut := runCmd(t, with(oldKey), "", "migrate")
	if code != exitOK || !strings.Contains(out, "encrypted 1 TOTP secret(s) stored in clear") {
		t.Fatalf("migrate = %d, %q, %q", code, out, errOut)
	}

	code, out, errOut = runCmd(t, with(newKey+","+oldKey), "", "keys", "rotate")
	newID := mustKeys(t, newKey).CurrentID()
	if code != exitOK || !strings.Contains(out, "1 TOTP secret(s) encrypted under key "+newID) {
		t.Fatalf("keys rotate = %d, %q, %q", code, out, errOut)
	}
	if got := codeWorks(t, with(newKey), id, secret); got != newID {
		t.Errorf("sealed under %s, want %s", got, newID)
	}
	if code, _, errOut := runCmd(t, with("not a key"), "", "migrate"); code != exitError || !strings.Contains(errOut, "NAPTRACKER_SECRET_KEY") {
		t.Errorf("a malformed NAPTRACKER_SECRET_KEY: exit %d, %q", code, errOut)
	}
}

func mustKeys(t *testing.T, s string) *account.Keyring {
	k, err := account.ParseKeys(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
