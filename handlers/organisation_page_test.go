package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// TestOrganisationPage checks "my responsibilities" of MOLSW: it lists
// every activity the ministry leads and supports and every indicator it
// reports, and what is late by the same rule as the completeness page; a
// donor sees no unapproved status, no return comment and no e-mail
// address, while the ministry's focal point sees them.
func TestOrganisationPage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, db, now := context.Background(), env.App.DB, env.Clock.Now().UTC()
	fpUser := env.User(t, domain.RoleFocalPoint, "MOLSW")
	fp := env.SignedIn(t, fpUser)
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	path := "/plans/" + seed.DemoPlanCode + "/organisations/MOLSW"
	plan, _ := planning.FindPlan(ctx, db, seed.DemoPlanCode)
	org, _ := planning.FindOrganisationByAcronym(ctx, db, "MOLSW")

	own := fp.Get(path)
	mustStatus(t, own, http.StatusOK)
	var leads, supports, reports []string
	db.Model(&domain.Activity{}).Where("plan_id = ? AND lead_org_id = ? AND archived_at IS NULL", plan.ID, org.ID).Pluck("code", &leads)
	db.Model(&domain.Activity{}).Where("plan_id = ? AND archived_at IS NULL AND id IN (?)", plan.ID,
		db.Model(&domain.ActivitySupporter{}).Select("activity_id").Where("organisation_id = ?", org.ID)).Pluck("code", &supports)
	db.Model(&domain.Indicator{}).Where("plan_id = ? AND reporting_org_id = ? AND archived_at IS NULL", plan.ID, org.ID).Pluck("code", &reports)
	if len(leads) == 0 || len(supports) == 0 || len(reports) == 0 {
		t.Fatal("MOLSW has no responsibilities in the demo plan")
	}
	section := func(body, class string) string {
		i := strings.Index(body, `class="`+class+`"`)
		if i < 0 {
			t.Fatalf("no section %s", class)
		}
		j := strings.Index(body[i:], "</section>")
		return body[i : i+j]
	}
	for class, codes := range map[string][]string{"org-leads": leads, "org-supports": supports} {
		s := section(own.Body, class)
		for _, c := range codes {
			if !strings.Contains(s, `/activities/`+c+`">`+c+`</a>`) {
				t.Errorf("%s lacks activity %s", class, c)
			}
		}
		if n := strings.Count(s, "<tr>") - 1; n != len(codes) {
			t.Errorf("%s lists %d activities, want %d", class, n, len(codes))
		}
	}
	ind := section(own.Body, "org-indicators")
	for _, c := range reports {
		if !strings.Contains(ind, `/indicators/`+c+`">`+c+`</a>`) {
			t.Errorf("the indicators MOLSW reports lack %s", c)
		}
	}
	if !strings.Contains(own.Body, fpUser.Email) {
		t.Error("the ministry's own focal point does not see its focal points' e-mail addresses")
	}

	// What is late: the items CompletenessItems finds past their due date
	// in the periods open or overdue for MOLSW, its exceptions counted.
	periods, _ := reporting.PlanPeriods(ctx, db, plan.ID)
	var excs []domain.PeriodException
	db.Where("organisation_id = ?", org.ID).Find(&excs)
	until := map[int64]*time.Time{}
	for i := range excs {
		until[excs[i].PeriodID] = &excs[i].UntilDate
	}
	var open []domain.ReportingPeriod
	for _, p := range periods {
		if s := p.State(now, until[p.ID]); s == domain.PeriodOpen || s == domain.PeriodOverdue {
			open = append(open, p)
		}
	}
	items, err := reporting.CompletenessItems(ctx, db, *plan, open, reporting.ItemFilter{OrgID: org.ID, Outstanding: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	late, returned := 0, 0
	for _, it := range items {
		if it.State == reporting.ItemMissing {
			late++
		}
		if it.Status == domain.StatusReturned {
			returned++
		}
	}
	ls := section(own.Body, "org-late")
	if got := strings.Count(ls, `class="status status-missing"`); got != late {
		t.Errorf("the page shows %d late items, CompletenessItems finds %d", got, late)
	}
	if got := strings.Count(ls, `class="status status-returned"`); got != returned {
		t.Errorf("the page shows %d returned items, CompletenessItems finds %d", got, returned)
	}
	if late+returned == 0 {
		t.Error("nothing is late in the demo: the comparison proves little")
	}

	d := donor.Get(path)
	mustStatus(t, d, http.StatusOK)
	for _, leak := range []string{"status-returned", "status-draft", "status-submitted", "not approved", "return-comment", "mailto:", fpUser.Email} {
		if strings.Contains(d.Body, leak) {
			t.Errorf("the donor's organisation page shows %q", leak)
		}
	}
	if !strings.Contains(d.Body, fpUser.Name) {
		t.Error("the donor does not see the focal points' names")
	}
	if got := strings.Count(section(d.Body, "org-late"), `class="status status-missing"`); got != late {
		t.Errorf("the donor sees %d late items, want %d", got, late)
	}
	mustStatus(t, donor.Get("/plans/"+seed.DemoPlanCode+"/organisations/NOPE"), http.StatusNotFound)

	// The plan page and My reporting link to the page.
	if !strings.Contains(fp.Get("/plans/"+seed.DemoPlanCode).Body, `href="`+path+`"`) {
		t.Error("the plan page does not link to the organisation page")
	}
	if !strings.Contains(fp.Get("/plans/"+seed.DemoPlanCode+"/reporting").Body, `href="`+path+`"`) {
		t.Error("My reporting does not link to the organisation page")
	}
}

// TestOrganisationPageQueriesDoNotGrow: the page costs the same number of
// queries on the demo plan and on a synthetic plan many times larger.
func TestOrganisationPageQueriesDoNotGrow(t *testing.T) {
	t.Parallel()
	env, _ := newWithLargePlan(t)
	fp := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	counter := storetest.CountQueries(env.App.DB)
	count := func(plan string) int64 {
		path := "/plans/" + plan + "/organisations/MOLSW"
		fp.Get(path)
		counter.Reset()
		r := fp.Get(path)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, "/plans/"+plan+"/indicators/") {
			t.Fatalf("the organisation page of %s lists no indicator", plan)
		}
		return counter.N()
	}
	demo, big := count(seed.DemoPlanCode), count("BIG")
	t.Logf("organisation page: %d queries (demo), %d (large plan)", demo, big)
	if demo != big || demo > 24 {
		t.Errorf("organisation page: %d queries on the demo plan, %d on a larger one", demo, big)
	}
}

// TestIndicatorAndOrganisationPageWeights keeps both pages under 100 KB
// compressed, as sent to a focal point on a slow connection.
func TestIndicatorAndOrganisationPageWeights(t *testing.T) {
	t.Parallel()
	checkPageWeights(t,
		"/plans/"+seed.DemoPlanCode+"/indicators/3.3.b",
		"/plans/"+seed.DemoPlanCode+"/organisations/MOLSW",
	)
}
