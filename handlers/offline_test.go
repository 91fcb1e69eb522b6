package handlers_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"math/rand"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/offline"
	"naptracker/seed"

	"github.com/xuri/excelize/v2"
)

// multipartFile is a multipart body with one "file" field (and the CSRF token).
func multipartFile(t *testing.T, csrf string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf != "" {
		_ = w.WriteField("csrf_token", csrf)
	}
	fw, err := w.CreateFormFile("file", "filled.xlsx")
	if err == nil {
		_, err = fw.Write(data)
	}
	if err != nil || w.Close() != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

// templateRow is the row of an indicator in the template of the fixture's grid.
func (f *gridFixture) templateRow(code string) int {
	r := 3
	for _, gr := range f.grid.Rows {
		if gr.Indicator.Code == code {
			return r
		}
		r++
		if gr.Set != nil {
			r += len(gr.Set.Cells())
		}
	}
	return 0
}

// TestOfflineTemplateUploadThroughThePages: a focal point downloads the
// template from the grid's link, uploads it filled, sees the preview, and
// confirms without JavaScript; the value is saved and the grid says so.
// Another ministry and a donor get no template.
func TestOfflineTemplateUploadThroughThePages(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	fp := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	grid := fp.Get(f.path)
	mustStatus(t, grid, http.StatusOK)
	link := f.path + "/template.xlsx"
	if !strings.Contains(grid.Body, link) || !strings.Contains(grid.Body, "/plans/"+seed.DemoPlanCode+"/import/values") {
		t.Fatal("the grid does not link to the template and the upload page")
	}
	tmpl := fp.Get(link)
	mustStatus(t, tmpl, http.StatusOK)
	if ct := tmpl.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.openxmlformats") {
		t.Errorf("content type %q", ct)
	}
	mustStatus(t, f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOPS")).Get(link), http.StatusForbidden)
	mustStatus(t, f.env.SignedIn(t, f.env.User(t, domain.RoleDonor, "APJP")).Get(link), http.StatusForbidden)

	code := f.plain[0].Indicator.Code
	filled := fillSheet(t, []byte(tmpl.Body), "Values", map[string]any{fmt.Sprintf("G%d", f.templateRow(code)): 4242})
	upload := "/plans/" + seed.DemoPlanCode + "/import/values"
	mustStatus(t, fp.Get(upload), http.StatusOK)
	body, ct := multipartFile(t, fp.CSRF, filled)
	preview := fp.Do(http.MethodPost, upload, body, ct)
	mustStatus(t, preview, http.StatusOK)
	if !strings.Contains(preview.Body, "Will save") || !strings.Contains(preview.Body, "4,242") {
		t.Fatalf("the preview does not show the row to save:\n%s", preview.Body)
	}
	if v := f.stored(t, code); v != nil && v.Value != nil && *v.Value == 4242 {
		t.Fatal("the preview saved the value")
	}
	form := url.Values{"action": {"save"}}
	for _, name := range []string{"upload", "expect"} {
		for _, m := range regexp.MustCompile(`name="`+name+`" value="([^"]*)"`).FindAllStringSubmatch(preview.Body, -1) {
			form.Add(name, html.UnescapeString(m[1]))
		}
	}
	done := fp.Post(upload+"/confirm", form)
	mustStatus(t, done, http.StatusSeeOther)
	if loc := done.Header.Get("Location"); !strings.HasPrefix(loc, f.path) || !strings.Contains(loc, "flash.offline_saved") {
		t.Errorf("redirect to %q", loc)
	}
	if v := f.stored(t, code); v == nil || *v.Value != 4242 || v.Status != domain.StatusDraft {
		t.Errorf("stored %+v", v)
	}
	// Confirming the same preview again: the upload was forgotten once
	// saved, so nothing is written twice.
	again := fp.Post(upload+"/confirm", form)
	mustStatus(t, again, http.StatusUnprocessableEntity)
	if !strings.Contains(again.Body, "no longer kept") {
		t.Errorf("a second confirmation:\n%s", again.Body)
	}
}

// TestOfflineImportAPI: preview and apply through the API, and each
// refusal with its status and message.
func TestOfflineImportAPI(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	u := f.env.User(t, domain.RoleFocalPoint, "MOLSW")
	api := f.env.APIClient(t, u)
	path := fmt.Sprintf("/api/v1/plans/%s/organisations/MOLSW/values/%s/template.xlsx?lang=fr", seed.DemoPlanCode, f.period)
	tmpl := api.Get(path)
	mustStatus(t, tmpl, http.StatusOK)
	code := f.plain[0].Indicator.Code
	// The French template: the sheet is "Valeurs"; a number typed as French text.
	x, err := excelize.OpenReader(strings.NewReader(tmpl.Body))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellStr("Valeurs", fmt.Sprintf("G%d", f.templateRow(code)), "62,5"); err != nil {
		t.Fatal(err)
	}
	var filled bytes.Buffer
	if _, err := x.WriteTo(&filled); err != nil {
		t.Fatal(err)
	}
	imp := "/api/v1/plans/" + seed.DemoPlanCode + "/values/import"
	xlsx := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	pv := api.Do(http.MethodPost, imp, bytes.NewReader(filled.Bytes()), xlsx)
	mustStatus(t, pv, http.StatusOK)
	if !strings.Contains(pv.Body, `"status":"save"`) || !strings.Contains(pv.Body, `"applied":false`) {
		t.Fatalf("preview %s", pv.Body)
	}
	applied := api.Do(http.MethodPost, imp+"?apply=true&expect="+url.QueryEscape(code), bytes.NewReader(filled.Bytes()), xlsx)
	mustStatus(t, applied, http.StatusOK)
	if !strings.Contains(applied.Body, `"saved":["`+code+`"]`) {
		t.Errorf("apply %s", applied.Body)
	}
	if v := f.stored(t, code); v == nil || *v.Value != 62.5 {
		t.Errorf("stored %+v", v)
	}
	// Refusals, each with its own status.
	mops := f.env.APIClient(t, f.env.User(t, domain.RoleFocalPoint, "MOPS"))
	r := mops.Do(http.MethodPost, imp, bytes.NewReader(filled.Bytes()), xlsx)
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, `"code":"forbidden"`) {
		t.Errorf("another ministry: %d %s", r.StatusCode, r.Body)
	}
	r = api.Do(http.MethodPost, imp, strings.NewReader("not a workbook"), xlsx)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "xlsx") {
		t.Errorf("not a workbook: %d %s", r.StatusCode, r.Body)
	}
	r = api.Do(http.MethodPost, "/api/v1/plans/OTHER/values/import", bytes.NewReader(filled.Bytes()), xlsx)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("another plan: %d %s", r.StatusCode, r.Body)
	}
	if err := f.env.App.DB.Model(&domain.ReportingPeriod{}).Where("id = ?", f.grid.Period.ID).Update("lock_override", domain.LockLocked).Error; err != nil {
		t.Fatal(err)
	}
	r = api.Do(http.MethodPost, imp+"?apply=true", bytes.NewReader(filled.Bytes()), xlsx)
	if r.StatusCode != http.StatusLocked || !strings.Contains(r.Body, "closed") {
		t.Errorf("closed period: %d %s", r.StatusCode, r.Body)
	}
	_ = apptest.Password
}

