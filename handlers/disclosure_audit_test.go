package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
)

// The disclosure audit (DISCLOSURE.md, "The attack to defend against"):
// a donor downloads everything it may — the workbook over the whole plan,
// the values of every period from the API, and the figures endpoint where
// there is one — and writes every published number down as a linear
// constraint over the unknown counts. For every figure published as "<5"
// or withheld, two linear programs give the smallest and largest value it
// can still take. Protection holds when a "<5" can still be anything from 1
// to 4, and a withheld small count likewise; it fails when the interval
// shrinks. The true values are read from the database for the verdict
// only, never as constraints.

// Run it on SQLite and on PostgreSQL:
//
//	go test ./handlers -run 'TestDisclosureAudit|TestAuditLP' -v
//	TEST_DATABASE_URL='postgres://…' go test ./handlers -run 'TestDisclosureAudit|TestAuditLP' -v
//
// It logs, per plan, how many suppressed figures were checked, narrowed and
// recovered exactly, by everything together and by the workbook and the API
// alone; it fails with examples when a small count is narrowed, and when
// what it read contradicts its own model of the outputs (the true values
// must satisfy every constraint it wrote down).

// auditSyntheticActivities sizes the synthetic plan: 3 indicators each over
// 2 years of quarters, every tenth indicator a sensitive disaggregated count.
const auditSyntheticActivities = 80

const auditSyntheticPlan = "AUDIT-SYN"

func TestDisclosureAudit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	opts := seed.SyntheticOptions{Activities: auditSyntheticActivities, IndicatorsPerActivity: 3, Years: 2, Code: auditSyntheticPlan}
	if _, err := seed.Synthetic(context.Background(), env.App.DB, opts, env.Clock.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	donor := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	words := loadAuditWords(t)
	for _, plan := range []string{seed.DemoPlanCode, auditSyntheticPlan} {
		t.Run(plan, func(t *testing.T) {
			d := readOutputs(t, env, donor, words, plan)
			// Which outputs leak on their own (for the record; the verdict
			// is that of everything together, which can only know more).
			for _, part := range []struct {
				name          string
				workbook, api bool
			}{{"the workbook alone", true, false}, {"the API alone", false, true}} {
				a := d.audit(part.workbook, part.api)
				t.Logf("%s, %s: %d suppressed figures checked, %d narrowed, %d recovered exactly",
					plan, part.name, a.checked, a.narrowed, a.exact)
				if ex := a.examples(3); len(ex) > 0 {
					t.Logf("  e.g. %s", strings.Join(ex, "\n  e.g. "))
				}
			}
			all := d.audit(true, true)
			if all.checked == 0 {
				t.Errorf("%s: no suppressed figure found to audit; the plan has small sensitive counts, so the outputs were not read as intended", plan)
			}
			all.report(t, plan)
		})
	}
}

// ---------------------------------------------------------------------------
// The truth, for the verdict only.

type auditTruth struct {
	v map[string]map[int]float64            // indicator → period → value
	c map[string]map[string]map[int]float64 // indicator → cell → period → value
}

func loadTruth(t *testing.T, db *gorm.DB, plan string, period map[string]int) auditTruth {
	t.Helper()
	var vals []struct {
		ID    int64
		Code  string
		Label string
		Value float64
	}
	err := db.Raw(`SELECT v.id, i.code, p.label, v.value FROM indicator_values v
JOIN indicators i ON i.id = v.indicator_id JOIN plans pl ON pl.id = i.plan_id JOIN reporting_periods p ON p.id = v.period_id
WHERE pl.code = ? AND v.status = ? AND v.value IS NOT NULL`, plan, domain.StatusApproved).Scan(&vals).Error
	if err != nil {
		t.Fatal(err)
	}
	var cells []struct {
		ValueID int64
		Cell    string
		Value   float64
	}
	err = db.Raw(`SELECT b.value_id, b.cell, b.value FROM value_breakdowns b JOIN indicator_values v ON v.id = b.value_id
JOIN indicators i ON i.id = v.indicator_id JOIN plans pl ON pl.id = i.plan_id WHERE pl.code = ?`, plan).Scan(&cells).Error
	if err != nil {
		t.Fatal(err)
	}
	tr := auditTruth{v: map[string]map[int]float64{}, c: map[string]map[string]map[int]float64{}}
	type at struct {
		code string
		k    int
	}
	byID := map[int64]at{}
	for _, v := range vals {
		k := period[v.Label]
		if tr.v[v.Code] == nil {
			tr.v[v.Code] = map[int]float64{}
		}
		tr.v[v.Code][k] = v.Value
		byID[v.ID] = at{v.Code, k}
	}
	for _, c := range cells {
		a, ok := byID[c.ValueID]
		if !ok {
			continue
		}
		if tr.c[a.code] == nil {
			tr.c[a.code] = map[string]map[int]float64{}
		}
		if tr.c[a.code][c.Cell] == nil {
			tr.c[a.code][c.Cell] = map[int]float64{}
		}
		tr.c[a.code][c.Cell][a.k] = c.Value
	}
	return tr
}

