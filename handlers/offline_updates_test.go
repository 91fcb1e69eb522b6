package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/reporting"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
)

// molswUpdates is the MOLSW update grid of the current period and its
// first editable row, with the row's line in the template.
func molswUpdates(t *testing.T, env *apptest.Env) (*reporting.UpdateGrid, reporting.UpdateRow, int) {
	t.Helper()
	g, err := reporting.LoadUpdateGrid(context.Background(), env.App.DB, domain.Scope{Role: domain.RoleSecretariat}, seed.DemoPlanCode, "MOLSW",
		currentPeriod(), "", time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range g.Rows {
		if r.Editable() {
			return g, r, 3 + i
		}
	}
	t.Fatal("no editable update in the MOLSW grid")
	return nil, reporting.UpdateRow{}, 0
}

// fillSheet types values into a sheet of a workbook.
func fillSheet(t *testing.T, data []byte, sheet string, cells map[string]any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for ref, v := range cells {
		if err := f.SetCellValue(sheet, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func storedUpdate(t *testing.T, env *apptest.Env, r reporting.UpdateRow) *domain.ActivityUpdate {
	t.Helper()
	var u domain.ActivityUpdate
	if err := env.App.DB.Where("activity_id = ? AND period_id = ?", r.Activity.ID, r.Period.ID).Take(&u).Error; err != nil {
		return nil
	}
	return &u
}

// TestOfflineUpdatesThroughThePages: a focal point downloads the template
// of activity updates from the update grid's link, uploads it filled, sees
// the preview, confirms without JavaScript, and the update is saved and
// submitted; the grid and My reporting link to both. Another ministry
// gets no template.
func TestOfflineUpdatesThroughThePages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	_, r, line := molswUpdates(t, env)
	fp := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	gridPath := "/plans/" + seed.DemoPlanCode + "/organisations/MOLSW/updates?from=" + r.Period.Label
	grid := fp.Get(gridPath)
	mustStatus(t, grid, http.StatusOK)
	link := "/plans/" + seed.DemoPlanCode + "/organisations/MOLSW/updates/template.xlsx?from=" + r.Period.Label + "&amp;to=" + r.Period.Label
	if !strings.Contains(grid.Body, link) || !strings.Contains(grid.Body, `href="/plans/`+seed.DemoPlanCode+`/import/updates"`) {
		t.Fatal("the update grid does not link to the template and its upload")
	}
	mine := fp.Get("/plans/" + seed.DemoPlanCode + "/reporting")
	if !strings.Contains(mine.Body, "/organisations/MOLSW/updates/template.xlsx?from=") || !strings.Contains(mine.Body, "Download the offline template of activity updates") {
		t.Error("My reporting does not link to the template of activity updates")
	}
	tmpl := fp.Get(html.UnescapeString(link))
	mustStatus(t, tmpl, http.StatusOK)
	if cd := tmpl.Header.Get("Content-Disposition"); !strings.Contains(cd, "updates") {
		t.Errorf("content disposition %q", cd)
	}
	mustStatus(t, env.SignedIn(t, env.User(t, domain.RoleFocalPoint, "MOPS")).Get(html.UnescapeString(link)), http.StatusForbidden)

	filled := fillSheet(t, []byte(tmpl.Body), "Updates", map[string]any{fmt.Sprintf("E%d", line): "Delayed", fmt.Sprintf("F%d", line): 35,
		fmt.Sprintf("I%d", line): "Waiting for the budget"})
	upload := "/plans/" + seed.DemoPlanCode + "/import/updates"
	form := fp.Get(upload)
	mustStatus(t, form, http.StatusOK)
	body, ct := multipartFile(t, fp.CSRF, filled)
	preview := fp.Do(http.MethodPost, upload, body, ct)
	mustStatus(t, preview, http.StatusOK)
	if !strings.Contains(preview.Body, "Will save") || !strings.Contains(preview.Body, "Delayed · 35 %") {
		t.Fatalf("the preview does not show the row to save:\n%s", preview.Body)
	}
	if u := storedUpdate(t, env, r); u != nil && u.PercentComplete == 35 {
		t.Fatal("the preview saved the update")
	}
	confirm := url.Values{"action": {"submit"}}
	for _, name := range []string{"upload", "expect"} {
		for _, m := range regexp.MustCompile(`name="`+name+`" value="([^"]*)"`).FindAllStringSubmatch(preview.Body, -1) {
			confirm.Add(name, html.UnescapeString(m[1]))
		}
	}
	if got := confirm["expect"]; len(got) != 1 || got[0] != r.Key() {
		t.Fatalf("the confirmation expects %v, want [%s]", got, r.Key())
	}
	done := fp.Post(upload+"/confirm", confirm)
	mustStatus(t, done, http.StatusSeeOther)
	if loc := done.Header.Get("Location"); !strings.Contains(loc, "/organisations/MOLSW/updates?") || !strings.Contains(loc, "flash.offline_updates_submitted") {
		t.Errorf("redirect to %q", loc)
	}
	u := storedUpdate(t, env, r)
	if u == nil || u.Progress != domain.ProgressDelayed || u.PercentComplete != 35 || u.Challenges != "Waiting for the budget" || u.Status != domain.StatusSubmitted {
		t.Errorf("stored %+v", u)
	}
	var audits int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = ?", "updates.import").Count(&audits)
	if audits != 1 {
		t.Errorf("%d updates.import audit entries, want 1", audits)
	}
}

// TestOfflineUpdatesAPI: the template and its import through the API,
// and each refusal with its status.
func TestOfflineUpdatesAPI(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	g, r, line := molswUpdates(t, env)
	api := env.APIClient(t, env.User(t, domain.RoleFocalPoint, "MOLSW"))
	period := g.Periods[0].Label
	tmpl := api.Get(fmt.Sprintf("/api/v1/plans/%s/organisations/MOLSW/updates/template.xlsx?from=%s&lang=fr", seed.DemoPlanCode, period))
	mustStatus(t, tmpl, http.StatusOK)
	filled := fillSheet(t, []byte(tmpl.Body), "Mises à jour", map[string]any{fmt.Sprintf("E%d", line): "En bonne voie", fmt.Sprintf("F%d", line): 60,
		fmt.Sprintf("G%d", line): "1 250,5"})
	imp := "/api/v1/plans/" + seed.DemoPlanCode + "/updates/import"
	xlsx := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	var out struct {
		Applied bool     `json:"applied"`
		Saved   []string `json:"saved"`
		From    string   `json:"from"`
		Rows    []struct {
			Activity, Period, Status string
		} `json:"rows"`
	}
	pv := api.Do(http.MethodPost, imp, bytes.NewReader(filled), xlsx)
	mustStatus(t, pv, http.StatusOK)
	if err := json.Unmarshal([]byte(pv.Body), &out); err != nil || out.Applied || out.From != period || len(out.Rows) != len(g.Rows) {
		t.Fatalf("preview %s", pv.Body)
	}
	applied := api.Do(http.MethodPost, imp+"?apply=true&expect="+url.QueryEscape(r.Key()), bytes.NewReader(filled), xlsx)
	mustStatus(t, applied, http.StatusOK)
	if err := json.Unmarshal([]byte(applied.Body), &out); err != nil || !out.Applied || len(out.Saved) != 1 || out.Saved[0] != r.Key() {
		t.Fatalf("apply %s", applied.Body)
	}
	if u := storedUpdate(t, env, r); u == nil || u.Progress != domain.ProgressOnTrack || u.PercentComplete != 60 || u.Expenditure != 1250.5 {
		t.Errorf("stored %+v", u)
	}
	// Refusals, each with its own status and nothing written.
	mops := env.APIClient(t, env.User(t, domain.RoleFocalPoint, "MOPS"))
	if res := mops.Do(http.MethodPost, imp, bytes.NewReader(filled), xlsx); res.StatusCode != http.StatusForbidden {
		t.Errorf("another ministry: %d %s", res.StatusCode, res.Body)
	}
	values := api.Get(fmt.Sprintf("/api/v1/plans/%s/organisations/MOLSW/values/%s/template.xlsx", seed.DemoPlanCode, period))
	if res := api.Do(http.MethodPost, imp, strings.NewReader(values.Body), xlsx); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "offline template of indicator values") {
		t.Errorf("a values template: %d %s", res.StatusCode, res.Body)
	}
	if res := api.Do(http.MethodPost, "/api/v1/plans/"+seed.DemoPlanCode+"/values/import", bytes.NewReader(filled), xlsx); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "offline template of activity updates") {
		t.Errorf("an updates template as values: %d %s", res.StatusCode, res.Body)
	}
	if err := env.App.DB.Model(&domain.ReportingPeriod{}).Where("id = ?", g.Periods[0].ID).Update("lock_override", domain.LockLocked).Error; err != nil {
		t.Fatal(err)
	}
	if res := api.Do(http.MethodPost, imp+"?apply=true", bytes.NewReader(filled), xlsx); res.StatusCode != http.StatusLocked {
		t.Errorf("closed period: %d %s", res.StatusCode, res.Body)
	}
}
