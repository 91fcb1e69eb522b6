package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/figures"
	"naptracker/i18n"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"
)

// periodRow reads one row of the indicator page's period table: label,
// target, actual (with any tag), % of target and rating.
var periodRow = regexp.MustCompile(`(?s)<tr[^>]*>\s*<th scope="row">([^<]+)</th>\s*<td class="num">([^<]*)</td>\s*<td class="num">(.*?)</td>\s*<td class="num">([^<]*)</td>\s*<td><span class="rag rag-([a-z_]+)">`)

var tags = regexp.MustCompile(`<[^>]+>`)

type shownRow struct{ target, actual, pct, rag string }

// periodRows parses the period table of an indicator page by period label.
func periodRows(t *testing.T, body string) map[string]shownRow {
	t.Helper()
	start := strings.Index(body, `class="ind-periods"`)
	end := strings.Index(body[max(start, 0):], "<tfoot>")
	if start < 0 || end < 0 {
		t.Fatalf("no period table in the page:\n%.800s", body)
	}
	out := map[string]shownRow{}
	for _, m := range periodRow.FindAllStringSubmatch(body[start:start+end], -1) {
		out[m[1]] = shownRow{target: html.UnescapeString(m[2]), actual: strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(m[3], ""))),
			pct: html.UnescapeString(m[4]), rag: m[5]}
	}
	return out
}

// indicatorFixture reads what the models hold about an indicator of the demo plan.
type indicatorFixture struct {
	plan    domain.Plan
	ind     domain.Indicator
	periods []domain.ReportingPeriod
	yearly  map[int]float64
	values  []domain.IndicatorValue // every status, in no order
}

func loadIndicator(t *testing.T, env *apptest.Env, code string) indicatorFixture {
	t.Helper()
	ctx, db := context.Background(), env.App.DB
	var f indicatorFixture
	plan := mustPlan(t, env)
	f.plan = *plan
	var err error
	if err := db.Where("plan_id = ? AND code = ?", plan.ID, code).Take(&f.ind).Error; err != nil {
		t.Fatalf("indicator %s: %v", code, err)
	}
	if f.periods, err = reporting.PlanPeriods(ctx, db, plan.ID); err != nil {
		t.Fatal(err)
	}
	var targets []domain.IndicatorTarget
	db.Where("indicator_id = ?", f.ind.ID).Find(&targets)
	f.yearly = map[int]float64{}
	for _, tg := range targets {
		f.yearly[tg.Year] = tg.Value
	}
	db.Where("indicator_id = ?", f.ind.ID).Find(&f.values)
	return f
}

// expected computes a period row from the figures package over the values
// a reader sees (approved only when approvedOnly), for the internal
// audience: the page must show what figures.Assess says.
func (f indicatorFixture) expected(L *i18n.Localizer, now time.Time, approvedOnly bool) map[string]shownRow {
	byPeriod := map[int64]domain.IndicatorValue{}
	for _, v := range f.values {
		if !approvedOnly || v.Status == domain.StatusApproved {
			byPeriod[v.PeriodID] = v
		}
	}
	var d figures.Data
	last := -1
	for k, p := range f.periods {
		if v, ok := byPeriod[p.ID]; ok && v.Value != nil {
			d.Total = append(d.Total, figures.Point{Period: k, Value: *v.Value})
		}
		if !now.Before(p.StartDate) {
			last = k
		}
	}
	num := func(x *float64) string {
		switch {
		case x == nil:
			return "–"
		case f.ind.UnitType == domain.UnitYesNo || f.ind.UnitType == domain.UnitMilestone:
			if *x >= 1 {
				return L.T("pages.yes")
			}
			return L.T("pages.no")
		}
		return L.Num(x)
	}
	out := map[string]shownRow{}
	if last < 0 {
		return out
	}
	a := figures.Assess(f.ind.Figures(f.yearly), d, f.plan.Window(domain.FigurePeriods(f.periods), 0, last, now), figures.Internal)
	for k, c := range a.Periods {
		pct := "–"
		if c.Progress != nil {
			pct = L.Pct(*c.Progress)
		}
		out[f.periods[k].Label] = shownRow{target: num(c.Target), actual: num(c.Actual.Value), pct: pct, rag: c.Rating}
	}
	return out
}

