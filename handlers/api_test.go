package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// apiRoute is a route of the table under /api/v1, with a concrete address
// for the demo plan.
type apiRoute struct {
	method, path, url string
	public            bool
}

func apiRoutes(t *testing.T, env *apptest.Env) []apiRoute {
	var out []apiRoute
	for _, r := range env.App.Handler.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1") {
			continue
		}
		out = append(out, apiRoute{r.Method, r.Path, strings.ReplaceAll(r.Path, ":plan", seed.DemoPlanCode), r.Public})
	}
	if len(out) < 5 {
		t.Fatalf("only %d API routes in the table", len(out))
	}
	return out
}

// decode parses a JSON answer, failing the test when it is not JSON.
func decode[T any](t *testing.T, resp *apptest.Response) T {
	t.Helper()
	var v T
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, body %.200s", resp.Request.Method, resp.Request.URL.Path, ct, resp.Body)
	}
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatalf("%s: %v in %.300s", resp.Request.URL.Path, err, resp.Body)
	}
	return v
}

type apiErr struct {
	Error struct {
		Code    string
		Message string
	}
}

// TestAPIRefusesMissingAndDeadTokens calls every API route that is not
// public without a token, with a made-up one, a revoked one, an expired one
// and the token of a disabled user: each gets 401 with a JSON error.
func TestAPIRefusesMissingAndDeadTokens(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, db := context.Background(), env.App.DB
	routes := apiRoutes(t, env)

	revokedUser := env.User(t, domain.RoleFocalPoint, "MOLSW")
	revoked := env.APIClient(t, revokedUser)
	var tok account.APIToken
	db.Where("user_id = ?", revokedUser.ID).Take(&tok)
	if err := account.RevokeAPIToken(ctx, db, domain.Caller{Actor: domain.SystemActor, Now: time.Now().UTC()}, revokedUser.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	disabledUser := env.User(t, domain.RoleSecretariat, "")
	disabled := env.APIClient(t, disabledUser)
	db.Model(&domain.User{}).Where("id = ?", disabledUser.ID).Update("disabled_at", time.Now().UTC())
	expiringUser := env.User(t, domain.RoleDonor, "APJP")
	day := env.Clock.Now().UTC().Add(time.Hour)
	secret, _, err := account.CreateAPIToken(ctx, db, domain.Caller{Actor: domain.SystemActor, Now: env.Clock.Now().UTC()}, expiringUser, "short-lived", &day)
	if err != nil {
		t.Fatal(err)
	}
	expired := env.Client(t)
	expired.Header.Set("Authorization", "Bearer "+secret)
	if r := expired.Get("/api/v1/me"); r.StatusCode != http.StatusOK {
		t.Fatalf("the expiring token does not work before it expires: %d", r.StatusCode)
	}
	env.Clock.Advance(2 * time.Hour)

	bogus := env.Client(t)
	bogus.Header.Set("Authorization", "Bearer napt_notarealtokenatall")
	malformed := env.Client(t)
	malformed.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	clients := map[string]*apptest.Client{
		"no token": env.Client(t), "unknown token": bogus, "not a bearer token": malformed,
		"revoked token": revoked, "disabled user": disabled, "expired token": expired,
	}
	for _, r := range routes {
		if r.public {
			continue
		}
		for name, c := range clients {
			resp := c.Do(r.method, r.url, nil, "")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s with %s = %d, want 401", r.method, r.url, name, resp.StatusCode)
				continue
			}
			if e := decode[apiErr](t, resp); e.Error.Code != "unauthorized" || e.Error.Message == "" {
				t.Errorf("%s %s with %s: error body %s", r.method, r.url, name, resp.Body)
			}
			if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s with %s: no WWW-Authenticate challenge", r.method, r.url, name)
			}
		}
	}
	// The public document needs no token.
	if resp := env.Client(t).Get("/api/v1/openapi.json"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/v1/openapi.json anonymously = %d", resp.StatusCode)
	}
}

