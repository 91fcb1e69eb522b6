package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

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
