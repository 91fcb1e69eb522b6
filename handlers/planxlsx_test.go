package handlers_test

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/planedit"
	"naptracker/planning"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
)

// setCell changes one cell of a workbook.
func setCell(t *testing.T, data []byte, sheet, ref string, v any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.SetCellValue(sheet, ref, v); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPlanImportPage: the secretariat downloads the plan from its editing
// page, changes a pillar's title, sees the update (old → new) and that an
// import never deletes, confirms without JavaScript, and the title is saved.
func TestPlanImportPage(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := env.SignedIn(t, env.User(t, domain.RoleSecretariat, ""))
	edit := sec.Get("/plans/" + seed.DemoPlanCode + "/edit")
	mustStatus(t, edit, http.StatusOK)
	link := "/plans/" + seed.DemoPlanCode + "/plan.xlsx"
	if !strings.Contains(edit.Body, link) || !strings.Contains(edit.Body, `href="/plans/import"`) {
		t.Fatal("the editing page does not link to the export and the import")
	}
	wb := sec.Get(link)
	mustStatus(t, wb, http.StatusOK)
	edited := setCell(t, []byte(wb.Body), "pillars", "C2", "Policy & coordination (revised)")
	form := sec.Get("/plans/import")
	mustStatus(t, form, http.StatusOK)
	if !strings.Contains(form.Body, "never deletes") {
		t.Error("the page does not say that an import never deletes")
	}
	body, ct := multipartFile(t, sec.CSRF, edited)
	preview := sec.Do(http.MethodPost, "/plans/import", body, ct)
	mustStatus(t, preview, http.StatusOK)
	if !strings.Contains(preview.Body, "Update") || !strings.Contains(preview.Body, html.EscapeString("title: Policy & coordination → Policy & coordination (revised)")) &&
		!strings.Contains(preview.Body, "(revised)") {
		t.Fatalf("the preview does not show the update:\n%s", preview.Body)
	}
	p, _ := planning.FindPlan(t.Context(), env.App.DB, seed.DemoPlanCode)
	title := func() string {
		x, err := planedit.FindCoded[domain.Pillar](t.Context(), env.App.DB, p.ID, "1")
		if err != nil {
			t.Fatal(err)
		}
		return x.Title
	}
	if strings.HasSuffix(title(), "(revised)") {
		t.Fatal("the dry run saved")
	}
	confirm := url.Values{}
	for _, name := range []string{"upload", "digest"} {
		for _, m := range regexp.MustCompile(`name="`+name+`" value="([^"]*)"`).FindAllStringSubmatch(preview.Body, -1) {
			confirm.Add(name, html.UnescapeString(m[1]))
		}
	}
	done := sec.Post("/plans/import/confirm", confirm)
	mustStatus(t, done, http.StatusSeeOther)
	if loc := done.Header.Get("Location"); !strings.Contains(loc, "flash.plan_imported") {
		t.Errorf("redirect to %q", loc)
	}
	if got := title(); got != "Policy & coordination (revised)" {
		t.Errorf("title %q", got)
	}
	// The same confirmation again: the upload was forgotten once imported.
	again := sec.Post("/plans/import/confirm", confirm)
	mustStatus(t, again, http.StatusUnprocessableEntity)
	if !strings.Contains(again.Body, "no longer kept") {
		t.Errorf("a second confirmation:\n%s", again.Body)
	}
	// A bad cell: 422, the cell and the message, in the user's language.
	bad := setCell(t, []byte(wb.Body), "activities", "K2", "lots")
	body, ct = multipartFile(t, sec.CSRF, bad)
	r := sec.Do(http.MethodPost, "/plans/import", body, ct)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "K2: “lots” is not a number.") {
		t.Errorf("no message on K2:\n%s", r.Body)
	}
}

// TestPlanImportAPI: the dry run and the import through the API, and a
// file with an error (422, nothing written).
func TestPlanImportAPI(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	api := env.APIClient(t, env.User(t, domain.RoleAdmin, ""))
	wb := api.Get("/api/v1/plans/" + seed.DemoPlanCode + "/plan.xlsx")
	mustStatus(t, wb, http.StatusOK)
	edited := setCell(t, []byte(wb.Body), "organisations", "C2", "agency")
	xl := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	var out struct {
		Applied bool           `json:"applied"`
		Digest  string         `json:"digest"`
		Counts  map[string]int `json:"counts"`
		Rows    []struct {
			Status  string `json:"status"`
			Changes []struct{ Column, Old, New string }
			Errors  []struct{ Cell, Message string }
		} `json:"rows"`
	}
	r := api.Do(http.MethodPost, "/api/v1/plans/import?dry_run=true", bytes.NewReader(edited), xl)
	mustStatus(t, r, http.StatusOK)
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Applied || out.Counts["update"] != 1 || out.Counts["error"] != 0 {
		t.Fatalf("dry run: %s", r.Body)
	}
	r = api.Do(http.MethodPost, "/api/v1/plans/import?expect="+out.Digest, bytes.NewReader(edited), xl)
	mustStatus(t, r, http.StatusOK)
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil || !out.Applied {
		t.Fatalf("import: %s", r.Body)
	}
	bad := setCell(t, edited, "indicators", "A2", "")
	r = api.Do(http.MethodPost, "/api/v1/plans/import", bytes.NewReader(bad), xl)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil || out.Applied || out.Counts["error"] != 1 {
		t.Fatalf("bad file: %s", r.Body)
	}
	mustStatus(t, env.APIClient(t, env.User(t, domain.RoleDonor, "APJP")).Get("/api/v1/plans/"+seed.DemoPlanCode+"/plan.xlsx"), http.StatusForbidden)
	mustStatus(t, api.Do(http.MethodPost, "/api/v1/plans/import", strings.NewReader("nope"), xl), http.StatusUnprocessableEntity)
}
