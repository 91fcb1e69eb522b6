package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planedit"
	"naptracker/reporting"
	"naptracker/review"
	"naptracker/seed"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// expectedPillarFigures works out, straight from the values and updates
// tables (not from the roll-ups), how the dashboard must count one pillar's
// indicators by rating and activities by status: every indicator is rated
// at the last period whose due date has passed (figures.Assess over the
// approved values, for the external audience).
func expectedPillarFigures(t *testing.T, db *gorm.DB, plan *domain.Plan, pillar string, now time.Time) (rags, statuses map[string]int) {
	t.Helper()
	ctx := context.Background()
	periods, err := reporting.PlanPeriods(ctx, db, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	k, due := 0, false
	for i, p := range periods {
		if !now.Before(p.DueBy()) {
			k, due = i, true
		}
	}
	at := map[int64]int{}
	for i, p := range periods {
		at[p.ID] = i
	}
	var inds []domain.Indicator
	if err := db.Table("indicators i").Select("i.*").
		Joins("LEFT JOIN activities a ON a.id = i.activity_id").
		Joins("JOIN objectives o ON o.id = COALESCE(i.objective_id, a.objective_id)").
		Joins("JOIN pillars pl ON pl.id = o.pillar_id").
		Where("i.plan_id = ? AND pl.code = ? AND i.archived_at IS NULL AND o.archived_at IS NULL AND pl.archived_at IS NULL AND (a.id IS NULL OR a.archived_at IS NULL)", plan.ID, pillar).
		Find(&inds).Error; err != nil {
		t.Fatal(err)
	}
	if len(inds) == 0 {
		t.Fatalf("pillar %s has no indicators", pillar)
	}
	all := domain.FigurePeriods(periods)
	rags = map[string]int{}
	for _, ind := range inds {
		var vals []domain.IndicatorValue
		if err := db.Where("indicator_id = ? AND status = ? AND value IS NOT NULL", ind.ID, domain.StatusApproved).Find(&vals).Error; err != nil {
			t.Fatal(err)
		}
		var d figures.Data
		for _, v := range vals {
			d.Total = append(d.Total, figures.Point{Period: at[v.PeriodID], Value: *v.Value})
		}
		slices.SortFunc(d.Total, func(a, b figures.Point) int { return a.Period - b.Period })
		targets, err := planedit.IndicatorTargets(ctx, db, ind.ID)
		if err != nil {
			t.Fatal(err)
		}
		a := figures.Assess(ind.Figures(targets), d, plan.Window(all, 0, len(all)-1, now), figures.External)
		if a.Current().Period != k || a.Current().Due != due {
			t.Fatalf("rated period %d (due %v), the dashboard's rule says %d (%v)", a.Current().Period, a.Current().Due, k, due)
		}
		rags[a.Current().Rating]++
	}
	var acts []domain.Activity
	if err := db.Table("activities a").Select("a.*").Joins("JOIN objectives o ON o.id = a.objective_id").Joins("JOIN pillars pl ON pl.id = o.pillar_id").
		Where("a.plan_id = ? AND pl.code = ? AND a.archived_at IS NULL AND o.archived_at IS NULL", plan.ID, pillar).Find(&acts).Error; err != nil {
		t.Fatal(err)
	}
	statuses = map[string]int{}
	for _, a := range acts {
		var ups []domain.ActivityUpdate
		if err := db.Where("activity_id = ? AND status = ?", a.ID, domain.StatusApproved).Find(&ups).Error; err != nil {
			t.Fatal(err)
		}
		status, best := review.DashboardNoReport, -1
		for _, u := range ups {
			if at[u.PeriodID] > best {
				status, best = u.Progress, at[u.PeriodID]
			}
		}
		statuses[status]++
	}
	return rags, statuses
}

var descRe = regexp.MustCompile(`<desc id="(ch-[a-z]+)-d">([^<]*)</desc>`)

// chartDescs returns the text descriptions of the page's overview charts.
// ratedRe reads a pillar's rated indicators from the description of the rating chart.
var ratedRe = regexp.MustCompile(`On track (\d+), Behind (\d+), Off track (\d+)`)

func chartDescs(body string) map[string]string {
	out := map[string]string{}
	for _, m := range descRe.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TestDashboardShowsApprovedFiguresToEveryRole checks the dashboard's
// counts for a pillar against an independent computation from the values,
// that every role sees the very same figures, and that the page names every
// colour with its word, links the indicators furthest off track and lists
// recent approvals.
func TestDashboardShowsApprovedFiguresToEveryRole(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	plan := mustPlan(t, env)
	// The secretariat approves a submitted value through the API: it shows
	// among the recent changes, with who did it and to which value.
	var sub struct {
		Code, Label string
		Version     int
	}
	if err := env.App.DB.Table("indicator_values v").Select("i.code, p.label, v.version").Joins("JOIN indicators i ON i.id = v.indicator_id").
		Joins("JOIN reporting_periods p ON p.id = v.period_id").Where("i.plan_id = ? AND v.status = ? AND i.archived_at IS NULL", plan.ID, domain.StatusSubmitted).
		Order("p.start_date, i.code").Limit(1).Take(&sub).Error; err != nil {
		t.Fatal(err)
	}
	sec := env.User(t, domain.RoleSecretariat, "")
	approve := env.APIClient(t, sec).JSON(http.MethodPost, fmt.Sprintf("/api/v1/plans/%s/indicators/%s/values/%s/approve", seed.DemoPlanCode, sub.Code, sub.Label),
		fmt.Sprintf(`{"version": %d}`, sub.Version))
	mustStatus(t, approve, http.StatusOK)

	path := "/plans/" + seed.DemoPlanCode + "/dashboard"
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP")).Get(path)
	mustStatus(t, donor, http.StatusOK)
	descs := chartDescs(donor.Body)
	if len(descs) != 3 {
		t.Fatalf("want the three overview charts, found %v", descs)
	}

	rags, statuses := expectedPillarFigures(t, env.App.DB, plan, "2", env.Clock.Now().UTC())
	total := 0
	var parts []string
	for _, r := range []struct{ key, word string }{{domain.RAGOnTrack, "On track"}, {domain.RAGBehind, "Behind"}, {domain.RAGOffTrack, "Off track"}, {domain.RAGNoData, "No data"}, {domain.RAGNotDue, "Not due"}} {
		total += rags[r.key]
		parts = append(parts, fmt.Sprintf("%s %d", r.word, rags[r.key]))
	}
	want := fmt.Sprintf("Pillar 2 (Total %d): %s", total, strings.Join(parts, ", "))
	if !strings.Contains(descs["ch-rag"], want) {
		t.Errorf("indicator ratings of pillar 2:\n got %s\nwant %s", descs["ch-rag"], want)
	}
	if rags[domain.RAGOnTrack]+rags[domain.RAGBehind]+rags[domain.RAGOffTrack] == 0 {
		t.Error("the demo plan's pillar 2 has no rated indicator: the check proves nothing")
	}
	total, parts = 0, nil
	for _, s := range []struct{ key, word string }{{domain.ProgressNotStarted, "Not started"}, {domain.ProgressOnTrack, "On track"}, {domain.ProgressDelayed, "Delayed"},
		{domain.ProgressCompleted, "Completed"}, {domain.ProgressCancelled, "Cancelled"}, {review.DashboardNoReport, "No approved report"}} {
		total += statuses[s.key]
		parts = append(parts, fmt.Sprintf("%s %d", s.word, statuses[s.key]))
	}
	want = fmt.Sprintf("Pillar 2 (Total %d): %s", total, strings.Join(parts, ", "))
	if !strings.Contains(descs["ch-status"], want) {
		t.Errorf("activity statuses of pillar 2:\n got %s\nwant %s", descs["ch-status"], want)
	}

	for _, role := range []struct{ role, org string }{{domain.RoleFacilitator, ""}, {domain.RoleSecretariat, ""}, {domain.RoleFocalPoint, "MOLSW"}, {domain.RoleAdmin, ""}} {
		r := env.SignedIn(t, env.User(t, role.role, role.org)).Get(path)
		mustStatus(t, r, http.StatusOK)
		got := chartDescs(r.Body)
		for id, d := range descs {
			if got[id] != d {
				t.Errorf("%s sees chart %s as %q, the donor %q", role.role, id, got[id], d)
			}
		}
	}

	for _, want := range []string{`role="img"`, `<span class="rag rag-off_track">Off track</span>`, `href="/plans/` + seed.DemoPlanCode + `/indicators/`,
		`>On track</text>`, `>No approved report</text>`, `>Budget</text>`, "Value approved <span class=\"item\">" + sub.Code + " · " + sub.Label + "</span>", sec.Name} {
		if !strings.Contains(donor.Body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	plain := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP")).Get("/plans/" + seed.DemoPlanCode)
	if !strings.Contains(plain.Body, `href="`+path+`"`) {
		t.Error("the plan page does not link to its dashboard")
	}
	if r := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP")).Get("/plans/NO-SUCH-PLAN/dashboard"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown plan's dashboard: %d", r.StatusCode)
	}
}

// TestDashboardInEveryLanguage renders the dashboard in French and Lao: no
// key may show as "[key]".
func TestDashboardInEveryLanguage(t *testing.T) {
	t.Parallel()
	_, _, c := newSignedIn(t, domain.RoleFacilitator, "")
	for _, lang := range []string{"fr", "lo"} {
		c.Header.Set("Accept-Language", lang)
		r := c.Get("/plans/" + seed.DemoPlanCode + "/dashboard")
		mustStatus(t, r, http.StatusOK)
		if i := strings.Index(r.Body, "[dashboard."); i >= 0 {
			t.Errorf("%s: untranslated key near %q", lang, r.Body[i:min(len(r.Body), i+60)])
		}
		if !strings.Contains(r.Body, `lang="`+lang+`"`) {
			t.Errorf("%s: the page is not in %s", lang, lang)
		}
	}
}

// TestDashboardQueryCountAndWeight checks that the dashboard costs the same
// number of queries for the demo plan and for a synthetic plan of 100,000
// values, and that the demo dashboard stays under 100 KB compressed.
func TestDashboardQueryCountAndWeight(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads a plan of 100,000 values")
	}
	// 100,000 values; under the race detector, which makes loading them
	// take minutes on SQLite, the large plan the other query-count tests
	// share (1,000 indicators, 8,000 values): the query count must not grow
	// either way, and the benchmark keeps the full size.
	var (
		env *apptest.Env
		big *seed.Summary
	)
	if raceEnabled {
		env, big = newWithLargePlan(t)
	} else {
		env, big = newWithSyntheticPlan(t, seed.SyntheticOptions{Activities: 1000, IndicatorsPerActivity: 5, Years: 5, Code: "BIG"}, 0)
	}
	if big.Values < 8000 {
		t.Fatalf("the large plan has only %d values", big.Values)
	}
	c := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	counter := storetest.CountQueries(env.App.DB)
	count := func(plan string) (int64, string) {
		path := "/plans/" + plan + "/dashboard"
		c.Get(path)
		counter.Reset()
		r := c.Get(path)
		mustStatus(t, r, http.StatusOK)
		return counter.N(), r.Body
	}
	demo, _ := count(seed.DemoPlanCode)
	large, body := count("BIG")
	t.Logf("dashboard: %d queries (demo plan), %d (%d values)", demo, large, big.Values)
	if demo != large || demo > 16 {
		t.Errorf("dashboard: %d queries on the demo plan, %d on the large plan; want the same small number", demo, large)
	}
	rated := 0
	for _, m := range ratedRe.FindAllStringSubmatch(chartDescs(body)["ch-rag"], -1) {
		for _, n := range m[1:] {
			k, _ := strconv.Atoi(n)
			rated += k
		}
	}
	if rated == 0 {
		t.Errorf("the large plan's dashboard shows no rated indicator: %s", chartDescs(body)["ch-rag"])
	}
	c.Header.Set("Accept-Encoding", "gzip")
	for _, plan := range []string{seed.DemoPlanCode, "BIG"} {
		r := c.Get("/plans/" + plan + "/dashboard")
		mustStatus(t, r, http.StatusOK)
		if r.Header.Get("Content-Encoding") != "gzip" {
			t.Fatal("the dashboard is not compressed")
		}
		t.Logf("dashboard of %s: %d bytes compressed", plan, len(r.Body))
		if len(r.Body) > 100*1024 {
			t.Errorf("dashboard of %s weighs %d KB compressed, over 100 KB", plan, len(r.Body)/1024)
		}
	}
}

// BenchmarkDashboard measures the dashboard of a synthetic plan of 1,000
// activities × 5 indicators × 5 years (100,000 values) for a donor.
func BenchmarkDashboard(b *testing.B) {
	env, _ := newWithSyntheticPlan(b, seed.SyntheticOptions{Activities: 1000, IndicatorsPerActivity: 5, Years: 5, Code: "BIG"}, 0)
	c := env.SignedIn(b, env.User(b, domain.RoleDonor, "APJP"))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if r := c.Get("/plans/BIG/dashboard"); r.StatusCode != http.StatusOK {
			b.Fatalf("GET: %d", r.StatusCode)
		}
	}
}

