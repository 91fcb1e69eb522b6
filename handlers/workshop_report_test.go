package handlers_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
	"naptracker/store/storetest"

	"github.com/xuri/excelize/v2"
)

// TestWorkshopReportDownload: the API needs a token, refuses unapproved
// data to a donor and sends the workbook as an attachment; the plan page
// offers the form and a browser gets the same workbook.
func TestWorkshopReportDownload(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	api := "/api/v1/plans/" + seed.DemoPlanCode + "/reports/workshop.xlsx"
	if r := env.Client(t).Get(api); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", r.StatusCode)
	}
	donor := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	if r := donor.Get(api + "?include_unapproved=1"); r.StatusCode != http.StatusForbidden {
		t.Errorf("donor asking for unapproved data: %d, want 403", r.StatusCode)
	}
	if r := donor.Get(api + "?from=1999-Q1"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "from") {
		t.Errorf("unknown period: %d %s, want 422 naming the field", r.StatusCode, r.Body)
	}
	r := donor.Get(api + "?pillar=2")
	checkWorkbook(t, r)
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}

	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	page := sec.Get("/plans/" + seed.DemoPlanCode)
	if !strings.Contains(page.Body, `action="/plans/`+seed.DemoPlanCode+`/report.xlsx"`) || !strings.Contains(page.Body, `name="include_unapproved"`) {
		t.Error("the plan page has no report form with the unapproved option for the secretariat")
	}
	f := checkWorkbook(t, sec.Get("/plans/"+seed.DemoPlanCode+"/report.xlsx?include_unapproved=1&lang=en"))
	if v, _ := f.GetCellValue("Cover", "B9"); !strings.Contains(v, "not yet approved") {
		t.Errorf("cover data status %q", v)
	}
	fac := env.SignedIn(t, env.User(t, domain.RoleFacilitator, ""))
	if p := fac.Get("/plans/" + seed.DemoPlanCode); strings.Contains(p.Body, `name="include_unapproved"`) {
		t.Error("a facilitator is offered unapproved data")
	}
}

func checkWorkbook(t *testing.T, r *apptest.Response) *excelize.File {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %.300s", r.StatusCode, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	f, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the download is not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	if n := len(f.GetSheetList()); n != 8 {
		t.Errorf("%d sheets", n)
	}
	return f
}

// TestWorkshopReportAudienceAndPDF: only the secretariat gets the internal
// workbook, which says so on its Cover and on every printed page; the
// report comes as PDF when LibreOffice is installed, with a clear message
// where it is not; an unknown format is refused naming the field.
func TestWorkshopReportAudienceAndPDF(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	api := "/api/v1/plans/" + seed.DemoPlanCode + "/reports/workshop.xlsx"
	donor := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	if r := donor.Get(api + "?audience=internal"); r.StatusCode != http.StatusForbidden {
		t.Errorf("a donor asking for the internal workbook: %d, want 403", r.StatusCode)
	}
	if r := donor.Get(api + "?audience=everyone"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"audience"`) {
		t.Errorf("unknown audience: %d %s", r.StatusCode, r.Body)
	}
	if r := donor.Get(api + "?format=docx"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"format"`) {
		t.Errorf("unknown format: %d %s", r.StatusCode, r.Body)
	}
	sec := env.APIClient(t, env.User(t, domain.RoleSecretariat, ""))
	internal := checkWorkbook(t, sec.Get(api+"?audience=internal&lang=en"))
	banner := "Internal — contains unsuppressed small counts, do not share"
	if v, _ := internal.GetCellValue("Cover", "A2"); v != banner {
		t.Errorf("the internal Cover says %q, want %q", v, banner)
	}
	for _, s := range internal.GetSheetList() {
		if hf, err := internal.GetHeaderFooter(s); err != nil || !strings.Contains(hf.OddHeader, banner) {
			t.Errorf("%s: the printed header %+v does not say it is internal", s, hf)
		}
	}
	external := checkWorkbook(t, donor.Get(api+"?lang=en"))
	if v, _ := external.GetCellValue("Cover", "A2"); v != "" {
		t.Errorf("the external Cover carries %q", v)
	}
	if hf, _ := external.GetHeaderFooter("IPTT"); strings.Contains(hf.OddHeader, "Internal") {
		t.Errorf("the external header %q says internal", hf.OddHeader)
	}
	if testing.Short() {
		return
	}
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Log("LibreOffice is not installed: the PDF itself is not checked")
		return
	}
	if storetest.OnSecondDatabase() {
		t.Log("the PDF is LibreOffice's reading of the same workbook: checked on SQLite only")
		return
	}
	r := donor.Get(api + "?format=pdf&lang=fr")
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), ".pdf") {
		t.Errorf("PDF: %d %q %q %.8q", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"), r.Body)
	}
}

// TestWorkshopReportPDFWithoutLibreOffice: without LibreOffice on the
// server, asking for a PDF gets a message saying what is missing and what
// to do instead, and the plan page does not offer it.
func TestWorkshopReportPDFWithoutLibreOffice(t *testing.T) {
	// Not parallel: it empties PATH for the process.
	t.Setenv("PATH", t.TempDir()) // no soffice to be found
	env := apptest.New(t)
	donor := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	r := donor.Get("/api/v1/plans/" + seed.DemoPlanCode + "/reports/workshop.xlsx?format=pdf")
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "LibreOffice") {
		t.Errorf("PDF without LibreOffice: %d %s, want 422 naming LibreOffice", r.StatusCode, r.Body)
	}
	page := env.SignedIn(t, env.User(t, domain.RoleFacilitator, "")).Get("/plans/" + seed.DemoPlanCode)
	if strings.Contains(page.Body, `value="pdf"`) {
		t.Error("the report form offers a PDF the server cannot make")
	}
}

// TestManyReportDownloadsAtOnce: a workshop room downloads the workbook at
// the same moment. A workbook reads from several connections of the pool at
// once, so as many downloads as connections used to hold them all and wait
// for one more, and none finished: twenty-four downloads at once must all arrive
// whole, within a deadline far above what one takes.
func TestManyReportDownloadsAtOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	api := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	api.HTTP.Timeout = apptest.Scaled(90 * time.Second)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, env.Server.URL+"/api/v1/plans/"+seed.DemoPlanCode+"/reports/workshop.xlsx", nil)
			req.Header = api.Header.Clone()
			resp, err := api.HTTP.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				errs <- fmt.Sprintf("status %d, %d bytes read, %v", resp.StatusCode, len(body), err)
				return
			}
			if _, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err != nil {
				errs <- "not a whole workbook: " + err.Error()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
