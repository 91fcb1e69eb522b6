package handlers_test

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/figures"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/seed"
)

// One walk, every output agrees (issue 10): for every indicator of the demo
// plan and of a synthetic plan, over the same range (the plan's first
// period to the last one that has started) and for the same audience, the
// figures API, the IPTT and Summary sheets of the workbook, the indicator
// page, the dashboard and the slides show the same rated period, actual,
// target, progress and rating word. The API is the reference every other
// output is compared with, cell by cell, in the form a user sees it.
//
// Audiences: a donor (external for every indicator, approved data only)
// and the secretariat (internal for every indicator; it sees data not yet
// approved on the indicator page, so the API and the workbook are asked
// for it too: include_unapproved=1, and audience=internal for the
// workbook). The dashboard and the slides are external and approved-only
// for every role by design, so they are compared with the donor's figures,
// and their pages are read as both users.
//
//	go test ./handlers -run TestFiguresAgreeAcrossOutputs -count=1 -v
//	TEST_DATABASE_URL='postgres://…' go test ./handlers -run TestFiguresAgreeAcrossOutputs -count=1 -v

// consPlan is the synthetic plan's code.
const consPlan = "CONSIST"

// consCell is one cell of GET …/figures: a period or the range.
type consCell struct {
	Period     string   `json:"period"`
	Target     *float64 `json:"target"`
	Actual     *float64 `json:"actual"`
	Suppressed bool     `json:"suppressed"`
	Small      bool     `json:"small"`
	Unapproved bool     `json:"unapproved"`
	Progress   *float64 `json:"progress"`
	Rating     string   `json:"rating"`
	Due        bool     `json:"due"`
}

// consFigures is one indicator of GET …/figures.
type consFigures struct {
	Code        string     `json:"code"`
	Sensitive   bool       `json:"sensitive"`
	Audience    string     `json:"audience"`
	RatedPeriod string     `json:"rated_period"`
	Rating      string     `json:"rating"`
	Current     consCell   `json:"current"`
	Range       consCell   `json:"range"`
	Periods     []consCell `json:"periods"`
}

// consIndicator is what the plan tree says of an indicator.
type consIndicator struct {
	code, pillar, unit string
	sensitive          bool
	baseline           *float64
}

// consPlanInfo is a plan as the walk needs it.
type consPlanInfo struct {
	code     string
	plan     domain.Plan
	periods  []domain.ReportingPeriod
	from, to string // labels of the range
	rated    string // figures.RatedPeriod of the range
	ratedDue bool   // its due date has passed
	ratedAt  time.Time
	labels   []string
	inds     []consIndicator // plan order
	byCode   map[string]consIndicator
	pillars  []string // pillar codes, plan order
}

// consAudience is one reader of the outputs.
type consAudience struct {
	name, audience      string
	api, web            *apptest.Client
	figQuery, xlsxQuery string
}

// consTally counts the comparisons made per source and keeps the mismatches.
type consTally struct {
	n     map[string]int
	fails map[string][]string
	order []string
}

func newConsTally() *consTally {
	return &consTally{n: map[string]int{}, fails: map[string][]string{}}
}

func (c *consTally) check(source string, ok bool, format string, args ...any) {
	if _, seen := c.n[source]; !seen {
		c.order = append(c.order, source)
	}
	c.n[source]++
	if !ok {
		c.fails[source] = append(c.fails[source], fmt.Sprintf(format, args...))
	}
}

// report logs the counts and fails on mismatches (a few examples per
// source) and on any source that yielded no comparison.
func (c *consTally) report(t *testing.T, want []string) {
	t.Helper()
	for _, s := range want {
		if c.n[s] == 0 {
			t.Errorf("%s: no comparison made; the output was not read as intended", s)
		}
	}
	var parts []string
	for _, s := range c.order {
		parts = append(parts, fmt.Sprintf("%s %d", s, c.n[s]))
	}
	t.Logf("comparisons: %s", strings.Join(parts, ", "))
	for _, s := range c.order {
		if f := c.fails[s]; len(f) > 0 {
			t.Errorf("%s: %d of %d comparisons differ from the figures API, e.g.:\n  %s", s, len(f), c.n[s], strings.Join(f[:min(len(f), 8)], "\n  "))
		}
	}
}

