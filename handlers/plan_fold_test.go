package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// TestLargePlanPageFolds checks that the page of a plan with more than 500
// indicators shows its pillars and objectives and, for each objective, a
// link that opens it (no JavaScript), while a smaller plan is shown whole.
func TestLargePlanPageFolds(t *testing.T) {
	t.Parallel()
	env, _ := newWithSyntheticPlan(t, seed.SyntheticOptions{Activities: 500, IndicatorsPerActivity: 2, Years: 2, Code: "BIG"}, 1)
	c := env.SignedIn(t, env.User(t, domain.RoleFacilitator, ""))
	var objectives []string
	if err := env.App.DB.Raw(`SELECT o.code FROM objectives o JOIN plans p ON p.id = o.plan_id WHERE p.code = 'BIG' ORDER BY o.id`).Scan(&objectives).Error; err != nil || len(objectives) < 2 {
		t.Fatalf("objectives of the large plan: %v %v", objectives, err)
	}
	r := c.Get("/plans/BIG")
	mustStatus(t, r, http.StatusOK)
	if strings.Contains(r.Body, `href="/plans/BIG/activities/`) {
		t.Error("the folded page of a large plan lists activities")
	}
	open := "/plans/BIG?" + url.Values{"open": {objectives[0]}}.Encode()
	if !strings.Contains(r.Body, `href="`+strings.ReplaceAll(open, "&", "&amp;")+`#h-o-`+objectives[0]+`"`) {
		t.Fatalf("no link opening objective %s on the folded page", objectives[0])
	}
	var acts []string
	env.App.DB.Raw(`SELECT a.code FROM activities a JOIN objectives o ON o.id = a.objective_id WHERE o.code = ? AND a.plan_id = o.plan_id
AND o.plan_id = (SELECT id FROM plans WHERE code = 'BIG') ORDER BY a.id`, objectives[0]).Scan(&acts)
	r = c.Get(open)
	mustStatus(t, r, http.StatusOK)
	if len(acts) == 0 || !strings.Contains(r.Body, `href="/plans/BIG/activities/`+acts[0]+`"`) {
		t.Errorf("opening objective %s does not show its activity %v", objectives[0], acts)
	}
	var other []string
	env.App.DB.Raw(`SELECT a.code FROM activities a JOIN objectives o ON o.id = a.objective_id WHERE o.code = ? AND a.plan_id = o.plan_id
AND o.plan_id = (SELECT id FROM plans WHERE code = 'BIG') ORDER BY a.id`, objectives[1]).Scan(&other)
	if len(other) > 0 && strings.Contains(r.Body, `href="/plans/BIG/activities/`+other[0]+`"`) {
		t.Errorf("opening objective %s also opens %s", objectives[0], objectives[1])
	}
	r = c.Get("/plans/" + seed.DemoPlanCode)
	mustStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `href="/plans/`+seed.DemoPlanCode+`/activities/`) {
		t.Error("the demo plan's page is folded")
	}
}

// TestPlanPageTreeIsKeptPerReader: the plan page's tree is rendered once and
// kept, so a reader must never get the tree kept for another: the links to
// report a value are those of the reader's own scope (a focal point's own
// organisation, every indicator for the secretariat, none for a donor), in
// the reader's language; and a change to the plan shows at once.
func TestPlanPageTreeIsKeptPerReader(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	plan := "/plans/" + seed.DemoPlanCode
	reportLinks := func(body string) int { return strings.Count(body, `/values/`+currentPeriod()+`"`) }
	var total, molsw int64
	env.App.DB.Raw(`SELECT count(*) FROM indicators i JOIN plans p ON p.id = i.plan_id WHERE p.code = ? AND i.archived_at IS NULL`, seed.DemoPlanCode).Scan(&total)
	env.App.DB.Raw(`SELECT count(*) FROM indicators i JOIN plans p ON p.id = i.plan_id JOIN organisations o ON o.id = i.reporting_org_id
WHERE p.code = ? AND o.acronym = 'MOLSW' AND i.archived_at IS NULL`, seed.DemoPlanCode).Scan(&molsw)
	if molsw == 0 || molsw >= total {
		t.Fatalf("MOLSW reports %d of %d indicators: the test needs some, not all", molsw, total)
	}
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	fp := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	for round := range 2 { // the second round reads what the first kept
		for _, c := range []struct {
			who  string
			c    *apptest.Client
			want int64
		}{{"secretariat", sec, total}, {"focal point", fp, molsw}, {"donor", donor, 0}} {
			r := c.c.Get(plan)
			mustStatus(t, r, http.StatusOK)
			if got := reportLinks(r.Body); int64(got) != c.want {
				t.Errorf("round %d, %s: %d links to report a value, want %d", round, c.who, got, c.want)
			}
		}
	}
	fr := env.User(t, domain.RoleFocalPoint, "MOLSW")
	inLanguage(t, env, fr, "fr")
	if r := env.SignedIn(t, fr).Get(plan); !strings.Contains(r.Body, `<html lang="fr">`) || !strings.Contains(r.Body, "<dt>Chef de file</dt>") {
		t.Errorf("a French reader after English ones: the tree is not in French")
	}
	var planID int64
	env.App.DB.Raw(`SELECT id FROM plans WHERE code = ?`, seed.DemoPlanCode).Scan(&planID)
	if err := env.App.DB.Exec(`UPDATE activities SET title = 'Kept tree renamed' WHERE plan_id = ? AND code = '1.1.1'`, planID).Error; err != nil {
		t.Fatal(err)
	}
	if err := domain.TouchPlan(env.App.DB, planID); err != nil {
		t.Fatal(err)
	}
	if r := sec.Get(plan); !strings.Contains(r.Body, "Kept tree renamed") {
		t.Error("after a change to the plan, its page still shows the tree kept before")
	}
}
