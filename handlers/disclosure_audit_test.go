package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/handlers/i18n"
	"naptracker/models"
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
	env := apptest.New(t)
	opts := seed.SyntheticOptions{Activities: auditSyntheticActivities, IndicatorsPerActivity: 3, Years: 2, Code: auditSyntheticPlan}
	if _, err := seed.Synthetic(context.Background(), env.App.DB, opts, env.Clock.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	donor := env.APIClient(t, env.User(t, models.RoleDonor, "APJP"))
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
// What is published, as the adversary reads it.

type pubKind int

const (
	pubNone     pubKind = iota // nothing reported ("–", null)
	pubNum                     // an exact number
	pubSmall                   // "<5": 1 to 4
	pubWithheld                // withheld: anything ≥ 0
)

type pub struct {
	kind pubKind
	x    float64
}

func (p pub) String() string {
	switch p.kind {
	case pubNum:
		return strconv.FormatFloat(p.x, 'g', -1, 64)
	case pubSmall:
		return "<5"
	case pubWithheld:
		return "withheld"
	}
	return "–"
}

// auditWords are the English words of the workbook the audit reads.
type auditWords struct {
	iptt, withheld string
	rag            map[string]string // word → rating code
}

func loadAuditWords(t *testing.T) auditWords {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	L := b.For("en")
	w := auditWords{iptt: L.T("report.sheet.iptt"), withheld: L.T("report.withheld"), rag: map[string]string{}}
	for _, code := range append(append([]string(nil), models.RAGs...), "withheld") {
		if word := L.T("report.rag." + code); !strings.HasPrefix(word, "[") {
			w.rag[word] = code
		}
	}
	return w
}

// parsePub reads an actual as the workbook shows it.
func (w auditWords) parsePub(s string, unknown map[string]bool) pub {
	s = strings.TrimSpace(s)
	switch s {
	case "", "–", "-":
		return pub{}
	case "<5":
		return pub{kind: pubSmall}
	case w.withheld:
		return pub{kind: pubWithheld}
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		return pub{kind: pubNum, x: x}
	}
	// A text the audit does not know: it can only mean the number is not shown.
	unknown[s] = true
	return pub{kind: pubWithheld}
}

// ipttGroup is one target / actual / % / rating group of an indicator row.
type ipttGroup struct {
	target *float64
	actual pub
	pct    pub
	rating string // rating code, "" when unknown
}

type ipttIndicator struct {
	code   string
	groups []ipttGroup // 0: the range, 1+k: period k
	cells  []ipttCell
}

type ipttCell struct {
	label  string
	groups []pub
}

// readIPTT reads the IPTT sheet of the workbook over all periods.
func readIPTT(t *testing.T, f *excelize.File, w auditWords, labels []string, unknown map[string]bool) map[string]*ipttIndicator {
	t.Helper()
	const fixed, header = 9, 4
	rows, err := f.GetRows(w.iptt, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("IPTT sheet %q: %v", w.iptt, err)
	}
	if len(rows) < header {
		t.Fatalf("IPTT sheet has %d rows", len(rows))
	}
	at := func(row []string, i int) string {
		if i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	// The period groups follow the range group in the order of the periods.
	for k, label := range labels {
		if h := at(rows[header-1], fixed+4*(k+1)); !strings.HasSuffix(h, " "+label) {
			t.Fatalf("IPTT column %d header %q, want the target of period %s", fixed+4*(k+1)+1, h, label)
		}
	}
	num := func(s string) *float64 {
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			return &x
		}
		return nil
	}
	out := map[string]*ipttIndicator{}
	var cur *ipttIndicator
	for i := header; i < len(rows); i++ {
		row := rows[i]
		level, err := f.GetRowOutlineLevel(w.iptt, i+1)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case level > 0: // a breakdown cell of the indicator above
			if cur == nil || at(row, 0) != cur.code {
				t.Fatalf("IPTT row %d: breakdown row of %q not under its indicator", i+1, at(row, 0))
			}
			c := ipttCell{label: at(row, 1)}
			for g := 0; g <= len(labels); g++ {
				c.groups = append(c.groups, w.parsePub(at(row, fixed+4*g+1), unknown))
			}
			cur.cells = append(cur.cells, c)
		case at(row, 2) != "": // an indicator (it has a level)
			cur = &ipttIndicator{code: at(row, 0)}
			for g := 0; g <= len(labels); g++ {
				c := fixed + 4*g
				grp := ipttGroup{target: num(at(row, c)), actual: w.parsePub(at(row, c+1), unknown), pct: w.parsePub(at(row, c+2), unknown)}
				grp.rating = w.rag[at(row, c+3)]
				cur.groups = append(cur.groups, grp)
			}
			out[cur.code] = cur
		default: // a pillar or objective heading
			cur = nil
		}
	}
	return out
}

