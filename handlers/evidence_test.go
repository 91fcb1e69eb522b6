package handlers_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// The evidence of a sensitive indicator: its reporting organisation's focal
// point uploads by page and by API and downloads as an attachment; the
// secretariat downloads it; a donor, a facilitator and another ministry's
// focal point get nothing, by page or API, before or after approval; the
// queue lists the files; once submitted they cannot be removed; everything
// is audited.
func TestEvidenceOfASensitiveIndicator(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := newEvidenceFixture(t, env, true)
	fpPage := env.SignedIn(t, f.fp)
	fpAPI := env.APIClient(t, f.fp)

	r := postFiles(t, fpPage, f.valuePath+"/evidence", upload{name: "Shelter register Q4.pdf", content: pdfBytes, contentType: "text/html"})
	mustStatus(t, r, http.StatusSeeOther)
	r = postFiles(t, fpAPI, f.apiPath+"/evidence", upload{name: "photo.png", content: pngBytes})
	mustStatus(t, r, http.StatusOK)
	added := decode[struct {
		Evidence []struct {
			ID          int64
			Filename    string
			ContentType string `json:"content_type"`
			SHA256      string
		}
	}](t, r)
	if len(added.Evidence) != 1 || added.Evidence[0].ContentType != "image/png" || len(added.Evidence[0].SHA256) != 64 {
		t.Fatalf("API upload answered %s", r.Body)
	}
	list := decode[struct {
		Evidence []struct {
			ID          int64
			Filename    string
			ContentType string `json:"content_type"`
		}
	}](t, fpAPI.Get(f.apiPath+"/evidence"))
	if len(list.Evidence) != 2 || list.Evidence[0].Filename != "Shelter register Q4.pdf" || list.Evidence[0].ContentType != "application/pdf" {
		t.Fatalf("evidence list %+v: the PDF's type must come from its content, not the claimed text/html", list.Evidence)
	}
	pdf := fmt.Sprintf("/evidence/%d", list.Evidence[0].ID)

	// The value page lists the files with their download links.
	page := fpPage.Get(f.valuePath)
	mustStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, "Shelter register Q4.pdf") || !strings.Contains(page.Body, f.valuePath+pdf) {
		t.Error("the value page does not list the file with its download link")
	}

	// Those who may download get the bytes, always as an attachment.
	sec := env.User(t, domain.RoleSecretariat, "")
	for name, c := range map[string]*apptest.Client{"focal point page": fpPage, "focal point API": fpAPI,
		"secretariat page": env.SignedIn(t, sec), "secretariat API": env.APIClient(t, sec)} {
		path := f.valuePath + pdf
		if c.Header.Get("Authorization") != "" {
			path = f.apiPath + pdf
		}
		r := c.Get(path)
		if r.StatusCode != http.StatusOK || r.Body != string(pdfBytes) {
			t.Errorf("%s: download %d, %d bytes", name, r.StatusCode, len(r.Body))
			continue
		}
		mustBeAttachment(t, r)
		if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
	}

	// Those who may not get 403 or 404, by page and by API, list and file.
	outsiders := func(when string) {
		t.Helper()
		donor := env.User(t, domain.RoleDonor, "APJP")
		fac := env.User(t, domain.RoleFacilitator, "")
		for _, u := range []*domain.User{donor, fac, f.otherOrgFP} {
			for _, c := range []*apptest.Client{env.SignedIn(t, u), env.APIClient(t, u)} {
				paths := []string{f.valuePath + pdf}
				if c.Header.Get("Authorization") != "" {
					paths = []string{f.apiPath + pdf, f.apiPath + "/evidence"}
				}
				for _, p := range paths {
					r := c.Get(p)
					if r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusNotFound {
						t.Errorf("%s, %s %s: %s got %d", when, u.Role, u.Email, p, r.StatusCode)
					}
					if strings.Contains(r.Body, "%PDF") {
						t.Errorf("%s: %s received the file", when, u.Role)
					}
				}
			}
		}
	}
	outsiders("draft")

	// Submitted: the uploader can no longer remove the file.
	r = apiAct(t, fpAPI, f.apiPath, "submit", f.version, http.StatusOK)
	submitted := decode[struct{ Version int }](t, r).Version
	mustStatus(t, fpPage.Post(f.valuePath+pdf+"/delete", nil), http.StatusLocked)
	if n := countRows(t, env, "evidence_blobs"); n != 2 {
		t.Errorf("%d blobs after a refused removal, want 2", n)
	}

	// The validation queue shows the files.
	q := env.SignedIn(t, sec).Get("/plans/" + seed.DemoPlanCode + "/queue")
	mustStatus(t, q, http.StatusOK)
	if !strings.Contains(q.Body, f.valuePath+pdf) {
		t.Error("the queue does not link the evidence of the submitted value")
	}

	// Approved: a sensitive indicator's evidence still stays internal.
	apiAct(t, env.APIClient(t, sec), f.apiPath, "approve", submitted, http.StatusOK)
	outsiders("approved")

	if n := auditCount(env, "evidence.upload"); n != 2 {
		t.Errorf("%d uploads audited, want 2", n)
	}
	if n := auditCount(env, "evidence.download"); n != 4 {
		t.Errorf("%d downloads audited, want 4", n)
	}
	var denied int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND new_value LIKE ?", "access.denied", "%evidence%").Count(&denied)
	if denied == 0 {
		t.Error("refused evidence downloads are not in the security log")
	}
}

