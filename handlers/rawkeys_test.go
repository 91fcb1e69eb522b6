package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"
	"naptracker/seed"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
)

// No raw catalogue key on any output: a message missing from every
// catalogue renders as "[some.key]" (i18n.Localizer.T), which a reader
// would see as garbage. The main pages are rendered in every interface
// language for the secretariat and a donor, and the workshop workbook
// (every cell of every sheet, headers and footers, and every other part of
// the file: chart titles and series names, the workbook's names) for both
// audiences and from a snapshot, each in another language; any "[a.key]" fails the test, named with the
// page or sheet and cell where it shows.
//
//	go test ./handlers -run TestNoRawCatalogueKey -count=1 -v

// rawKeyRe is an unresolved catalogue key as T renders it.
var rawKeyRe = regexp.MustCompile(`\[[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\]`)

// rawKeys returns every unresolved key in s, each with some context.
func rawKeys(s string) []string {
	var out []string
	for _, m := range rawKeyRe.FindAllStringIndex(s, -1) {
		from, to := max(0, m[0]-40), min(len(s), m[1]+40)
		out = append(out, fmt.Sprintf("%s (in %q)", s[m[0]:m[1]], s[from:to]))
	}
	return out
}

// TestRawKeyDetector: the detector finds what T renders for a missing key,
// e.g. the Summary sheet's "no report" column header when
// report.status_no_report was missing, and nothing in ordinary text.
func TestRawKeyDetector(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Supported {
		L := b.For(lang)
		missing := L.T("report.status_no_report_missing_for_this_test")
		if got := rawKeys("Activities " + missing + " Indicators"); len(got) != 1 {
			t.Errorf("%s: a missing key rendered as %q is not detected: %v", lang, missing, got)
		}
		if got := rawKeys(L.T("report.status_no_report")); len(got) != 0 {
			t.Errorf("%s: report.status_no_report is missing again: %v", lang, got)
		}
	}
	if got := rawKeys("[report.status_no_report]"); len(got) != 1 {
		t.Error("the old bug's cell is not detected")
	}
	for _, ok := range []string{"Page [1] of 2", "[A1]", "a[i.j", "[x]", "see [1.5]", "[Red]#,##0"} {
		if got := rawKeys(ok); len(got) != 0 {
			t.Errorf("%q is ordinary text, detected %v", ok, got)
		}
	}
}