func consApprox(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func consSame(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return consApprox(*a, *b)
}

// consCellEqual compares two cells of the API by value.
func consCellEqual(a, b consCell) bool {
	return a.Period == b.Period && consSame(a.Target, b.Target) && consSame(a.Actual, b.Actual) && a.Suppressed == b.Suppressed &&
		a.Small == b.Small && a.Unapproved == b.Unapproved && consSame(a.Progress, b.Progress) && a.Rating == b.Rating && a.Due == b.Due
}

func consStr(x *float64) string {
	if x == nil {
		return "null"
	}
	return strconv.FormatFloat(*x, 'g', -1, 64)
}

func (c consCell) String() string {
	a := consStr(c.Actual)
	switch {
	case c.Small:
		a = "<5"
	case c.Suppressed:
		a = "suppressed"
	}
	return fmt.Sprintf("%s target %s actual %s progress %s %s", c.Period, consStr(c.Target), a, consStr(c.Progress), c.Rating)
}

func TestFiguresAgreeAcrossOutputs(t *testing.T) {
	t.Parallel()
	started := time.Now()
	env := apptest.New(t)
	ctx := context.Background()
	now := env.Clock.Now().UTC()
	// 60 synthetic indicators beside the demo's 81: the walk still meets
	// every rating word, hidden and unapproved figures (checked below, so a
	// smaller plan that stopped covering one would fail); 180 cost 2.5 times
	// as long under -race for no case the smaller plan lacks.
	opts := seed.SyntheticOptions{Activities: 20, IndicatorsPerActivity: 3, Years: 2, Code: consPlan}
	if _, err := seed.Synthetic(ctx, env.App.DB, opts, now); err != nil {
		t.Fatal(err)
	}
	L := localizer(t, "en")
	donor, sec := env.User(t, domain.RoleDonor, "APJP"), env.User(t, domain.RoleSecretariat, "")
	auds := []consAudience{
		{name: "donor", audience: "external", api: env.APIClient(t, donor), web: env.SignedIn(t, donor)},
		{name: "secretariat", audience: "internal", api: env.APIClient(t, sec), web: env.SignedIn(t, sec),
			figQuery: "&include_unapproved=1", xlsxQuery: "&audience=internal&include_unapproved=1"},
	}
	// What the whole walk met, for the check that it cannot pass vacuously.
	words := map[string]int{}
	hidden, unapproved := map[string]int{}, map[string]int{}
	for _, code := range []string{seed.DemoPlanCode, consPlan} {
		t.Run(code, func(t *testing.T) {
			p := consLoadPlan(t, env, code, now)
			sensitive := 0
			for _, ind := range p.inds {
				if ind.sensitive {
					sensitive++
				}
			}
			t.Logf("%s: %d indicators (%d sensitive), %d periods, range %s–%s, rated period %s", code, len(p.inds), sensitive, len(p.labels), p.from, p.to, p.rated)
			var external map[string]*consFigures
			slideLines := -1
			for _, a := range auds {
				t.Run(a.name, func(t *testing.T) {
					tally := newConsTally()
					figs := consLoadFigures(t, a, p, tally)
					for _, f := range figs {
						words[f.Current.Rating]++
						for _, c := range f.Periods {
							words[c.Rating]++
							if c.Suppressed {
								hidden[a.name]++
							}
							if c.Unapproved {
								unapproved[a.name]++
							}
						}
					}
					consCheckWorkbook(t, L, a, p, figs, tally)
					consCheckIndicatorPages(t, L, a, p, figs, tally)
					if a.audience == "external" {
						external = figs
						consCheckDashboardModel(t, env, p, figs, tally)
						slideLines = consCheckSlidesModel(t, env, p, figs, tally)
					}
					if external == nil {
						t.Fatal("the donor's figures are needed for the dashboard and the slides")
					}
					consCheckDashboardPage(t, L, a, p, external, tally)
					consCheckSlidesPage(t, L, a, p, external, slideLines, tally)
					want := []string{"API", "IPTT periods", "IPTT range", "Summary", "page rows", "page current", "page to date", "dashboard page counts", "dashboard page rated period", "dashboard page off track", "slides page lines"}
					if a.audience == "external" {
						want = append(want, "dashboard counts", "dashboard rated period", "dashboard off track", "slides counts", "slides lines")
					}
					tally.report(t, want)
				})
			}
		})
	}
	var seen []string
	for _, w := range figures.Ratings {
		seen = append(seen, fmt.Sprintf("%s %d", w, words[w]))
		if words[w] == 0 {
			t.Errorf("no compared figure is rated %q: the walk does not cover every rating word", w)
		}
	}
	t.Logf("rating words compared (API cells of both plans and audiences): %s", strings.Join(seen, ", "))
	t.Logf("hidden period figures compared: donor %d, secretariat %d", hidden["donor"], hidden["secretariat"])
	if hidden["donor"] == 0 {
		t.Error("no hidden figure was compared for the donor: sensitive small counts are not covered")
	}
	if hidden["secretariat"] != 0 {
		t.Errorf("the secretariat is internal for every indicator, yet %d figures were hidden from it", hidden["secretariat"])
	}
	t.Logf("unapproved period figures compared: donor %d, secretariat %d", unapproved["donor"], unapproved["secretariat"])
	if unapproved["secretariat"] == 0 || unapproved["donor"] != 0 {
		t.Error("the secretariat's walk must include figures not approved yet (the demo plan has some) and the donor's none")
	}
	t.Logf("runtime %s", time.Since(started).Round(time.Millisecond))
}

// consLoadPlan reads the plan's tree and periods and picks the range.
func consLoadPlan(t *testing.T, env *apptest.Env, code string, now time.Time) *consPlanInfo {
	t.Helper()
	ctx := context.Background()
	tree, err := planning.LoadPlanTree(ctx, env.App.DB, code)
	if err != nil {
		t.Fatal(err)
	}
	p := &consPlanInfo{code: code, plan: tree.Plan, byCode: map[string]consIndicator{}}
	if p.periods, err = reporting.PlanPeriods(ctx, env.App.DB, tree.Plan.ID); err != nil {
		t.Fatal(err)
	}
	last := -1
	for i, per := range p.periods {
		p.labels = append(p.labels, per.Label)
		if !now.Before(per.StartDate) {
			last = i
		}
	}
	if last < 0 {
		t.Fatalf("%s: no period has started", code)
	}
	p.from, p.to = p.labels[0], p.labels[last]
	p.labels = p.labels[:last+1]
	k, due := figures.RatedPeriod(domain.FigurePeriods(p.periods), 0, last, now)
	p.rated, p.ratedDue, p.ratedAt = p.periods[k].Label, due, p.periods[k].DueDate
	add := func(pillar string, ind domain.Indicator) {
		ci := consIndicator{code: ind.Code, pillar: pillar, unit: ind.UnitType, sensitive: ind.Sensitive, baseline: ind.BaselineValue}
		p.inds = append(p.inds, ci)
		p.byCode[ind.Code] = ci
	}
	for _, pl := range tree.Pillars {
		p.pillars = append(p.pillars, pl.Code)
		for _, o := range pl.Objectives {
			for _, ind := range o.Indicators {
				add(pl.Code, ind)
			}
			for _, a := range o.Activities {
				for _, ind := range a.Indicators {
					add(pl.Code, ind)
				}
			}
		}
	}
	return p
}

// consLoadFigures reads GET …/figures over the range and checks what it
// says of itself: every indicator, rated at the range's rated period, for
// the audience, with one cell per period.
func consLoadFigures(t *testing.T, a consAudience, p *consPlanInfo, tally *consTally) map[string]*consFigures {
	t.Helper()
	var body struct {
		From, To   string
		Indicators []consFigures `json:"indicators"`
	}
	getJSON(t, a.api, "/api/v1/plans/"+p.code+"/figures?from="+url.QueryEscape(p.from)+"&to="+url.QueryEscape(p.to)+a.figQuery, &body)
	out := map[string]*consFigures{}
	for i := range body.Indicators {
		f := &body.Indicators[i]
		out[f.Code] = f
		tally.check("API", f.RatedPeriod == p.rated && f.Current.Period == p.rated && f.Rating == f.Current.Rating,
			"%s: rated period %s (current %s, rating %s/%s), the range's rated period is %s", f.Code, f.RatedPeriod, f.Current.Period, f.Rating, f.Current.Rating, p.rated)
		tally.check("API", f.Audience == a.audience, "%s: audience %s, want %s", f.Code, f.Audience, a.audience)
		ok := len(f.Periods) == len(p.labels)
		for k := 0; ok && k < len(p.labels); k++ {
			ok = f.Periods[k].Period == p.labels[k]
		}
		tally.check("API", ok, "%s: %d period cells, want the %d periods %s–%s", f.Code, len(f.Periods), len(p.labels), p.from, p.to)
		for _, c := range f.Periods {
			if c.Period == f.RatedPeriod {
				tally.check("API", consCellEqual(c, f.Current), "%s: current %v differs from its period cell %v", f.Code, f.Current, c)
			}
		}
	}
	for _, ind := range p.inds {
		tally.check("API", out[ind.code] != nil, "%s: not in the figures", ind.code)
	}
	if len(out) != len(p.inds) {
		t.Errorf("the figures list %d indicators, the plan has %d", len(out), len(p.inds))
	}
	return out
}

// ---------------------------------------------------------------------------
// The workbook: IPTT and Summary sheets.
