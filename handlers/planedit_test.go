package handlers_test

import (
	"context"
	"html"
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

// peSays fails unless the page says every text.
func peSays(t *testing.T, r *apptest.Response, texts ...string) {
	t.Helper()
	body := html.UnescapeString(r.Body)
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s %s (%d): the page does not say %q", r.Request.Method, r.Request.URL.Path, r.StatusCode, s)
		}
	}
}

// pePost submits a form and checks the answer is a redirect, returning its target.
func pePost(t *testing.T, b *apptest.Client, path string, form url.Values) string {
	t.Helper()
	r := b.Post(path, form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s = %d, want 303:\n%s", path, r.StatusCode, peErrors(r.Body))
	}
	return r.Header.Get("Location")
}

var peFieldError = regexp.MustCompile(`class="field-error"[^>]*>([^<]+)<`)

// peErrors lists the field messages of a page, for failure output.
func peErrors(body string) string {
	var out []string
	for _, m := range peFieldError.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	if len(out) == 0 {
		if len(body) > 1500 {
			body = body[:1500]
		}
		return body
	}
	return strings.Join(out, "\n")
}

// peVersion reads the version field of the first form of a page.
func peVersion(t *testing.T, r *apptest.Response) string {
	t.Helper()
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no version field on %s", r.Request.URL.Path)
	}
	return m[1]
}

// peAudited fails unless the audit log has an entry of the action by the user.
func peAudited(t *testing.T, env *apptest.Env, userID int64, action, contains string) {
	t.Helper()
	var n int64
	q := env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND user_id = ?", action, userID)
	if contains != "" {
		q = q.Where("new_value LIKE ? OR old_value LIKE ?", "%"+contains+"%", "%"+contains+"%")
	}
	q.Count(&n)
	if n == 0 {
		t.Errorf("no %s audit row by user %d mentioning %q", action, userID, contains)
	}
}

