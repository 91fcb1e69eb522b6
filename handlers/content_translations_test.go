package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"naptracker/domain"
	"naptracker/planedit"
	"naptracker/planning"
	"naptracker/seed"
)

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
