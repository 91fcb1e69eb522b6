package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/report"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
)

var sheets = []string{"Cover", "Summary", "IPTT", "Activities", "Compliance", "Funding", "Changes", "Since last review"}

// TestWorkbookStructure: the seven sheets in order, each with a frozen
// header, an autofilter, print titles, landscape fit-to-width, and the
// summary's two native charts.
func TestWorkbookStructure(t *testing.T) {
	t.Parallel()
	db := demo(t)
	f, raw := generate(t, db, report.Options{Scope: secretariat})
	if got := f.GetSheetList(); !slices.Equal(got, sheets) {
		t.Fatalf("sheets %v, want %v", got, sheets)
	}
	names := map[string]map[string]string{}
	for _, d := range f.GetDefinedName() {
		if names[d.Scope] == nil {
			names[d.Scope] = map[string]string{}
		}
		names[d.Scope][d.Name] = d.RefersTo
	}
	for _, s := range sheets {
		p, err := f.GetPanes(s)
		if err != nil || !p.Freeze || p.YSplit < 1 {
			t.Errorf("%s: panes %+v (%v), want a frozen header", s, p, err)
		}
		filter := names[s]["_xlnm._FilterDatabase"]
		rows, _ := f.GetRows(s)
		header := 3
		if s == "IPTT" {
			header = 4
		}
		switch {
		case s == "Cover" && filter != "":
			t.Errorf("the Cover has an autofilter %s", filter)
		case s != "Cover" && len(rows) > header && filter == "":
			t.Errorf("%s has data rows but no autofilter", s)
		case s != "Cover" && len(rows) <= header && filter != "":
			t.Errorf("%s has no data rows but an autofilter %s", s, filter)
		}
		// The IPTT and Activities rows are written after their autofilter
		// (when the workbook is zipped): the filter must end at the last row.
		if s == "IPTT" || s == "Activities" {
			if want := fmt.Sprintf("$%d", len(rows)); !strings.HasSuffix(filter, want) {
				t.Errorf("%s: autofilter %s does not end at the last row %d", s, filter, len(rows))
			}
		}
		if names[s]["_xlnm.Print_Titles"] == "" {
			t.Errorf("%s has no print titles", s)
		}
		// Narrow sheets fit the page width; wide ones spread over pages
		// across (repeating their first columns) so that text stays
		// readable (TestPrintedWorkbookIsReadable measures it).
		lay, err := f.GetPageLayout(s)
		wide := s == "Summary" || s == "IPTT" || s == "Activities" || s == "Changes"
		if err != nil || lay.Orientation == nil || *lay.Orientation != "landscape" || lay.FitToWidth == nil ||
			(*lay.FitToWidth == 1) == wide && s != "Changes" || *lay.FitToWidth < 1 {
			t.Errorf("%s: page layout landscape %v, pages across %v (%v)", s, deref(lay.Orientation), derefInt(lay.FitToWidth), err)
		}
		hf, err := f.GetHeaderFooter(s)
		if err != nil || !strings.Contains(hf.OddFooter, "Page &P of &N") || strings.Contains(hf.OddFooter, "&&P") {
			t.Errorf("%s: footer %+v has no page number", s, hf)
		}
	}
	if got := names["IPTT"]["_xlnm.Print_Titles"]; got != "'IPTT'!$A:$B,'IPTT'!$3:$4" {
		t.Errorf("IPTT print titles %q", got)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for i, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		// Streaming readers trust the dimension; a filterMode flag says
		// rows are hidden by a filter, which none are.
		rc, err := zr.File[i].Open()
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 16<<10)
		n, _ := io.ReadFull(rc, head)
		rc.Close()
		head = head[:n]
		if bytes.Contains(head, []byte("filterMode")) {
			t.Errorf("%s claims a filter is applied", zf.Name)
		}
		m := regexp.MustCompile(`<dimension ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"`).FindSubmatch(head)
		if m == nil || string(m[1]) == "A1" {
			t.Errorf("%s: dimension %q, want the used range", zf.Name, m)
		}
	}
	for _, s := range sheets {
		dim, err := f.GetSheetDimension(s)
		rows, _ := f.GetRows(s)
		if err != nil || !strings.HasSuffix(dim, fmt.Sprintf("%d", len(rows))) {
			t.Errorf("%s: dimension %q, but %d rows", s, dim, len(rows))
		}
	}
	props, err := f.GetDocProps()
	if err != nil || props.Creator != "NAP Tracker" || !strings.Contains(props.Title, seed.DemoPlanCode) || props.Language != "en" ||
		!strings.HasPrefix(props.Created, today.Format("2006-01-02")) {
		t.Errorf("document properties %+v (%v)", props, err)
	}
	heads, _ := f.GetRows("Summary")
	seen := map[string]bool{}
	for _, h := range heads[2] {
		if seen[h] {
			t.Errorf("the Summary has two columns titled %q", h)
		}
		seen[h] = true
	}
	if charts != 2 {
		t.Errorf("%d charts, want 2", charts)
	}
	// Disaggregation rows are grouped and collapsed under their indicator.
	x := readIPTT(t, f)
	if len(x.breaks) == 0 {
		t.Fatal("no breakdown rows")
	}
	for code, rows := range x.breaks {
		for _, r := range rows {
			vis, _ := f.GetRowVisible("IPTT", r)
			lvl, _ := f.GetRowOutlineLevel("IPTT", r)
			if vis || lvl != 1 {
				t.Errorf("breakdown row %d of %s: visible %v, level %d", r, code, vis, lvl)
			}
		}
	}
}