// TestAPIMe shows who a token acts as, with the organisation or null.
func TestAPIMe(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	type me struct {
		ID           int64
		Email        string
		Name         string
		Role         string
		Organisation *struct {
			ID            int64
			Acronym, Name string
		}
		Language *string
	}
	fp := env.User(t, domain.RoleFocalPoint, "MOLSW")
	resp := env.APIClient(t, fp).Get("/api/v1/me")
	got := decode[me](t, resp)
	if resp.StatusCode != http.StatusOK || got.ID != fp.ID || got.Email != fp.Email || got.Role != domain.RoleFocalPoint ||
		got.Organisation == nil || got.Organisation.Acronym != "MOLSW" || got.Organisation.Name == "" || got.Language == nil {
		t.Errorf("focal point's /me = %d %s", resp.StatusCode, resp.Body)
	}
	if strings.Contains(strings.ToLower(resp.Body), "password") || strings.Contains(resp.Body, "totp") {
		t.Errorf("/me leaks credentials: %s", resp.Body)
	}
	admin := env.User(t, domain.RoleAdmin, "")
	resp = env.APIClient(t, admin).Get("/api/v1/me")
	if got := decode[me](t, resp); got.Email != admin.Email || got.Organisation != nil || !strings.Contains(resp.Body, `"organisation":null`) {
		t.Errorf("admin's /me = %s", resp.Body)
	}
}

// planList is the answer of GET /api/v1/plans.
type planList struct {
	Plans []struct {
		Code, Title, Country, Frequency string
		StartYear                       int `json:"start_year"`
		EndYear                         int `json:"end_year"`
		Demo                            bool
		Pillars, Activities, Indicators int
	}
}

// TestAPIPlans lists the demo plan with its size.
func TestAPIPlans(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	resp := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP")).Get("/api/v1/plans")
	list := decode[planList](t, resp)
	if resp.StatusCode != http.StatusOK || len(list.Plans) != 1 {
		t.Fatalf("GET /api/v1/plans = %d %s", resp.StatusCode, resp.Body)
	}
	p := list.Plans[0]
	if p.Code != seed.DemoPlanCode || !p.Demo || p.Pillars != 5 || p.Activities < 40 || p.Indicators < p.Activities ||
		p.StartYear != 2023 || p.EndYear != 2027 || p.Frequency != domain.Quarterly || p.Title == "" {
		t.Errorf("demo plan in the list: %+v", p)
	}
}

// indicatorJSON is an indicator of the tree.
type indicatorJSON struct {
	Code, Name, Definition, Level string
	UnitType                      string  `json:"unit_type"`
	UnitLabel                     *string `json:"unit_label"`
	Direction, Accumulation       string
	Baseline                      *struct {
		Value float64
		Year  *int
	}
	EndTarget             *float64 `json:"end_target"`
	MeansOfVerification   *string  `json:"means_of_verification"`
	ReportingOrganisation string   `json:"reporting_organisation"`
	DisaggregationSet     *string  `json:"disaggregation_set"`
	Sensitive             *bool
}

// planTree is the answer of GET /api/v1/plans/{plan}.
type planTree struct {
	Code       string
	TierLabels struct{ Pillar, Objective, Activity string } `json:"tier_labels"`
	Thresholds struct{ Green, Red float64 }
	Pillars    []struct {
		Code, Title string
		Objectives  []struct {
			Code       string
			Indicators []indicatorJSON
			Activities []struct {
				Code, Title string
				StartDate   string `json:"start_date"`
				EndDate     string `json:"end_date"`
				Lead        struct{ Acronym, Name string }
				Supporting  []string
				Budget      float64
				Currency    string
				Funding     []struct {
					Funder, Currency, Status string
					Amount                   float64
				}
				Indicators []indicatorJSON
			}
		}
	}
}

