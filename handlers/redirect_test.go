package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"

	"github.com/chromedp/chromedp"
)

// hostileNext is what an attacker puts in the next parameter of the
// sign-in and language forms to send a victim to their own site after a
// real page of ours: the ways browsers read a path as another host.
var hostileNext = []string{
	"/\t/evil.example",         // TAB, dropped by browsers: //evil.example
	"/%09/evil.example",        // an encoded TAB, as some decoders leave it
	"/\n/evil.example",         // LF
	"/\r\n/evil.example",       // CR LF
	"\t//evil.example",         // a leading TAB
	" //evil.example",          // a leading space, trimmed by browsers
	"/\\evil.example",          // a backslash is a slash to browsers
	"\\\\evil.example",         // two backslashes
	"/\\/evil.example",         // slash, backslash, slash
	"/%5C/evil.example",        // an encoded backslash
	"/%5Cevil.example",         // …without the slash after it
	"//evil.example",           // protocol-relative
	"///evil.example",          // three slashes
	"/\uff0f/evil.example",     // a full-width solidus after a slash
	"\uff0f\uff0fevil.example", // two full-width solidi
	"javascript:alert(document.cookie)",
	"JaVaScRiPt:alert(1)",
	"\tjavascript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"http://evil.example/",
	"https://evil.example/path?x=1",
	"http:/evil.example",
	"http:\\\\evil.example",
	"https://localhost@evil.example/",
}

// The sign-in and language forms only ever send the browser to a path of
// this site, whatever next holds; a plain same-site path is kept.
func TestRedirectTargetsStayOnTheSite(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleDonor, "APJP")
	check := func(via, next, loc string) {
		t.Helper()
		if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.ContainsAny(loc, "\\\t\r\n ") {
			t.Errorf("%s with next=%q redirected to %q", via, next, loc)
		}
	}
	for _, next := range hostileNext {
		status, loc := postRaw(t, env, "/language", url.Values{"lang": {"fr"}, "next": {next}}, nil)
		if status != http.StatusSeeOther {
			t.Fatalf("POST /language = %d", status)
		}
		check("POST /language", next, loc)
	}
	for _, next := range []string{"/\t/evil.example", "/\\evil.example", "/%5C/evil.example", "https://evil.example/"} {
		form := url.Values{"login_csrf": {"x"}, "email": {u.Email}, "password": {apptest.Password}, "next": {next}}
		status, loc := postRaw(t, env, "/login", form, &http.Cookie{Name: "nap_login", Value: "x"})
		if status != http.StatusSeeOther {
			t.Fatalf("POST /login = %d", status)
		}
		check("POST /login", next, loc)
	}
	// A real destination survives, query and all.
	r := env.Client(t).Post("/language", url.Values{"lang": {"fr"}, "next": {"/plans/NPA-TIP-2026?period=2026-Q1#values"}})
	if loc := r.Header.Get("Location"); loc != "/plans/NPA-TIP-2026?period=2026-Q1#values" {
		t.Errorf("a same-site destination became %q", loc)
	}
}

// Chromium is the judge of where an address leads: every Location the
// server answers for the hostile values must resolve, by Chromium's own
// URL parser, to this site; and the same values given to Chromium raw do
// leave the site (so the table is hostile for real). Then the browser
// submits the language switcher with a hostile next and follows the
// redirect for real.
func TestRedirectTargetsInChromium(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	b := env.NewBrowser(t, nil)
	b.Open("/login")
	origin := apptest.Eval[string](b, `location.origin`)

	leaves := 0
	for _, next := range hostileNext {
		_, loc := postRaw(t, env, "/language", url.Values{"lang": {"en"}, "next": {next}}, nil)
		got := apptest.Eval[string](b, `new URL(`+jsString(loc)+`, location.href).origin`)
		if got != origin {
			t.Errorf("next=%q: the server sent Location %q, which Chromium resolves to %s", next, loc, got)
		}
		raw := apptest.Eval[string](b, `(() => { try { return new URL(`+jsString(next)+`, location.href).origin } catch (e) { return "error" } })()`)
		if raw != origin {
			leaves++
		}
	}
	t.Logf("%d of the %d hostile values leave the site when Chromium reads them raw", leaves, len(hostileNext))
	if leaves < 15 {
		t.Errorf("only %d of the %d hostile values leave the site when Chromium reads them raw; the table is not hostile enough", leaves, len(hostileNext))
	}

	// Follow a real redirect: the switcher's hidden next holds the TAB trick.
	for _, next := range []string{"/\t/evil.example", "/\\evil.example"} {
		b.Open("/login")
		before := apptest.Eval[string](b, `location.href`)
		apptest.Eval[bool](b, `(document.querySelector('.lang-switch input[name=next]').value = `+jsString(next)+`) !== null`)
		apptest.Eval[bool](b, `(document.documentElement.dataset.leaving = "1") === "1"`)
		b.Run(chromedp.Click(chromedp.CSS(`.lang-switch button[value="fr"]`)))
		var landed string
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.readyState === "complete" && !document.documentElement.dataset.leaving ? location.href : ""`))
			if err == nil && v != "" {
				landed = v
				break
			}
		}
		if !strings.HasPrefix(landed, origin+"/") {
			t.Errorf("after the switcher with next=%q (from %s) Chromium landed on %q, not on %s", next, before, landed, origin)
		}
	}
}

// postRaw posts a form and returns the status and the Location header as
// sent: Go's client refuses to parse some of the hostile ones.
func postRaw(t *testing.T, env *apptest.Env, path string, form url.Values, cookie *http.Cookie) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// jsString quotes s as a JavaScript string literal (JSON's is one).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
