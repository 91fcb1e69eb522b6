// Package apptest runs the real application on a fresh database behind a
// real HTTP server, with helpers to create users and sign them in, so that
// handler tests exercise routes, middleware, templates and the database together.
package apptest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/store"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// Env is a running application on its own database.
type Env struct {
	App    *app.App
	Server *httptest.Server
	Clock  *Clock
	Config app.Config
}

// Clock is the application's clock, which tests can move forward.
type Clock struct{ offset atomic.Int64 }

// Now returns the real time plus the offset.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// Config returns a configuration for a fresh database (SQLite file, or a
// PostgreSQL schema when TEST_DATABASE_URL is set).
func Config(t testing.TB) app.Config {
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir() // the SQLite file, and the key file on either database
	if os.Getenv("TEST_DATABASE_URL") != "" {
		cfg.DatabaseURL = storetest.DSN(t)
	}
	return cfg
}

// New starts the application on a fresh database with the demo plan loaded.
// The database is a copy of one bootstrapped once per test process (see
// DemoConfig), which Start then bootstraps again: a no-op that proves it is one.
func New(t testing.TB) *Env {
	t.Helper()
	return Start(t, DemoConfig(t))
}

// DemoConfig returns a configuration for a fresh database that already holds
// the demo plan and the demo accounts: a copy of a template database that the
// test process bootstraps once (modelstest.Clone).
func DemoConfig(t testing.TB) app.Config {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	setDSN(&cfg, storetest.Clone(t, "demo", func(dsn string) error {
		c := app.DefaultConfig()
		setDSN(&c, dsn)
		a, err := app.New(c, io.Discard)
		if err != nil {
			return err
		}
		_, err = a.Bootstrap(context.Background())
		if cerr := a.Close(); err == nil {
			err = cerr
		}
		return err
	}))
	return cfg
}

// setDSN points cfg at dsn: a PostgreSQL URL, or the SQLite file
// <DataDir>/naptracker.db.
//
// On PostgreSQL the data directory still holds the server's key file: one
// left at the default ("data", under the test's working directory) is
// replaced by a temporary one, so that tests never write into the tree.
func setDSN(cfg *app.Config, dsn string) {
	if store.IsPostgresURL(dsn) {
		cfg.DatabaseURL = dsn
		if cfg.DataDir == app.DefaultConfig().DataDir {
			if dir, err := os.MkdirTemp("", "naptracker-test-"); err == nil {
				cfg.DataDir = dir
			}
		}
	} else {
		cfg.DataDir = filepath.Dir(dsn)
	}
}

// Start starts the application with cfg (bootstrapping its database) behind
// an httptest server; both stop when t ends.
func Start(t testing.TB, cfg app.Config) *Env {
	t.Helper()
	return StartLogged(t, cfg, io.Discard)
}

// StartLogged is Start with the application's JSON log written to logOut.
func StartLogged(t testing.TB, cfg app.Config, logOut io.Writer) *Env {
	t.Helper()
	a, err := app.New(cfg, logOut)
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{}
	a.Handler.Now = clock.Now
	if _, err := a.Bootstrap(context.Background()); err != nil {
		a.Close()
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Echo)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Env{App: a, Server: srv, Clock: clock, Config: cfg}
}

// Password is the password of every user made by User.
const Password = "correct horse battery staple"

// User creates a user with a role, in the organisation with the given
// acronym ("" for none), with the password Password.
func (e *Env) User(t testing.TB, role, org string) *domain.User {
	t.Helper()
	ctx := context.Background()
	u := &domain.User{Email: strings.ReplaceAll(role, "_", ".") + "." + account.RandomPassword(6) + "@test.example", Name: "Test " + role, Role: role}
	if org != "" {
		o, err := planning.FindOrganisationByAcronym(ctx, e.App.DB, org)
		if err != nil {
			t.Fatalf("organisation %s: %v", org, err)
		}
		u.OrganisationID = &o.ID
	}
	if err := storetest.CreateUser(ctx, e.App.DB, domain.SystemActor, u, Password); err != nil {
		t.Fatal(err)
	}
	return u
}

// Client is a browser: it keeps cookies, does not follow redirects, and
// sends the session's CSRF token with its forms.
type Client struct {
	t    testing.TB
	env  *Env
	HTTP *http.Client
	CSRF string
	// Header is added to every request (Authorization for API clients, say).
	Header http.Header
}