// TestAPIPlanTree reads the demo plan's whole tree as a program would.
func TestAPIPlanTree(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	api := env.APIClient(t, env.User(t, domain.RoleFacilitator, ""))
	resp := api.Get("/api/v1/plans/" + seed.DemoPlanCode)
	tree := decode[planTree](t, resp)
	if resp.StatusCode != http.StatusOK || tree.Code != seed.DemoPlanCode || len(tree.Pillars) != 5 {
		t.Fatalf("GET the demo tree = %d, code %q, %d pillars", resp.StatusCode, tree.Code, len(tree.Pillars))
	}
	if tree.TierLabels.Pillar != "Pillar" || tree.TierLabels.Activity != "Activity" || tree.Thresholds.Green != 0.85 || tree.Thresholds.Red != 0.5 {
		t.Errorf("tier labels %+v, thresholds %+v", tree.TierLabels, tree.Thresholds)
	}
	var activities, supported, funded, outcome, output, baselines, disaggregated, sensitive int
	checkIndicator := func(where string, ind indicatorJSON, level string) {
		if ind.Code == "" || ind.Name == "" || ind.Level != level || ind.UnitType == "" || ind.Direction == "" || ind.Accumulation == "" ||
			ind.ReportingOrganisation == "" || ind.ReportingOrganisation == "?" || ind.UnitLabel == nil || ind.MeansOfVerification == nil || ind.Sensitive == nil {
			t.Errorf("%s: incomplete indicator %+v", where, ind)
		}
		if ind.Baseline != nil {
			baselines++
		}
		if ind.DisaggregationSet != nil && *ind.DisaggregationSet != "" {
			disaggregated++
		}
		if ind.Sensitive != nil && *ind.Sensitive {
			sensitive++
		}
	}
	for _, p := range tree.Pillars {
		for _, o := range p.Objectives {
			for _, ind := range o.Indicators {
				outcome++
				checkIndicator("objective "+o.Code, ind, "outcome")
			}
			for _, a := range o.Activities {
				activities++
				if a.Lead.Acronym == "" || a.Lead.Acronym == "?" || a.Lead.Name == "" {
					t.Errorf("activity %s has no lead: %+v", a.Code, a.Lead)
				}
				if _, err := time.Parse(time.DateOnly, a.StartDate); err != nil || a.EndDate < a.StartDate {
					t.Errorf("activity %s runs from %q to %q", a.Code, a.StartDate, a.EndDate)
				}
				if a.Supporting == nil || a.Funding == nil || a.Indicators == nil {
					t.Errorf("activity %s has a null list instead of []", a.Code)
				}
				if len(a.Supporting) > 0 {
					supported++
				}
				for _, f := range a.Funding {
					funded++
					if f.Funder == "" || f.Amount <= 0 || f.Currency == "" || f.Status == "" {
						t.Errorf("activity %s: funding line %+v", a.Code, f)
					}
				}
				for _, ind := range a.Indicators {
					output++
					checkIndicator("activity "+a.Code, ind, "output")
				}
			}
		}
	}
	if activities < 40 || supported == 0 || funded == 0 || outcome == 0 || output < activities || baselines == 0 || disaggregated == 0 || sensitive == 0 {
		t.Errorf("tree: %d activities (%d with supporters, %d funding lines), %d outcome and %d output indicators (%d with baseline, %d disaggregated, %d sensitive)",
			activities, supported, funded, outcome, output, baselines, disaggregated, sensitive)
	}
	for _, leak := range []string{`"ID"`, `"CreatedAt"`, `"version"`, `"archived_at"`, `"Version"`} {
		if strings.Contains(resp.Body, leak) {
			t.Errorf("the tree carries the internal field %s: a model was serialised directly", leak)
		}
	}

	resp = api.Get("/api/v1/plans/NO-SUCH-PLAN")
	if e := decode[apiErr](t, resp); resp.StatusCode != http.StatusNotFound || e.Error.Code != "not_found" {
		t.Errorf("unknown plan = %d %s", resp.StatusCode, resp.Body)
	}
	resp = api.Get("/api/v1/plans/NO-SUCH-PLAN/periods")
	if e := decode[apiErr](t, resp); resp.StatusCode != http.StatusNotFound || e.Error.Code != "not_found" {
		t.Errorf("periods of an unknown plan = %d %s", resp.StatusCode, resp.Body)
	}
}

// periodList is the answer of GET /api/v1/plans/{plan}/periods.
type periodList struct {
	Periods []struct {
		Label     string
		StartDate string `json:"start_date"`
		EndDate   string `json:"end_date"`
		DueDate   string `json:"due_date"`
		GraceDays int    `json:"grace_days"`
		LocksAt   string `json:"locks_at"`
		State     string
	}
}

