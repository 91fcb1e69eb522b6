package account_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/store/storetest"
)

// testKey and testKeys seal the TOTP secrets of the models' tests.
var testKey = account.NewKey()

var testKeys = func() *account.Keyring {
	k, err := account.ParseKeys(testKey)
	if err != nil {
		panic(err)
	}
	return k
}()

// A sealed value opens only with its key and its context, and any change
// to it is detected.
func TestKeyringSealsAndOpens(t *testing.T) {
	sealed, err := testKeys.Seal("users.totp_secret:7", []byte("JBSWY3DPEHPK3PXP"))
	if err != nil {
		t.Fatal(err)
	}
	if !account.IsSealed(sealed) || strings.Contains(sealed, "JBSWY3DPEHPK3PXP") || account.SealedWith(sealed) != testKeys.CurrentID() {
		t.Fatalf("sealed value %q", sealed)
	}
	if got, err := testKeys.Open("users.totp_secret:7", sealed); err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := testKeys.Open("users.totp_secret:8", sealed); err == nil {
		t.Error("a value sealed for user 7 opened as user 8's")
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	if tampered == sealed {
		tampered = sealed[:len(sealed)-2] + "BB"
	}
	if _, err := testKeys.Open("users.totp_secret:7", tampered); err == nil {
		t.Error("an altered sealed value opened")
	}
	other, _ := account.ParseKeys(account.NewKey())
	if _, err := other.Open("users.totp_secret:7", sealed); !errors.Is(err, account.ErrUnknownKey) {
		t.Errorf("another keyring: %v, want ErrUnknownKey", err)
	}
	for _, bad := range []string{"short", strings.Repeat("A", 40), "not base64 at all!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
		if _, err := account.ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted a key that is not 32 bytes", bad)
		}
	}
}

// The key file is created once, readable by its owner only; a rotation
// puts a new key first and keeps the old one, and another keyring on the
// same file (a server still running) reads the new key when it meets it.
func TestKeyFileAndRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", account.KeyFileName)
	k, created, err := account.LoadKeyring("", path)
	if err != nil || !created {
		t.Fatalf("LoadKeyring: created %v, %v", created, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	again, created, err := account.LoadKeyring("", path)
	if err != nil || created || again.CurrentID() != k.CurrentID() {
		t.Fatalf("a second start made another key (created %v, %v)", created, err)
	}
	running, _, _ := account.LoadKeyring("", path)
	old := k.CurrentID()
	sealedOld, _ := k.Seal("c", []byte("before"))
	id, err := k.RotateKeyFile()
	if err != nil || id == old || k.IDs()[1] != old {
		t.Fatalf("rotate: new %s, keys %v, %v", id, k.IDs(), err)
	}
	sealedNew, _ := k.Seal("c", []byte("after"))
	if got, err := running.Open("c", sealedNew); err != nil || string(got) != "after" {
		t.Errorf("a server started before the rotation cannot open the new key's values: %v", err)
	}
	if got, err := k.Open("c", sealedOld); err != nil || string(got) != "before" {
		t.Errorf("the old key's values do not open after the rotation: %v", err)
	}
	env, _, err := account.LoadKeyring(account.NewKey()+","+account.NewKey(), path)
	if err != nil || env.File() != "" || len(env.IDs()) != 2 {
		t.Errorf("NAPTRACKER_SECRET_KEY with two keys: %v, %v", env.IDs(), err)
	}
}

// Secrets stored in clear by an older version are sealed in place, and a
// rotation seals them all again under the new key; codes keep working.
func TestSealTOTPSecretsInPlace(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	u, secret, _ := enrolled(t, db, domain.RoleAdmin)
	now := enrolAt
	// As an older version stored it:
	if err := db.Model(&domain.User{}).Where("id = ?", u.ID).UpdateColumn("totp_secret", secret).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := account.SealTOTPSecrets(ctx, db, testKeys, false); err != nil || n != 1 {
		t.Fatalf("SealTOTPSecrets = %d, %v; want 1", n, err)
	}
	if s := reload(t, db, u.ID).TOTPSecret; !account.IsSealed(s) || strings.Contains(s, secret) {
		t.Fatalf("stored after sealing: %q", s)
	}
	if n, _ := account.SealTOTPSecrets(ctx, db, testKeys, false); n != 0 {
		t.Errorf("sealing again sealed %d", n)
	}
	both, _ := account.ParseKeys(account.NewKey() + "," + testKey)
	if n, err := account.SealTOTPSecrets(ctx, db, both, true); err != nil || n != 1 {
		t.Fatalf("re-sealing under the new key = %d, %v", n, err)
	}
	if account.SealedWith(reload(t, db, u.ID).TOTPSecret) != both.CurrentID() {
		t.Error("the secret is not sealed under the new key")
	}
	at := now.Add(2 * time.Minute)
	if got, err := account.VerifyTOTP(ctx, db, both, u.ID, code(t, secret, at), at); err != nil || got != account.CodeAccepted {
		t.Errorf("after the rotation the app's code gives %v, %v", got, err)
	}
}
