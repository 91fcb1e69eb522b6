package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// missingKey is how the translator shows a key no catalogue has: "[pe.title]".
var missingKey = regexp.MustCompile(`\[[a-z][a-z0-9_]*\.[a-z0-9_.]+\]`)

// inLanguage makes u read the interface in lang.
func inLanguage(t *testing.T, env *apptest.Env, u *domain.User, lang string) {
	t.Helper()
	if err := env.App.DB.Model(&domain.User{}).Where("id = ?", u.ID).Update("language", lang).Error; err != nil {
		t.Fatal(err)
	}
}

// TestMainPagesInEveryLanguage renders the main pages through the real
// router in French and Lao: every string has a translation (no "[key]"
// marker), <html lang> names the language, and plan content shows its
// translation where the demo has one, else the English original marked
// lang="en".
func TestMainPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	sec := env.User(t, domain.RoleSecretariat, "")
	plan := "/plans/" + seed.DemoPlanCode
	pages := []struct {
		who  *domain.User
		path string
	}{
		{nil, "/login"},
		{fp, "/"},
		{fp, plan},
		{fp, plan + "/reporting"},
		{fp, fmt.Sprintf("%s/indicators/2.1.1.a/values/%s", plan, currentPeriod())},
		{fp, "/account"},
		{sec, plan + "/queue"},
		{sec, plan + "/pillars/2/edit"},
		{sec, plan + "/indicators/3.1.a/edit"},
	}
	for _, lang := range []string{"en", "fr", "lo"} {
		for _, p := range pages {
			var c *apptest.Client
			if p.who == nil {
				c = env.Client(t)
				c.Header.Set("Accept-Language", lang)
			} else {
				inLanguage(t, env, p.who, lang)
				c = env.SignedIn(t, p.who)
			}
			r := c.Get(p.path)
			mustStatus(t, r, http.StatusOK)
			if !strings.Contains(r.Body, `<html lang="`+lang+`">`) {
				t.Errorf("%s in %s: <html lang> is not %s", p.path, lang, lang)
			}
			if m := missingKey.FindAllString(r.Body, -1); len(m) > 0 {
				t.Errorf("%s in %s shows untranslated keys %v", p.path, lang, m)
			}
			for _, code := range []string{"en", "fr", "lo"} {
				if !regexp.MustCompile(`<button type="submit" name="lang" value="` + code + `" lang="` + code + `"`).MatchString(r.Body) {
					t.Errorf("%s in %s: no switcher button for %s", p.path, lang, code)
				}
			}
		}
	}
	inLanguage(t, env, fp, "fr")
	body := env.SignedIn(t, fp).Get(plan).Body
	for _, want := range []string{"Prévention", "Nombre de victimes de la traite identifiées", `<span lang="en">Strengthen national and provincial coordination`} {
		if !strings.Contains(body, want) {
			t.Errorf("French plan page lacks %q", want)
		}
	}
	inLanguage(t, env, fp, "lo")
	body = env.SignedIn(t, fp).Get(plan).Body
	for _, want := range []string{"ການປ້ອງກັນ", "ຈຳນວນຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດທີ່ໄດ້ຮັບການກຳນົດຕົວ", `<span lang="en">`, `<h1 lang="en">National Plan`, `<p class="lead" lang="en">`} {
		if !strings.Contains(body, want) {
			t.Errorf("Lao plan page lacks %q", want)
		}
	}
}

