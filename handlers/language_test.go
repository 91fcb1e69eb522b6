package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planedit"
	"naptracker/planning"
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

// TestContentTranslations translates an indicator's definition and unit,
// a breakdown category and the plan's tier labels on their editing forms:
// a French focal point then reads them in the grid and on the value form,
// and the API exports them. Translations changed meanwhile are refused
// (409, nothing saved) and over-long ones get a message (422).
func TestContentTranslations(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	env, ctx := f.env, context.Background()
	secUser := env.User(t, domain.RoleSecretariat, "")
	sec := env.SignedIn(t, secUser)
	ind := f.split[0].Indicator
	base := "/plans/" + seed.DemoPlanCode

	// The indicator form.
	form := url.Values{"name": {ind.Name}, "unit_type": {ind.UnitType}, "direction": {ind.Direction}, "accumulation": {ind.Accumulation},
		"unit_label": {"girls"}, "unit_label_fr": {"filles"}, "unit_label_lo": {"ເດັກຍິງ"},
		"definition": {"Girls identified."}, "definition_fr": {"Filles identifiées par les services."},
		"reporting_org": {fmt.Sprint(ind.ReportingOrgID)}, "disaggregation_set": {fmt.Sprint(*ind.DisaggregationSetID)},
		"version": {fmt.Sprint(ind.Version)}}
	pePost(t, sec, base+"/indicators/"+ind.Code, form)
	if edit := sec.Get(base + "/indicators/" + ind.Code + "/edit"); !strings.Contains(edit.Body, `value="filles"`) || !strings.Contains(edit.Body, "Filles identifiées par les services.") {
		t.Errorf("the indicator form does not show the translations back")
	}

	// The categories form: one translation changed.
	cats := sec.Get(base + "/disaggregations")
	mustStatus(t, cats, http.StatusOK)
	var female domain.DisaggregationCategory
	if err := env.App.DB.Joins("JOIN disaggregation_dimensions d ON d.id = disaggregation_categories.dimension_id").
		Where("d.set_id = ? AND d.code = 'sex' AND disaggregation_categories.code = 'female'", *ind.DisaggregationSetID).Take(&female).Error; err != nil {
		t.Fatal(err)
	}
	catForm := func(fr, wasFR string) url.Values {
		v := url.Values{}
		sets, _ := planedit.DisaggregationSets(ctx, env.App.DB)
		for _, s := range sets {
			for _, d := range s.Dimensions {
				for _, c := range d.Categories {
					for _, lang := range []string{"fr", "lo"} {
						v.Set(fmt.Sprintf("label_%d_%s", c.ID, lang), c.LabelI18n[lang])
						v.Set(fmt.Sprintf("was_%d_%s", c.ID, lang), c.LabelI18n[lang])
					}
				}
			}
		}
		v.Set(fmt.Sprintf("label_%d_fr", female.ID), fr)
		v.Set(fmt.Sprintf("was_%d_fr", female.ID), wasFR)
		return v
	}
	pePost(t, sec, base+"/disaggregations", catForm("Filles et femmes", female.LabelI18n["fr"]))
	stale := sec.Post(base+"/disaggregations", catForm("Femmes (ancien)", female.LabelI18n["fr"]))
	mustStatus(t, stale, http.StatusConflict)
	long := sec.Post(base+"/disaggregations", catForm(strings.Repeat("x", 201), "Filles et femmes"))
	mustStatus(t, long, http.StatusUnprocessableEntity)
	var after domain.DisaggregationCategory
	env.App.DB.Take(&after, female.ID)
	if after.LabelI18n["fr"] != "Filles et femmes" {
		t.Errorf("the category's French label is %q after a stale and a long edit", after.LabelI18n["fr"])
	}
	peAudited(t, env, secUser.ID, "disaggregation.translate", "Filles et femmes")

	// The plan form: the first tier's name in French.
	plan, _ := planning.FindPlan(ctx, env.App.DB, seed.DemoPlanCode)
	pct := func(x float64) string { return strconv.FormatFloat(x*100, 'f', -1, 64) }
	pePost(t, sec, base+"/settings", url.Values{"title": {plan.Title}, "description": {plan.Description}, "country": {plan.Country},
		"start_year": {fmt.Sprint(plan.StartYear)}, "end_year": {fmt.Sprint(plan.EndYear)}, "frequency": {plan.Frequency},
		"tier1_label": {"Pillar"}, "tier1_label_fr": {"Axe"}, "tier2_label": {"Objective"}, "tier3_label": {"Activity"},
		"green_threshold": {pct(plan.GreenThreshold)}, "red_threshold": {pct(plan.RedThreshold)}, "language": {plan.Language},
		"currency": {plan.Currency}, "version": {fmt.Sprint(plan.Version)}})

	// A French focal point reads them.
	u := env.User(t, domain.RoleFocalPoint, "MOLSW")
	if err := env.App.DB.Model(u).Update("language", "fr").Error; err != nil {
		t.Fatal(err)
	}
	fr := env.SignedIn(t, u)
	grid := fr.Get(f.path)
	for _, want := range []string{"(filles)", "Filles et femmes · "} {
		if !strings.Contains(grid.Body, want) {
			t.Errorf("the French grid does not show %q", want)
		}
	}
	value := fr.Get(base + "/indicators/" + ind.Code + "/values/" + f.period)
	for _, want := range []string{"Filles identifiées par les services.", "(filles)", "Filles et femmes · "} {
		if !strings.Contains(value.Body, want) {
			t.Errorf("the French value form does not show %q", want)
		}
	}
	if p := fr.Get(base); !strings.Contains(p.Body, "Axe") {
		t.Errorf("the French plan page does not name the first tier Axe")
	}

	// The API exports every translation.
	api := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	r := api.Get("/api/v1/plans/" + seed.DemoPlanCode)
	mustStatus(t, r, http.StatusOK)
	var tree struct {
		TierLabelsI18n struct {
			Pillar domain.Texts `json:"pillar"`
		} `json:"tier_labels_i18n"`
		Sets []struct {
			Code       string `json:"code"`
			Dimensions []struct {
				Categories []struct {
					Code      string       `json:"code"`
					LabelI18n domain.Texts `json:"label_i18n"`
				} `json:"categories"`
			} `json:"dimensions"`
		} `json:"disaggregation_sets"`
	}
	if err := json.Unmarshal([]byte(r.Body), &tree); err != nil {
		t.Fatal(err)
	}
	if tree.TierLabelsI18n.Pillar["fr"] != "Axe" {
		t.Errorf("the API's tier label translations: %+v", tree.TierLabelsI18n)
	}
	found := false
	for _, s := range tree.Sets {
		for _, d := range s.Dimensions {
			for _, c := range d.Categories {
				found = found || c.LabelI18n["fr"] == "Filles et femmes"
			}
		}
	}
	if !found {
		t.Errorf("the API does not export the category's translation")
	}
	if !strings.Contains(r.Body, `"unit_label_i18n":{"fr":"filles","lo":"ເດັກຍິງ"}`) || !strings.Contains(r.Body, `"definition_i18n":{"fr":"Filles identifiées par les services."}`) {
		t.Errorf("the API does not export the indicator's translations")
	}
}
