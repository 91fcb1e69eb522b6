package handlers_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"naptracker/app/apptest"
	"naptracker/domain"
	"naptracker/seed"
)

// upload is one file part of a multipart body.
type upload struct {
	name    string
	content []byte
	// contentType is what the client claims; the server must ignore it.
	contentType string
}

// multipartBody builds a multipart/form-data body with text fields and
// files in the "files" field.
func multipartBody(t *testing.T, fields map[string]string, files ...upload) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename="%s"`, f.name))
		ct := f.contentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(f.content)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

// postFiles sends files the way the page's upload form does (with the CSRF
// token) or, for an API client, as the API expects.
func postFiles(t *testing.T, c *apptest.Client, path string, files ...upload) *apptest.Response {
	t.Helper()
	fields := map[string]string{}
	if c.CSRF != "" {
		fields["csrf_token"] = c.CSRF
	}
	body, ct := multipartBody(t, fields, files...)
	return c.Do(http.MethodPost, path, body, ct)
}

// zipOf builds a zip file; a "mimetype" entry, if named first, is stored
// uncompressed as OpenDocument requires.
func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		var f io.Writer
		var err error
		if n == "mimetype" {
			f, err = w.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		} else {
			f, err = w.Create(n)
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == "mimetype" {
			io.WriteString(f, "application/vnd.oasis.opendocument.text")
		} else {
			io.WriteString(f, "<x/>")
		}
	}
	w.Close()
	return buf.Bytes()
}

var (
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngBytes  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")
	htmlBytes = []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	elfBytes  = append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...)
	peBytes   = append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 64)...)
)

// evidenceFixture is a draft value of a sensitive indicator in the open
// quarter, with the focal points and readers the tests need.
type evidenceFixture struct {
	env        *apptest.Env
	code       string // the indicator
	org        string // its reporting organisation
	valuePath  string // /plans/…/values/<period>
	apiPath    string // /api/v1/plans/…/values/<period>
	fp         *domain.User
	version    int
	sensitive  bool
	otherOrgFP *domain.User
}

// newEvidenceFixture saves a draft of a (sensitive or not) number
// indicator with nothing submitted in the open quarter yet.
func newEvidenceFixture(t *testing.T, env *apptest.Env, sensitive bool) *evidenceFixture {
	t.Helper()
	period := currentPeriod()
	var code, org string
	err := env.App.DB.Raw(`SELECT i.code, o.acronym FROM indicators i
JOIN plans pl ON pl.id = i.plan_id JOIN organisations o ON o.id = i.reporting_org_id
JOIN reporting_periods p ON p.plan_id = pl.id AND p.label = ?
LEFT JOIN indicator_values v ON v.indicator_id = i.id AND v.period_id = p.id
WHERE pl.code = ? AND i.sensitive = ? AND i.unit_type = 'number' AND i.disaggregation_set_id IS NULL AND i.archived_at IS NULL
AND (v.id IS NULL OR v.status = 'draft') ORDER BY i.code LIMIT 1`, period, seed.DemoPlanCode, sensitive).Row().Scan(&code, &org)
	if err != nil {
		t.Fatalf("no %v indicator open in %s: %v", sensitive, period, err)
	}
	f := &evidenceFixture{env: env, code: code, org: org, sensitive: sensitive,
		valuePath: fmt.Sprintf("/plans/%s/indicators/%s/values/%s", seed.DemoPlanCode, code, period),
		fp:        env.User(t, domain.RoleFocalPoint, org)}
	f.apiPath = "/api/v1" + f.valuePath
	other := "MOPS"
	if org == other {
		other = "MOLSW"
	}
	f.otherOrgFP = env.User(t, domain.RoleFocalPoint, other)
	var version int
	env.App.DB.Raw(`SELECT COALESCE(MAX(v.version), 0) FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
JOIN reporting_periods p ON p.id = v.period_id JOIN plans pl ON pl.id = i.plan_id
WHERE pl.code = ? AND i.code = ? AND p.label = ?`, seed.DemoPlanCode, code, period).Row().Scan(&version)
	r := env.APIClient(t, f.fp).JSON(http.MethodPut, f.apiPath, fmt.Sprintf(`{"value": 12, "narrative": "with evidence", "version": %d}`, version))
	mustStatus(t, r, http.StatusOK)
	f.version = decode[struct{ Version int }](t, r).Version
	return f
}

func countRows(t *testing.T, env *apptest.Env, table string) int64 {
	t.Helper()
	var n int64
	if err := env.App.DB.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// auditCount counts the audit entries of an action.
func auditCount(env *apptest.Env, action string) int64 {
	var n int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = ?", action).Count(&n)
	return n
}

// mustBeAttachment checks the headers that keep a download out of the page.
func mustBeAttachment(t *testing.T, r *apptest.Response) {
	t.Helper()
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("%s: Content-Disposition %q, want an attachment", r.Request.URL.Path, cd)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: no nosniff", r.Request.URL.Path)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox") {
		t.Errorf("%s: Content-Security-Policy %q, want a sandbox", r.Request.URL.Path, csp)
	}
}
