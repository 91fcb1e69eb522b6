package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// syncBuffer is a log destination written by many requests at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Someone who can read the logs (an operator, a log collector, a support
// ticket with an excerpt) must not learn secrets or data from them. At the
// debug level every SQL statement is logged, and failing ones always are;
// no line may hold a password, its hash, a session or API token or their
// hashes, a TOTP secret, an e-mail address that was saved or a narrative.
func TestLogsHoldNoSecretsOrSavedValues(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	cfg.LogLevel = "debug"
	logs := &syncBuffer{}
	env := apptest.StartLogged(t, cfg, logs)
	ctx := context.Background()

	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	b := env.Client(t)
	mustStatus(t, b.Login(fp.Email, apptest.Password), http.StatusSeeOther)
	base, _ := url.Parse(env.Server.URL)
	var session string
	for _, c := range b.HTTP.Jar.Cookies(base) {
		if c.Name == "nap_session" {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie after signing in")
	}
	token, _, err := account.CreateAPIToken(ctx, env.App.DB, domain.Caller{Actor: domain.SystemActor, Now: env.Clock.Now().UTC()}, fp, "logs", nil)
	if err != nil {
		t.Fatal(err)
	}
	api := env.Client(t)
	api.Header.Set("Authorization", "Bearer "+token)
	narrative := "Narrative-" + account.RandomPassword(12)
	path := fmt.Sprintf("/api/v1/plans/%s/indicators/2.1.1.a/values/%s", seed.DemoPlanCode, currentPeriod())
	mustStatus(t, api.JSON(http.MethodPut, path, `{"value": 4, "narrative": "`+narrative+`", "version": 0}`), http.StatusOK)

	// A second factor being set up stores a TOTP secret.
	key, err := account.BeginTOTP(ctx, env.App.DB, env.App.Keys, fp)
	if err != nil {
		t.Fatal(err)
	}
	// A statement that fails (the e-mail address is taken) is logged as an error.
	dup := &domain.User{Email: fp.Email, Name: "Duplicate", Role: domain.RoleFacilitator}
	if err := account.CreateUser(ctx, env.App.DB, domain.SystemActor, dup, "another password 123"); err == nil {
		t.Fatal("a second account with the same e-mail address was created")
	}

	var stored domain.User
	if err := env.App.DB.Take(&stored, fp.ID).Error; err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"password":           apptest.Password,
		"password hash":      stored.PasswordHash,
		"session token":      session,
		"session token hash": account.HashSecret(session),
		"API token":          token,
		"API token hash":     account.HashSecret(token),
		"TOTP secret":        key.Secret(),
		"e-mail address":     fp.Email,
		"narrative":          narrative,
		"second password":    "another password 123",
		"stored TOTP secret": stored.TOTPSecret,
	}
	out := logs.String()
	lines := strings.Split(out, "\n")
	sql := strings.Count(out, `"msg":"SQL executed"`)
	t.Logf("%d log lines, %d of them SQL statements", len(lines), sql)
	if sql < 20 || !strings.Contains(out, `"level":"ERROR","msg":"SQL executed"`) {
		t.Errorf("the debug log does not show the statements and the failing one (%d SQL lines)", sql)
	}
	for what, s := range secrets {
		if s == "" {
			continue
		}
		for _, line := range lines {
			if strings.Contains(line, s) {
				t.Errorf("a log line holds the %s: %.400s", what, line)
				break
			}
		}
	}
}