func TestSecretariatBuildsAPlan(t *testing.T) {
	t.Parallel()
	env, sec, b := newSignedIn(t, domain.RoleSecretariat, "")

	mustStatus(t, b.Get("/plans/new"), http.StatusOK)
	loc := pePost(t, b, "/plans", url.Values{"code": {"NAP-T.1"}, "title": {"Test plan"}, "description": {"For the tests"},
		"country": {"Testland"}, "start_year": {"2025"}, "end_year": {"2027"}, "frequency": {domain.HalfYearly},
		"tier1_label": {"Pillar"}, "tier2_label": {"Outcome"}, "tier3_label": {"Output"}, "green_threshold": {"80"},
		"red_threshold": {"40"}, "language": {"fr"}, "currency": {"usd"}, "due_days": {"20"}, "grace_days": {"10"}, "version": {"0"}})
	if loc != "/plans/NAP-T.1/edit?flash=flash.pe_plan_created" {
		t.Fatalf("after creating the plan, Location = %q", loc)
	}
	peSays(t, b.Get(loc), "The plan was created with its reporting periods", "Add Pillar")
	plan, err := planning.FindPlan(context.Background(), env.App.DB, "NAP-T.1")
	if err != nil {
		t.Fatal(err)
	}
	if plan.GreenThreshold != 0.8 || plan.RedThreshold != 0.4 || plan.Currency != "USD" || plan.Tier2Label != "Outcome" || plan.Language != "fr" {
		t.Errorf("stored plan: %+v", plan)
	}
	var periods []domain.ReportingPeriod
	env.App.DB.Where("plan_id = ?", plan.ID).Order("start_date").Find(&periods)
	var labels []string
	for _, p := range periods {
		labels = append(labels, p.Label)
	}
	if strings.Join(labels, " ") != "2025-H1 2025-H2 2026-H1 2026-H2 2027-H1 2027-H2" {
		t.Errorf("generated periods %v", labels)
	}
	if len(periods) > 0 && (periods[0].DueDate.Format("2006-01-02") != "2025-07-20" || periods[0].GraceDays != 10) {
		t.Errorf("first period due %s with %d grace days, want 2025-07-20 and 10", periods[0].DueDate, periods[0].GraceDays)
	}
	peSays(t, b.Get("/plans/NAP-T.1/periods"), "2025-H1", "2027-H2", "automatic")

	// Pillar, objectives (the next code is suggested), activity.
	if r := b.Get("/plans/NAP-T.1/pillars/new"); !strings.Contains(r.Body, `name="code" type="text" value="1"`) {
		t.Errorf("the new pillar form does not suggest code 1:\n%s", peErrors(r.Body))
	}
	pePost(t, b, "/plans/NAP-T.1/pillars", url.Values{"code": {"1"}, "title": {"Prevention of trafficking"}, "version": {"0"}})
	pePost(t, b, "/plans/NAP-T.1/pillars/1/objectives", url.Values{"code": {"1.1"}, "title": {"Communities know the risks"}, "version": {"0"}})
	pePost(t, b, "/plans/NAP-T.1/pillars/1/objectives", url.Values{"code": {"1.2"}, "title": {"Safe migration"}, "version": {"0"}})
	if r := b.Get("/plans/NAP-T.1/pillars/1/objectives/new"); !strings.Contains(r.Body, `value="1.3"`) {
		t.Error("the form for the third objective of pillar 1 does not suggest 1.3")
	}
	pePost(t, b, "/plans/NAP-T.1/objectives/1.1/activities", url.Values{"code": {"1.1.1"}, "title": {"Village awareness sessions"},
		"description": {"Sessions in border villages"}, "start_date": {"2025-03-01"}, "end_date": {"2026-12-31"},
		"lead": {umOrgID(t, env, "MOLSW")}, "supporters": {umOrgID(t, env, "MOPS"), umOrgID(t, env, "MOJ")},
		"budget": {"10,000"}, "currency": {"USD"}, "version": {"0"}})

	// A funding line above the budget is accepted with a warning.
	loc = pePost(t, b, "/plans/NAP-T.1/activities/1.1.1/funding", url.Values{"funder": {umOrgID(t, env, "APJP")}, "amount": {"12000"},
		"currency": {"USD"}, "status": {domain.FundingCommitted}, "version": {"0"}})
	peSays(t, b.Get(loc), "The funding line was saved", "more than the planned budget")

	// An output indicator with yearly targets and a disaggregation set; an outcome indicator.
	var set domain.DisaggregationSet
	if err := env.App.DB.Where("code = ?", "sex-age").Take(&set).Error; err != nil {
		t.Fatal(err)
	}
	if r := b.Get("/plans/NAP-T.1/activities/1.1.1/indicators/new"); !strings.Contains(r.Body, `value="1.1.1.a"`) || !strings.Contains(r.Body, `name="target.2027"`) {
		t.Error("the new indicator form does not suggest 1.1.1.a or lacks a target per plan year")
	}
	pePost(t, b, "/plans/NAP-T.1/activities/1.1.1/indicators", url.Values{"code": {"1.1.1.a"}, "name": {"People reached by awareness sessions"},
		"unit_type": {domain.UnitNumber}, "unit_label": {"people"}, "direction": {domain.Increase}, "accumulation": {domain.AccumulateSum},
		"target.2025": {"100"}, "target.2026": {"200"}, "target.2027": {"300"}, "end_target": {"600"},
		"disaggregation_set": {strconv.FormatInt(set.ID, 10)}, "sensitive": {"1"}, "version": {"0"}})
	pePost(t, b, "/plans/NAP-T.1/objectives/1.1/indicators", url.Values{"code": {"1.1.a"}, "name": {"Share of villagers who can name two risks"},
		"unit_type": {domain.UnitPercentage}, "direction": {domain.Increase}, "accumulation": {domain.AccumulateLatest},
		"baseline_value": {"30"}, "baseline_year": {"2024"}, "end_target": {"60"}, "reporting_org": {umOrgID(t, env, "MOLSW")}, "version": {"0"}})
	var ind domain.Indicator
	env.App.DB.Where("plan_id = ? AND code = ?", plan.ID, "1.1.1.a").Take(&ind)
	targets, _ := planedit.IndicatorTargets(context.Background(), env.App.DB, ind.ID)
	if strconv.FormatInt(ind.ReportingOrgID, 10) != umOrgID(t, env, "MOLSW") || len(targets) != 3 || targets[2026] != 200 || !ind.Sensitive {
		t.Errorf("stored indicator reports for org %d with targets %v, sensitive %v", ind.ReportingOrgID, targets, ind.Sensitive)
	}

	// Everything shows on the plan page.
	page := b.Get("/plans/NAP-T.1")
	mustStatus(t, page, http.StatusOK)
	peSays(t, page, "Prevention of trafficking", "Outcome 1.1", "Communities know the risks", "Output 1.1.1", "Village awareness sessions",
		"MOLSW", "MOPS", "MOJ", "APJP", "committed", "People reached by awareness sessions", "by Sex × age group", "sensitive",
		"Share of villagers who can name two risks", "Edit plan")
	peSays(t, b.Get("/plans/NAP-T.1/edit"), "1.1.1.a", "Add output indicator")
	if !strings.Contains(page.Body, `href="/organisations"`) || !strings.Contains(page.Body, `href="/plans/NAP-T.1/edit"`) {
		t.Error("the secretariat has no link to the organisations or to editing the plan")
	}
	fp := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW")).Get("/plans/NAP-T.1")
	if strings.Contains(fp.Body, `href="/organisations"`) || strings.Contains(fp.Body, `href="/plans/NAP-T.1/edit"`) {
		t.Error("a focal point is offered the editing links")
	}

	// Edits: one more year adds its periods; an objective, a funding line and an indicator change.
	settings := b.Get("/plans/NAP-T.1/settings")
	peSays(t, settings, "Plan settings", "Test plan")
	form := url.Values{"title": {"Test plan"}, "start_year": {"2025"}, "end_year": {"2028"}, "frequency": {domain.HalfYearly},
		"tier1_label": {"Pillar"}, "tier2_label": {"Outcome"}, "tier3_label": {"Output"}, "green_threshold": {"80"},
		"red_threshold": {"40"}, "language": {"fr"}, "currency": {"USD"}, "version": {peVersion(t, settings)}}
	pePost(t, b, "/plans/NAP-T.1/settings", form)
	peSays(t, b.Get("/plans/NAP-T.1/periods"), "2028-H1", "2028-H2")
	pePost(t, b, "/plans/NAP-T.1/objectives/1.1", url.Values{"title": {"Communities know the risks of trafficking"}, "position": {"1"}, "version": {"1"}})
	var line domain.FundingLine
	env.App.DB.Where("funder_id = ? AND amount = 12000", umOrgID(t, env, "APJP")).Take(&line)
	pePost(t, b, "/plans/NAP-T.1/activities/1.1.1/funding/"+strconv.FormatInt(line.ID, 10), url.Values{"funder": {umOrgID(t, env, "APJP")},
		"amount": {"9000"}, "currency": {"USD"}, "status": {domain.FundingDisbursed}, "version": {"1"}})
	if page := b.Get("/plans/NAP-T.1/activities/1.1.1/edit"); strings.Contains(page.Body, "more than the planned budget") {
		t.Error("the over-budget warning stays after the funding was lowered")
	}
	edit := b.Get("/plans/NAP-T.1/indicators/1.1.1.a/edit")
	peSays(t, edit, "People reached by awareness sessions", "Target 2027")
	pePost(t, b, "/plans/NAP-T.1/indicators/1.1.1.a", url.Values{"name": {"People reached by village sessions"}, "unit_type": {domain.UnitNumber},
		"direction": {domain.Increase}, "accumulation": {domain.AccumulateSum}, "target.2028": {"400"},
		"disaggregation_set": {strconv.FormatInt(set.ID, 10)}, "version": {peVersion(t, edit)}})
	peSays(t, b.Get("/plans/NAP-T.1"), "People reached by village sessions", "Communities know the risks of trafficking")

	for action, what := range map[string]string{"plan.update": `"periods_added":["2028-H1","2028-H2"]`, "objective.update": "of trafficking",
		"funding.update": `"status":"disbursed"`, "indicator.update": `{"value":400,"year":2028}`, "plan.create": `"periods":6`, "pillar.create": "Prevention", "objective.create": "Safe migration",
		"activity.create": `"supporters":["MOPS","MOJ"]`, "funding.create": `"funder":"APJP"`, "indicator.create": `{"value":200,"year":2026}`} {
		peAudited(t, env, sec.ID, action, what)
	}
}

