package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

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
