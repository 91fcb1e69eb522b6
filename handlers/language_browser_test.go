package handlers_test

import (
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

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
