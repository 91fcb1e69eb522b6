package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"naptracker/app/apptest"
	"naptracker/models"
	"naptracker/seed"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
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
	for _, v := range b.Axe(a.script) {
		if v.Serious() {
			a.problems = append(a.problems, fmt.Sprintf("%s [%s]: %s", page, lang, v))
		} else {
			a.t.Logf("%s [%s], minor: %s", page, lang, v)
		}
	}
}

// TestAccessibilityInChromium opens the main pages as a workshop facilitator
// in English, French and Lao (the language chosen with the switcher, as a
// user would), the sign-in page anonymously, and My reporting and the value
// form as a focal point, and runs axe-core on each: no violation of impact
// "serious" or "critical" is allowed. In Lao it checks that the page's Lao
// text is drawn with the bundled Noto Sans Lao; in the presentation the
// arrow keys move between the slides; on the dashboard the first Tab
// reaches the skip link, with a visible focus outline. Full-page
// screenshots go to the folder the test log names.
func TestAccessibilityInChromium(t *testing.T) {
	script, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t)
	fac := env.User(t, models.RoleFacilitator, "")
	fp := env.User(t, models.RoleFocalPoint, "MOLSW")
	snapshot := takeSnapshot(t, env)
	var shots atomic.Int32
	b := env.NewBrowser(t, &shots)
	t.Logf("screenshots: %s", b.Dir())
	old, _ := filepath.Glob(filepath.Join(b.Dir(), "*.png")) // from an earlier run
	for _, f := range old {
		os.Remove(f)
	}
	audit := &axeAudit{t: t, script: script}
	originals := planOriginals(t, env)
	var mixed []string
	plan := "/plans/" + seed.DemoPlanCode

	b.Open("/login")
	audit.check(b, "login", "en")

	b.SignIn(fac.Email, apptest.Password, nil)
	for _, lang := range []string{"en", "fr", "lo"} {
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
				for _, u := range untaggedOriginals(t, b, originals, p.skipLang) {
					mixed = append(mixed, fmt.Sprintf("%s [%s]: %s", p.name, lang, u))
				}
			}
			if p.name == "dashboard" && lang == "en" {
				skipLinkFirst(t, b)
			}
			audit.check(b, p.name, lang)
			if p.name == "presentation" {
				moveSlides(t, b, lang)
				audit.check(b, "presentation-slide-2", lang)
			}
		}
	}

	b.SignOut()
	b.SignIn(fp.Email, apptest.Password, nil)
	b.Open(plan + "/reporting")
	audit.check(b, "my-reporting", "en")
	b.Open(plan + "/indicators/2.1.1.a/values/" + currentPeriod())
	if n := apptest.Eval[int](b, `document.querySelectorAll("#value").length`); n != 1 {
		t.Fatalf("the value form has %d value fields", n)
	}
	audit.check(b, "value-form", "en")
	b.Run(chromedp.SetValue(chromedp.ID("value"), "about forty"))
	b.ClickAndWait(`button[value="submit"]`)
	if n := apptest.Eval[int](b, `document.querySelectorAll("#value[aria-invalid=true][aria-describedby]").length`); n != 1 {
		t.Fatal("the refused value form does not mark the value field invalid")
	}
	audit.check(b, "value-form-refused", "en")

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
	periods, err := models.PlanPeriods(context.Background(), env.App.DB, plan.ID)
	if err != nil || len(periods) < 4 {
		t.Fatalf("periods: %v", err)
	}
	sec := env.SignedIn(t, env.User(t, models.RoleSecretariat, ""))
	r := sec.Post("/plans/"+plan.Code+"/snapshots", url.Values{"name": {"Mid-year review"}, "from": {periods[0].Label}, "to": {periods[3].Label}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("take a snapshot: %d", r.StatusCode)
	}
	list, err := models.ListSnapshots(context.Background(), env.App.DB, plan.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("snapshots: %v %v", list, err)
	}
	return fmt.Sprintf("/plans/%s/snapshots/%d/present", plan.Code, list[0].ID)
}