// TestIndicatorPageNumbers checks, for one demo indicator of each
// accumulation mode and direction, that every period row of the page shows
// the target, actual, % of target and rating the models compute.
func TestIndicatorPageNumbers(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	L := localizer(t, "en")
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	for _, code := range []string{"2.3.b", "3.3.b", "3.1.b", "1.2.a", "2.1.a"} {
		f := loadIndicator(t, env, code)
		r := sec.Get("/plans/" + seed.DemoPlanCode + "/indicators/" + code)
		mustStatus(t, r, http.StatusOK)
		got := periodRows(t, r.Body)
		want := f.expected(L, env.Clock.Now().UTC(), false)
		if len(want) == 0 || len(got) != len(want) {
			t.Fatalf("%s (%s, %s): %d period rows, want %d", code, f.ind.Accumulation, f.ind.Direction, len(got), len(want))
		}
		withActual := 0
		for label, w := range want {
			g := got[label]
			// The actual cell may carry the "not approved" tag after the number.
			if g.target != w.target || !strings.HasPrefix(g.actual, w.actual) || g.pct != w.pct || g.rag != w.rag {
				t.Errorf("%s %s: page shows %+v, models compute %+v", code, label, g, w)
			}
			if w.actual != "–" {
				withActual++
			}
		}
		if withActual == 0 {
			t.Errorf("%s: no period has an actual, the comparison proves little", code)
		}
		if !strings.Contains(r.Body, `role="img"`) || !strings.Contains(r.Body, "<title id=\"ind-chart-t\">") {
			t.Errorf("%s: the chart is missing or not accessible", code)
		}
	}
}

// unapprovedValue finds a demo value not approved yet, with a number, of a
// non-sensitive indicator whose actual is that period's own value.
func unapprovedValue(t *testing.T, env *apptest.Env) (code, period, org string, value float64) {
	t.Helper()
	row := env.App.DB.Raw(`SELECT i.code, p.label, o.acronym, v.value FROM indicator_values v
JOIN indicators i ON i.id = v.indicator_id JOIN reporting_periods p ON p.id = v.period_id
JOIN organisations o ON o.id = i.reporting_org_id JOIN plans pl ON pl.id = i.plan_id
WHERE pl.code = ? AND v.status IN ('submitted','draft') AND v.value IS NOT NULL AND i.accumulation <> 'cumulative'
AND i.sensitive = ? AND i.unit_type = 'number' AND i.archived_at IS NULL ORDER BY i.code, p.start_date LIMIT 1`, seed.DemoPlanCode, false).Row()
	if err := row.Scan(&code, &period, &org, &value); err != nil {
		t.Fatalf("no unapproved value in the demo plan: %v", err)
	}
	return
}

// TestIndicatorPageScopes: a donor sees no unapproved value and sees a
// small count of a sensitive indicator as "<5"; the reporting
// organisation's focal point sees its own unapproved value, marked.
func TestIndicatorPageScopes(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	L := localizer(t, "en")
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))

	code, period, org, value := unapprovedValue(t, env)
	fp := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, org))
	path := "/plans/" + seed.DemoPlanCode + "/indicators/" + code
	d := donor.Get(path)
	mustStatus(t, d, http.StatusOK)
	if got := periodRows(t, d.Body)[period].actual; got != "–" {
		t.Errorf("donor sees %q for the unapproved value of %s in %s", got, code, period)
	}
	if strings.Contains(d.Body, "not approved") || strings.Contains(d.Body, "status-submitted") || strings.Contains(d.Body, "status-draft") {
		t.Error("the donor's page mentions unapproved data")
	}
	if !strings.Contains(d.Body, "approved data only") {
		t.Error("the donor's page does not say it shows approved data only")
	}
	own := fp.Get(path)
	mustStatus(t, own, http.StatusOK)
	if got := periodRows(t, own.Body)[period].actual; got != L.Num(value)+" not approved" {
		t.Errorf("focal point of %s sees %q for its unapproved value %v in %s", org, got, value, period)
	}

	// A small count of a sensitive indicator: the latest approved value of 3.1.a becomes 3.
	db := env.App.DB
	f := loadIndicator(t, env, "3.1.a")
	var latest domain.IndicatorValue
	if err := db.Joins("JOIN reporting_periods p ON p.id = indicator_values.period_id").
		Where("indicator_values.indicator_id = ? AND indicator_values.status = ?", f.ind.ID, domain.StatusApproved).
		Order("p.start_date DESC").Take(&latest).Error; err != nil {
		t.Fatal(err)
	}
	var cells []domain.ValueBreakdown
	db.Where("value_id = ?", latest.ID).Order("cell").Find(&cells)
	if len(cells) < 2 {
		t.Fatalf("3.1.a's latest value has %d breakdown cells", len(cells))
	}
	db.Model(&domain.IndicatorValue{}).Where("id = ?", latest.ID).Update("value", 3)
	db.Model(&domain.ValueBreakdown{}).Where("value_id = ?", latest.ID).Update("value", 0)
	db.Model(&domain.ValueBreakdown{}).Where("value_id = ? AND cell = ?", latest.ID, cells[0].Cell).Update("value", 3)
	label := ""
	for _, p := range f.periods {
		if p.ID == latest.PeriodID {
			label = p.Label
		}
	}
	path = "/plans/" + seed.DemoPlanCode + "/indicators/3.1.a"
	d = donor.Get(path)
	if got := periodRows(t, d.Body)[label]; got.actual != "<5" || got.pct != "withheld" || got.rag != domain.RAGWithheld {
		t.Errorf("donor sees %+v for a count of 3 in %s, want <5, %% and rating withheld", got, label)
	}
	bd := d.Body[strings.Index(d.Body, `class="ind-breakdown"`):]
	bd = bd[:strings.Index(bd, "</table>")]
	if strings.Contains(bd, "&lt;5") || strings.Count(bd, ">withheld<") != len(cells) {
		t.Errorf("the donor's breakdown must withhold all %d cells (rule R2), without marking the small one: %s", len(cells), bd)
	}
	if strings.Contains(bd, `<td class="num">3</td>`) {
		t.Error("the donor's breakdown shows the small count")
	}
	if got := periodRows(t, sec.Get(path).Body)[label].actual; got != "3" {
		t.Errorf("the secretariat sees %q, want the exact count 3", got)
	}
}

