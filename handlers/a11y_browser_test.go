package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/seed"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axeAudit runs the vendored axe-core (handlers/testdata/axe, never served)
// on the browser's current page, saves a full-page screenshot, and adds to
// problems one readable line per serious or critical violation.
type axeAudit struct {
	t        *testing.T
	script   []byte
	problems []string
}

func (a *axeAudit) check(b *apptest.Browser, page, lang string) {
	a.t.Helper()
	b.Shot(page + "-" + lang)
	a.run(b, page, lang)
}

// run is check without the screenshot.
func (a *axeAudit) run(b *apptest.Browser, page, lang string) {
	a.t.Helper()
	for _, v := range b.Axe(a.script) {
		if v.Serious() {
			a.problems = append(a.problems, fmt.Sprintf("%s [%s]: %s", page, lang, v))
		} else {
			a.t.Logf("%s [%s], minor: %s", page, lang, v)
		}
	}
}

// TestAccessibilityInChromium opens the main pages (plan, dashboard,
// indicator, organisation, presentation, snapshots and a snapshot's slides)
// as a workshop facilitator in English, French and Lao, chosen with the
// switcher as a user would, the sign-in page anonymously, and My reporting
// and the value form (also refused) as a focal point, and runs axe-core on
// each: no violation of impact "serious" or "critical" is allowed. It also
// checks what axe does not: in Lao, that the Lao text is drawn with the
// bundled Noto Sans Lao; in French and Lao, that plan text shown in its
// original English carries lang="en"; that every control shows a focus
// indicator with 3:1 contrast; that the first Tab on the dashboard reaches
// the skip link; and that the arrow keys move between the slides (axe then
// runs on every slide). Each language is a subtest with a browser of its
// own and a facilitator of its own, run in parallel; the focal point signs
// in after the facilitator on the Lao browser. Full-page screenshots go to the folders the test log names.
func TestAccessibilityInChromium(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t)
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	snapshot := takeSnapshot(t, env)
	originals := planOriginals(t, env)
	for _, lang := range []string{"en", "fr", "lo"} {
		// A facilitator each: the language chosen is remembered per person.
		fac := env.User(t, domain.RoleFacilitator, "")
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			a11yInLanguage(t, env, script, originals, snapshot, fac, fp, lang)
		})
	}
}

// a11yInLanguage is TestAccessibilityInChromium's work in one language, on
// a browser of its own: the sign-in page first in English, and the focal
// point's pages after the facilitator's in Lao.
func a11yInLanguage(t *testing.T, env *apptest.Env, script []byte, originals []string, snapshot string, fac, fp *domain.User, lang string) {
	b := env.BrowserFor(t, nil)
	old, _ := filepath.Glob(filepath.Join(b.Dir(), "*.png")) // from an earlier run
	for _, f := range old {
		os.Remove(f)
	}
	audit := &axeAudit{t: t, script: script}
	var mixed, focus []string
	untagged := func(page, skip string) {
		lang := apptest.Eval[string](b, `document.documentElement.lang`)
		for _, u := range untaggedOriginals(t, b, originals, skip) {
			mixed = append(mixed, fmt.Sprintf("%s [%s]: %s", page, lang, u))
		}
	}
	rings := func(page string) {
		found := focusRings(t, b)
		count := map[string]int{}
		for _, r := range found {
			count[r]++
		}
		for _, r := range found {
			if n := count[r]; n > 0 {
				focus, count[r] = append(focus, fmt.Sprintf("%s: %s ×%d", page, r, n)), 0
			}
		}
	}
	plan := "/plans/" + seed.DemoPlanCode

	if lang == "en" {
		b.Open("/login")
		audit.check(b, "login", "en")
		rings("login")
	}

	b.SignIn(fac.Email, apptest.Password, nil)
	b.Open(plan)
	b.ClickAndWait(`.lang-switch button[value="` + lang + `"]`)
	if got := apptest.Eval[string](b, `document.documentElement.lang`); got != lang {
		t.Fatalf("after choosing %s the page is in %q", lang, got)
	}
	// skipLang: the snapshots page's heading puts the plan's title inside
	// a translated sentence ("Review snapshots of %s"), which the
	// translator builds as plain text, so it cannot mark the title.
	pages := []struct{ name, path, skipLang string }{
		{"plan", plan, ""},
		{"dashboard", plan + "/dashboard", ""},
		{"indicator", plan + "/indicators/3.3.b", ""},
		{"organisation", plan + "/organisations/MOLSW", ""},
		{"funder", plan + "/organisations/APJP", ""},
		{"activity", plan + "/activities/1.3.1", ""},
		{"presentation", plan + "/present", ""},
		{"snapshots", plan + "/snapshots", "main > h1"},
		{"snapshot-presentation", snapshot, ""},
	}
	for _, p := range pages {
		b.Open(p.path)
		if lang == "lo" {
			laoDrawn(t, b, p.name)
		}
		if lang != "en" {
			untagged(p.name, p.skipLang)
		}
		if p.name == "dashboard" && lang == "en" {
			skipLinkFirst(t, b)
		}
		audit.check(b, p.name, lang)
		if p.name == "presentation" {
			moveSlides(t, b, lang)
			audit.check(b, "presentation-slide-2", lang)
		}
		if p.name == "presentation" && lang == "en" {
			// axe sees the current slide only: walk through the others.
			for n := 3; n <= apptest.Eval[int](b, `document.querySelectorAll(".slide").length`); n++ {
				b.Run(chromedp.KeyEvent(kb.ArrowRight))
				audit.run(b, "presentation-slide-"+strconv.Itoa(n), lang)
			}
		}
		if lang == "en" {
			rings(p.name)
		}
	}

	if lang == "lo" {
		// The focal point signs in on the same browser, so in the Lao the
		// facilitator chose; the refused value form shows the error messages too.
		b.SignOut()
		b.SignIn(fp.Email, apptest.Password, nil)
		b.Open(plan + "/reporting")
		if got := apptest.Eval[string](b, `document.documentElement.lang`); got != "lo" {
			t.Fatalf("the focal point's pages are in %q, not in the Lao chosen last", got)
		}
		audit.check(b, "my-reporting", "lo")
		untagged("my-reporting", "")
		rings("my-reporting")
		b.Open(plan + "/indicators/2.1.1.a/values/" + currentPeriod())
		if n := apptest.Eval[int](b, `document.querySelectorAll("#value").length`); n != 1 {
			t.Fatalf("the value form has %d value fields", n)
		}
		audit.check(b, "value-form", "lo")
		untagged("value-form", "")
		b.Run(chromedp.SetValue(chromedp.ID("value"), "about forty"))
		b.ClickAndWait(`button[value="submit"]`)
		if n := apptest.Eval[int](b, `document.querySelectorAll("#value[aria-invalid=true][aria-describedby]").length`); n != 1 {
			t.Fatal("the refused value form does not mark the value field invalid")
		}
		audit.check(b, "value-form-refused", "lo")
		rings("value-form-refused")
	}

	if len(focus) > 0 {
		t.Errorf("controls without a visible focus indicator (3:1 against the background):\n  %s", strings.Join(focus, "\n  "))
	}
	if len(mixed) > 0 {
		t.Errorf("plan text shown in its original language without a lang attribute:\n  %s", strings.Join(mixed, "\n  "))
	}
	if len(audit.problems) > 0 {
		t.Errorf("axe-core found %d serious or critical violation(s):\n  %s", len(audit.problems), strings.Join(audit.problems, "\n  "))
	}
}