// TestDashboardWithholdsSmallCounts: every role sees the dashboard, donors
// included, so a sensitive indicator whose actual at the rated period is a
// count of victims between 1 and 4 (or would reveal one) is counted as
// "withheld" and never listed among those furthest off track, where its
// count, its progress or even its place in the ranking would give it away.
func TestDashboardWithholdsSmallCounts(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	plan := mustPlan(t, env)
	now := env.Clock.Now().UTC()
	d, err := review.LoadDashboard(ctx, env.App.DB, *plan, now)
	if err != nil {
		t.Fatal(err)
	}
	var hidden []struct {
		Code   string
		Actual *float64
	}
	if err := env.App.DB.Table("indicator_rollups r").Select("i.code, r.actual").Joins("JOIN indicators i ON i.id = r.indicator_id").
		Where("r.period_id = ? AND (r.withheld OR r.small) AND i.archived_at IS NULL", d.Period.ID).Scan(&hidden).Error; err != nil {
		t.Fatal(err)
	}
	if len(hidden) == 0 {
		t.Fatal("the demo plan has no hidden figure at the rated period: the test would check nothing")
	}
	if got := d.Total.ByRAG[domain.RAGWithheld]; got != len(hidden) {
		t.Errorf("the dashboard counts %d indicators withheld, the roll-ups of %s hide %d", got, d.Period.Label, len(hidden))
	}
	body := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP")).Get("/plans/" + seed.DemoPlanCode + "/dashboard").Body
	for _, h := range hidden {
		if h.Actual != nil {
			t.Errorf("%s: the roll-up stores the hidden count %v", h.Code, *h.Actual)
		}
		if strings.Contains(body, ">"+h.Code+"</a>") {
			t.Errorf("%s: a withheld indicator is listed on the donor's dashboard", h.Code)
		}
	}
	if !strings.Contains(body, ">Withheld<") {
		t.Error("the dashboard does not name the Withheld rating")
	}
}
