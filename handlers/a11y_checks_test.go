package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Checks of a rendered page that axe-core does not make, used by
// TestAccessibilityInChromium: focus indicators with enough contrast, Lao
// text drawn with the bundled font, and plan text in another language than
// the page's marked with its lang.

// focusRingJS focuses every visible control of the page in turn (after a
// Tab, so that the browser shows focus as it does for keyboard users) and
// lists those whose focus indicator (outline or box-shadow) is missing or
// has less than 3:1 contrast with the background around it (WCAG 2.4.7 and
// 1.4.11).
const focusRingJS = `(() => {
	const rgb = c => { const m = (c.match(/rgba?\(([^)]*)\)/) || [])[1]; if (!m) return null; const v = m.split(/[ ,\/]+/).map(Number); return v.length > 3 && v[3] === 0 ? null : v.slice(0, 3); };
	const lum = v => v.map(x => (x /= 255) <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4).reduce((s, x, i) => s + x * [0.2126, 0.7152, 0.0722][i], 0);
	const ratio = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
	const around = e => { for (let x = e.parentElement; x; x = x.parentElement) { const c = rgb(getComputedStyle(x).backgroundColor); if (c) return lum(c); } return 1; };
	const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/ +/).join(".") : "") + ' "' + (e.textContent || e.value || "").replace(/\s+/g, " ").trim().slice(0, 30) + '"';
	const bad = [];
	for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')) {
		if (e.disabled || !e.checkVisibility()) continue;
		e.focus();
		if (document.activeElement !== e) continue;
		const s = getComputedStyle(e), rings = [];
		if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) rings.push(s.outlineColor);
		if (s.boxShadow !== "none") rings.push(...(s.boxShadow.match(/rgba?\([^)]*\)/g) || []));
		const bg = around(e), best = Math.max(0, ...rings.map(rgb).filter(Boolean).map(c => ratio(lum(c), bg)));
		if (best < 3) bad.push(name(e) + (rings.length ? " (contrast " + best.toFixed(1) + ":1)" : " (no focus ring)"));
	}
	document.activeElement.blur();
	return bad;
})()`

// focusRings runs focusRingJS on the current page.
func focusRings(t *testing.T, b *apptest.Browser) []string {
	t.Helper()
	// A Tab from the last control of the page (or from a focused slide)
	// leaves the document: the next one comes back to its top.
	for range 3 {
		b.Run(chromedp.KeyEvent(kb.Tab))
		if apptest.Eval[bool](b, `document.activeElement.matches(":focus-visible")`) {
			break
		}
	}
	return apptest.Eval[[]string](b, focusRingJS)
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
		{&domain.Plan{}, "title"}, {&domain.Pillar{}, "title"}, {&domain.Objective{}, "title"}, {&domain.Activity{}, "title"},
		{&domain.Indicator{}, "name"}, {&domain.Indicator{}, "definition"}, {&domain.Indicator{}, "means_of_verification"},
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
