package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// pdfPages reads the page count of a PDF from its page tree.
var pdfPages = regexp.MustCompile(`/Count (\d+)`)

// printPDF prints the current page as Chromium would on A4 with the page's
// own @page rules, and returns the PDF.
func printPDF(t *testing.T, b *apptest.Browser) []byte {
	t.Helper()
	yes := true
	pdf, err := chromedp.Run(b.Ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PaperWidth: 8.27, PaperHeight: 11.69})
		return res.Data, err
	})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	return pdf
}

// TestIndicatorAndOrganisationPagesInChromium renders the indicator and
// organisation pages for a workshop facilitator in English, French and Lao
// (screenshots in the folder the log names), checks that the chart is drawn
// and that Lao text is on the page, and prints the organisation page of the
// ministry with the most responsibilities in the demo plan: it must fit on
// one A4 sheet, as the workshop hands it out.
func TestIndicatorAndOrganisationPagesInChromium(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	fac := env.User(t, domain.RoleFacilitator, "")
	b := env.BrowserFor(t, fac)
	plan := seed.DemoPlanCode
	for _, lang := range []string{"en", "fr", "lo"} {
		if err := env.App.DB.Model(&domain.User{}).Where("id = ?", fac.ID).Update("language", lang).Error; err != nil {
			t.Fatal(err)
		}
		b.Open("/plans/" + plan + "/indicators/3.3.b")
		b.Shot("indicator-" + lang)
		markers := apptest.Eval[int](b, `document.querySelectorAll("svg.chart-line .series circle").length`)
		if markers == 0 {
			t.Errorf("%s: the indicator chart draws no actual", lang)
		}
		text := b.Text()
		if lang == "lo" && !strings.Contains(text, "ຜົນຕົວຈິງ") {
			t.Errorf("the Lao indicator page shows no Lao text")
		}
		b.Open("/plans/" + plan + "/organisations/MOLSW")
		b.Shot("organisation-" + lang)
		pdf := printPDF(t, b)
		if m := pdfPages.FindSubmatch(pdf); m == nil || string(m[1]) != "1" {
			t.Errorf("%s: the organisation page prints on %q A4 pages, want 1", lang, m)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("%s: not a PDF", lang)
		}
	}
}

// enrolledSecretariat is a secretariat member with two-step sign-in set up,
// and the function giving its current code, for browser tests.
func enrolledSecretariat(t *testing.T, env *apptest.Env) (*domain.User, func() string) {
	t.Helper()
	ctx := context.Background()
	u := env.User(t, domain.RoleSecretariat, "")
	key, err := account.BeginTOTP(ctx, env.App.DB, env.App.Keys, u)
	if err != nil {
		t.Fatal(err)
	}
	enrolled := time.Now().Add(-2 * time.Minute)
	first, _ := totp.GenerateCode(key.Secret(), enrolled)
	if _, err := account.ConfirmTOTP(ctx, env.App.DB, env.App.Keys, domain.Caller{Actor: domain.SystemActor, Now: enrolled}, u.ID, first); err != nil {
		t.Fatal(err)
	}
	return u, func() string { c, _ := totp.GenerateCode(key.Secret(), time.Now()); return c }
}

// overflowJS lists the visible elements of the page whose right edge is
// past the viewport, except those inside a box that scrolls sideways and
// itself fits (a table scrolling in its own box), and says so when the page
// as a whole is wider than the viewport.
const overflowJS = `(() => {
  const w = document.documentElement.clientWidth, out = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const scroller = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if (s === "auto" || s === "scroll" || s === "hidden") return p;
    }
    return null;
  };
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= w + 1) continue;
    const box = scroller(el);
    if (box && box.getBoundingClientRect().right <= w + 1) continue;
    let path = name(el);
    if (el.parentElement) path = name(el.parentElement) + " > " + path;
    out.push(path + " reaches " + Math.round(r.right) + " px");
  }
  if (document.documentElement.scrollWidth > w) out.unshift("the page is " + document.documentElement.scrollWidth + " px wide");
  return out.slice(0, 8);
})()`

// onScreenJS checks the language buttons are within the viewport.
const onScreenJS = `(() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll(".lang-switch button")].filter(b => { const r = b.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= w; }).length;
})()`