// A non-sensitive indicator's evidence follows the figure: a donor gets it
// once the value is approved, not before.
func TestEvidenceOfAnOrdinaryIndicatorFollowsTheFigure(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := newEvidenceFixture(t, env, false)
	fp := env.APIClient(t, f.fp)
	r := postFiles(t, fp, f.apiPath+"/evidence", upload{name: "minutes.txt", content: []byte("Minutes of the provincial meeting, 12 participants.\n")})
	mustStatus(t, r, http.StatusOK)
	id := decode[struct{ Evidence []struct{ ID int64 } }](t, r).Evidence[0].ID
	donor := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	file := fmt.Sprintf("%s/evidence/%d", f.apiPath, id)
	mustStatus(t, donor.Get(file), http.StatusNotFound)

	sec := env.APIClient(t, env.User(t, domain.RoleSecretariat, ""))
	r = apiAct(t, fp, f.apiPath, "submit", f.version, http.StatusOK)
	r = apiAct(t, sec, f.apiPath, "approve", decode[struct{ Version int }](t, r).Version, http.StatusOK)
	r = donor.Get(file)
	mustStatus(t, r, http.StatusOK)
	mustBeAttachment(t, r)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	// The indicator page links it.
	ind := env.SignedIn(t, env.User(t, domain.RoleDonor, "APJP")).Get(fmt.Sprintf("/plans/%s/indicators/%s", seed.DemoPlanCode, f.code))
	mustStatus(t, ind, http.StatusOK)
	if !strings.Contains(ind.Body, fmt.Sprintf("/evidence/%d", id)) {
		t.Error("the indicator page does not link the approved value's file")
	}
}

// The type is decided by the content against the allow-list: HTML or an
// executable named .pdf, a zip that is no office document, SVG named .png
// are refused with 422 and a message on the files field; nothing is stored.
// The office documents and text are accepted.
func TestEvidenceTypeIsSniffedFromTheContent(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := newEvidenceFixture(t, env, true)
	fp := env.APIClient(t, f.fp)
	refused := []upload{
		{name: "report.pdf", content: htmlBytes, contentType: "application/pdf"},
		{name: "report.pdf", content: elfBytes, contentType: "application/pdf"},
		{name: "report.pdf", content: peBytes, contentType: "application/pdf"},
		{name: "report.docx", content: zipOf(t, "a.txt", "b/c.xml")},
		{name: "report.docx", content: zipOf(t, "word/document.xml")}, // no [Content_Types].xml
		{name: "report.odt", content: zipOf(t, "content.xml", "mimetype")},
		{name: "chart.png", content: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{name: "notes.txt", content: []byte("hello\x00world")},
		{name: "empty.txt", content: nil},
	}
	for _, u := range refused {
		r := postFiles(t, fp, f.apiPath+"/evidence", u)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s (%.12q): %d, want 422", u.name, u.content, r.StatusCode)
			continue
		}
		if e := decode[apiError](t, r); e.Error.Fields["files"] == "" {
			t.Errorf("%s: 422 without a message on files: %s", u.name, r.Body)
		}
	}
	// By page, the form comes back with 422 and the message beside the field.
	page := postFiles(t, env.SignedIn(t, f.fp), f.valuePath+"/evidence", refused[0])
	mustStatus(t, page, http.StatusUnprocessableEntity)
	if !strings.Contains(page.Body, `id="files-error"`) || !strings.Contains(page.Body, "report.pdf is not an accepted file") {
		t.Error("the value page does not say which file was refused")
	}
	// A refused file in a batch stops the good ones too.
	mustStatus(t, postFiles(t, fp, f.apiPath+"/evidence", upload{name: "ok.pdf", content: pdfBytes}, refused[0]), http.StatusUnprocessableEntity)
	var files int64
	env.App.DB.Table("evidence").Where("kind = ?", domain.EvidenceFile).Count(&files)
	if n := files; n != 0 {
		t.Fatalf("%d files stored after refusals", n)
	}

	accepted := map[string]upload{
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {name: "letter.docx", content: zipOf(t, "[Content_Types].xml", "word/document.xml")},
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       {name: "table.xlsx", content: zipOf(t, "[Content_Types].xml", "xl/workbook.xml")},
		"application/vnd.oasis.opendocument.text":                                 {name: "note.odt", content: zipOf(t, "mimetype", "content.xml")},
		"text/csv":   {name: "cases.csv", content: []byte("province,count\nVientiane,3\n")},
		"text/plain": {name: "ລາຍງານ.txt", content: []byte("ລາຍງານປະຈຳໄຕມາດ\n")},
		"image/jpeg": {name: "scan.jpg", content: []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")},
	}
	for want, u := range accepted {
		r := postFiles(t, fp, f.apiPath+"/evidence", u)
		mustStatus(t, r, http.StatusOK)
		got := decode[struct {
			Evidence []struct {
				ID          int64
				ContentType string `json:"content_type"`
			}
		}](t, r).Evidence[0]
		if got.ContentType != want {
			t.Errorf("%s stored as %s, want %s", u.name, got.ContentType, want)
		}
		if u.name == "ລາຍງານ.txt" {
			d := fp.Get(fmt.Sprintf("%s/evidence/%d", f.apiPath, got.ID))
			mustBeAttachment(t, d)
			if cd := d.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''%E0%BA%A5") {
				t.Errorf("a Lao file name is not offered in the RFC 5987 form: %q", cd)
			}
		}
	}
}

