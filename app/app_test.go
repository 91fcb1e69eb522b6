package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// newApp builds the real application on a fresh database (SQLite, or a
// PostgreSQL schema when TEST_DATABASE_URL is set) and bootstraps it.
func newApp(t *testing.T) *app.App {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		cfg.DatabaseURL = storetest.DSN(t)
	}
	a, err := app.New(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	creds, err := a.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 5 {
		t.Fatalf("bootstrap created %d demo accounts, want one per role (5)", len(creds))
	}
	return a
}

// demoApp builds the real application on a copy of a database that already
// holds the demo plan and accounts (apptest.DemoConfig), for tests whose
// subject is not the first start.
func demoApp(t *testing.T) *app.App {
	t.Helper()
	a, err := app.New(apptest.DemoConfig(t), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// signIn gives a facilitator a live session and returns its Cookie header.
func signIn(t *testing.T, a *app.App) string {
	t.Helper()
	ctx := context.Background()
	u := &domain.User{Email: "viewer@test.example", Name: "Viewer", Role: domain.RoleFacilitator}
	if err := storetest.CreateUser(ctx, a.DB, domain.SystemActor, u, "a long test password"); err != nil {
		t.Fatal(err)
	}
	token, _, err := account.CreateSession(ctx, a.DB, account.DefaultSessionPolicy, u, true, "127.0.0.1", "test", time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return "nap_session=" + token
}

func get(t *testing.T, a *app.App, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.Echo.ServeHTTP(rec, req)
	return rec
}

func TestBootstrapServesTheDemoPlan(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	cookie := signIn(t, a)

	t.Run("health and readiness", func(t *testing.T) {
		if rec := get(t, a, "/healthz"); rec.Code != http.StatusOK {
			t.Errorf("/healthz = %d", rec.Code)
		}
		if rec := get(t, a, "/readyz"); rec.Code != http.StatusOK {
			t.Errorf("/readyz = %d", rec.Code)
		}
	})

	t.Run("home lists the demo plan", func(t *testing.T) {
		rec := get(t, a, "/", "Cookie", cookie)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("GET / = %d: %s", rec.Code, body)
		}
		if !strings.Contains(body, `href="/plans/`+seed.DemoPlanCode+`"`) {
			t.Error("the home page does not link to the demo plan")
		}
		if !strings.Contains(body, "Demonstration data") {
			t.Error("the demo plan is not marked as demonstration data")
		}
		if !strings.Contains(body, `<html lang="en">`) {
			t.Error("the page has no lang attribute")
		}
	})

	t.Run("plan page shows the whole tree", func(t *testing.T) {
		rec := get(t, a, "/plans/"+seed.DemoPlanCode, "Cookie", cookie)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("plan page = %d: %s", rec.Code, body)
		}
		for _, want := range []string{
			"Policy and coordination", "Prevention", "Protection and reintegration",
			"Prosecution and law enforcement", "Regional and international cooperation",
			"Pillar 2", "Objective 2.1", "Activity 2.1.1", ">MOLSW<", ">MOPS<", "Supporting", "End-of-plan target",
			"fictitious",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("plan page lacks %q", want)
			}
		}
		if n := len(regexp.MustCompile(`<article class="activity"`).FindAllString(body, -1)); n < 40 {
			t.Errorf("plan page shows %d activities, want at least 40", n)
		}
		if strings.Contains(body, "[") && regexp.MustCompile(`\[[a-z_]+\.[a-z_.0-9]+\]`).MatchString(body) {
			t.Errorf("plan page shows an untranslated key: %s", regexp.MustCompile(`\[[a-z_]+\.[a-z_.0-9]+\]`).FindString(body))
		}
	})

	t.Run("unknown plan is a 404 page", func(t *testing.T) {
		rec := get(t, a, "/plans/NOPE", "Cookie", cookie)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Page not found") {
			t.Errorf("GET /plans/NOPE = %d, body %q", rec.Code, rec.Body.String())
		}
	})

	t.Run("API errors are JSON", func(t *testing.T) {
		rec := get(t, a, "/api/v1/nothing-here")
		var body struct {
			Error struct{ Code, Message string }
		}
		if rec.Code != http.StatusNotFound || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error.Code != "not_found" || body.Error.Message == "" {
			t.Errorf("GET /api/v1/nothing-here = %d %q", rec.Code, rec.Body.String())
		}
	})

	t.Run("security headers", func(t *testing.T) {
		h := get(t, a, "/", "Cookie", cookie).Header()
		for name, want := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
			"Cache-Control":           "no-store",
			"X-Request-Id":            "",
		} {
			if got := h.Get(name); got == "" || !strings.Contains(got, want) {
				t.Errorf("%s = %q, want it to contain %q", name, got, want)
			}
		}
		if strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Error("the CSP allows inline script or style")
		}
	})

	t.Run("static files carry a content hash and a long cache", func(t *testing.T) {
		body := get(t, a, "/", "Cookie", cookie).Body.String()
		m := regexp.MustCompile(`href="(/static/[0-9a-f]{12}/css/app\.css)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no hashed stylesheet link on the page")
		}
		rec := get(t, a, m[1])
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || !strings.Contains(rec.Header().Get("Content-Type"), "text/css") {
			t.Errorf("stylesheet = %d, Cache-Control %q, Content-Type %q", rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Type"))
		}
		if rec := get(t, a, "/static/000000000000/../../app/app.go"); rec.Code != http.StatusNotFound {
			t.Errorf("path traversal in /static answered %d", rec.Code)
		}
	})

	t.Run("client request ids are not trusted", func(t *testing.T) {
		rec := get(t, a, "/healthz", "X-Request-Id", "forged\nline")
		if got := rec.Header().Get("X-Request-Id"); got == "" || strings.Contains(got, "forged") {
			t.Errorf("X-Request-Id = %q", got)
		}
	})
}

func TestBootstrapTwiceKeepsOneDemo(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	creds, err := a.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds != nil {
		t.Errorf("a second bootstrap created accounts again: %v", creds)
	}
}

func TestReadyzFailsWithoutDatabase(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	a.Close()
	done := make(chan int, 1)
	go func() { done <- get(t, a, "/readyz").Code }()
	select {
	case code := <-done:
		if code != http.StatusServiceUnavailable {
			t.Errorf("/readyz with the database closed = %d, want 503", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("/readyz hung with the database closed")
	}
}

// TestTwoInstancesStartingTogether starts two applications on the same empty
// database at once: both must come up, with one demo plan and one set of accounts.
func TestTwoInstancesStartingTogether(t *testing.T) {
	t.Parallel()
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		cfg.DatabaseURL = storetest.DSN(t)
	}
	var apps [2]*app.App
	for i := range apps {
		a, err := app.New(cfg, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		apps[i] = a
	}
	type result struct {
		n   int
		err error
	}
	results := make(chan result, 2)
	for _, a := range apps {
		go func() {
			creds, err := a.Bootstrap(context.Background())
			results <- result{len(creds), err}
		}()
	}
	created := 0
	for range apps {
		r := <-results
		if r.err != nil {
			t.Fatalf("bootstrap failed: %v", r.err)
		}
		created += r.n
	}
	if created != 5 {
		t.Errorf("%d demo accounts printed in all, want 5 (one set)", created)
	}
	var plans, users int64
	apps[0].DB.Table("plans").Count(&plans)
	apps[0].DB.Table("users").Count(&users)
	if plans != 1 || users != 5 {
		t.Errorf("%d plans and %d users after two starts, want 1 and 5", plans, users)
	}
}

func TestPagesAreCompressed(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	cookie := signIn(t, a)
	rec := get(t, a, "/plans/"+seed.DemoPlanCode, "Accept-Encoding", "gzip", "Cookie", cookie)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("plan page not compressed: headers %v", rec.Header())
	}
	plain := get(t, a, "/plans/"+seed.DemoPlanCode, "Cookie", cookie)
	if rec.Body.Len()*4 > plain.Body.Len() {
		t.Errorf("compressed page is %d bytes for %d plain", rec.Body.Len(), plain.Body.Len())
	}
	t.Logf("plan page: %d bytes, %d gzip-compressed", plain.Body.Len(), rec.Body.Len())
}

// TestPageQueriesDoNotGrowWithThePlan shows the home and plan pages cost the
// same number of SQL statements for the demo plan and for a plan ten times larger.
func TestPageQueriesDoNotGrowWithThePlan(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	big, err := seed.Synthetic(context.Background(), a.DB, seed.SyntheticOptions{Activities: 460, IndicatorsPerActivity: 2, Years: 2, Code: "BIG"}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	cookie := signIn(t, a)
	counter := storetest.CountQueries(a.DB)
	count := func(path string) int64 {
		get(t, a, path, "Cookie", cookie) // the first request may refresh the session
		counter.Reset()
		if rec := get(t, a, path, "Cookie", cookie); rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, rec.Code)
		}
		return counter.N()
	}
	demo, large := count("/plans/"+seed.DemoPlanCode), count("/plans/BIG")
	// 13 since the plan page also lists the open workshop decisions (one query).
	if demo != large || demo > 13 {
		t.Errorf("plan page: %d queries for the demo plan, %d for a plan with %d activities; want the same small number", demo, large, big.Activities)
	}
	if home := count("/"); home > 6 {
		t.Errorf("home page runs %d queries", home)
	}
}