// TestIndicatorPageQueriesDoNotGrow: the page costs the same number of
// queries on the demo plan and on a synthetic plan many times larger.
func TestIndicatorPageQueriesDoNotGrow(t *testing.T) {
	t.Parallel()
	env, _ := newWithLargePlan(t)
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	// In each plan, an output indicator with a disaggregation set whose
	// latest value has a breakdown, so that every query of the page runs.
	pick := func(plan string) string {
		var code string
		err := env.App.DB.Raw(`SELECT i.code FROM indicators i JOIN plans pl ON pl.id = i.plan_id
JOIN indicator_values v ON v.indicator_id = i.id JOIN value_breakdowns bd ON bd.value_id = v.id
WHERE pl.code = ? AND i.activity_id IS NOT NULL AND i.disaggregation_set_id IS NOT NULL ORDER BY i.id LIMIT 1`, plan).Row().Scan(&code)
		if err != nil {
			t.Fatalf("%s: no disaggregated output indicator with values: %v", plan, err)
		}
		return code
	}
	counter := storetest.CountQueries(env.App.DB)
	count := func(plan string) int64 {
		path := "/plans/" + plan + "/indicators/" + pick(plan)
		sec.Get(path)
		counter.Reset()
		mustStatus(t, sec.Get(path), http.StatusOK)
		return counter.N()
	}
	demo, big := count(seed.DemoPlanCode), count("BIG")
	t.Logf("indicator page: %d queries (demo), %d (large plan)", demo, big)
	if demo != big || demo > 22 {
		t.Errorf("indicator page: %d queries on the demo plan, %d on a larger one", demo, big)
	}
}

// TestIndicatorPageKeptForApprovedReadersOnly: the page of readers who see
// approved data only is rendered once and kept, so a draft must never reach
// it, and the reporting organisation's own focal point must never be given
// the kept page: a donor reads the page, the focal point saves a draft, the
// focal point sees the draft, the donor and a facilitator still do not, and
// once approved every reader sees it.
func TestIndicatorPageKeptForApprovedReadersOnly(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	period := domain.CurrentPeriodLabel(*mustPlan(t, env), env.Clock.Now().UTC())
	page := "/plans/" + seed.DemoPlanCode + "/indicators/" + sharedIndicator
	donor := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP"))
	fac := env.SignedIn(t, env.User(t, domain.RoleFacilitator, ""))
	fpUser := env.User(t, domain.RoleFocalPoint, "MOLSW")
	fp := env.SignedIn(t, fpUser)
	const marker = "98765"
	has := func(c *apptest.Client) bool {
		r := c.Get(page)
		mustStatus(t, r, http.StatusOK)
		return strings.Contains(r.Body, marker) || strings.Contains(r.Body, "98,765") || strings.Contains(r.Body, "98 765")
	}
	if has(donor) || has(fac) {
		t.Fatal("the marker value is on the page before it was saved")
	}
	api := env.APIClient(t, fpUser)
	path := "/api/v1/plans/" + seed.DemoPlanCode + "/indicators/" + sharedIndicator + "/values/" + period
	version := 0
	for _, v := range decode[struct {
		Values []struct {
			Indicator string
			Version   int
		}
	}](t, api.Get("/api/v1/plans/"+seed.DemoPlanCode+"/values?period="+period)).Values {
		if v.Indicator == sharedIndicator {
			version = v.Version
		}
	}
	r := api.JSON(http.MethodPut, path, fmt.Sprintf(`{"value": %s, "narrative": "kept page test", "version": %d}`, marker, version))
	mustStatus(t, r, http.StatusOK)
	if !has(fp) {
		t.Error("the reporting organisation's focal point does not see its own draft")
	}
	if has(donor) || has(fac) {
		t.Error("a reader of approved data only sees a draft")
	}
	version = decode[struct{ Version int }](t, r).Version
	apiAct(t, api, path, "submit", version, http.StatusOK)
	apiAct(t, env.APIClient(t, env.User(t, domain.RoleSecretariat, "")), path, "approve", version+1, http.StatusOK)
	if !has(donor) || !has(fac) {
		t.Error("after the approval, a reader of approved data only still gets the page kept before")
	}
}