func TestNoRawCatalogueKey(t *testing.T) {
	t.Parallel()
	// Catalogue keys reach a page from templates and code, never from the
	// database's dialect: the same rows give the same words on either.
	storetest.SkipOnSecondDatabase(t, "the raw-key check")
	env := apptest.New(t)
	ctx := context.Background()
	db := env.App.DB
	plan := seed.DemoPlanCode
	base := "/plans/" + plan

	// A sensitive, disaggregated indicator whose small counts the donor
	// sees withheld, and an organisation that reports.
	var ind, org string
	if err := db.Raw(`SELECT i.code FROM indicators i JOIN plans pl ON pl.id = i.plan_id
WHERE pl.code = ? AND i.sensitive = ? AND i.disaggregation_set_id IS NOT NULL AND i.archived_at IS NULL ORDER BY i.code LIMIT 1`, plan, true).Row().Scan(&ind); err != nil {
		t.Fatalf("no sensitive disaggregated indicator in the demo plan: %v", err)
	}
	if err := db.Raw(`SELECT o.acronym FROM organisations o JOIN indicators i ON i.reporting_org_id = o.id JOIN plans pl ON pl.id = i.plan_id
WHERE pl.code = ? ORDER BY o.acronym LIMIT 1`, plan).Row().Scan(&org); err != nil {
		t.Fatal(err)
	}
	secU, donorU := env.User(t, domain.RoleSecretariat, ""), env.User(t, domain.RoleDonor, "APJP")

	// A review snapshot, so that its presentation and workbook are rendered too.
	periods, err := reporting.PlanPeriods(ctx, db, mustPlan(t, env).ID)
	if err != nil {
		t.Fatal(err)
	}
	now := env.Clock.Now().UTC()
	first, last := periods[0].Label, periods[0].Label
	for _, p := range periods {
		if !now.Before(p.StartDate) {
			last = p.Label
		}
	}
	sec := env.SignedIn(t, secU)
	if r := sec.Post(base+"/snapshots", url.Values{"name": {"Raw key review"}, "from": {first}, "to": {last}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("snapshot: %d %.300s", r.StatusCode, r.Body)
	}
	var snap int64
	if err := db.Table("review_snapshots").Select("id").Order("id DESC").Limit(1).Row().Scan(&snap); err != nil {
		t.Fatal(err)
	}

	type page struct {
		path   string
		status int
	}
	common := []page{
		{"/", 200}, {base, 200}, {base + "/dashboard", 200}, {base + "/indicators/" + ind, 200},
		{base + "/organisations/" + org, 200}, {base + "/present", 200}, {base + "/present?from=" + first + "&to=" + last, 200},
		{base + "/snapshots", 200}, {fmt.Sprintf("%s/snapshots/%d/present", base, snap), 200},
		{"/account", 200}, {"/account/tokens", 200}, {base + "/indicators/NO-SUCH", 404},
		{base + "/organisations/APJP", 200}, {base + "/activities/1.3.1", 200}, {base + "/activities/NO-SUCH", 404},
	}
	readers := []struct {
		name  string
		user  *domain.User
		pages []page
	}{
		{"secretariat", secU, append(append([]page{}, common...),
			page{base + "/reporting", 200}, page{base + "/queue", 200}, page{base + "/completeness", 200},
			page{base + "/completeness/" + org, 200}, page{base + "/edit", 200})},
		{"donor", donorU, append(append([]page{}, common...),
			page{base + "/reporting", 403}, page{base + "/queue", 403})},
	}
	found, rendered := 0, 0
	for _, rd := range readers {
		for _, lang := range i18n.Supported {
			c := env.SignedIn(t, rd.user)
			u, _ := url.Parse(env.Server.URL)
			c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: i18n.CookieName, Value: lang, Path: "/"}})
			for _, pg := range rd.pages {
				r := c.Get(pg.path)
				if r.StatusCode != pg.status {
					t.Errorf("%s, %s: GET %s: %d, want %d", rd.name, lang, pg.path, r.StatusCode, pg.status)
					continue
				}
				if !strings.Contains(r.Body, `lang="`+lang+`"`) {
					t.Errorf("%s, %s: GET %s is not in %s", rd.name, lang, pg.path, lang)
				}
				rendered++
				for _, k := range rawKeys(r.Body) {
					found++
					t.Errorf("%s, %s: page %s shows the raw key %s", rd.name, lang, pg.path, k)
				}
			}
		}
	}
	t.Logf("pages rendered: %d", rendered)

	// The workbook in every language, for both audiences, live and from the snapshot.
	books := []struct {
		name  string
		user  *domain.User
		query string
	}{
		{"donor", donorU, "from=" + first + "&to=" + last},
		{"secretariat (internal)", secU, "from=" + first + "&to=" + last + "&audience=internal&include_unapproved=1"},
		{"donor, snapshot", donorU, fmt.Sprintf("snapshot=%d", snap)},
	}
	// Each variant of the workbook is read in one language, a different one
	// for each: every catalogue holds every English key (i18n.TestEveryEnglishKeyIsTranslated),
	// so a raw key in a workbook is one missing from all of them, and shows
	// in whatever language the workbook is written. The pages above are
	// still read in every language.
	cells := 0
	for i, bk := range books {
		api := env.APIClient(t, bk.user)
		for _, lang := range []string{i18n.Supported[i%len(i18n.Supported)]} {
			path := "/api/v1/plans/" + plan + "/reports/workshop.xlsx?lang=" + lang + "&" + bk.query
			r := api.Get(path)
			mustStatus(t, r, http.StatusOK)
			n, keys := workbookRawKeys(t, []byte(r.Body))
			cells += n
			for _, k := range keys {
				found++
				t.Errorf("workbook for the %s in %s: %s", bk.name, lang, k)
			}
		}
	}
	t.Logf("workbook cells read: %d; raw keys found on all outputs: %d", cells, found)
	if rendered == 0 || cells == 0 {
		t.Error("nothing was read")
	}
}

// workbookRawKeys reads every cell of every sheet, each sheet's header and
// footer, and every other XML part of the file (charts, the workbook's
// names, document properties), and returns how many cells it read and each
// raw key found, named by sheet and cell or by part.
func workbookRawKeys(t *testing.T, raw []byte) (int, []string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	n := 0
	for _, sheet := range f.GetSheetList() {
		for _, k := range rawKeys(sheet) {
			out = append(out, "sheet name "+k)
		}
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatalf("sheet %s: %v", sheet, err)
		}
		for i, row := range rows {
			for j, v := range row {
				n++
				for _, k := range rawKeys(v) {
					cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
					out = append(out, fmt.Sprintf("sheet %s cell %s: %s", sheet, cell, k))
				}
			}
		}
		hf, err := f.GetHeaderFooter(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if hf != nil {
			for _, k := range rawKeys(hf.OddHeader + " " + hf.OddFooter + " " + hf.EvenHeader + " " + hf.EvenFooter + " " + hf.FirstHeader + " " + hf.FirstFooter) {
				out = append(out, fmt.Sprintf("sheet %s header/footer: %s", sheet, k))
			}
		}
	}
	// Every other part: chart titles and series names, defined names, comments.
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/worksheets/sheet") || zf.Name == "xl/sharedStrings.xml" || !strings.HasSuffix(zf.Name, ".xml") {
			continue // the cells were read above
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		// A chart's title is text in the part; its series names refer to
		// header cells of the Summary sheet, read above.
		if strings.HasPrefix(zf.Name, "xl/charts/chart") && !bytes.Contains(b, []byte("<title>")) && !bytes.Contains(b, []byte("<c:title>")) {
			out = append(out, "part "+zf.Name+": a chart without a title")
		}
		for _, k := range rawKeys(string(b)) {
			out = append(out, "part "+zf.Name+": "+k)
		}
	}
	return n, out
}
