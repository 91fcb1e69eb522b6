package handlers_test

import (
	"encoding/xml"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
)

// xmlNode is an element of the IATI file, read generically.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n xmlNode) all(name string) []xmlNode {
	var out []xmlNode
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

func (n xmlNode) one(name string) xmlNode {
	if c := n.all(name); len(c) > 0 {
		return c[0]
	}
	return xmlNode{}
}

// iatiOrder is the order of the children the IATI 2.03 activity schema
// allows, for the elements this export writes (the schema's sequences).
var iatiOrder = map[string][]string{
	"iati-activities": {"iati-activity"},
	"iati-activity": {"iati-identifier", "reporting-org", "title", "description", "participating-org", "other-identifier", "activity-status",
		"activity-date", "contact-info", "activity-scope", "recipient-country", "recipient-region", "location", "sector", "tag",
		"country-budget-items", "humanitarian-scope", "policy-marker", "collaboration-type", "default-flow-type", "default-finance-type",
		"default-aid-type", "default-tied-status", "budget", "planned-disbursement", "capital-spend", "transaction", "document-link",
		"related-activity", "legacy-data", "conditions", "result", "crs-add", "fss"},
	"result":    {"title", "description", "document-link", "reference", "indicator"},
	"indicator": {"title", "description", "document-link", "reference", "baseline", "period"},
	"baseline":  {"location", "dimension", "document-link", "comment"},
	"period":    {"period-start", "period-end", "target", "actual"},
	"target":    {"location", "dimension", "comment", "document-link"},
	"actual":    {"location", "dimension", "comment", "document-link"},
}

// iatiRequired are the attributes the schema requires on each element
// (and those the standard's rules make mandatory that this export uses).
var iatiRequired = map[string][]string{
	"iati-activities": {"version"}, "iati-activity": {"last-updated-datetime"}, "reporting-org": {"ref", "type"},
	"participating-org": {"role"}, "activity-status": {"code"}, "activity-date": {"type", "iso-date"},
	"recipient-country": {"code"}, "result": {"type"}, "indicator": {"measure"}, "baseline": {"year"},
	"period-start": {"iso-date"}, "period-end": {"iso-date"}, "dimension": {"name", "value"},
}

// iatiCodes are the codelists of the attributes this export writes.
var iatiCodes = map[[2]string][]string{
	{"activity-status", "code"}:    {"1", "2", "3", "4", "5", "6"},
	{"activity-date", "type"}:      {"1", "2", "3", "4"},
	{"participating-org", "role"}:  {"1", "2", "3", "4"},
	{"participating-org", "type"}:  {"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"},
	{"reporting-org", "type"}:      {"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"},
	{"result", "type"}:             {"1", "2", "3", "9"},
	{"indicator", "measure"}:       {"1", "2", "3", "4", "5"},
	{"indicator", "ascending"}:     {"0", "1", "true", "false"},
	{"description", "type"}:        {"1", "2", "3", "4"},
	{"iati-activities", "version"}: {"2.03"},
}

var isoDateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// checkIATIRules walks the file and reports every break of the rules above.
func checkIATIRules(t *testing.T, n xmlNode, path string) {
	t.Helper()
	name := n.XMLName.Local
	where := path + "/" + name
	for _, a := range iatiRequired[name] {
		if v, ok := n.attr(a); !ok || v == "" {
			t.Errorf("%s: required attribute %s is missing", where, a)
		}
	}
	for _, a := range n.Attrs {
		if codes, ok := iatiCodes[[2]string{name, a.Name.Local}]; ok && !slices.Contains(codes, a.Value) {
			t.Errorf("%s@%s = %q is not in its codelist", where, a.Name.Local, a.Value)
		}
		if a.Name.Local == "iso-date" && !isoDateRe.MatchString(a.Value) {
			t.Errorf("%s@iso-date = %q is not a date", where, a.Value)
		}
		if a.Name.Local == "value" && name != "dimension" {
			if _, err := strconv.ParseFloat(a.Value, 64); err != nil {
				t.Errorf("%s@value = %q is not a number", where, a.Value)
			}
		}
	}
	if order, ok := iatiOrder[name]; ok {
		last := -1
		for _, c := range n.Children {
			at := slices.Index(order, c.XMLName.Local)
			if at < 0 {
				t.Errorf("%s: %s is not allowed here", where, c.XMLName.Local)
				continue
			}
			if at < last {
				t.Errorf("%s: %s comes after %s", where, c.XMLName.Local, order[last])
			}
			last = at
		}
	}
	for _, c := range n.Children {
		checkIATIRules(t, c, where)
	}
}

