package handlers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/seed"
)

// TestPresentationShowsPillarsAndRatings opens the live presentation as a
// facilitator in English and Lao: every pillar has its slide, the rating
// words stand beside the colours, and the page stays light.
func TestPresentationShowsPillarsAndRatings(t *testing.T) {
	t.Parallel()
	env, fac, c := newSignedIn(t, domain.RoleFacilitator, "")
	tree, err := planning.LoadPlanTree(context.Background(), env.App.DB, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	resp := c.Get("/plans/" + seed.DemoPlanCode + "/present")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("present: %d\n%.800s", resp.StatusCode, resp.Body)
	}
	// Slides are numbered 1…N, a long one continued as 2a, 2b…
	numbers := map[string]bool{}
	for _, m := range regexp.MustCompile(`<section class="slide[^"]*" id="slide-(\d+)([a-z]?)"`).FindAllStringSubmatch(resp.Body, -1) {
		numbers[m[1]] = true
	}
	if want := len(tree.Pillars) + 5; len(numbers) != want || !numbers[itoa(want)] {
		t.Errorf("%d slide numbers, want 1…%d", len(numbers), want)
	}
	for _, p := range tree.Pillars {
		if !strings.Contains(resp.Body, p.Title) {
			t.Errorf("no slide shows pillar %s %q", p.Code, p.Title)
		}
	}
	for _, word := range []string{"On track", "Off track", "Reporting compliance", "Funding by partner", "Key indicators", `role="img"`, "Approved data only"} {
		if !strings.Contains(resp.Body, word) {
			t.Errorf("the presentation lacks %q", word)
		}
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write([]byte(resp.Body))
	_ = w.Close()
	t.Logf("presentation: %d bytes, %d gzipped", len(resp.Body), gz.Len())
	if gz.Len() >= 100_000 {
		t.Errorf("the presentation weighs %d bytes gzipped, want under 100 KB", gz.Len())
	}

	// A range chosen by period labels, and an unknown one refused.
	periods, _ := reporting.PlanPeriods(context.Background(), env.App.DB, tree.Plan.ID)
	first := periods[0].Label
	if r := c.Get("/plans/" + seed.DemoPlanCode + "/present?from=" + first + "&to=" + first); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, first+" – "+first) {
		t.Errorf("range %s: %d", first, r.StatusCode)
	}
	if r := c.Get("/plans/" + seed.DemoPlanCode + "/present?to=1999-Q9"); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown period: %d, want 422", r.StatusCode)
	}

	lo := env.SignedIn(t, fac)
	lo.Header.Set("Accept-Language", "lo")
	if r := lo.Get("/plans/" + seed.DemoPlanCode + "/present"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "ຕາມເປົ້າໝາຍ") || !strings.Contains(r.Body, `lang="lo"`) {
		t.Errorf("Lao presentation: %d, rating words or lang missing", r.StatusCode)
	}
}

// TestSnapshotForm checks the snapshot form's refusals, its success, and
// that a donor may list snapshots but not take one.
func TestSnapshotForm(t *testing.T) {
	t.Parallel()
	env, _, sec := newSignedIn(t, domain.RoleSecretariat, "")
	path := "/plans/" + seed.DemoPlanCode + "/snapshots"
	page := sec.Get(path)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `name="name"`) {
		t.Fatalf("snapshots page: %d", page.StatusCode)
	}
	periods, _ := reporting.PlanPeriods(context.Background(), env.App.DB, mustPlan(t, env).ID)
	a, b := periods[0].Label, periods[3].Label
	cases := []struct {
		name     string
		form     url.Values
		field    string
		contains string
	}{
		{"blank name", url.Values{"name": {"  "}, "from": {a}, "to": {b}}, "name", "Give the snapshot a name."},
		{"unknown period", url.Values{"name": {"Review"}, "from": {"1999-Q1"}, "to": {b}}, "from", "The plan has no period &#34;1999-Q1&#34;."},
		{"reversed", url.Values{"name": {"Review"}, "from": {b}, "to": {a}}, "to", "The last period comes before the first."},
	}
	for _, tc := range cases {
		r := sec.Post(path, tc.form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.contains) || !strings.Contains(r.Body, `id="f-s-`+tc.field+`-error"`) {
			t.Errorf("%s: %d, message %q missing", tc.name, r.StatusCode, tc.contains)
		}
	}
	ok := sec.Post(path, url.Values{"name": {"Mid-year review"}, "from": {a}, "to": {b}})
	if ok.StatusCode != http.StatusSeeOther || !strings.Contains(ok.Header.Get("Location"), "flash=flash.snapshot_created") {
		t.Fatalf("create: %d %s", ok.StatusCode, ok.Header.Get("Location"))
	}
	dup := sec.Post(path, url.Values{"name": {"mid-year REVIEW"}, "from": {a}, "to": {b}})
	if dup.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(dup.Body, "Another snapshot of this plan already has this name.") {
		t.Errorf("duplicate name: %d", dup.StatusCode)
	}
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	list := donor.Get(path)
	if list.StatusCode != http.StatusOK || !strings.Contains(list.Body, "Mid-year review") || !strings.Contains(list.Body, "report.xlsx?snapshot=") || strings.Contains(list.Body, `name="name"`) {
		t.Errorf("donor's list: %d", list.StatusCode)
	}
	if r := donor.Post(path, url.Values{"name": {"Donor's"}, "from": {a}, "to": {b}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("donor created a snapshot: %d", r.StatusCode)
	}
}