// TestAPIPeriods lists the periods in order, with the state a focal point
// would see today: past periods closed, the current one open, later ones
// upcoming; moving the clock past a period's lock closes it.
func TestAPIPeriods(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	api := env.APIClient(t, env.User(t, domain.RoleFocalPoint, "MOJ"))
	get := func() periodList {
		resp := api.Get("/api/v1/plans/" + seed.DemoPlanCode + "/periods")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET periods = %d %s", resp.StatusCode, resp.Body)
		}
		return decode[periodList](t, resp)
	}
	list := get()
	if len(list.Periods) != 20 || list.Periods[0].Label != "2023-Q1" || list.Periods[19].Label != "2027-Q4" {
		t.Fatalf("%d periods, want the 20 quarters of 2023–2027 in order: %+v", len(list.Periods), list.Periods)
	}
	today := env.Clock.Now().UTC().Format(time.DateOnly)
	rank := map[string]int{domain.PeriodClosed: 0, domain.PeriodOverdue: 1, domain.PeriodOpen: 2, domain.PeriodUpcoming: 3}
	current := -1
	for i, p := range list.Periods {
		locks, err := time.Parse(time.RFC3339, p.LocksAt)
		if err != nil || p.DueDate <= p.EndDate || p.GraceDays <= 0 || !locks.After(time.Now().AddDate(-10, 0, 0)) {
			t.Errorf("period %s: due %s, grace %d, locks at %q", p.Label, p.DueDate, p.GraceDays, p.LocksAt)
		}
		if _, ok := rank[p.State]; !ok {
			t.Errorf("period %s has state %q", p.Label, p.State)
		}
		if i > 0 && (p.StartDate <= list.Periods[i-1].StartDate || rank[p.State] < rank[list.Periods[i-1].State]) {
			t.Errorf("period %s (%s) after %s (%s): out of order", p.Label, p.State, list.Periods[i-1].Label, list.Periods[i-1].State)
		}
		if p.StartDate <= today && today <= p.EndDate {
			current = i
			if p.State != domain.PeriodOpen {
				t.Errorf("the current period %s is %q, want open", p.Label, p.State)
			}
		}
		if p.EndDate < "2024-01-01" && p.State != domain.PeriodClosed {
			t.Errorf("period %s of 2023 is %q, want closed", p.Label, p.State)
		}
	}
	if current < 0 {
		t.Skipf("today (%s) is outside the demo plan's years", today)
	}
	locks, _ := time.Parse(time.RFC3339, list.Periods[current].LocksAt)
	env.Clock.Advance(locks.Sub(env.Clock.Now()) + time.Minute)
	if got := get().Periods[current]; got.State != domain.PeriodClosed {
		t.Errorf("after its lock time, period %s is %q, want closed", got.Label, got.State)
	}
}

// TestAPIPlanQueriesDoNotGrowWithThePlan shows that the tree and the periods
// cost the same number of SQL statements for the demo plan and for a plan
// several times larger.
func TestAPIPlanQueriesDoNotGrowWithThePlan(t *testing.T) {
	t.Parallel()
	env, big := newWithLargePlan(t)
	api := env.APIClient(t, env.User(t, domain.RoleSecretariat, ""))
	counter := storetest.CountQueries(env.App.DB)
	count := func(path string) int64 {
		api.Get(path) // the first call may record the token's last use
		counter.Reset()
		if resp := api.Get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		return counter.N()
	}
	for _, suffix := range []string{"", "/periods"} {
		demo, large := count("/api/v1/plans/"+seed.DemoPlanCode+suffix), count("/api/v1/plans/BIG"+suffix)
		if demo != large || demo > 14 {
			t.Errorf("GET /api/v1/plans/{plan}%s: %d queries for the demo plan, %d for a plan with %d activities; want the same small number",
				suffix, demo, large, big.Activities)
		}
		t.Logf("GET /api/v1/plans/{plan}%s: %d queries", suffix, demo)
	}
}