// cellCodes names the breakdown rows of the workbook ("Female × Under 18")
// by their cell codes ("sex=female;age=child"), per disaggregation set name.
// The sets are the plan's public structure, not data.
func cellCodes(t *testing.T, db *gorm.DB) map[string]map[string]string {
	t.Helper()
	var sets []domain.DisaggregationSet
	ordered := func(db *gorm.DB) *gorm.DB { return db.Order("position, id") }
	if err := db.Preload("Dimensions", ordered).Preload("Dimensions.Categories", ordered).Find(&sets).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, s := range sets {
		m := map[string]string{}
		for _, cell := range s.Cells() {
			var parts []string
			for _, part := range strings.Split(cell, ";") {
				dim, cat, _ := strings.Cut(part, "=")
				label := cat
				for _, d := range s.Dimensions {
					for _, c := range d.Categories {
						if d.Code == dim && c.Code == cat {
							label = c.Label
						}
					}
				}
				parts = append(parts, label)
			}
			m[strings.Join(parts, " × ")] = cell
		}
		out[s.Name] = m
	}
	return out
}

// ---------------------------------------------------------------------------
// The audit of a plan.

// auditFinding is a suppressed figure whose interval shrank.
type auditFinding struct {
	indicator, source, where, cell, published string
	lo, hi, truth                             float64
}

func (f auditFinding) String() string {
	cell := ""
	if f.cell != "" {
		cell = " cell " + f.cell
	}
	return fmt.Sprintf("%s %s%s: shown as %s in the %s, feasible [%v, %v], true %v", f.indicator, f.where, cell, f.published, f.source, f.lo, f.hi, f.truth)
}

type auditTally struct {
	indicators, checked, narrowed, exact int
	// pinned counts withheld figures (not small counts) recovered exactly:
	// no failure, but worth knowing.
	pinned       int
	findings     []auditFinding
	inconsistent []string
	unknown      map[string]bool
	figures      bool
}

// examples describes up to n findings, the exactly recovered first, one per indicator.
func (a *auditTally) examples(n int) []string {
	sort.SliceStable(a.findings, func(i, j int) bool {
		return (a.findings[i].lo == a.findings[i].hi) && !(a.findings[j].lo == a.findings[j].hi)
	})
	var ex []string
	seen := map[string]bool{}
	for _, f := range a.findings {
		if !seen[f.indicator] && len(ex) < n {
			seen[f.indicator] = true
			ex = append(ex, f.String())
		}
	}
	return ex
}

func (a *auditTally) report(t *testing.T, plan string) {
	t.Logf("%s: %d indicators audited, %d suppressed figures checked, %d narrowed, %d recovered exactly (%d withheld figures ≥ 5 or 0 recovered exactly; figures endpoint %v)",
		plan, a.indicators, a.checked, a.narrowed, a.exact, a.pinned, a.figures)
	if len(a.unknown) > 0 {
		var words []string
		for w := range a.unknown {
			words = append(words, strconv.Quote(w))
		}
		sort.Strings(words)
		t.Logf("texts read as withheld: %s", strings.Join(words, ", "))
	}
	if len(a.inconsistent) > 0 {
		t.Errorf("%s: the published figures contradict the adversary's model of them (%d times; a bug in the audit or an output that contradicts itself), e.g.:\n  %s",
			plan, len(a.inconsistent), strings.Join(a.inconsistent[:min(8, len(a.inconsistent))], "\n  "))
	}
	if a.narrowed == 0 {
		return
	}
	ex := a.examples(10)
	t.Errorf("%s: small counts are not protected: of %d suppressed figures a donor can narrow %d below [1, 4] and recover %d exactly from what it may download, e.g.:\n  %s",
		plan, a.checked, a.narrowed, a.exact, strings.Join(ex, "\n  "))
}

// auditOutputs is everything the donor downloaded, and the truth.
type auditOutputs struct {
	th      domain.Thresholds
	labels  []string
	inds    map[string]*planIndicator
	iptt    map[string]*ipttIndicator
	api     map[string]map[int]apiValue
	figs    map[string]*figIndicator
	truth   auditTruth
	sets    map[string]map[string]string
	unknown map[string]bool
}