// moveSlides waits for the presentation's script, presses ArrowRight twice
// and ArrowLeft once, and checks that the visible slide and the counter
// follow (3, then 2) and that only one slide is visible at a time.
func moveSlides(t *testing.T, b *apptest.Browser, lang string) {
	t.Helper()
	b.Run(chromedp.WaitVisible(chromedp.CSS(`.presentation.js-deck #slide-1.current`)))
	total := strconv.Itoa(apptest.Eval[int](b, `document.querySelectorAll(".slide").length`))
	state := func() string {
		return apptest.Eval[string](b, `[...document.querySelectorAll(".slide")].filter(s => s.offsetParent !== null).map(s => s.id).join(",")`) +
			" " + apptest.Eval[string](b, `document.querySelector("[data-deck=count]").textContent`)
	}
	b.Run(chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	if got, want := state(), "slide-3 3 / "+total; got != want {
		t.Errorf("%s: after two ArrowRight the visible slide and counter are %q, want %q", lang, got, want)
	}
	b.Shot("presentation-slide-3-" + lang)
	b.Run(chromedp.KeyEvent(kb.ArrowLeft))
	if got, want := state(), "slide-2 2 / "+total; got != want {
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
	b.Run(chromedp.Blur(chromedp.CSS(`a.skip`)))
}

// laoDrawn checks, after the page's fonts are ready, that the first visible
// Lao text in main is drawn (it has a width) and that Chromium drew its
// glyphs with the bundled Noto Sans Lao, as the platform fonts it reports
// for that element say: boxes or a fallback font would not be.
func laoDrawn(t *testing.T, b *apptest.Browser, page string) {
	t.Helper()
	probe, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.fonts.ready.then(() => {
		document.querySelectorAll("[data-lao-probe]").forEach(e => e.removeAttribute("data-lao-probe"));
		const w = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
		for (let n; (n = w.nextNode());) {
			if (!/[\u0E81-\u0EDF]/.test(n.data) || !n.parentElement.checkVisibility()) continue;
			const r = document.createRange(); r.selectNodeContents(n);
			if (r.getBoundingClientRect().width <= 0) return "Lao text without width: " + n.data.trim();
			if (!document.fonts.check('16px "Noto Sans Lao"', n.data)) return "Noto Sans Lao cannot draw: " + n.data.trim();
			n.parentElement.setAttribute("data-lao-probe", "");
			return "";
		}
		return "no visible Lao text in main";
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if probe != "" {
		t.Errorf("%s in Lao: %s", page, probe)
		return
	}
	fonts, err := chromedp.Run(b.Ctx, chromedp.QueryAfter(chromedp.CSS(`[data-lao-probe]`), func(ctx context.Context, tg *chromedp.Target, nodes []*chromedp.Node) ([]*css.PlatformFontUsage, error) {
		res, err := cdp.Call(ctx, tg, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: nodes[0].NodeID})
		return res.Fonts, err
	}))
	if err != nil {
		t.Fatalf("%s: platform fonts: %v", page, err)
	}
	if !slices.ContainsFunc(fonts, func(f *css.PlatformFontUsage) bool {
		return strings.Contains(f.FamilyName, "Noto Sans Lao") && f.IsCustomFont && f.GlyphCount > 0
	}) {
		var names []string
		for _, f := range fonts {
			names = append(names, fmt.Sprintf("%s (custom %v, %v glyphs)", f.FamilyName, f.IsCustomFont, f.GlyphCount))
		}
		t.Errorf("%s in Lao: the Lao text is not drawn with the bundled Noto Sans Lao but with %s", page, strings.Join(names, ", "))
	}
}

// planOriginals are the plan's texts as written (titles of the plan, its
// pillars, objectives and activities; indicator names, definitions and
// means of verification), each at least 8 characters long: shown untranslated
// in another interface language, they must carry the plan's lang.
func planOriginals(t *testing.T, env *apptest.Env) []string {
	t.Helper()
	var out []string
	for _, q := range []struct {
		model  any
		column string
	}{
		{&models.Plan{}, "title"}, {&models.Pillar{}, "title"}, {&models.Objective{}, "title"}, {&models.Activity{}, "title"},
		{&models.Indicator{}, "name"}, {&models.Indicator{}, "definition"}, {&models.Indicator{}, "means_of_verification"},
	} {
		var texts []string
		if err := env.App.DB.Model(q.model).Pluck(q.column, &texts).Error; err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			if s = strings.TrimSpace(s); len(s) >= 8 {
				out = append(out, s)
			}
		}
	}
	return out
}

// untaggedOriginals lists the visible texts of the current page that
// contain one of the plan's original texts without an element around them
// marking its language: a screen reader would read English with a French or
// Lao voice. Elements matching skip are left out, and so are evidence titles,
// which are the reporter's own words that may quote the plan.
func untaggedOriginals(t *testing.T, b *apptest.Browser, originals []string, skip string) []string {
	t.Helper()
	list, err := json.Marshal(originals)
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Eval[[]string](b, `((originals, skip) => {
		const page = document.documentElement.lang, out = [];
		const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n; (n = w.nextNode());) {
			const e = n.parentElement;
			if ((e.closest("[lang]") || document.documentElement).lang !== page || e.closest(".evidence") || (skip && e.closest(skip))) continue;
			const hit = originals.find(o => n.data.includes(o));
			if (hit && (e.checkVisibility() || e.closest(".visually-hidden"))) {
				out.push(e.tagName.toLowerCase() + (e.className ? "." + e.className.trim().replace(/ +/g, ".") : "") + ": " + hit.slice(0, 50));
			}
		}
		return out;
	})(`+string(list)+`, `+strconv.Quote(skip)+`)`)
}