// padWorkbook adds a part of n random bytes (stored, not compressed) to a
// workbook, to make a valid file of a given size.
func padWorkbook(t *testing.T, data []byte, n int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/media/padding.bin", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	pad := make([]byte, n)
	rand.New(rand.NewSource(1)).Read(pad)
	if _, err := w.Write(pad); err != nil || zw.Close() != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestOfflineLargeUploadConfirms: a filled template just under the 10 MB
// limit goes through the preview and the confirmation (the confirmation
// names the kept file instead of sending it again, which would not fit in
// a request); another user cannot confirm it.
func TestOfflineLargeUploadConfirms(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	fp := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	tmpl := fp.Get(f.path + "/template.xlsx")
	mustStatus(t, tmpl, http.StatusOK)
	code := f.plain[0].Indicator.Code
	filled := fillSheet(t, []byte(tmpl.Body), "Values", map[string]any{fmt.Sprintf("G%d", f.templateRow(code)): 777})
	big := padWorkbook(t, filled, 10<<20-len(filled)-4096)
	if len(big) > 10<<20 || len(big) < 10<<20-8192 {
		t.Fatalf("padded to %d bytes", len(big))
	}
	upload := "/plans/" + seed.DemoPlanCode + "/import/values"
	body, ct := multipartFile(t, fp.CSRF, big)
	preview := fp.Do(http.MethodPost, upload, body, ct)
	mustStatus(t, preview, http.StatusOK)
	if !strings.Contains(preview.Body, "Will save") {
		t.Fatalf("preview:\n%s", preview.Body)
	}
	form := url.Values{"action": {"save"}}
	for _, name := range []string{"upload", "expect"} {
		for _, m := range regexp.MustCompile(`name="`+name+`" value="([^"]*)"`).FindAllStringSubmatch(preview.Body, -1) {
			form.Add(name, html.UnescapeString(m[1]))
		}
	}
	if len(form.Get("upload")) != 64 {
		t.Fatalf("the confirmation does not name the upload: %v", form)
	}
	other := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	stolen := url.Values{}
	for k, v := range form {
		stolen[k] = v
	}
	mustStatus(t, other.Post(upload+"/confirm", stolen), http.StatusUnprocessableEntity)
	if v := f.stored(t, code); v != nil && v.Value != nil && *v.Value == 777 {
		t.Fatal("another user's confirmation saved the value")
	}
	done := fp.Post(upload+"/confirm", form)
	mustStatus(t, done, http.StatusSeeOther)
	if v := f.stored(t, code); v == nil || v.Value == nil || *v.Value != 777 {
		t.Errorf("stored %+v", v)
	}
	// Over the limit: 413 and nothing kept.
	body, ct = multipartFile(t, fp.CSRF, padWorkbook(t, filled, 10<<20))
	mustStatus(t, fp.Do(http.MethodPost, upload, body, ct), http.StatusRequestEntityTooLarge)
	var kept int64
	f.env.App.DB.Model(&offline.PendingUpload{}).Count(&kept)
	if kept != 0 {
		t.Errorf("%d uploads still kept", kept)
	}
}

// TestOfflineValuesTemplateOfARange: the API's values template with ?to=
// covers two quarters, each row naming its period, and its import saves a
// value for the period it was typed in, keyed CODE@PERIOD.
func TestOfflineValuesTemplateOfARange(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	api := f.env.APIClient(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	start, err := time.Parse("2006", f.period[:4])
	if err != nil {
		t.Fatal(err)
	}
	q := int(f.period[len(f.period)-1] - '0')
	from := domain.PeriodLabel(domain.Quarterly, start.AddDate(0, 3*(q-2), 0))
	tmpl := api.Get(fmt.Sprintf("/api/v1/plans/%s/organisations/MOLSW/values/%s/template.xlsx?to=%s", seed.DemoPlanCode, from, f.period))
	mustStatus(t, tmpl, http.StatusOK)
	if cd := tmpl.Header.Get("Content-Disposition"); !strings.Contains(cd, from+"_"+f.period) {
		t.Errorf("content disposition %q", cd)
	}
	x, err := excelize.OpenReader(strings.NewReader(tmpl.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Values")
	code, line := f.plain[0].Indicator.Code, 0
	for i, r := range rows {
		if len(r) > 10 && r[0] == code && r[10] == f.period {
			line = i + 1
		}
	}
	x.Close()
	if line == 0 {
		t.Fatalf("no row of %s for %s", code, f.period)
	}
	filled := fillSheet(t, []byte(tmpl.Body), "Values", map[string]any{fmt.Sprintf("G%d", line): 9191})
	key := code + "@" + f.period
	res := api.Do(http.MethodPost, "/api/v1/plans/"+seed.DemoPlanCode+"/values/import?apply=true&expect="+url.QueryEscape(key), bytes.NewReader(filled),
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Body, `"saved":["`+key+`"]`) || !strings.Contains(res.Body, `"period":"`+from+".."+f.period+`"`) {
		t.Errorf("import %s", res.Body)
	}
	if v := f.stored(t, code); v == nil || *v.Value != 9191 {
		t.Errorf("stored %+v", v)
	}
	mustStatus(t, api.Get(fmt.Sprintf("/api/v1/plans/%s/organisations/MOLSW/values/%s/template.xlsx?to=%s", seed.DemoPlanCode, f.period, from)), http.StatusUnprocessableEntity)
}

// TestOfflineRangeFormOnMyReporting: My reporting offers the range templates
// as a form (no JavaScript), whose answer is the template of every period
// from the first chosen to the last, of values or of activity updates; a
// kind the form does not offer is refused, and another organisation's
// focal point gets nothing.
func TestOfflineRangeFormOnMyReporting(t *testing.T) {
	t.Parallel()
	f := newGridFixture(t)
	web := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOLSW"))
	page := web.Get("/plans/" + seed.DemoPlanCode + "/reporting")
	mustStatus(t, page, http.StatusOK)
	action := `action="/plans/` + seed.DemoPlanCode + `/organisations/MOLSW/template.xlsx"`
	if !strings.Contains(page.Body, action) {
		t.Fatal("My reporting has no form for a template over several periods")
	}
	form := page.Body[strings.Index(page.Body, action):]
	form = form[:strings.Index(form, "</form>")]
	labels := regexp.MustCompile(`<select id="range-from" name="from">(.*?)</select>`).FindStringSubmatch(form)
	if labels == nil {
		t.Fatalf("no first period to choose in %s", form)
	}
	periods := regexp.MustCompile(`value="([^"]+)"`).FindAllStringSubmatch(labels[1], -1)
	if len(periods) < 2 {
		t.Fatalf("the form offers %d periods", len(periods))
	}
	from, to := periods[0][1], periods[len(periods)-1][1]
	if !strings.Contains(form, `<option value="`+to+`" selected>`) {
		t.Errorf("the range does not end at the latest period %s by default", to)
	}
	base := "/plans/" + seed.DemoPlanCode + "/organisations/MOLSW/template.xlsx?"
	for _, c := range []struct{ kind, sheet, name string }{{"values", "Values", from + "_" + to}, {"updates", "Updates", "updates-" + from + "_" + to}} {
		r := web.Get(base + url.Values{"kind": {c.kind}, "from": {from}, "to": {to}}.Encode())
		mustStatus(t, r, http.StatusOK)
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, c.name) {
			t.Errorf("%s: the file is called %q, not after %s", c.kind, cd, c.name)
		}
		x, err := excelize.OpenReader(strings.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		rows, err := x.GetRows(c.sheet)
		x.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		seen := map[string]bool{}
		for _, row := range rows {
			for _, cell := range row {
				for _, p := range periods {
					if cell == p[1] {
						seen[cell] = true
					}
				}
			}
		}
		if !seen[from] || !seen[to] {
			t.Errorf("the %s template of %s to %s names the periods %v", c.kind, from, to, seen)
		}
	}
	mustStatus(t, web.Get(base+url.Values{"kind": {"budgets"}, "from": {from}, "to": {to}}.Encode()), http.StatusUnprocessableEntity)
	other := f.env.SignedIn(t, f.env.User(t, domain.RoleFocalPoint, "MOH"))
	if r := other.Get(base + url.Values{"kind": {"values"}, "from": {from}, "to": {to}}.Encode()); r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusNotFound {
		t.Errorf("another organisation's focal point got MOLSW's template: %d", r.StatusCode)
	}
}
