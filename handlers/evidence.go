package handlers

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"naptracker/domain"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// evidenceJSON is an evidence file or link as the API lists it.
type evidenceJSON struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Filename    string    `json:"filename,omitempty"`
	Title       string    `json:"title,omitempty"`
	URL         string    `json:"url,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	SizeBytes   int64     `json:"size_bytes,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	UploadedBy  string    `json:"uploaded_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// evidenceListJSON is the body of the API's evidence list and upload answers.
type evidenceListJSON struct {
	Evidence []evidenceJSON `json:"evidence"`
}

func toEvidenceJSON(e domain.Evidence, uploader string) evidenceJSON {
	return evidenceJSON{ID: e.ID, Kind: e.Kind, Filename: e.Filename, Title: e.Title, URL: e.URL, ContentType: e.ContentType,
		SizeBytes: e.SizeBytes, SHA256: e.SHA256, UploadedBy: uploader, CreatedAt: e.CreatedAt}
}

// valueEvidence and updateEvidence name the item of an evidence route.
func valueEvidence(c echo.Context) reporting.EvidenceOf  { return valueTarget(c) }
func updateEvidence(c echo.Context) reporting.EvidenceOf { return updateTarget(c) }

// uploads reads the files of the "files" field of a multipart form (the
// edge middleware has parsed it and checked the names).
func uploads(c echo.Context) ([]reporting.Upload, func(), error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, func() {}, domain.FieldError("files", "err.multipart")
	}
	var out []reporting.Upload
	var open []multipart.File
	done := func() {
		for _, f := range open {
			f.Close()
		}
	}
	for _, fh := range form.File["files"] {
		f, err := fh.Open()
		if err != nil {
			done()
			return nil, func() {}, err
		}
		open = append(open, f)
		out = append(out, reporting.Upload{Name: fh.Filename, Size: fh.Size, Content: f})
	}
	return out, done, nil
}

// addEvidence stores the uploaded files of the request as evidence of the item.
func (h *Handler) addEvidence(c echo.Context, of reporting.EvidenceOf) ([]domain.Evidence, error) {
	files, done, err := uploads(c)
	if err != nil {
		return nil, err
	}
	defer done()
	added, err := reporting.AddEvidence(c.Request().Context(), h.DB, h.caller(c), of, files, h.EvidenceMaxSize)
	if err != nil {
		return nil, h.denyLogged(c, err)
	}
	return added, nil
}

// itemPath is the page of the item an evidence route belongs to.
func itemPath(c echo.Context) string {
	p := c.Request().URL.Path
	if i := strings.LastIndex(p, "/evidence"); i >= 0 {
		p = p[:i]
	}
	return p
}

// UploadEvidence attaches the files of the value or update page's upload
// form and comes back to the page; mistakes are shown on the page with 422.
func (h *Handler) UploadEvidence(of func(echo.Context) reporting.EvidenceOf) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, err := h.addEvidence(c, of(c))
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			return h.evidencePage(c, of(c), h.fieldErrors(c, ve))
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, itemPath(c)+"?flash=flash.evidence_added#evidence")
	}
}

// evidencePage shows the value or update page again with messages about the upload.
func (h *Handler) evidencePage(c echo.Context, of reporting.EvidenceOf, errs map[string]string) error {
	var err error
	switch t := of.(type) {
	case reporting.ValueTarget:
		err = h.valueFormAgain(c, h.caller(c), t, errs)
	case reporting.UpdateTarget:
		err = h.updateFormAgain(c, h.caller(c), t, errs)
	default:
		return echo.ErrNotFound
	}
	return h.denyLogged(c, err)
}

// RemoveEvidence removes a file its uploader attached to a draft.
func (h *Handler) RemoveEvidence(of func(echo.Context) reporting.EvidenceOf) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.ErrNotFound
		}
		err = reporting.RemoveEvidence(c.Request().Context(), h.DB, h.caller(c), of(c), id)
		if err != nil {
			return h.denyLogged(c, err)
		}
		return c.Redirect(http.StatusSeeOther, itemPath(c)+"?flash=flash.evidence_removed#evidence")
	}
}

// DownloadEvidence sends a file to those who may see the item's evidence,
// always as an attachment: never shown inside the site's pages, never
// sniffed, and sandboxed should a browser open it anyway.
func (h *Handler) DownloadEvidence(of func(echo.Context) reporting.EvidenceOf) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return echo.ErrNotFound
		}
		e, data, err := reporting.OpenEvidence(c.Request().Context(), h.DB, h.caller(c), of(c), id)
		if err != nil {
			return h.denyLogged(c, err)
		}
		hd := c.Response().Header()
		hd.Set(echo.HeaderContentDisposition, attachment(e.Filename))
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		hd.Set("Cache-Control", "private, no-store")
		hd.Set("X-Evidence-SHA256", e.SHA256)
		return c.Blob(http.StatusOK, e.ContentType, data)
	}
}

// attachment is a Content-Disposition that makes browsers save the file:
// an ASCII fallback name and, for other characters, the RFC 5987 form.
func attachment(name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII || r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == ';' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := fmt.Sprintf(`attachment; filename="%s"`, fallback)
	if fallback != name {
		v += "; filename*=UTF-8''" + strings.ReplaceAll(url.PathEscape(name), "'", "%27")
	}
	return v
}

// APIEvidence lists the evidence of a value or an update.
func (h *Handler) APIEvidence(of func(echo.Context) reporting.EvidenceOf) echo.HandlerFunc {
	return func(c echo.Context) error {
		who := PrincipalOf(c)
		list, err := reporting.ListEvidence(c.Request().Context(), h.DB, domain.ScopeOf(&who.User), of(c))
		if err != nil {
			return h.denyLogged(c, err)
		}
		out := evidenceListJSON{Evidence: []evidenceJSON{}}
		for _, e := range list {
			out.Evidence = append(out.Evidence, toEvidenceJSON(e.Evidence, e.UploaderName))
		}
		return c.JSON(http.StatusOK, out)
	}
}

// APIUploadEvidence attaches the files of a multipart body (field "files")
// and answers with what was stored.
func (h *Handler) APIUploadEvidence(of func(echo.Context) reporting.EvidenceOf) echo.HandlerFunc {
	return func(c echo.Context) error {
		added, err := h.addEvidence(c, of(c))
		if err != nil {
			return err
		}
		who := PrincipalOf(c)
		out := evidenceListJSON{Evidence: []evidenceJSON{}}
		for _, e := range added {
			out.Evidence = append(out.Evidence, toEvidenceJSON(e, who.User.Name))
		}
		return c.JSON(http.StatusOK, out)
	}
}

// sizeText writes a size limit for people: "20 MB", "512 KB", "100 bytes".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