// TestDonorSeesApprovedDataAndNoSmallCounts: every period actual in a
// donor's IPTT is what the approved values give, and sensitive counts from
// 1 to 4 read "<5" (while the secretariat sees the number).
func TestDonorSeesApprovedDataAndNoSmallCounts(t *testing.T) {
	t.Parallel()
	db := demo(t)
	d := loadPlan(t, db)
	var unapproved int64
	db.Model(&domain.IndicatorValue{}).Where("status <> ?", domain.StatusApproved).Count(&unapproved)
	if unapproved == 0 {
		t.Fatal("the demo plan has no unapproved values to hide")
	}
	donor := domain.Scope{UserID: 2, Role: domain.RoleDonor}
	f, _ := generate(t, db, report.Options{Scope: donor})
	x := readIPTT(t, f)
	fs, _ := generate(t, db, report.Options{Scope: secretariat, Audience: figures.Internal})
	xs := readIPTT(t, fs)
	small, numbers := 0, 0
	for _, ind := range d.inds {
		if x.rows[ind.Code] == 0 {
			continue
		}
		for _, label := range x.labels {
			_, actual, _ := d.expected(ind, slicesIndex(d.periods, label))
			got := x.cell(t, ind.Code, "Actual "+label)
			switch {
			case ind.Sensitive && actual != nil && *actual >= 1 && *actual <= 4:
				small++
				if got != "<5" {
					t.Errorf("%s %s: donor sees %q, want <5", ind.Code, label, got)
				}
				if sec := xs.cell(t, ind.Code, "Actual "+label); sec != strconv.FormatFloat(*actual, 'f', -1, 64) {
					t.Errorf("%s %s: secretariat sees %q, want %v", ind.Code, label, sec, *actual)
				}
			case got == "<5" || got == "suppressed":
				if !ind.Sensitive {
					t.Errorf("%s %s: %q on an indicator that is not sensitive", ind.Code, label, got)
				}
			default:
				numbers++
				checkNumber(t, ind.Code+" donor actual "+label, got, actual)
			}
		}
		for _, r := range x.breaks[ind.Code] {
			rows, _ := f.GetRows("IPTT", excelize.Options{RawCellValue: true})
			for _, v := range rows[r-1] {
				if n, err := strconv.ParseFloat(v, 64); err == nil && ind.Sensitive && n >= 1 && n <= 4 {
					t.Errorf("%s breakdown row %d shows %v to a donor", ind.Code, r, n)
				}
			}
			break
		}
	}
	if small == 0 || numbers == 0 {
		t.Errorf("checked %d small counts and %d numbers; the demo should have both", small, numbers)
	}
	if err := report.Workshop(context.Background(), db, report.Options{Plan: seed.DemoPlanCode, Scope: donor, IncludeUnapproved: true}, &bytes.Buffer{}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a donor asking for unapproved data: %v, want ErrForbidden", err)
	}
	if err := report.Workshop(context.Background(), db, report.Options{Plan: seed.DemoPlanCode, Scope: donor, Audience: figures.Internal}, &bytes.Buffer{}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("a donor asking for the internal workbook: %v, want ErrForbidden", err)
	}
}