func TestPlanEditingFormsExplainMistakes(t *testing.T) {
	t.Parallel()
	env, _, b := newSignedIn(t, domain.RoleSecretariat, "")
	demo := "/plans/" + seed.DemoPlanCode
	plan, err := planning.FindPlan(context.Background(), env.App.DB, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	last := strconv.Itoa(plan.EndYear)
	planForm := func(change map[string]string) url.Values {
		f := url.Values{"code": {"NEW-PLAN"}, "title": {"A new plan"}, "start_year": {"2026"}, "end_year": {"2030"}, "frequency": {domain.Quarterly},
			"tier1_label": {"Pillar"}, "tier2_label": {"Objective"}, "tier3_label": {"Activity"}, "green_threshold": {"85"},
			"red_threshold": {"50"}, "language": {"en"}, "currency": {"USD"}, "version": {"0"}}
		for k, v := range change {
			f.Set(k, v)
		}
		return f
	}
	activity := func(change map[string]string) url.Values {
		f := url.Values{"code": {"2.1.99"}, "title": {"Kept activity title"}, "start_date": {last + "-01-01"}, "end_date": {last + "-06-30"},
			"lead": {umOrgID(t, env, "MOLSW")}, "budget": {"100"}, "currency": {"USD"}, "version": {"0"}}
		for k, v := range change {
			f.Set(k, v)
		}
		return f
	}
	indicator := func(change map[string]string) url.Values {
		f := url.Values{"code": {"2.1.1.z"}, "name": {"Kept indicator name"}, "unit_type": {domain.UnitNumber}, "direction": {domain.Increase},
			"accumulation": {domain.AccumulateSum}, "version": {"0"}}
		for k, v := range change {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name, path string
		form       url.Values
		kept       string
		msgs       []string
	}{
		{"plan: several mistakes", "/plans", planForm(map[string]string{"code": "bad code!", "end_year": "2025", "red_threshold": "90", "language": "de", "currency": "dollars"}),
			"bad code!", []string{"Use up to 32 letters, digits, dashes and dots", "The plan cannot end before it starts.",
				"The red threshold must be below the green threshold.", "Choose English, French or Lao.", "Enter a three-letter currency code"}},
		{"plan: code taken", "/plans", planForm(map[string]string{"code": seed.DemoPlanCode}), "A new plan", []string{"A plan with this code already exists."}},
		{"plan: code of a page", "/plans", planForm(map[string]string{"code": "Import"}), "A new plan",
			[]string{"“import” is a word of the site’s own addresses (/plans/import is another page): choose another code."}},
		{"plan: not a number", "/plans", planForm(map[string]string{"start_year": "twenty", "green_threshold": ""}), "twenty",
			[]string{"Enter a whole number.", "Enter a number."}},
		{"pillar: code taken, no title", demo + "/pillars", url.Values{"code": {"1"}, "description": {"Kept description"}, "version": {"0"}}, "Kept description",
			[]string{"The code 1 is already used in this plan", "the next free one is 6", "This field is required."}},
		{"objective: code outside its pillar", demo + "/pillars/2/objectives", url.Values{"code": {"3.9"}, "title": {"Misplaced"}, "version": {"0"}}, "Misplaced",
			[]string{"The code must start with 2. followed by a number or letters"}},
		{"activity: code taken", demo + "/objectives/2.1/activities", activity(map[string]string{"code": "2.1.1"}), "Kept activity title",
			[]string{"The code 2.1.1 is already used in this plan"}},
		{"activity: dates", demo + "/objectives/2.1/activities", activity(map[string]string{"start_date": "1999-01-01", "end_date": last + "-13-01"}), "1999-01-01",
			[]string{"choose a date within those years", "Enter a date as year-month-day"}},
		{"activity: ends before it starts", demo + "/objectives/2.1/activities", activity(map[string]string{"end_date": last + "-01-01", "start_date": last + "-02-01"}),
			"Kept activity title", []string{"The activity cannot end before it starts."}},
		{"activity: lead and supporters", demo + "/objectives/2.1/activities", activity(map[string]string{"lead": "", "supporters": umOrgID(t, env, "MOLSW")}),
			"Kept activity title", []string{"Choose an organisation."}},
		{"activity: supporter is the lead", demo + "/objectives/2.1/activities", activity(map[string]string{"supporters": umOrgID(t, env, "MOLSW")}),
			"Kept activity title", []string{"The lead organisation cannot also be a supporting organisation."}},
		{"activity: budget", demo + "/objectives/2.1/activities", activity(map[string]string{"budget": "-5", "currency": "US"}), "-5",
			[]string{"Enter a budget of zero or more.", "Enter a three-letter currency code"}},
		{"activity: budget not a number", demo + "/objectives/2.1/activities", activity(map[string]string{"budget": "lots"}), "lots",
			[]string{"Enter a number, such as 1250 or 12.5."}},
		{"funding: funder, amount, status", demo + "/activities/2.1.1/funding", url.Values{"funder": {umOrgID(t, env, "MOLSW")}, "amount": {"-1"}, "currency": {"USD"}, "status": {"gift"}, "version": {"0"}},
			"-1", []string{"MOLSW is not a development partner or international organisation.", "Enter an amount of zero or more.", "Choose pledged, committed or disbursed."}},
		{"indicator: percentage target, lone baseline", demo + "/activities/2.1.1/indicators", indicator(map[string]string{"unit_type": domain.UnitPercentage, "target." + last: "120", "baseline_value": "5"}),
			"Kept indicator name", []string{"Enter a percentage between 0 and 100.", "Enter the year of the baseline as well, or leave both empty."}},
		{"indicator: yes/no target", demo + "/activities/2.1.1/indicators", indicator(map[string]string{"unit_type": domain.UnitYesNo, "end_target": "2"}),
			"Kept indicator name", []string{"Enter 1 (yes, achieved) or 0 (no, not yet)."}},
		{"indicator: cumulative with a baseline", demo + "/activities/2.1.1/indicators", indicator(map[string]string{"accumulation": domain.AccumulateCumulative, "baseline_value": "40", "baseline_year": "2020"}),
			"Kept indicator name", []string{"A cumulative indicator counts its total from the start of the plan, so its baseline must be 0 or empty."}},
		{"indicator: code taken", demo + "/activities/2.1.1/indicators", indicator(map[string]string{"code": "2.1.1.a"}),
			"Kept indicator name", []string{"The code 2.1.1.a is already used in this plan"}},
		{"outcome indicator: no reporter", demo + "/objectives/2.1/indicators", indicator(map[string]string{"code": "2.1.z"}),
			"Kept indicator name", []string{"Choose the organisation that reports this outcome indicator."}},
		{"organisation: acronym taken", "/organisations", url.Values{"acronym": {"molsw"}, "name": {""}, "type": {"bank"}, "version": {"0"}}, "molsw",
			[]string{"Another organisation already uses this acronym.", "This field is required.", "Choose one of the types offered."}},
		{"period: due before the end", demo + "/periods/" + last + "-Q4", url.Values{"due_date": {last + "-12-01"}, "grace_days": {"400"}, "version": {"1"}}, last + "-12-01",
			[]string{"The due date cannot be before the period ends", "Enter a number of days from 0 to 366."}},
	}
	var before int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action LIKE '%.create' OR action LIKE '%.update'").Count(&before)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.Post(tt.path, tt.form)
			mustStatus(t, r, http.StatusUnprocessableEntity)
			peSays(t, r, append([]string{"Some fields need your attention.", tt.kept}, tt.msgs...)...)
		})
	}
	var after int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action LIKE '%.create' OR action LIKE '%.update'").Count(&after)
	if after != before {
		t.Errorf("refused forms wrote %d audit rows", after-before)
	}
}