// takeSnapshot has the secretariat freeze the first four periods, so that
// the snapshots page lists one, and returns the address of its slides.
func takeSnapshot(t *testing.T, env *apptest.Env) string {
	t.Helper()
	plan := mustPlan(t, env)
	periods, err := reporting.PlanPeriods(context.Background(), env.App.DB, plan.ID)
	if err != nil || len(periods) < 4 {
		t.Fatalf("periods: %v", err)
	}
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	r := sec.Post("/plans/"+plan.Code+"/snapshots", url.Values{"name": {"Mid-year review"}, "from": {periods[0].Label}, "to": {periods[3].Label}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("take a snapshot: %d", r.StatusCode)
	}
	list, err := review.ListSnapshots(context.Background(), env.App.DB, plan.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("snapshots: %v %v", list, err)
	}
	return fmt.Sprintf("/plans/%s/snapshots/%d/present", plan.Code, list[0].ID)
}

// moveSlides waits for the presentation's script, presses ArrowRight twice
// and ArrowLeft once, and checks that the visible slide and the counter
// follow (the third slide, then the second: 2b and 2a when slide 2
// continues) and that only one slide is visible at a time.
func moveSlides(t *testing.T, b *apptest.Browser, lang string) {
	t.Helper()
	b.Run(chromedp.WaitVisible(chromedp.CSS(`.presentation.js-deck #slide-1.current`)))
	// Slides are numbered 1…N, a long one continued as 2a, 2b….
	ids := apptest.Eval[[]string](b, `[...document.querySelectorAll(".slide")].map(s => s.dataset.slide)`)
	total := ids[len(ids)-1]
	state := func() string {
		return apptest.Eval[string](b, `[...document.querySelectorAll(".slide")].filter(s => s.offsetParent !== null).map(s => s.id).join(",")`) +
			" " + apptest.Eval[string](b, `document.querySelector("[data-deck=count]").textContent`)
	}
	b.Run(chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	if got, want := state(), "slide-"+ids[2]+" "+ids[2]+" / "+total; got != want {
		t.Errorf("%s: after two ArrowRight the visible slide and counter are %q, want %q", lang, got, want)
	}
	b.Shot("presentation-slide-3-" + lang)
	b.Run(chromedp.KeyEvent(kb.ArrowLeft))
	if got, want := state(), "slide-"+ids[1]+" "+ids[1]+" / "+total; got != want {
		t.Errorf("%s: after ArrowLeft the visible slide and counter are %q, want %q", lang, got, want)
	}
}

// skipLinkFirst presses Tab on a freshly loaded page: the focus must land
// on the skip link, and the focused link must show a visible focus ring.
func skipLinkFirst(t *testing.T, b *apptest.Browser) {
	t.Helper()
	b.Run(chromedp.KeyEvent(kb.Tab))
	got := apptest.Eval[string](b, `(() => {
		const e = document.activeElement, s = getComputedStyle(e);
		const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
		return (e.classList.contains("skip") ? "skip" : e.outerHTML.slice(0, 80)) + (ring ? " ring" : " no-ring") +
			(e.getBoundingClientRect().left >= 0 ? " on-screen" : " off-screen");
	})()`)
	if got != "skip ring on-screen" {
		t.Errorf("the first Tab on the dashboard: %q, want the skip link, on screen, with a focus ring", got)
	}
	b.Shot("dashboard-skip-link-focused")
	// Blur whatever has the focus: waiting for a.skip would hang where it is missing.
	apptest.Eval[bool](b, `(document.activeElement.blur(), true)`)
}
