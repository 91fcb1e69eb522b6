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