func readOutputs(t *testing.T, env *apptest.Env, donor *apptest.Client, words auditWords, plan string) *auditOutputs {
	base := "/api/v1/plans/" + url.PathEscape(plan)
	d := &auditOutputs{unknown: map[string]bool{}}

	var tree struct {
		Thresholds struct{ Green, Red float64 } `json:"thresholds"`
		Pillars    any                          `json:"pillars"`
	}
	getJSON(t, donor, base, &tree)
	th := domain.Thresholds{Green: tree.Thresholds.Green, Red: tree.Thresholds.Red}
	inds := map[string]*planIndicator{}
	planIndicators(tree.Pillars, inds)

	var periods struct {
		Periods []struct {
			Label string `json:"label"`
		} `json:"periods"`
	}
	getJSON(t, donor, base+"/periods", &periods)
	var labels []string
	index := map[string]int{}
	for k, p := range periods.Periods {
		labels = append(labels, p.Label)
		index[p.Label] = k
	}
	if len(labels) == 0 {
		t.Fatal("no periods")
	}
	from, to := url.QueryEscape(labels[0]), url.QueryEscape(labels[len(labels)-1])

	// 1. The workbook over all periods.
	r := donor.Get(base + "/reports/workshop.xlsx?lang=en&from=" + from + "&to=" + to)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("workbook: %d %.300s", r.StatusCode, r.Body)
	}
	f, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	iptt := readIPTT(t, f, words, labels, d.unknown)

	// 2. The values of every period.
	api := map[string]map[int]apiValue{}
	for k, label := range labels {
		var page struct {
			Values []apiValue `json:"values"`
		}
		getJSON(t, donor, base+"/values?period="+url.QueryEscape(label), &page)
		for _, v := range page.Values {
			if api[v.Indicator] == nil {
				api[v.Indicator] = map[int]apiValue{}
			}
			api[v.Indicator][k] = v
		}
	}

	// 3. The figures, where the endpoint exists.
	figs := map[string]*figIndicator{}
	if r := donor.Get(base + "/figures?from=" + from + "&to=" + to); r.StatusCode != http.StatusNotFound {
		if r.StatusCode != http.StatusOK {
			t.Fatalf("figures: %d %.300s", r.StatusCode, r.Body)
		}
		var list []figIndicator
		if err := json.Unmarshal([]byte(r.Body), &list); err != nil {
			var wrapped struct {
				Indicators []figIndicator `json:"indicators"`
			}
			if err := json.Unmarshal([]byte(r.Body), &wrapped); err != nil {
				t.Fatalf("figures: %v", err)
			}
			list = wrapped.Indicators
		}
		for i := range list {
			figs[list[i].Code] = &list[i]
		}
	}

	d.th, d.labels, d.inds, d.iptt, d.api, d.figs = th, labels, inds, iptt, api, figs
	// Guard against auditing nothing: every sensitive indicator must be
	// found in the workbook, and the API must have answered with values.
	for code, ind := range inds {
		if ind.Sensitive && iptt[code] == nil {
			t.Errorf("sensitive indicator %s is not in the IPTT sheet as the audit reads it", code)
		}
	}
	if len(api) == 0 {
		t.Error("the API gave the donor no values at all")
	}
	d.truth = loadTruth(t, env.App.DB, plan, index)
	d.sets = cellCodes(t, env.App.DB)
	for code := range iptt {
		if inds[code] == nil {
			t.Fatalf("indicator %s is not in the plan tree", code)
		}
	}
	for code := range api {
		if inds[code] == nil {
			t.Fatalf("indicator %s is not in the plan tree", code)
		}
	}
	for code := range figs {
		if inds[code] == nil {
			t.Fatalf("indicator %s is not in the plan tree", code)
		}
	}
	return d
}

// audit runs the adversary on the workbook, the API (values and figures),
// or both.
func (d *auditOutputs) audit(workbook, api bool) *auditTally {
	tally := &auditTally{unknown: d.unknown, figures: len(d.figs) > 0}
	codes := map[string]bool{}
	if workbook {
		for c := range d.iptt {
			codes[c] = true
		}
	}
	if api {
		for c := range d.api {
			codes[c] = true
		}
		for c := range d.figs {
			codes[c] = true
		}
	}
	sorted := make([]string, 0, len(codes))
	for c := range codes {
		sorted = append(sorted, c)
	}
	sort.Strings(sorted)
	for _, code := range sorted {
		pi := d.inds[code]
		var labelToCell map[string]string
		if pi.Set != nil {
			labelToCell = d.sets[*pi.Set]
		}
		a := &auditIndicator{code: code, plan: pi, th: d.th, labels: d.labels, labelToCell: labelToCell, truth: d.truth, tally: tally}
		if workbook {
			a.iptt = d.iptt[code]
		}
		if api {
			a.api, a.fig = d.api[code], d.figs[code]
		}
		a.run()
	}
	return tally
}