// An upload over the configured size, or a body over the request limit,
// gets 413 and leaves no row and no blob behind.
func TestEvidenceOverTheLimitLeavesNothing(t *testing.T) {
	t.Parallel()
	cfg := apptest.DemoConfig(t)
	cfg.EvidenceMaxSize = 1024
	env := apptest.Start(t, cfg)
	f := newEvidenceFixture(t, env, true)
	fp := env.SignedIn(t, f.fp)
	before, blobs, audits := countRows(t, env, "evidence"), countRows(t, env, "evidence_blobs"), auditCount(env, "evidence.upload")

	big := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("x"), 1025)...)
	r := postFiles(t, fp, f.valuePath+"/evidence", upload{name: "small.pdf", content: pdfBytes}, upload{name: "big.pdf", content: big})
	mustStatus(t, r, http.StatusRequestEntityTooLarge)
	// The whole body is bounded too: ten files of the limit plus 1 MB.
	huge := bytes.Repeat([]byte("y"), int(cfg.EvidenceBodyLimit())+10)
	r = postFiles(t, env.APIClient(t, f.fp), f.apiPath+"/evidence", upload{name: "huge.txt", content: huge})
	mustStatus(t, r, http.StatusRequestEntityTooLarge)
	// Also when the body is sent without a length (chunked) and only grows over the limit.
	body, ct := multipartBody(t, nil, upload{name: "huge.txt", content: huge})
	r = env.APIClient(t, f.fp).Do(http.MethodPost, f.apiPath+"/evidence", io.MultiReader(body), ct)
	mustStatus(t, r, http.StatusRequestEntityTooLarge)

	if n, b, a := countRows(t, env, "evidence"), countRows(t, env, "evidence_blobs"), auditCount(env, "evidence.upload"); n != before || b != blobs || a != audits {
		t.Errorf("after 413: evidence %d→%d, blobs %d→%d, audit %d→%d", before, n, blobs, b, audits, a)
	}
	// Just under the limit is fine.
	mustStatus(t, postFiles(t, fp, f.valuePath+"/evidence", upload{name: "small.pdf", content: pdfBytes}), http.StatusSeeOther)
}