// TestHostileTextIsNeverAFormula: text that starts with "=" is stored as a
// string cell without a formula, in the activities and the changes sheets.
func TestHostileTextIsNeverAFormula(t *testing.T) {
	t.Parallel()
	db := demo(t)
	ctx := context.Background()
	u := &domain.User{Email: "sec@test.example", Name: "Sec", Role: domain.RoleSecretariat}
	if err := storetest.CreateUser(ctx, db, domain.SystemActor, u, "a long enough password 1"); err != nil {
		t.Fatal(err)
	}
	scope, actor := domain.ScopeOf(u), domain.Actor{UserID: &u.ID, Name: u.Email}
	hostile := `=HYPERLINK("http://x","y")`
	period := domain.CurrentPeriodLabel(domain.Plan{StartYear: 2022, EndYear: 2026, Frequency: domain.Quarterly}, today)
	// A value of an indicator with no breakdown in the current period.
	d := loadPlan(t, db)
	var ind domain.Indicator
	for _, i := range d.inds {
		if i.DisaggregationSetID == nil && i.UnitType == domain.UnitNumber {
			var v domain.IndicatorValue
			if db.Where("indicator_id = ? AND period_id = ?", i.ID, d.periods[slicesIndex(d.periods, period)].ID).Take(&v).Error != nil {
				ind = i
				break
			}
		}
	}
	vt := reporting.ValueTarget{Plan: seed.DemoPlanCode, Indicator: ind.Code, Period: period}
	x := 3.0
	v, err := reporting.SaveValue(ctx, db, domain.Caller{Actor: actor, Scope: scope, Now: today}, vt, reporting.ValueInput{Value: &x, Narrative: hostile})
	if err != nil {
		t.Fatalf("save %s: %v", ind.Code, err)
	}
	for _, a := range []string{reporting.ActionSubmit, reporting.ActionApprove} {
		if v, err = reporting.TransitionValue(ctx, db, domain.Caller{Actor: actor, Scope: scope, Now: today}, vt, a, v.Version, ""); err != nil {
			t.Fatal(err)
		}
	}
	// An activity update whose achievements start with "=".
	var act domain.Activity
	db.Where("plan_id = ? AND start_date <= ? AND end_date >= ?", d.plan.ID, today, today).Order("code").Take(&act)
	ut := reporting.UpdateTarget{Plan: seed.DemoPlanCode, Activity: act.Code, Period: period}
	var cur domain.ActivityUpdate
	db.Where("activity_id = ? AND period_id = ?", act.ID, d.periods[slicesIndex(d.periods, period)].ID).Take(&cur)
	up, err := reporting.SaveUpdate(ctx, db, domain.Caller{Actor: actor, Scope: scope, Now: today}, ut, reporting.UpdateInput{UpdateContent: domain.UpdateContent{Progress: domain.ProgressOnTrack, PercentComplete: 50,
		Achievements: hostile}, Version: cur.Version})
	if err != nil {
		t.Fatalf("save update %s: %v", act.Code, err)
	}
	for _, a := range []string{reporting.ActionSubmit, reporting.ActionApprove} {
		if up, err = reporting.TransitionUpdate(ctx, db, domain.Caller{Actor: actor, Scope: scope, Now: today}, ut, a, up.Version, ""); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := generate(t, db, report.Options{Scope: secretariat, IncludeUnapproved: true})
	found := 0
	for _, s := range []string{"Activities", "Changes"} {
		rows, _ := f.GetRows(s)
		for r, row := range rows {
			for c, v := range row {
				if !strings.Contains(v, "HYPERLINK") {
					continue
				}
				found++
				name := cellName(c+1, r+1)
				typ, _ := f.GetCellType(s, name)
				formula, _ := f.GetCellFormula(s, name)
				if formula != "" || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString) {
					t.Errorf("%s!%s: type %v, formula %q", s, name, typ, formula)
				}
				if strings.HasPrefix(v, "=") {
					t.Errorf("%s!%s starts with '=': %q", s, name, v)
				}
			}
		}
	}
	if found < 2 {
		t.Errorf("the hostile text appears %d times, want it in the activities and the changes", found)
	}
}

// TestFiltersRestrictTheReport: pillar, organisation and period range.
func TestFiltersRestrictTheReport(t *testing.T) {
	t.Parallel()
	db := demo(t)
	f, _ := generate(t, db, report.Options{Scope: secretariat, Pillar: "2", From: "2024-Q1", To: "2024-Q4"})
	x := readIPTT(t, f)
	if !slices.Equal(x.labels, []string{"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"}) {
		t.Errorf("periods %v", x.labels)
	}
	if len(x.rows) == 0 {
		t.Fatal("no indicator in pillar 2")
	}
	for code := range x.rows {
		if !strings.HasPrefix(code, "2.") {
			t.Errorf("indicator %s outside pillar 2", code)
		}
	}
	f, _ = generate(t, db, report.Options{Scope: secretariat, Org: "MOJ"})
	rows, _ := f.GetRows("Activities")
	if len(rows) < 4 {
		t.Fatal("no activity of MOJ")
	}
	for _, r := range rows[3:] {
		if r[3] != "MOJ" && !slices.Contains(strings.Split(r[4], ", "), "MOJ") {
			t.Logf("activity %s: lead %s, supporting %s (kept for an indicator MOJ reports)", r[1], r[3], r[4])
		}
	}
	all, _ := generate(t, db, report.Options{Scope: secretariat})
	allRows, _ := all.GetRows("Activities")
	if len(rows) >= len(allRows) {
		t.Errorf("MOJ's report lists %d activity rows, the whole plan %d", len(rows), len(allRows))
	}
	var ve *domain.ValidationError
	if err := report.Workshop(context.Background(), db, report.Options{Plan: seed.DemoPlanCode, Scope: secretariat, From: "1999-Q1"}, &bytes.Buffer{}); !errors.As(err, &ve) || ve.Fields["from"] == "" {
		t.Errorf("unknown period: %v", err)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func derefInt(n *int) int {
	if n == nil {
		return -1
	}
	return *n
}
