package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/domain"
	"naptracker/store/storetest"
)

// TestTokenCreateCommand shows that the token printed by the command works
// against the API of an application on the same database, that only the
// token is printed on standard output, and that unknown or disabled
// accounts get none.
func TestTokenCreateCommand(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	for _, email := range []string{"robot@example.org", "gone@example.org"} {
		if code, out, errOut := runCmd(t, env, "a long passphrase\n", "user", "create", "--email", email, "--name", "Robot", "--role", "facilitator"); code != exitOK {
			t.Fatalf("user create = %d, %q, %q", code, out, errOut)
		}
	}

	code, out, errOut := runCmd(t, env, "", "token", "create", "--email", "Robot@Example.org", "--name", "nightly export")
	if code != exitOK {
		t.Fatalf("token create = %d, %q, %q", code, out, errOut)
	}
	token := strings.TrimSuffix(out, "\n")
	if !strings.HasPrefix(token, account.TokenPrefix) || strings.ContainsAny(token, " \n") {
		t.Fatalf("stdout = %q, want only the token on one line", out)
	}
	if strings.Contains(errOut, token) || !strings.Contains(errOut, "only this once") {
		t.Errorf("stderr = %q: want a note that the token is shown once, without the token", errOut)
	}

	a, err := app.New(app.ConfigFromEnv(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	call := func(bearer string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		rec := httptest.NewRecorder()
		a.Echo.ServeHTTP(rec, req)
		return rec
	}
	rec := call(token)
	var me struct{ Email, Role string }
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &me) != nil || me.Email != "robot@example.org" || me.Role != "facilitator" {
		t.Fatalf("GET /api/v1/me with the printed token = %d %s", rec.Code, rec.Body)
	}

	// The named token appears with its name; an expiry date is stored as
	// the midnight that ends the day.
	next := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	if code, out, errOut := runCmd(t, env, "", "token", "create", "--email", "robot@example.org", "--expires", next); code != exitOK || !strings.Contains(errOut, next) {
		t.Fatalf("token create --expires = %d, %q, %q", code, out, errOut)
	}
	db := storetest.Open(t, dsnOf(env))
	var toks []account.APIToken
	db.Order("id").Find(&toks)
	if len(toks) != 2 || toks[0].Name != "nightly export" || toks[0].ExpiresAt != nil || toks[1].ExpiresAt == nil ||
		toks[1].ExpiresAt.UTC().Format(time.DateOnly) != time.Now().UTC().AddDate(0, 0, 11).Format(time.DateOnly) {
		t.Fatalf("stored tokens = %+v", toks)
	}

	if err := db.Model(&domain.User{}).Where("email = ?", "gone@example.org").Update("disabled_at", time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"unknown e-mail", []string{"--email", "nobody@example.org"}, exitError, "no user"},
		{"disabled account", []string{"--email", "gone@example.org"}, exitError, "disabled"},
		{"past expiry", []string{"--email", "robot@example.org", "--expires", "2020-01-01"}, exitUsage, "--expires"},
		{"malformed expiry", []string{"--email", "robot@example.org", "--expires", "31/12/2030"}, exitUsage, "--expires"},
		{"no e-mail", nil, exitUsage, "usage"},
		{"empty name", []string{"--email", "robot@example.org", "--name", " "}, exitError, "--name"},
	}
	for _, tt := range tests {
		code, out, errOut := runCmd(t, env, "", append([]string{"token", "create"}, tt.args...)...)
		if code != tt.exit || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, nothing on stdout, stderr mentioning %q", tt.name, code, out, errOut, tt.exit, tt.want)
		}
	}
	var n int64
	db.Model(&account.APIToken{}).Count(&n)
	if n != 2 {
		t.Errorf("%d tokens after the refused attempts, want 2", n)
	}
	if code, _, _ := runCmd(t, env, "", "token"); code != exitUsage {
		t.Errorf("token without a subcommand: exit %d, want %d", code, exitUsage)
	}
}