// TestIATIExport checks the demo plan's IATI file against the IATI 2.03
// rules it relies on (well-formed, element order, required attributes,
// codelists; xmllint when installed) and that every target and actual in
// it is the one the donor's workbook shows for the same periods — small
// counts of victims included, which carry no value.
func TestIATIExport(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	donor := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	periods := decode[struct {
		Periods []struct{ Label, State string } `json:"periods"`
	}](t, donor.Get("/api/v1/plans/"+seed.DemoPlanCode+"/periods"))
	if len(periods.Periods) < 4 {
		t.Fatalf("%d periods", len(periods.Periods))
	}
	from := periods.Periods[0].Label
	to := ""
	for _, p := range periods.Periods {
		if p.State != domain.PeriodUpcoming {
			to = p.Label
		}
	}
	rng := "from=" + from + "&to=" + to
	r := donor.Get("/api/v1/plans/" + seed.DemoPlanCode + "/iati.xml?country=LA&" + rng)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("IATI: %d %q %.300s", r.StatusCode, r.Header.Get("Content-Type"), r.Body)
	}
	var doc xmlNode
	if err := xml.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatalf("the IATI file is not well-formed XML: %v", err)
	}
	if doc.XMLName.Local != "iati-activities" {
		t.Fatalf("root %s", doc.XMLName.Local)
	}
	checkIATIRules(t, doc, "")
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		path := filepath.Join(t.TempDir(), "iati.xml")
		os.WriteFile(path, []byte(r.Body), 0o600)
		if out, err := exec.Command(xmllint, "--noout", path).CombinedOutput(); err != nil {
			t.Errorf("xmllint: %v %s", err, out)
		}
	}
	acts := doc.all("iati-activity")
	plan := decode[struct {
		Pillars []struct {
			Objectives []struct {
				Activities []struct{ Code string } `json:"activities"`
			} `json:"objectives"`
		} `json:"pillars"`
	}](t, donor.Get("/api/v1/plans/"+seed.DemoPlanCode))
	n := 0
	for _, p := range plan.Pillars {
		for _, o := range p.Objectives {
			n += len(o.Activities)
		}
	}
	if len(acts) != n || n == 0 {
		t.Errorf("%d activities in the IATI file, the plan has %d", len(acts), n)
	}
	if got := acts[0].one("recipient-country"); func() string { v, _ := got.attr("code"); return v }() != "LA" {
		t.Errorf("recipient country %+v", got)
	}

	// The donor's workbook over the same periods.
	wb := donor.Get("/api/v1/plans/" + seed.DemoPlanCode + "/reports/workshop.xlsx?lang=en&" + rng)
	if wb.StatusCode != http.StatusOK {
		t.Fatalf("workbook: %d", wb.StatusCode)
	}
	f, err := excelize.OpenReader(strings.NewReader(wb.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("IPTT", excelize.Options{RawCellValue: true})
	head := rows[3]
	col := func(name string) int { return slices.Index(head, name) }
	byCode := map[string][]string{}
	for _, row := range rows[4:] {
		if len(row) > 2 && row[2] != "" { // an indicator row has a level
			byCode[row[0]] = row
		}
	}
	checked, hidden := 0, 0
	for _, a := range acts {
		for _, res := range a.all("result") {
			ind := res.one("indicator")
			measure, _ := ind.attr("measure")
			title := strings.TrimSpace(ind.one("title").one("narrative").Text)
			code, _, _ := strings.Cut(title, " ")
			row, ok := byCode[code]
			if !ok {
				t.Errorf("indicator %s of the IATI file is not in the donor's IPTT", code)
				continue
			}
			cell := func(name string) string {
				if c := col(name); c >= 0 && c < len(row) {
					return row[c]
				}
				return ""
			}
			for _, p := range ind.all("period") {
				start, _ := p.one("period-start").attr("iso-date")
				label := periodLabelOf(start)
				for _, tg := range p.all("target") {
					if measure == "5" {
						continue
					}
					v, _ := tg.attr("value")
					if !sameNumber(v, cell("Target "+label)) {
						t.Errorf("%s %s: IATI target %q, workbook %q", code, label, v, cell("Target "+label))
					}
				}
				for _, ac := range p.all("actual") {
					if len(ac.all("dimension")) > 0 {
						continue // breakdown: checked below as a whole
					}
					v, hasValue := ac.attr("value")
					book := cell("Actual " + label)
					comment := strings.TrimSpace(ac.one("comment").one("narrative").Text)
					switch {
					case book == "<5":
						hidden++
						if hasValue || !strings.Contains(comment, "Fewer than 5") {
							t.Errorf("%s %s: the workbook shows <5, IATI has value %q comment %q", code, label, v, comment)
						}
					case book == "suppressed":
						hidden++
						if hasValue || !strings.Contains(comment, "Withheld") {
							t.Errorf("%s %s: the workbook withholds it, IATI has value %q comment %q", code, label, v, comment)
						}
					case measure == "5":
						want := "No"
						if x, _ := strconv.ParseFloat(book, 64); x >= 1 {
							want = "Yes"
						}
						if !strings.HasPrefix(comment, want) {
							t.Errorf("%s %s: workbook %q, IATI says %q", code, label, book, comment)
						}
					case !sameNumber(v, book):
						t.Errorf("%s %s: IATI actual %q, workbook %q", code, label, v, book)
					}
					checked++
				}
				for _, ac := range p.all("actual") {
					if len(ac.all("dimension")) == 0 {
						continue
					}
					if v, ok := ac.attr("value"); ok {
						if x, _ := strconv.ParseFloat(v, 64); x >= 1 && x <= 4 && strings.Contains(cell("Note"), "suppressed") {
							t.Errorf("%s %s: a breakdown cell of %v is published for a protected indicator", code, label, x)
						}
					}
				}
			}
		}
	}
	if checked < 50 || hidden == 0 {
		t.Errorf("compared %d actuals (%d hidden): the demo should give many, some hidden", checked, hidden)
	}
	t.Logf("%d activities, %d actuals equal to the donor's workbook (%d hidden)", len(acts), checked, hidden)

	// A funder's file holds the activities it funds, and it reports them.
	fr := donor.Get("/api/v1/plans/" + seed.DemoPlanCode + "/iati.xml?funder=APJP&publisher=XM-DAC-99999&" + rng)
	var fdoc xmlNode
	if err := xml.Unmarshal([]byte(fr.Body), &fdoc); err != nil || fr.StatusCode != http.StatusOK {
		t.Fatalf("funder's file: %d %v", fr.StatusCode, err)
	}
	fa := fdoc.all("iati-activity")
	if len(fa) == 0 || len(fa) >= len(acts) {
		t.Errorf("APJP's file has %d activities of %d", len(fa), len(acts))
	}
	for _, a := range fa {
		if ref, _ := a.one("reporting-org").attr("ref"); ref != "XM-DAC-99999" {
			t.Errorf("reporting-org ref %q", ref)
		}
		funded := false
		for _, p := range a.all("participating-org") {
			role, _ := p.attr("role")
			funded = funded || role == "1" && strings.Contains(p.one("narrative").Text, "(APJP)")
		}
		if !funded {
			t.Errorf("%s is in APJP's file but APJP does not fund it", a.one("iati-identifier").Text)
		}
	}
	for q, field := range map[string]string{"country=Laos": "country", "funder=NOPE": "funder", "publisher=nope": "publisher"} {
		if r := donor.Get("/api/v1/plans/" + seed.DemoPlanCode + "/iati.xml?" + q); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"`+field+`"`) {
			t.Errorf("%s: %d %s, want 422 naming %s", q, r.StatusCode, r.Body, field)
		}
	}
}

// periodLabelOf names the demo plan's quarter that starts on an ISO date.
func periodLabelOf(start string) string {
	m, _ := strconv.Atoi(start[5:7])
	return start[:4] + "-Q" + strconv.Itoa((m-1)/3+1)
}

// sameNumber compares a number written in the IATI file with a cell.
func sameNumber(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return a == b || a == "" && (b == "" || b == "–")
	}
	d := x - y
	return d < 1e-9 && d > -1e-9
}