func mustPlan(t *testing.T, env *apptest.Env) *domain.Plan {
	t.Helper()
	p, err := planning.FindPlan(context.Background(), env.App.DB, seed.DemoPlanCode)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var snapshotLink = regexp.MustCompile(`href="(/plans/[^"]+/snapshots/(\d+)/present)"`)

// TestSnapshotPresentationIsFrozen presents a snapshot before and after a
// live value is approved: the page is byte for byte the same, while the
// live presentation moves on.
func TestSnapshotPresentationIsFrozen(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	secUser := env.User(t, domain.RoleSecretariat, "")
	sec := env.SignedIn(t, secUser)
	plan := mustPlan(t, env)
	list := "/plans/" + seed.DemoPlanCode + "/snapshots"
	if r := sec.Post(list, url.Values{"name": {"Annual review"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a form without periods: %d", r.StatusCode)
	}
	rng, err := planning.ResolveRange(mustPeriods(t, env, plan), "", "", env.Clock.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	if r := sec.Post(list, url.Values{"name": {"Annual review"}, "from": {rng.First().Label}, "to": {rng.Last().Label}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", r.StatusCode)
	}
	m := snapshotLink.FindStringSubmatch(sec.Get(list).Body)
	if m == nil {
		t.Fatal("no link to present the snapshot")
	}
	fac := env.SignedIn(t, env.User(t, domain.RoleFacilitator, ""))
	before := fac.Get(m[1])
	liveBefore := fac.Get("/plans/" + seed.DemoPlanCode + "/present")
	if before.StatusCode != http.StatusOK {
		t.Fatalf("snapshot presentation: %d", before.StatusCode)
	}

	// Approve every submitted value of the range's last period.
	var rows []struct {
		Code    string
		Label   string
		Version int
	}
	env.App.DB.Raw(`SELECT i.code, p.label, v.version FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN reporting_periods p ON p.id = v.period_id
WHERE i.plan_id = ? AND v.status = 'submitted' AND v.value IS NOT NULL AND p.end_date <= ?`, plan.ID, rng.Last().EndDate).Scan(&rows)
	if len(rows) == 0 {
		t.Fatal("no submitted value to approve")
	}
	actor := domain.Actor{UserID: &secUser.ID, Name: secUser.Email}
	for _, r := range rows {
		target := reporting.ValueTarget{Plan: plan.Code, Indicator: r.Code, Period: r.Label}
		if _, err := reporting.TransitionValue(ctx, env.App.DB, domain.Caller{Actor: actor, Scope: domain.ScopeOf(secUser), Now: time.Now().UTC()}, target, reporting.ActionApprove, r.Version, ""); err != nil {
			t.Fatal(err)
		}
	}
	after := fac.Get(m[1])
	if after.Body != before.Body {
		t.Error("the snapshot's presentation changed after live values were approved")
	}
	if liveAfter := fac.Get("/plans/" + seed.DemoPlanCode + "/present"); liveAfter.Body == liveBefore.Body {
		t.Error("the live presentation did not change after approvals")
	}
	if r := fac.Get("/plans/" + seed.DemoPlanCode + "/snapshots/999999/present"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown snapshot: %d", r.StatusCode)
	}
}

func mustPeriods(t *testing.T, env *apptest.Env, plan *domain.Plan) []domain.ReportingPeriod {
	t.Helper()
	all, err := reporting.PlanPeriods(context.Background(), env.App.DB, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// TestWorkshopDecisions records decisions from the presentation's last
// slide: bad input comes back on that slide with 422 and messages; a good
// decision returns to the slide and shows on the plan and organisation
// pages until it is marked done.
func TestWorkshopDecisions(t *testing.T) {
	t.Parallel()
	env, _, fac := newSignedIn(t, domain.RoleFacilitator, "")
	plan := mustPlan(t, env)
	tree, _ := planning.LoadPlanTree(context.Background(), env.App.DB, plan.Code)
	decisionsSlide := "slide-" + itoa(len(tree.Pillars)+5)
	org, _ := planning.FindOrganisationByAcronym(context.Background(), env.App.DB, "MOLSW")
	path := "/plans/" + plan.Code + "/decisions"

	bad := fac.Post(path, url.Values{"text": {" "}, "target": {"activity:9.9.9"}, "organisation": {"abc"}, "due_date": {"31/12/2030"}})
	if bad.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad decision: %d", bad.StatusCode)
	}
	for _, msg := range []string{"Choose an organisation from the list.", "Enter the due date as a date (YYYY-MM-DD).", `data-start="` + decisionsSlide[6:] + `"`} {
		if !strings.Contains(bad.Body, msg) {
			t.Errorf("the refused form lacks %q", msg)
		}
	}
	bad2 := fac.Post(path, url.Values{"text": {" "}, "target": {"activity:9.9.9"}})
	if bad2.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad2.Body, "Write the decision.") || !strings.Contains(bad2.Body, "The plan has no such activity.") {
		t.Errorf("blank text and unknown activity: %d", bad2.StatusCode)
	}
	ok := fac.Post(path, url.Values{"text": {"Hold a shelter staff training in the third province"}, "target": {"activity:2.3.3"},
		"organisation": {itoa(int(org.ID))}, "due_date": {"2030-12-31"}})
	loc := ok.Header.Get("Location")
	if ok.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/plans/"+plan.Code+"/present?") || !strings.HasSuffix(loc, "#"+decisionsSlide) {
		t.Fatalf("record: %d %s", ok.StatusCode, loc)
	}
	if r := fac.Get(strings.Split(loc, "#")[0]); !strings.Contains(r.Body, "Hold a shelter staff training") || !strings.Contains(r.Body, "The decision was recorded.") {
		t.Error("the presentation does not show the new decision")
	}
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	planPage := donor.Get("/plans/" + plan.Code)
	if !strings.Contains(planPage.Body, "Hold a shelter staff training") || strings.Contains(planPage.Body, "/done") {
		t.Error("the plan page does not list the open decision (or offers the donor to close it)")
	}
	orgPage := donor.Get("/plans/" + plan.Code + "/organisations/MOLSW")
	if !strings.Contains(orgPage.Body, "Hold a shelter staff training") {
		t.Errorf("the organisation page does not list the decision (%d)", orgPage.StatusCode)
	}
	if r := donor.Post(path, url.Values{"text": {"x"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a donor recorded a decision: %d", r.StatusCode)
	}
	rows, _ := review.ListDecisions(context.Background(), env.App.DB, review.DecisionFilter{PlanID: plan.ID})
	if len(rows) != 1 {
		t.Fatalf("%d decisions", len(rows))
	}
	done := fac.Post(path+"/"+itoa(int(rows[0].ID))+"/done", url.Values{"back": {"https://evil.example/"}, "fragment": {"decisions"}})
	if done.StatusCode != http.StatusSeeOther || done.Header.Get("Location") != "/plans/"+plan.Code+"?flash=flash.decision_done#decisions" {
		t.Errorf("mark done: %d %s", done.StatusCode, done.Header.Get("Location"))
	}
	if strings.Contains(donor.Get("/plans/"+plan.Code).Body, "Hold a shelter staff training") {
		t.Error("a done decision is still listed as open on the plan page")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