// Only the uploader removes a file, only while the item is a draft, and
// the removal is audited; activity updates take evidence the same way.
func TestEvidenceRemovalAndActivityUpdates(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := newEvidenceFixture(t, env, false)
	fp := env.SignedIn(t, f.fp)
	mustStatus(t, postFiles(t, fp, f.valuePath+"/evidence", upload{name: "a.pdf", content: pdfBytes}), http.StatusSeeOther)
	var id int64
	env.App.DB.Table("evidence").Select("MAX(id)").Row().Scan(&id)
	file := fmt.Sprintf("%s/evidence/%d", f.valuePath, id)

	colleague := env.SignedIn(t, env.User(t, domain.RoleFocalPoint, f.org))
	mustStatus(t, colleague.Post(file+"/delete", nil), http.StatusForbidden)
	mustStatus(t, env.SignedIn(t, env.User(t, domain.RoleSecretariat, "")).Post(file+"/delete", nil), http.StatusForbidden)
	mustStatus(t, fp.Post(file+"/delete", nil), http.StatusSeeOther)
	mustStatus(t, fp.Get(file), http.StatusNotFound)
	if n := countRows(t, env, "evidence_blobs"); n != 0 {
		t.Errorf("%d blobs left after removal", n)
	}
	if n := auditCount(env, "evidence.remove"); n != 1 {
		t.Errorf("%d removals audited, want 1", n)
	}

	// An activity update of the same organisation's lead.
	var act string
	period := currentPeriod()
	err := env.App.DB.Raw(`SELECT a.code FROM activities a JOIN plans pl ON pl.id = a.plan_id JOIN organisations o ON o.id = a.lead_org_id
JOIN reporting_periods p ON p.plan_id = pl.id AND p.label = ?
LEFT JOIN activity_updates u ON u.activity_id = a.id AND u.period_id = p.id
WHERE pl.code = ? AND o.acronym = ? AND a.archived_at IS NULL AND u.id IS NULL ORDER BY a.code LIMIT 1`, period, seed.DemoPlanCode, f.org).Row().Scan(&act)
	if err != nil {
		t.Fatalf("no activity of %s without an update: %v", f.org, err)
	}
	upd := fmt.Sprintf("/plans/%s/activities/%s/updates/%s", seed.DemoPlanCode, act, period)
	api := env.APIClient(t, f.fp)
	// Nothing reported yet: save a draft first.
	r := postFiles(t, api, "/api/v1"+upd+"/evidence", upload{name: "a.pdf", content: pdfBytes})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustStatus(t, api.JSON(http.MethodPut, "/api/v1"+upd, `{"progress": "on_track", "percent_complete": 40, "achievements": "Two trainings", "version": 0}`), http.StatusOK)
	mustStatus(t, postFiles(t, fp, upd+"/evidence", upload{name: "training.pdf", content: pdfBytes}), http.StatusSeeOther)
	page := fp.Get(upd)
	mustStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, "training.pdf") {
		t.Error("the update page does not list its file")
	}
	list := decode[struct{ Evidence []struct{ ID int64 } }](t, api.Get("/api/v1"+upd+"/evidence"))
	if len(list.Evidence) != 1 {
		t.Fatalf("update evidence %+v", list)
	}
	d := api.Get(fmt.Sprintf("/api/v1%s/evidence/%d", upd, list.Evidence[0].ID))
	mustStatus(t, d, http.StatusOK)
	mustBeAttachment(t, d)
	donor := env.APIClient(t, env.User(t, domain.RoleDonor, "APJP"))
	mustStatus(t, donor.Get(fmt.Sprintf("/api/v1%s/evidence/%d", upd, list.Evidence[0].ID)), http.StatusNotFound)
}

// NUL characters and bytes that are not UTF-8 in a multipart field or file
// name are refused at the edge, naming the field, before anything is stored.
func TestEvidenceMultipartBadTextIsRefused(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	f := newEvidenceFixture(t, env, false)
	fp := env.APIClient(t, f.fp)
	for name, tc := range map[string]struct {
		fields map[string]string
		file   upload
		field  string
	}{
		"file name not UTF-8": {file: upload{name: "rapport\xff.pdf", content: pdfBytes}, field: "files"},
		"NUL in a field":      {fields: map[string]string{"note": "a\x00b"}, file: upload{name: "a.pdf", content: pdfBytes}, field: "note"},
		"field not UTF-8":     {fields: map[string]string{"note": "\xc3\x28"}, file: upload{name: "a.pdf", content: pdfBytes}, field: "note"},
	} {
		body, ct := multipartBody(t, tc.fields, tc.file)
		r := fp.Do(http.MethodPost, f.apiPath+"/evidence", body, ct)
		if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400 or 422", name, r.StatusCode)
			continue
		}
		if e := decode[apiError](t, r); e.Error.Fields[tc.field] == "" {
			t.Errorf("%s: the answer does not name %s: %s", name, tc.field, r.Body)
		}
	}
	if n := countRows(t, env, "evidence_blobs"); n != 0 {
		t.Errorf("%d blobs stored from refused bodies", n)
	}
}
