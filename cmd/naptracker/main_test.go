package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/store"
	"naptracker/store/storetest"
)

// testEnv gives commands a fresh database through the environment, as a user would.
func testEnv(t *testing.T) func(string) string {
	env := map[string]string{"NAPTRACKER_DATA_DIR": t.TempDir()}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		env["DATABASE_URL"] = storetest.DSN(t)
	}
	return func(k string) string { return env[k] }
}

// demoEnv gives commands a fresh database that already holds the demo plan
// and accounts: a copy of a template the test process seeds once with
// `naptracker seed demo` (TestSeedCommands runs that command on its own).
func demoEnv(t *testing.T) func(string) string {
	t.Helper()
	dsn := storetest.Clone(t, "cmd-demo", func(dsn string) error {
		dataDir := filepath.Dir(dsn)
		if store.IsPostgresURL(dsn) {
			dir, err := os.MkdirTemp("", "naptracker-cmd-test-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			dataDir = dir
		}
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"seed", "demo"}, envFor(dsn, dataDir), strings.NewReader(""), &out, &errOut); code != exitOK {
			return fmt.Errorf("seed demo: exit %d: %s", code, errOut.String())
		}
		return nil
	})
	return envFor(dsn, t.TempDir())
}

// envFor is the environment of a command using the database dsn (a
// PostgreSQL URL, or an SQLite file, whose directory is then the data
// directory) with dataDir for the key file on PostgreSQL.
func envFor(dsn, dataDir string) func(string) string {
	env := map[string]string{"NAPTRACKER_DATA_DIR": dataDir}
	if store.IsPostgresURL(dsn) {
		env["DATABASE_URL"] = dsn
	} else {
		env["NAPTRACKER_DATA_DIR"] = filepath.Dir(dsn)
	}
	return func(k string) string { return env[k] }
}

func runCmd(t *testing.T, getenv func(string) string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	migs, err := store.Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	latest := fmt.Sprintf("schema version %d", migs[len(migs)-1].Version)
	code, out, errOut := runCmd(t, env, "", "migrate")
	if code != exitOK || !strings.Contains(out, latest) {
		t.Fatalf("migrate = %d, %q, %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, env, "", "migrate")
	if code != exitOK || !strings.Contains(out, "applied 0 migration(s)") {
		t.Errorf("second migrate = %d, %q", code, out)
	}
}

func TestUserCreateCommand(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	code, out, errOut := runCmd(t, env, "a long passphrase ລາວ\n", "user", "create", "--email", "Chief@Example.org", "--name", "Chief", "--role", "admin")
	if code != exitOK || !strings.Contains(out, "created user chief@example.org (admin)") {
		t.Fatalf("user create = %d, %q, %q", code, out, errOut)
	}
	// The stored hash checks against the password read from standard input.
	db := storetest.Open(t, dsnOf(env))
	var u domain.User
	if err := db.Where("email = ?", "chief@example.org").Take(&u).Error; err != nil {
		t.Fatal(err)
	}
	if !account.CheckPassword(u.PasswordHash, "a long passphrase ລາວ") {
		t.Error("the password read from standard input does not match the stored hash")
	}

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"taken e-mail", "another password\n", []string{"--email", "chief@example.org", "--name", "X", "--role", "admin"}, "already exists"},
		{"short password", "short\n", []string{"--email", "a@example.org", "--name", "X", "--role", "admin"}, "between 8 and 128"},
		{"focal point without organisation", "long enough pw\n", []string{"--email", "b@example.org", "--name", "X", "--role", "focal_point"}, "--org"},
		{"unknown organisation", "long enough pw\n", []string{"--email", "c@example.org", "--name", "X", "--role", "focal_point", "--org", "NOPE"}, "no organisation"},
		{"unknown role", "long enough pw\n", []string{"--email", "d@example.org", "--name", "X", "--role", "king"}, "--role"},
		{"no password", "", []string{"--email", "e@example.org", "--name", "X", "--role", "admin"}, "no password"},
	}
	for _, tt := range tests {
		code, _, errOut := runCmd(t, env, tt.stdin, append([]string{"user", "create"}, tt.args...)...)
		if code == exitOK || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr %q, want it to mention %q", tt.name, code, errOut, tt.want)
		}
	}
	var n int64
	db.Model(&domain.User{}).Count(&n)
	if n != 1 {
		t.Errorf("%d users after the refused attempts, want 1", n)
	}
}

func TestSeedCommands(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	code, out, errOut := runCmd(t, env, "", "seed", "demo")
	if code != exitOK || !strings.Contains(out, "activities") || !strings.Contains(out, "admin@nap.example") {
		t.Fatalf("seed demo = %d, %q, %q", code, out, errOut)
	}
	code, _, errOut = runCmd(t, env, "", "seed", "demo")
	if code != exitError || !strings.Contains(errOut, "already loaded") {
		t.Errorf("second seed demo = %d, %q", code, errOut)
	}
	code, out, errOut = runCmd(t, env, "", "seed", "synthetic", "--activities", "10", "--indicators-per-activity", "2", "--years", "2")
	if code != exitOK || !strings.Contains(out, "10 activities, 20 indicators") {
		t.Errorf("seed synthetic = %d, %q, %q", code, out, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	for _, args := range [][]string{{"frobnicate"}, {"seed"}, {"seed", "lots"}, {"user"}, {"serve", "-no-such-flag"}, {"seed", "synthetic", "--activities", "0"}} {
		if code, _, _ := runCmd(t, env, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, out, _ := runCmd(t, env, "", "help"); code != exitOK || !strings.Contains(out, "user create") {
		t.Errorf("help = %d %q", code, out)
	}
}

func dsnOf(getenv func(string) string) string {
	if u := getenv("DATABASE_URL"); u != "" {
		return u
	}
	return filepath.Join(getenv("NAPTRACKER_DATA_DIR"), "naptracker.db")
}
