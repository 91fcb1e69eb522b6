package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/handlers"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// apiCompletenessAnswer is the part of GET …/completeness the tests read.
type apiCompletenessAnswer struct {
	Plan    string
	Periods []struct {
		Label         string
		Total         apiCounts
		Organisations []struct {
			Acronym string
			apiCounts
		}
	}
}

type apiCounts struct {
	Expected, Late, Missing, Submitted, Returned, Approved int
	OnTime                                                 int      `json:"on_time"`
	NotDue                                                 int      `json:"not_due"`
	CompletenessRate                                       *float64 `json:"completeness_rate"`
	TimelinessRate                                         *float64 `json:"timeliness_rate"`
}

// TestCompletenessPageAndAPI checks that the page and the API show the same
// numbers, worst first, for the default periods and for a filter, that each
// organisation links to what it still owes, and that what was not due
// becomes missing once the due date passes.
func TestCompletenessPageAndAPI(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	sec := env.User(t, domain.RoleSecretariat, "")
	api := env.APIClient(t, sec)
	plan := mustPlan(t, env)
	periods, err := reporting.PlanPeriods(ctx, env.App.DB, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	base := "/plans/" + seed.DemoPlanCode + "/completeness"

	r := api.Get("/api/v1" + base)
	mustStatus(t, r, http.StatusOK)
	ans := decode[apiCompletenessAnswer](t, r)
	def := reporting.DefaultCompletenessPeriods(periods, env.Clock.Now().UTC())
	if len(ans.Periods) != len(def) || len(def) < 2 {
		t.Fatalf("API periods %d, want the default %d", len(ans.Periods), len(def))
	}
	page := env.SignedIn(t, sec).Get(base)
	mustStatus(t, page, http.StatusOK)
	for i, p := range ans.Periods {
		if p.Label != def[i].Label {
			t.Errorf("period %d is %s, want %s", i, p.Label, def[i].Label)
		}
		if !strings.Contains(page.Body, `id="h-c-`+p.Label+`"`) || !strings.Contains(page.Body, `value="`+p.Label+`" checked`) {
			t.Errorf("the page has no section, or no checked box, for %s", p.Label)
		}
		// Rows add up, come worst first, and appear on the page in the same order.
		last := -1
		for j, o := range p.Organisations {
			if o.Expected != o.OnTime+o.Late+o.Missing+o.NotDue {
				t.Errorf("%s %s: %+v does not add up", p.Label, o.Acronym, o.apiCounts)
			}
			if j > 0 && *p.Organisations[j-1].CompletenessRate > *o.CompletenessRate {
				t.Errorf("%s: %s listed after a better organisation", p.Label, o.Acronym)
			}
			link := html.EscapeString(handlers.CompletenessLink(seed.DemoPlanCode, o.Acronym, p.Label))
			at := strings.Index(page.Body, `href="`+link+`"`)
			if at < 0 || at < last {
				t.Errorf("%s %s: link %s missing or out of order on the page", p.Label, o.Acronym, link)
			}
			last = at
		}
	}

	// A filter on one period and one organisation.
	cur := ans.Periods[len(ans.Periods)-1].Label
	q := "?period=" + cur + "&org=MOLSW"
	one := decode[apiCompletenessAnswer](t, api.Get("/api/v1"+base+q))
	if len(one.Periods) != 1 || len(one.Periods[0].Organisations) != 1 || one.Periods[0].Organisations[0].Acronym != "MOLSW" {
		t.Fatalf("filtered answer: %+v", one)
	}
	molsw := one.Periods[0].Organisations[0]
	if molsw.NotDue == 0 || molsw.Missing != 0 {
		t.Errorf("MOLSW before the due date of %s: %+v, want items not due and none missing", cur, molsw.apiCounts)
	}
	filtered := env.SignedIn(t, sec).Get(base + q)
	mustStatus(t, filtered, http.StatusOK)
	if n := strings.Count(filtered.Body, `<th scope="row">`); n != 1 {
		t.Errorf("filtered page has %d organisation rows, want 1", n)
	}
	for _, bad := range []string{"?period=1999-Q1", "?org=NOPE"} {
		mustStatus(t, env.SignedIn(t, sec).Get(base+bad), http.StatusNotFound)
		mustStatus(t, api.Get("/api/v1"+base+bad), http.StatusNotFound)
	}

	// After the due date, what was not due is missing, and MOLSW's list names
	// the missing items and its focal points (not disabled ones, not others').
	var period domain.ReportingPeriod
	for _, p := range periods {
		if p.Label == cur {
			period = p
		}
	}
	env.Clock.Advance(period.DueBy().Add(time.Hour).Sub(env.Clock.Now()))
	after := decode[apiCompletenessAnswer](t, api.Get("/api/v1"+base+q)).Periods[0].Organisations[0]
	if after.NotDue != 0 || after.Missing != molsw.NotDue || after.Expected != molsw.Expected {
		t.Errorf("MOLSW after the due date: %+v, before: %+v", after.apiCounts, molsw.apiCounts)
	}
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	gone := env.User(t, domain.RoleFocalPoint, "MOLSW")
	env.App.DB.Model(&domain.User{}).Where("id = ?", gone.ID).Update("disabled_at", env.Clock.Now().UTC())
	other := env.User(t, domain.RoleFocalPoint, "MOPS")
	list := env.SignedIn(t, sec).Get(handlers.CompletenessLink(seed.DemoPlanCode, "MOLSW", cur))
	mustStatus(t, list, http.StatusOK)
	if !strings.Contains(list.Body, `href="mailto:`+fp.Email+`"`) || strings.Contains(list.Body, gone.Email) || strings.Contains(list.Body, other.Email) {
		t.Errorf("focal points on MOLSW's list: want %s only among the test users", fp.Email)
	}
	molswOrg, _ := planning.FindOrganisationByAcronym(ctx, env.App.DB, "MOLSW")
	items, err := reporting.CompletenessItems(ctx, env.App.DB, *plan, []domain.ReportingPeriod{period}, reporting.ItemFilter{OrgID: molswOrg.ID}, env.Clock.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, it := range items {
		if it.State != reporting.ItemMissing {
			continue
		}
		missing++
		kind := "indicators"
		suffix := "/values/"
		if it.Kind == reporting.ItemUpdate {
			kind, suffix = "activities", "/updates/"
		}
		link := "/plans/" + seed.DemoPlanCode + "/" + kind + "/" + it.Code + suffix + cur
		if !strings.Contains(list.Body, `href="`+link+`">`+html.EscapeString(it.Name)+`</a>`) {
			t.Errorf("MOLSW's list lacks the missing item %s %s", it.Code, it.Name)
		}
	}
	if missing == 0 || missing != after.Missing || strings.Count(list.Body, ">missing<") != missing {
		t.Errorf("%d missing items, the API says %d, the page shows %d", missing, after.Missing, strings.Count(list.Body, ">missing<"))
	}
	mustStatus(t, env.SignedIn(t, sec).Get(handlers.CompletenessLink(seed.DemoPlanCode, "MOLSW", "1999-Q1")), http.StatusNotFound)
	mustStatus(t, env.SignedIn(t, sec).Get("/plans/"+seed.DemoPlanCode+"/completeness/NOPE"), http.StatusNotFound)
	for _, role := range []string{domain.RoleFocalPoint, domain.RoleDonor, domain.RoleFacilitator} {
		org := map[string]string{domain.RoleFocalPoint: "MOLSW", domain.RoleDonor: "APJP"}[role]
		u := env.User(t, role, org)
		mustStatus(t, env.SignedIn(t, u).Get(base), http.StatusForbidden)
		mustStatus(t, env.APIClient(t, u).Get("/api/v1"+base), http.StatusForbidden)
	}
}

// TestCompletenessQueriesDoNotGrowWithThePlan shows that the page and the
// API cost the same number of SQL statements for the demo plan and for a
// plan several times larger, whatever the number of periods shown.
func TestCompletenessQueriesDoNotGrowWithThePlan(t *testing.T) {
	t.Parallel()
	env, _ := newWithLargePlan(t)
	sec := env.User(t, domain.RoleSecretariat, "")
	browser, api := env.SignedIn(t, sec), env.APIClient(t, sec)
	counter := storetest.CountQueries(env.App.DB)
	count := func(c *apptest.Client, path string) int64 {
		c.Get(path) // the first call may record the token's or session's use
		counter.Reset()
		if resp := c.Get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		return counter.N()
	}
	y := time.Now().UTC().Year() - 1 // the synthetic plan's last year
	all := url.Values{"period": {fmt.Sprintf("%d-Q1", y), fmt.Sprintf("%d-Q2", y), fmt.Sprintf("%d-Q3", y), fmt.Sprintf("%d-Q4", y)}}.Encode()
	for _, c := range []struct {
		client *apptest.Client
		prefix string
	}{{browser, ""}, {api, "/api/v1"}} {
		demo := count(c.client, c.prefix+"/plans/"+seed.DemoPlanCode+"/completeness")
		big := count(c.client, c.prefix+"/plans/BIG/completeness")
		bigAll := count(c.client, c.prefix+"/plans/BIG/completeness?"+all)
		if demo != big || big != bigAll || demo > 12 {
			t.Errorf("%s/plans/{plan}/completeness: %d queries for the demo plan, %d for a plan of 300 activities, %d with four periods; want the same small number",
				c.prefix, demo, big, bigAll)
		}
		t.Logf("%s/plans/{plan}/completeness: %d queries", c.prefix, demo)
	}
}
