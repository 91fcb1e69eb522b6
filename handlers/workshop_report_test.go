package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/models"
	"naptracker/seed"

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
	donor := env.APIClient(t, env.User(t, models.RoleDonor, "APJP"))
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

	sec := env.SignedIn(t, env.User(t, models.RoleSecretariat, ""))
	page := sec.Get("/plans/" + seed.DemoPlanCode)
	if !strings.Contains(page.Body, `action="/plans/`+seed.DemoPlanCode+`/report.xlsx"`) || !strings.Contains(page.Body, `name="include_unapproved"`) {
		t.Error("the plan page has no report form with the unapproved option for the secretariat")
	}
	f := checkWorkbook(t, sec.Get("/plans/"+seed.DemoPlanCode+"/report.xlsx?include_unapproved=1&lang=en"))
	if v, _ := f.GetCellValue("Cover", "B9"); !strings.Contains(v, "not yet approved") {
		t.Errorf("cover data status %q", v)
	}
	fac := env.SignedIn(t, env.User(t, models.RoleFacilitator, ""))
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
	if n := len(f.GetSheetList()); n != 7 {
		t.Errorf("%d sheets", n)
	}
	return f
}