// Client returns a new anonymous browser.
func (e *Env) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, env: e, Header: http.Header{}, HTTP: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// SignedIn returns a browser with a live session for u that has passed the
// second factor, as if u had signed in completely.
func (e *Env) SignedIn(t testing.TB, u *domain.User) *Client {
	t.Helper()
	token, sess, err := account.CreateSession(context.Background(), e.App.DB, e.App.Handler.Sessions, u, true, "127.0.0.1", "apptest", e.Clock.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	c := e.Client(t)
	base, _ := url.Parse(e.Server.URL)
	c.HTTP.Jar.SetCookies(base, []*http.Cookie{{Name: "nap_session", Value: token, Path: "/"}})
	c.CSRF = sess.CSRFToken
	return c
}

// APIClient returns a client that calls the API with a new token of u.
func (e *Env) APIClient(t testing.TB, u *domain.User) *Client {
	t.Helper()
	secret, _, err := account.CreateAPIToken(context.Background(), e.App.DB, domain.Caller{Actor: domain.SystemActor, Now: e.Clock.Now().UTC()}, u, "apptest", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := e.Client(t)
	c.Header.Set("Authorization", "Bearer "+secret)
	return c
}

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
}

// Do sends a request with a body (nil for none) and reads the response.
func (c *Client) Do(method, path string, body io.Reader, contentType string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.env.Server.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &Response{Response: resp, Body: string(b)}
}

// Get fetches a page.
func (c *Client) Get(path string) *Response { return c.Do(http.MethodGet, path, nil, "") }

// Post submits a form, adding the session's CSRF token unless the form has one.
func (c *Client) Post(path string, form url.Values) *Response {
	if form == nil {
		form = url.Values{}
	}
	if c.CSRF != "" && !form.Has("csrf_token") {
		form.Set("csrf_token", c.CSRF)
	}
	return c.Do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// JSON sends a JSON body.
func (c *Client) JSON(method, path, body string) *Response {
	return c.Do(method, path, strings.NewReader(body), "application/json")
}

var loginCSRF = regexp.MustCompile(`name="login_csrf" value="([^"]+)"`)

// Login signs in through the real form and returns the response to the
// POST (a redirect on success). It picks up the session's CSRF token from
// the next page so that later forms work.
func (c *Client) Login(email, password string) *Response {
	c.t.Helper()
	form := c.Get("/login")
	m := loginCSRF.FindStringSubmatch(form.Body)
	if m == nil {
		c.t.Fatalf("no sign-in form token on /login (status %d)", form.StatusCode)
	}
	resp := c.Do(http.MethodPost, "/login", strings.NewReader(url.Values{"login_csrf": {m[1]}, "email": {email}, "password": {password}}.Encode()), "application/x-www-form-urlencoded")
	if resp.StatusCode == http.StatusSeeOther {
		c.RefreshCSRF()
	}
	return resp
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// RefreshCSRF reads the session's CSRF token from the account page.
func (c *Client) RefreshCSRF() {
	if m := csrfField.FindStringSubmatch(c.Get("/account").Body); m != nil {
		c.CSRF = m[1]
	}
}

// Main runs the tests of a package that uses apptest, then stops the shared
// Chromium and removes the template databases:
// func TestMain(m *testing.M) { apptest.Main(m) }.
//
// A sign-in waits as long as it takes for a password-hashing slot, not
// account.HashWait: tests run many sign-ins at once on a busy machine, and
// the one test of a saturated server sets its own wait.
func Main(m *testing.M) {
	account.HashWait = 2 * time.Minute
	storetest.RaiseParallel()
	code := m.Run()
	CloseBrowser()
	storetest.CleanupTemplates()
	os.Exit(code)
}

// prepared holds what each template's prepare function returned, by template name.
var prepared sync.Map

// NewWith starts the application on a fresh copy of a template database that
// holds the demo plan and what prepare added to it (a large synthetic plan,
// say), and returns what prepare returned. The template is built once per
// test process for each name, so the name must stand for what prepare does.
func NewWith[T any](t testing.TB, name string, prepare func(context.Context, *gorm.DB) (T, error)) (*Env, T) {
	t.Helper()
	name = "demo+" + name
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	setDSN(&cfg, storetest.Clone(t, name, func(dsn string) error {
		c := app.DefaultConfig()
		setDSN(&c, dsn)
		a, err := app.New(c, io.Discard)
		if err != nil {
			return err
		}
		ctx := context.Background()
		_, err = a.Bootstrap(ctx)
		if err == nil {
			var v T
			if v, err = prepare(ctx, a.DB); err == nil {
				prepared.Store(name, v)
			}
		}
		if cerr := a.Close(); err == nil {
			err = cerr
		}
		return err
	}))
	v, _ := prepared.Load(name)
	return Start(t, cfg), v.(T)
}