// apiValue is a value from GET …/values?period=P, before or after the fix.
type apiValue struct {
	Indicator                string                     `json:"indicator"`
	Value                    *float64                   `json:"value"`
	Suppressed               bool                       `json:"suppressed"`
	Small                    bool                       `json:"small"`
	Disaggregation           map[string]json.RawMessage `json:"disaggregation"`
	DisaggregationSuppressed bool                       `json:"disaggregation_suppressed"`
}

func (v apiValue) pub() pub {
	switch {
	case v.Small:
		return pub{kind: pubSmall}
	case v.Value != nil:
		return pub{kind: pubNum, x: *v.Value}
	case v.Suppressed:
		return pub{kind: pubWithheld}
	}
	return pub{}
}

// rawPub reads a breakdown cell of the API: a number, null (withheld) or "<5".
func rawPub(raw json.RawMessage) pub {
	var x float64
	if err := json.Unmarshal(raw, &x); err == nil {
		return pub{kind: pubNum, x: x}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil && strings.TrimSpace(s) == "<5" {
		return pub{kind: pubSmall}
	}
	return pub{kind: pubWithheld}
}

// figPoint is one figure of GET …/figures (after the fix).
type figPoint struct {
	Period     string   `json:"period"`
	Target     *float64 `json:"target"`
	Actual     *float64 `json:"actual"`
	Value      *float64 `json:"value"`
	Suppressed bool     `json:"suppressed"`
	Small      bool     `json:"small"`
	Progress   *float64 `json:"progress"`
	Rating     string   `json:"rating"`
}

func (p *figPoint) pub() pub {
	if p == nil {
		return pub{}
	}
	switch {
	case p.Small:
		return pub{kind: pubSmall}
	case p.Actual != nil:
		return pub{kind: pubNum, x: *p.Actual}
	case p.Value != nil:
		return pub{kind: pubNum, x: *p.Value}
	case p.Suppressed:
		return pub{kind: pubWithheld}
	}
	return pub{}
}

type figIndicator struct {
	Code      string     `json:"code"`
	Range     *figPoint  `json:"range"`
	Periods   []figPoint `json:"periods"`
	Breakdown []struct {
		Cell    string     `json:"cell"`
		Range   *figPoint  `json:"range"`
		Periods []figPoint `json:"periods"`
	} `json:"breakdown"`
}

// planIndicator is what the plan tree of the API says about an indicator.
type planIndicator struct {
	Code         string   `json:"code"`
	Direction    string   `json:"direction"`
	Accumulation string   `json:"accumulation"`
	Set          *string  `json:"disaggregation_set"`
	Sensitive    bool     `json:"sensitive"`
	Baseline     *float64 `json:"-"`
}

// planIndicators walks the plan tree for its indicators (any object with a
// code and an accumulation mode).
func planIndicators(node any, out map[string]*planIndicator) {
	switch n := node.(type) {
	case []any:
		for _, x := range n {
			planIndicators(x, out)
		}
	case map[string]any:
		if _, ok := n["accumulation"]; ok {
			b, _ := json.Marshal(n)
			var ind planIndicator
			if json.Unmarshal(b, &ind) == nil && ind.Code != "" {
				if bl, ok := n["baseline"].(map[string]any); ok {
					if x, ok := bl["value"].(float64); ok {
						ind.Baseline = &x
					}
				}
				out[ind.Code] = &ind
			}
			return
		}
		for _, x := range n {
			planIndicators(x, out)
		}
	}
}

func getJSON(t *testing.T, c *apptest.Client, path string, dst any) {
	t.Helper()
	r := c.Get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", path, r.StatusCode, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), dst); err != nil {
		t.Fatalf("GET %s: %v", path, err)
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
WHERE pl.code = ? AND v.status = ? AND v.value IS NOT NULL`, plan, models.StatusApproved).Scan(&vals).Error
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
	var sets []models.DisaggregationSet
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
	th      models.Thresholds
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
	th := models.Thresholds{Green: tree.Thresholds.Green, Red: tree.Thresholds.Red}
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

// auditIndicator is the adversary's system for one indicator.
type auditIndicator struct {
	code        string
	plan        *planIndicator
	th          models.Thresholds
	labels      []string
	labelToCell map[string]string
	iptt        *ipttIndicator
	api         map[int]apiValue
	fig         *figIndicator
	truth       auditTruth
	tally       *auditTally

	sys   lpSystem
	why   []string  // what each row of sys stands for
	vals  []float64 // the true value of each unknown (NaN: not known)
	names []string
	v     map[int]int            // period → unknown of the total
	c     map[string]map[int]int // cell → period → unknown
	cells []string               // cells in order of appearance
	// checks: the suppressed figures, by their expression.
	checks map[string]*auditCheck
	order  []string
}

type auditCheck struct {
	e                              linExpr
	source, where, cell, published string
}

func (a *auditIndicator) cellName(s string) string {
	if c, ok := a.labelToCell[s]; ok {
		return c
	}
	return s
}

// present notes the unknowns the outputs show to exist: a period with a
// value, a breakdown cell with a value.
func (a *auditIndicator) present() (vp map[int]bool, cp map[string]map[int]bool) {
	vp, cp = map[int]bool{}, map[string]map[int]bool{}
	cell := func(name string, k int) {
		if cp[name] == nil {
			cp[name] = map[int]bool{}
			a.cells = append(a.cells, name)
		}
		cp[name][k] = true
	}
	if a.iptt != nil {
		for k := range a.labels {
			if a.iptt.groups[k+1].actual.kind != pubNone {
				vp[k] = true
			}
		}
		for _, c := range a.iptt.cells {
			for k := range a.labels {
				if c.groups[k+1].kind != pubNone {
					cell(a.cellName(c.label), k)
				}
			}
		}
	}
	for k, v := range a.api {
		if v.pub().kind != pubNone {
			vp[k] = true
		}
		names := make([]string, 0, len(v.Disaggregation))
		for name := range v.Disaggregation {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			cell(name, k)
		}
	}
	if a.fig != nil {
		idx := a.periodIndex()
		for _, p := range a.fig.Periods {
			if k, ok := idx[p.Period]; ok && p.pub().kind != pubNone {
				vp[k] = true
			}
		}
		for _, b := range a.fig.Breakdown {
			for _, p := range b.Periods {
				if k, ok := idx[p.Period]; ok && p.pub().kind != pubNone {
					cell(a.cellName(b.Cell), k)
				}
			}
		}
	}
	return vp, cp
}

func (a *auditIndicator) periodIndex() map[string]int {
	idx := map[string]int{}
	for k, l := range a.labels {
		idx[l] = k
	}
	return idx
}

func (a *auditIndicator) newVar(name string, truth float64, ok bool) int {
	j := a.sys.newVar()
	a.names = append(a.names, name)
	if !ok {
		truth = math.NaN()
	}
	a.vals = append(a.vals, truth)
	return j
}

// series is the expression of an actual over the periods from..to of a
// series of unknowns (by period), by the accumulation mode (models.Actual);
// nil when no period of the window has a value.
func (a *auditIndicator) series(vars map[int]int, from, to int) linExpr {
	e := linExpr{}
	found := false
	last := -1
	for k := 0; k <= to; k++ {
		j, ok := vars[k]
		if !ok {
			continue
		}
		if k >= from {
			found = true
			last = j
		}
		if k >= from || a.plan.Accumulation == models.AccumulateCumulative {
			e[j] = 1
		}
	}
	if !found {
		return nil
	}
	if a.plan.Accumulation == models.AccumulateLatest {
		return linExpr{last: 1}
	}
	return e
}

func (a *auditIndicator) add(e linExpr, op lpOp, b float64, why string) {
	a.sys.add(e, op, b)
	a.why = append(a.why, why)
}

// bounds adds lo ≤ e ≤ hi for an expression that takes whole values (a
// sum of counts), rounded inward.
func (a *auditIndicator) bounds(e linExpr, lo, hi float64, why string) {
	if lo > 0 && !math.IsInf(lo, 1) {
		a.add(e, lpGE, math.Ceil(lo-1e-7), why)
	}
	if !math.IsInf(hi, 1) {
		a.add(e, lpLE, math.Floor(hi+1e-7), why)
	}
}

// addBounds is bounds for a bare system (used by the solver's own test).
func addBounds(s *lpSystem, e linExpr, lo, hi float64) {
	if lo > 0 && !math.IsInf(lo, 1) {
		s.add(e, lpGE, math.Ceil(lo-1e-7))
	}
	if !math.IsInf(hi, 1) {
		s.add(e, lpLE, math.Floor(hi+1e-7))
	}
}

// published writes what an output shows of the figure e; e nil means the
// model expects no value there.
func (a *auditIndicator) published(source, where, cell string, p pub, e linExpr) {
	why := fmt.Sprintf("%s %s %s %s = %s", a.code, where, cell, source, p)
	switch {
	case e == nil && p.kind == pubNone:
		return
	case e == nil:
		a.tally.inconsistent = append(a.tally.inconsistent, why+", where no value is reported")
		return
	case p.kind == pubNone:
		a.tally.inconsistent = append(a.tally.inconsistent, why+", where another output shows a value")
		return
	case p.kind == pubNum:
		a.add(e, lpEQ, p.x, why)
		return
	case p.kind == pubSmall:
		a.add(e, lpGE, 1, why)
		a.add(e, lpLE, 4, why)
	}
	key := e.key()
	if c, ok := a.checks[key]; ok {
		if p.kind == pubSmall && c.published != "<5" {
			c.published = "<5"
			c.source, c.where, c.cell = source, where, cell
		}
		return
	}
	a.checks[key] = &auditCheck{e: e, source: source, where: where, cell: cell, published: p.String()}
	a.order = append(a.order, key)
}

// rated writes what a rating word or a percentage of target beside a
// visible target tells about the actual e.
func (a *auditIndicator) rated(source, where string, e linExpr, target *float64, pct *float64, rating string) {
	if e == nil || target == nil {
		return
	}
	var baseline *float64
	if a.plan.Accumulation != models.AccumulateSum { // models.MeasureBaseline
		baseline = a.plan.Baseline
	}
	inf := math.Inf(1)
	var bands [][2]float64
	switch rating {
	case models.RAGOnTrack:
		bands = append(bands, [2]float64{a.th.Green, inf})
	case models.RAGBehind:
		bands = append(bands, [2]float64{a.th.Red, a.th.Green})
	case models.RAGOffTrack:
		bands = append(bands, [2]float64{-inf, a.th.Red})
	}
	if pct != nil {
		eps := 1e-9 * math.Max(1, math.Abs(*pct))
		bands = append(bands, [2]float64{*pct - eps, *pct + eps})
	}
	for _, b := range bands {
		if lo, hi, ok := progressBand(baseline, *target, a.plan.Direction, b[0], b[1]); ok {
			a.bounds(e, lo, hi, fmt.Sprintf("%s %s %s: progress in [%v, %v] of target %v", a.code, where, source, b[0], b[1], *target))
		}
	}
}

// progressBand turns plo ≤ models.Progress(actual, baseline, target,
// direction) ≤ phi into an interval of the actual (a count, ≥ 0): exact
// where progress is linear in the actual, the convex hull where it is not
// (maintain, decrease without a baseline), and ok false where even that
// says nothing.
func progressBand(baseline *float64, t float64, dir string, plo, phi float64) (lo, hi float64, ok bool) {
	inf := math.Inf(1)
	in := func(p float64) bool { return p >= plo && p <= phi }
	zeroTarget := func() (float64, float64, bool) { // progress is 1 at 0 and 0 above
		switch {
		case in(1) && !in(0):
			return 0, 0, true
		case in(0) && !in(1):
			return 1, inf, true
		}
		return 0, 0, false
	}
	switch {
	case dir == models.Maintain:
		if t == 0 {
			return zeroTarget()
		}
		if plo <= 0 { // 1 − |a − t|/|t| ≤ phi is not convex
			return 0, 0, false
		}
		w := (1 - plo) * math.Abs(t)
		return t - w, t + w, true
	case baseline != nil && t != *baseline:
		d := t - *baseline
		lo, hi = *baseline+plo*d, *baseline+phi*d
		if d < 0 {
			lo, hi = hi, lo
		}
		return lo, hi, true
	case dir == models.Decrease:
		switch {
		case t < 0:
			return 0, 0, false
		case t == 0:
			return zeroTarget()
		case phi <= 0: // t/a is positive
			return 0, 0, false
		}
		// 0 scores 1; a > 0 scores t/a.
		lo, hi = t/phi, inf
		if plo > 0 {
			hi = t / plo
		}
		if in(1) {
			lo = 0
		}
		return lo, hi, true
	default: // increase, measured as actual ÷ target
		if t == 0 {
			return 0, 0, false
		}
		lo, hi = plo*t, phi*t
		if t < 0 {
			lo, hi = hi, lo
		}
		return lo, hi, true
	}
}

func (a *auditIndicator) run() {
	a.checks = map[string]*auditCheck{}
	a.v, a.c = map[int]int{}, map[string]map[int]int{}
	vp, cp := a.present()
	tv, tc := a.truth.v[a.code], a.truth.c[a.code]
	for k := range a.labels {
		if vp[k] {
			x, ok := tv[k]
			a.v[k] = a.newVar(a.labels[k], x, ok)
		}
	}
	for _, cell := range a.cells {
		a.c[cell] = map[int]int{}
		for k := range a.labels {
			if cp[cell][k] {
				x, ok := tc[cell][k]
				a.c[cell][k] = a.newVar(a.labels[k]+" "+cell, x, ok)
			}
		}
	}
	last := len(a.labels) - 1
	// Each breakdown adds up to its total.
	for k := range a.labels {
		e := linExpr{}
		for _, cell := range a.cells {
			if j, ok := a.c[cell][k]; ok {
				e[j] = 1
			}
		}
		if len(e) == 0 {
			continue
		}
		j, ok := a.v[k]
		if !ok {
			a.tally.inconsistent = append(a.tally.inconsistent, fmt.Sprintf("%s %s: a breakdown without a total", a.code, a.labels[k]))
			continue
		}
		e[j] = -1
		a.add(e, lpEQ, 0, fmt.Sprintf("%s %s: the breakdown adds up to the total", a.code, a.labels[k]))
	}
	where := func(g int) string {
		if g == 0 {
			return "range"
		}
		return a.labels[g-1]
	}
	window := func(g int) (int, int) {
		if g == 0 {
			return 0, last
		}
		return g - 1, g - 1
	}
	pctOf := func(p pub) *float64 {
		if p.kind == pubNum {
			return &p.x
		}
		return nil
	}
	// 1. The IPTT.
	if w := a.iptt; w != nil {
		for g, grp := range w.groups {
			from, to := window(g)
			e := a.series(a.v, from, to)
			a.published("IPTT", where(g), "", grp.actual, e)
			if grp.actual.kind != pubNone {
				a.rated("IPTT", where(g), e, grp.target, pctOf(grp.pct), grp.rating)
			}
		}
		for _, c := range w.cells {
			name := a.cellName(c.label)
			for g, p := range c.groups {
				from, to := window(g)
				a.published("IPTT", where(g), name, p, a.series(a.c[name], from, to))
			}
		}
	}
	// 2. The API values.
	for k := range a.labels {
		v, ok := a.api[k]
		if !ok {
			continue
		}
		if p := v.pub(); p.kind != pubNone {
			a.published("API", a.labels[k], "", p, linExpr{a.v[k]: 1})
		}
		for name, raw := range v.Disaggregation {
			a.published("API", a.labels[k], name, rawPub(raw), linExpr{a.c[name][k]: 1})
		}
	}
	// 3. The figures.
	if fg := a.fig; fg != nil {
		idx := a.periodIndex()
		point := func(p *figPoint, g int, vars map[int]int, cell string) {
			from, to := window(g)
			e := a.series(vars, from, to)
			pp := p.pub()
			a.published("figures", where(g), cell, pp, e)
			if pp.kind != pubNone && cell == "" {
				a.rated("figures", where(g), e, p.Target, p.Progress, p.Rating)
			}
		}
		if fg.Range != nil {
			point(fg.Range, 0, a.v, "")
		}
		for i := range fg.Periods {
			if k, ok := idx[fg.Periods[i].Period]; ok {
				point(&fg.Periods[i], k+1, a.v, "")
			}
		}
		for _, b := range fg.Breakdown {
			name := a.cellName(b.Cell)
			if b.Range != nil {
				point(b.Range, 0, a.c[name], name)
			}
			for i := range b.Periods {
				if k, ok := idx[b.Periods[i].Period]; ok {
					point(&b.Periods[i], k+1, a.c[name], name)
				}
			}
		}
	}
	if len(a.order) == 0 {
		return
	}
	a.tally.indicators++
	a.solve()
}

// solve checks the model against the truth, then bounds every suppressed figure.
func (a *auditIndicator) solve() {
	// The true values must satisfy what was read, or the model is wrong.
	known := true
	for _, x := range a.vals {
		known = known && !math.IsNaN(x)
	}
	if known {
		if i, ok := a.sys.holds(a.vals, 1e-6); !ok {
			a.tally.inconsistent = append(a.tally.inconsistent, "the true values break "+a.why[i])
			return
		}
	}
	p, err := newLPSolver(&a.sys)
	if err != nil {
		a.tally.inconsistent = append(a.tally.inconsistent, fmt.Sprintf("%s: %v", a.code, err))
		return
	}
	for _, key := range a.order {
		c := a.checks[key]
		lo, hi := p.interval(c.e)
		truth := c.e.eval(a.vals)
		a.tally.checked++
		if truth < lo || truth > hi {
			a.tally.inconsistent = append(a.tally.inconsistent, fmt.Sprintf("%s %s %s: the true value %v is outside the feasible [%v, %v]", a.code, c.where, c.cell, truth, lo, hi))
		}
		small := c.published == "<5" || (truth >= 1 && truth <= 4)
		if !small {
			if lo == hi {
				a.tally.pinned++
			}
			continue
		}
		if lo <= 1 && hi >= 4 {
			continue
		}
		a.tally.narrowed++
		if lo == hi {
			a.tally.exact++
		}
		a.tally.findings = append(a.tally.findings, auditFinding{indicator: a.code, source: c.source, where: c.where,
			cell: c.cell, published: c.published, lo: lo, hi: hi, truth: truth})
	}
}