// narrowCheck records on problems what is wider than a 390 px viewport on
// the browser's current page, and whether the three language buttons are
// on screen.
func narrowCheck(b *apptest.Browser, page string, problems *[]string) {
	for _, o := range apptest.Eval[[]string](b, overflowJS) {
		*problems = append(*problems, page+": "+o)
	}
	if n := apptest.Eval[int](b, onScreenJS); n != 3 {
		*problems = append(*problems, fmt.Sprintf("%s: %d of the 3 language buttons on screen", page, n))
	}
}

// TestNarrowScreensInChromium opens the main pages at 390 × 844 (a phone)
// in English, French and Lao — a focal point's reporting pages, then in the
// same tab the secretariat's queue, completeness, editing and
// administration pages — and finds no element wider than
// the viewport outside a table scrolling in its own box, the header
// wrapped with the three language buttons on screen.
func TestNarrowScreensInChromium(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	plan, period := "/plans/"+seed.DemoPlanCode, currentPeriod()
	for _, lang := range []string{"en", "fr", "lo"} {
		fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
		sec, code := enrolledSecretariat(t, env)
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			var shots atomic.Int32
			b := env.NewBrowser(t, &shots)
			b.Run(chromedp.EmulateViewport(390, 844))
			b.SignIn(fp.Email, apptest.Password, nil)
			b.Open(plan)
			b.ClickAndWait(`.lang-switch button[value="` + lang + `"]`)
			var problems []string
			for _, p := range []string{"/", plan, plan + "/reporting", plan + "/organisations/MOLSW/values/" + period,
				plan + "/organisations/MOLSW/updates", plan + "/indicators/2.1.1.a/values/" + period, plan + "/indicators/2.1.1.a",
				plan + "/organisations/MOLSW", plan + "/activities/2.3.3/updates/" + period, plan + "/dashboard", "/account"} {
				b.Open(p)
				b.Shot(strings.ReplaceAll(strings.Trim(p, "/"), "/", "_"))
				narrowCheck(b, p, &problems)
			}
			b.SignOut()
			b.SignIn(sec.Email, apptest.Password, code)
			b.Open(plan)
			b.ClickAndWait(`.lang-switch button[value="` + lang + `"]`)
			for _, p := range []string{plan + "/queue", plan + "/completeness", plan + "/edit", plan + "/disaggregations",
				plan + "/indicators/2.1.1.a/edit", "/users", "/audit", "/organisations"} {
				b.Open(p)
				b.Shot(strings.ReplaceAll(strings.Trim(p, "/"), "/", "_"))
				narrowCheck(b, p, &problems)
			}
			if len(problems) > 0 {
				t.Errorf("at 390 px in %s:\n%s", lang, strings.Join(problems, "\n"))
			}
		})
	}
}

// TestLanguagesInChromium uses the switcher in a real browser, without
// signing in and then signed in, and checks that Lao text is drawn with
// the bundled Noto Sans Lao (loaded, not empty boxes). Screenshots of the
// sign-in page and the plan page in each language go to the folder the
// test log names.
func TestLanguagesInChromium(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleFacilitator, "")
	b := env.BrowserFor(t, nil)

	b.Open("/login")
	for _, lang := range []string{"fr", "lo", "en"} {
		b.ClickAndWait(`.lang-switch button[value="` + lang + `"]`)
		if got := apptest.Eval[string](b, `document.documentElement.lang`); got != lang {
			t.Fatalf("after choosing %s the page is in %q", lang, got)
		}
		b.Shot("login-" + lang)
	}
	b.ClickAndWait(`.lang-switch button[value="lo"]`)
	laoDrawn(t, b, "login")

	b.SignIn(u.Email, apptest.Password, nil)
	b.Open("/plans/" + seed.DemoPlanCode)
	if got := apptest.Eval[string](b, `document.documentElement.lang`); got != "lo" {
		t.Errorf("signed in, the plan page is in %q, not the Lao chosen before", got)
	}
	if !strings.Contains(b.Text(), "ການປ້ອງກັນ") {
		t.Error("the Lao plan page does not show the Lao pillar title")
	}
	laoDrawn(t, b, "plan")
	b.Shot("plan-lo")
	for _, lang := range []string{"fr", "en"} {
		b.ClickAndWait(`.lang-switch button[value="` + lang + `"]`)
		if got := apptest.Eval[string](b, `location.pathname`); got != "/plans/"+seed.DemoPlanCode {
			t.Errorf("the switcher went to %s", got)
		}
		b.Shot("plan-" + lang)
	}
	var saved domain.User
	env.App.DB.First(&saved, u.ID)
	if saved.Language != "en" {
		t.Errorf("the account keeps %q after the last switch to English", saved.Language)
	}
}