// TestLanguageSwitcher: an anonymous visitor's choice is kept in a cookie,
// a signed-in user's in their account (audited) as well; the switcher goes
// back to the page it was used on, never to another site, and a signed-in
// user's switch needs the session's CSRF token.
func TestLanguageSwitcher(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	anon := env.Client(t)
	r := anon.Post("/language", url.Values{"lang": {"lo"}, "next": {"/login?next=%2Fplans"}})
	mustStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/login?next=%2Fplans" {
		t.Errorf("back to %q", loc)
	}
	var cookie *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "lang" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "lo" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.MaxAge <= 0 {
		t.Fatalf("language cookie = %+v", cookie)
	}
	anon.Header.Set("Accept-Language", "fr")
	if body := anon.Get("/login").Body; !strings.Contains(body, `<html lang="lo">`) || !strings.Contains(body, `value="lo" lang="lo" aria-pressed="true"`) {
		t.Error("the cookie does not win over Accept-Language on the sign-in page")
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", ""} {
		r := anon.Post("/language", url.Values{"lang": {"fr"}, "next": {next}})
		if loc := r.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q sends the visitor to %q", next, loc)
		}
	}
	mustStatus(t, anon.Post("/language", url.Values{"lang": {"de"}}), http.StatusBadRequest)

	u := env.User(t, domain.RoleFacilitator, "")
	c := env.SignedIn(t, u)
	mustStatus(t, c.Post("/language", url.Values{"lang": {"fr"}, "next": {"/account"}, "csrf_token": {"wrong"}}), http.StatusForbidden)
	r = c.Post("/language", url.Values{"lang": {"fr"}, "next": {"/account"}})
	mustStatus(t, r, http.StatusSeeOther)
	var saved domain.User
	env.App.DB.First(&saved, u.ID)
	if saved.Language != "fr" {
		t.Errorf("the account's language is %q after switching to French", saved.Language)
	}
	var audits int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND entity_id = ?", "user.language", u.ID).Count(&audits)
	if audits != 1 {
		t.Errorf("%d audit rows for the language change", audits)
	}
	// The account setting wins over the cookie and the browser.
	fresh := env.SignedIn(t, u)
	fresh.Header.Set("Accept-Language", "lo")
	if !strings.Contains(fresh.Get("/account").Body, `<html lang="fr">`) {
		t.Error("the account setting does not decide the language")
	}
	// The account page's own form, including "follow my browser".
	r = c.Post("/account/language", url.Values{"language": {""}})
	mustStatus(t, r, http.StatusSeeOther)
	env.App.DB.First(&saved, u.ID)
	if saved.Language != "" {
		t.Errorf("language %q after choosing the browser's", saved.Language)
	}
	if !strings.Contains(fresh.Get("/account").Body, `<html lang="lo">`) {
		t.Error("with no setting the browser's language is not used")
	}
	mustStatus(t, c.Post("/account/language", url.Values{"language": {"xx"}}), http.StatusUnprocessableEntity)
}

