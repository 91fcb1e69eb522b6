package handlers_test

// What a donor can download, as TestDisclosureAudit reads it: the IPTT,
// the API values and the figures.

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"

	"github.com/xuri/excelize/v2"
)

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
	L := localizer(t, "en")
	w := auditWords{iptt: L.T("report.sheet.iptt"), withheld: L.T("report.withheld"), rag: map[string]string{}}
	for _, code := range append(append([]string(nil), domain.RAGs...), "withheld") {
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