// TestPlanContentTranslationsAreEdited: the secretariat types a pillar's
// and an indicator's translations on their forms; they are saved with the
// edit's audit row, limited in length like the title, shown on the plan
// page and in the API's plan tree.
func TestPlanContentTranslationsAreEdited(t *testing.T) {
	t.Parallel()
	env, sec, c := newSignedIn(t, domain.RoleSecretariat, "")
	plan := "/plans/" + seed.DemoPlanCode
	form := c.Get(plan + "/pillars/1/edit")
	mustStatus(t, form, http.StatusOK)
	for _, want := range []string{`name="title_fr"`, `name="title_lo"`, `lang="lo"`, `value="Politique et coordination"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("pillar form lacks %s", want)
		}
	}
	if strings.Contains(form.Body, `name="title_en"`) {
		t.Error("the form offers a translation into the plan's own language")
	}
	version := strings.Split(strings.Split(form.Body, `name="version" value="`)[1], `"`)[0]
	fields := url.Values{"version": {version}, "code": {"1"}, "title": {"Policy and coordination"}, "position": {"1"},
		"description": {"National and provincial coordination."}, "title_fr": {strings.Repeat("é", 501)}, "title_lo": {"ນະໂຍບາຍ"}}
	r := c.Post(plan+"/pillars/1", fields)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, `id="f-title_fr-error"`) {
		t.Errorf("an over-long French title has no message on its field:\n%s", r.Body)
	}
	fields.Set("title_fr", "Politique, coordination et données")
	mustStatus(t, c.Post(plan+"/pillars/1", fields), http.StatusSeeOther)
	var entry domain.AuditEntry
	env.App.DB.Where("action = ?", "pillar.update").Order("id DESC").Take(&entry)
	if !strings.Contains(entry.NewValue, "Politique, coordination et données") || !strings.Contains(entry.OldValue, "Politique et coordination") {
		t.Errorf("the audit row does not record the translations: %s → %s", entry.OldValue, entry.NewValue)
	}

	ind := c.Get(plan + "/indicators/4.1.a/edit")
	mustStatus(t, ind, http.StatusOK)
	if !strings.Contains(ind.Body, `name="name_lo"`) || !strings.Contains(ind.Body, "ຈຳນວນຄະດີການຄ້າມະນຸດທີ່ໄດ້ຮັບການສືບສວນ") {
		t.Error("the indicator form does not offer its Lao name")
	}

	inLanguage(t, env, sec, "fr")
	if body := env.SignedIn(t, sec).Get(plan).Body; !strings.Contains(body, "Politique, coordination et données") {
		t.Error("the plan page in French does not show the new translation")
	}
	api := env.APIClient(t, sec).Get("/api/v1" + plan)
	mustStatus(t, api, http.StatusOK)
	if !strings.Contains(api.Body, `"title_i18n":{"fr":"Politique, coordination et données","lo":"ນະໂຍບາຍ"}`) ||
		!strings.Contains(api.Body, `"name_i18n":{}`) {
		t.Errorf("the API tree does not carry the translations:\n%.1500s", api.Body)
	}
}

// TestValidationMessagesInTheReadersLanguage: a refused value form and a
// refused API call explain themselves in the reader's language.
func TestValidationMessagesInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	path := fmt.Sprintf("/plans/%s/indicators/2.1.1.a/values/%s", seed.DemoPlanCode, currentPeriod())
	for lang, want := range map[string]string{
		"en": "The breakdown adds up to 15, not to the total 20.",
		"fr": "La ventilation totalise 15, et non le total 20.",
		"lo": "ການແຍກຂໍ້ມູນລວມໄດ້ 15, ບໍ່ແມ່ນຍອດລວມ 20.",
	} {
		inLanguage(t, env, fp, lang)
		c := env.SignedIn(t, fp)
		form := c.Get(path)
		version := strings.Split(strings.Split(form.Body, `name="version" value="`)[1], `"`)[0]
		r := c.Post(path, url.Values{"version": {version}, "value": {"20"}, "action": {"save"},
			"cell.sex=female;age=child": {"5"}, "cell.sex=female;age=adult": {"7"}, "cell.sex=male;age=child": {"2"}, "cell.sex=male;age=adult": {"1"}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, want) {
			t.Errorf("%s: the 422 page does not say %q", lang, want)
		}
	}
	inLanguage(t, env, fp, "fr")
	api := env.APIClient(t, fp)
	r := api.JSON(http.MethodPut, fmt.Sprintf("/api/v1/plans/%s/indicators/2.1.1.a/values/%s", seed.DemoPlanCode, currentPeriod()), `{"value":-3,"version":0}`)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "Saisissez zéro ou un nombre positif.") {
		t.Errorf("the API's field message is not in the user's language: %s", r.Body)
	}
}

// TestLaoFontIsServed: the Lao font is embedded, served as font/woff2 under
// a hashed, immutable address that the stylesheet names, with its licence.
func TestLaoFontIsServed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := env.Client(t)
	page := c.Get("/login").Body
	css := regexp.MustCompile(`href="(/static/[0-9a-f]+/css/app\.css)"`).FindStringSubmatch(page)
	if css == nil {
		t.Fatal("no stylesheet on the sign-in page")
	}
	sheet := c.Get(css[1])
	fonts := regexp.MustCompile(`url\("(/static/[0-9a-f]{12}/fonts/noto-sans-lao-(400|700)\.woff2)"\)`).FindAllStringSubmatch(sheet.Body, -1)
	if len(fonts) != 2 || !strings.Contains(sheet.Body, "unicode-range: U+0E80-0EFF") || !strings.Contains(sheet.Body, "font-display: swap") {
		t.Fatalf("the stylesheet does not declare both hashed Lao fonts: %v", fonts)
	}
	for _, f := range fonts {
		r := c.Get(f[1])
		mustStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "font/woff2" {
			t.Errorf("%s served as %q", f[1], ct)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s cached as %q", f[1], cc)
		}
		if !strings.HasPrefix(r.Body, "wOF2") || len(r.Body) > 20000 {
			t.Errorf("%s is not a small woff2 file (%d bytes)", f[1], len(r.Body))
		}
	}
}

// TestSwitcherComesBackWithoutTheFlash: the switcher names the page it is
// on, without a one-off flash message that would otherwise show again.
func TestSwitcherComesBackWithoutTheFlash(t *testing.T) {
	t.Parallel()
	_, _, c := newSignedIn(t, domain.RoleDonor, "APJP")
	body := c.Get("/account?flash=flash.language_saved&x=1").Body
	if !strings.Contains(body, `name="next" value="/account?x=1"`) {
		t.Errorf("the switcher does not come back to /account?x=1:\n%.1200s", body)
	}
}
