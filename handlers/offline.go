package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/offline"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// offlineUploadPage is the upload form of a filled offline template, of
// indicator values or of activity updates, and after a preview the preview
// with the buttons that confirm it.
type offlineUploadPage struct {
	Page
	Kind     string      // offline.UploadValues or offline.UploadUpdates, as in the page's addresses
	Text     offlineText // the page's words
	Plan     string
	MaxMB    int64
	Error    string
	Preview  *offlinePreview
	FileName string
	// Upload is the SHA-256 of the uploaded workbook, which the server
	// keeps until the confirmation names it (offline.KeepUpload).
	Upload string
}

// offlineText is the catalogue keys of the words that differ between the
// two upload pages.
type offlineText struct {
	Title, Help string
	Again       string // the heading of the form below a preview
	Code        string // the heading of the column of codes
}

// offlinePreview is a preview as shown, of either kind of file.
type offlinePreview struct {
	// The preview read (offline.Preview or UpdatesPreview) counts its rows
	// by status.
	counter
	Org          string
	Periods      string // the file's period or periods
	Generated    time.Time
	PeriodColumn bool // whether each row says its period
	Figures      bool // whether what was typed and what is stored are numbers
	Rows         []offlineRowView
	Expect       []string // the keys of the rows to save, which the confirmation names
}

// counter counts the rows of a preview by status.
type counter interface{ Count(status string) int }

// offlineRowView is one preview row as shown: what the file holds and
// what is saved now, as text, and the messages translated.
type offlineRowView struct {
	Status, Code, Name, Period string
	Typed, Stored              string
	Messages                   []string
	Conflict                   string
}

// offlineUpload is what the upload pages of the two offline templates do
// differently: their words, reading a file into a preview, and saving it;
// offlineUploadForm, offlineUploadPreview and offlineUploadConfirm do the
// rest.
type offlineUpload struct {
	kind string // offline.UploadValues or offline.UploadUpdates
	text offlineText
	// read parses an upload for the request's plan and previews it for
	// the request's user.
	read func(h *Handler, c echo.Context, data []byte) (*offlinePreview, error)
	// apply saves the rows the confirmation expects, and says how many
	// were saved and the page to go back to (its query, to which the
	// flash is added).
	apply            func(h *Handler, c echo.Context, data []byte, o offline.ApplyOptions) (saved int, path string, q url.Values, err error)
	saved, submitted string // the flash keys
}

// offlineLimits are the reader's limits (the defaults unless configured).
func (h *Handler) offlineLimits() offline.Limits {
	if h.OfflineLimits == nil {
		return offline.DefaultLimits()
	}
	return *h.OfflineLimits
}

// OfflineTemplate sends the offline template of an organisation for a
// period, or with ?to= for the periods from it to that one, to those who
// report for it (the page and the API).
func (h *Handler) OfflineTemplate(c echo.Context) error {
	return h.offlineValuesTemplate(c, c.Param("period"), c.QueryParam("to"))
}

// OfflineRangeTemplate answers My reporting's form to work offline over
// several periods: ?kind=values or updates, from and to (period labels).
func (h *Handler) OfflineRangeTemplate(c echo.Context) error {
	switch c.QueryParam("kind") {
	case "values":
		return h.offlineValuesTemplate(c, c.QueryParam("from"), c.QueryParam("to"))
	case "updates":
		return h.OfflineUpdatesTemplate(c)
	}
	return domain.FieldError("kind", "offline.err.kind_unknown")
}

// offlineValuesTemplate sends the values template of the periods from to
// to (to empty: from alone).
func (h *Handler) offlineValuesTemplate(c echo.Context, from, to string) error {
	who := PrincipalOf(c)
	grids, err := reporting.LoadValueGrids(c.Request().Context(), h.DB, domain.ScopeOf(&who.User), c.Param("plan"), c.Param("org"),
		from, to, h.Now().UTC())
	if err != nil {
		return h.denyLogged(c, err)
	}
	g, last := grids[0], grids[len(grids)-1]
	l := h.Localizer(c)
	if lang := c.QueryParam("lang"); lang != "" && i18n.IsSupported(lang) {
		l = h.I18n.For(lang)
	}
	var buf bytes.Buffer
	if err := offline.WriteRangeTemplate(&buf, grids, offline.TemplateOptions{L: l, Keys: h.Keys, UserID: who.User.ID, Now: h.Now()}); err != nil {
		return err
	}
	span := g.Period.Label
	if last != g {
		span += "_" + last.Period.Label
	}
	name := "naptracker-" + g.Plan.Code + "-" + g.Org.Acronym + "-" + span + "-" + l.Lang + ".xlsx"
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+safeFileName(name)+`"`)
	return c.Blob(http.StatusOK, xlsxType, buf.Bytes())
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// safeFileName keeps letters, digits and -._ of a download's name.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '.' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
			return r
		}
		return '_'
	}, s)
}

// valuesUpload is the upload of a template of indicator values.
var valuesUpload = offlineUpload{
	kind: offline.UploadValues,
	text: offlineText{Title: "offline.upload.title", Help: "offline.upload.help", Again: "offline.upload_link", Code: "offline.preview.code"},
	read: (*Handler).offlineRead,
	apply: func(h *Handler, c echo.Context, data []byte, o offline.ApplyOptions) (int, string, url.Values, error) {
		file, err := h.parseValues(c, data)
		if err != nil {
			return 0, "", nil, err
		}
		who := PrincipalOf(c)
		out, err := offline.Apply(c.Request().Context(), h.DB, h.actor(c), domain.ScopeOf(&who.User), file, o, h.Now().UTC())
		if err != nil {
			return 0, "", nil, err
		}
		return len(out.Saved), "/plans/" + out.Plan.Code + "/organisations/" + out.Org.Acronym + "/values/" + out.Period.Label, url.Values{}, nil
	},
	saved: "flash.offline_saved", submitted: "flash.offline_submitted",
}

// OfflineUploadForm shows the upload form.
func (h *Handler) OfflineUploadForm(c echo.Context) error {
	return h.offlineUploadForm(c, valuesUpload)
}

// OfflinePreview reads an uploaded template and shows what it would save,
// without writing anything.
func (h *Handler) OfflinePreview(c echo.Context) error {
	return h.offlineUploadPreview(c, valuesUpload)
}

// OfflineConfirm saves the rows a preview accepted (as drafts, or
// submitted with action=submit) and goes back to the grid; if anything
// changed since the preview, nothing is saved and the new preview is shown (409).
func (h *Handler) OfflineConfirm(c echo.Context) error {
	return h.offlineUploadConfirm(c, valuesUpload)
}

func (h *Handler) offlinePage(c echo.Context, k offlineUpload) offlineUploadPage {
	return offlineUploadPage{Page: h.page(c), Kind: k.kind, Text: k.text, Plan: c.Param("plan"), MaxMB: h.offlineLimits().MaxFileBytes >> 20}
}

func (h *Handler) offlineUploadForm(c echo.Context, k offlineUpload) error {
	return c.Render(http.StatusOK, "offline_upload", h.offlinePage(c, k))
}

// offlineUploadPreview reads an uploaded template and shows what it would
// save, without writing anything; the file is kept for the confirmation.
func (h *Handler) offlineUploadPreview(c echo.Context, k offlineUpload) error {
	p := h.offlinePage(c, k)
	data, name, err := h.uploadedTemplate(c)
	if err != nil {
		return h.offlineRefused(c, p, err)
	}
	pv, err := k.read(h, c, data)
	if err != nil {
		return h.offlineRefused(c, p, err)
	}
	if p.Upload, err = h.keepUpload(c, k.kind, name, data); err != nil {
		return err
	}
	p.Preview, p.FileName = pv, name
	return c.Render(http.StatusOK, "offline_upload", p)
}

// offlineUploadConfirm saves the rows a preview accepted (as drafts, or
// submitted with action=submit) and goes back to the grid; if anything
// changed since the preview, nothing is saved and the new preview is
// shown (409).
func (h *Handler) offlineUploadConfirm(c echo.Context, k offlineUpload) error {
	p := h.offlinePage(c, k)
	data, name, err := h.keptUpload(c, k.kind)
	if err != nil {
		return h.offlineRefused(c, p, err)
	}
	expect := c.Request().PostForm["expect"]
	if expect == nil {
		expect = []string{}
	}
	submit := c.FormValue("action") == "submit"
	saved, path, q, err := k.apply(h, c, data, offline.ApplyOptions{Submit: submit, Expect: expect, FileName: name})
	if r, ok := offline.AsRefusal(err); ok && r.Kind == offline.KindChanged {
		// Show the preview as it is now, to confirm again.
		if pv, perr := k.read(h, c, data); perr == nil {
			p.Preview, p.FileName, p.Upload = pv, name, c.FormValue("upload")
		}
		p.Error = r.Msg.Translate(h.Localizer(c).T)
		return c.Render(http.StatusConflict, "offline_upload", p)
	}
	if err != nil {
		return h.offlineRefused(c, p, err)
	}
	if err := h.dropUpload(c, k.kind); err != nil {
		return err
	}
	flash := k.saved
	switch {
	case saved == 0:
		flash = "flash.offline_nothing"
	case submit:
		flash = k.submitted
	}
	q.Set("flash", flash)
	return c.Redirect(http.StatusSeeOther, path+"?"+q.Encode())
}

// uploadedTemplate reads the "file" field of a multipart form, or the raw
// body of an API request, within the size limit.
func (h *Handler) uploadedTemplate(c echo.Context) ([]byte, string, error) {
	limit := h.offlineLimits().MaxFileBytes
	var r io.Reader
	name := ""
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		fh, err := c.FormFile("file")
		if err != nil {
			return nil, "", domain.FieldError("file", "offline.err.no_file")
		}
		if fh.Size > limit {
			return nil, "", &offline.Refusal{Kind: offline.KindTooLarge, Msg: domain.Message{Key: "offline.err.too_large", Args: []any{limit >> 20}}}
		}
		f, err := fh.Open()
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		r, name = f, fh.Filename
	} else {
		r = c.Request().Body
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", &offline.Refusal{Kind: offline.KindTooLarge, Msg: domain.Message{Key: "offline.err.too_large", Args: []any{limit >> 20}}}
		}
		return nil, "", err
	}
	if len(data) == 0 {
		return nil, "", domain.FieldError("file", "offline.err.no_file")
	}
	return data, name, nil // Parse refuses a file over the limit
}

// keepUpload keeps an uploaded workbook for the request's user until its
// confirmation, and returns the digest the confirmation names it by.
func (h *Handler) keepUpload(c echo.Context, kind, name string, data []byte) (string, error) {
	return offline.KeepUpload(c.Request().Context(), h.DB, PrincipalOf(c).User.ID, kind, name, data, h.Now().UTC())
}

// keptUpload is the workbook the "upload" field of a confirmation names,
// kept by keepUpload for the same user, and its file name.
func (h *Handler) keptUpload(c echo.Context, kind string) ([]byte, string, error) {
	digest := c.FormValue("upload")
	if digest == "" {
		return nil, "", domain.FieldError("file", "offline.err.no_file")
	}
	return offline.TakeUpload(c.Request().Context(), h.DB, PrincipalOf(c).User.ID, kind, digest, h.Now().UTC())
}

// dropUpload forgets the confirmed upload.
func (h *Handler) dropUpload(c echo.Context, kind string) error {
	return offline.DropUpload(c.Request().Context(), h.DB, PrincipalOf(c).User.ID, kind, c.FormValue("upload"))
}

// parseValues reads an uploaded template of indicator values of the
// request's plan.
func (h *Handler) parseValues(c echo.Context, data []byte) (*offline.File, error) {
	file, err := offline.Parse(data, h.Keys, h.offlineLimits())
	if err != nil {
		return nil, err
	}
	if file.Plan != c.Param("plan") {
		return nil, wrongPlan(file.Plan)
	}
	return file, nil
}

// wrongPlan refuses a template of another plan than the request's.
func wrongPlan(plan string) error {
	return &offline.Refusal{Kind: offline.KindTampered, Msg: domain.Message{Key: "offline.err.wrong_plan", Args: []any{plan}}}
}

// offlineRead parses an upload of values and previews it for the
// request's user.
func (h *Handler) offlineRead(c echo.Context, data []byte) (*offlinePreview, error) {
	file, err := h.parseValues(c, data)
	if err != nil {
		return nil, err
	}
	who := PrincipalOf(c)
	pv, err := offline.MakePreview(c.Request().Context(), h.DB, domain.ScopeOf(&who.User), file, h.Now().UTC())
	if err != nil {
		return nil, err
	}
	l := h.Localizer(c)
	out := &offlinePreview{counter: pv, Org: pv.Org.Acronym, Periods: file.Period, Generated: file.Generated, PeriodColumn: len(pv.Periods) > 1, Figures: true,
		Expect: pv.Codes(offline.WillSave)}
	for _, r := range pv.Rows {
		v := offlineRowView{Status: r.Status, Code: r.Code, Name: r.Name, Period: r.Period, Stored: offline.FigureLine(l, r.Stored),
			Messages: offline.Messages(l, r.Errors)}
		if r.Typed.Value != nil {
			v.Typed = l.Num(r.Typed.Value)
		}
		if r.Status == offline.Conflict {
			v.Conflict = l.T("offline.preview.conflict", r.ChangedBy, l.DateTime(r.ChangedAt))
		}
		out.Rows = append(out.Rows, v)
	}
	return out, nil
}

// RefusalStatus is the HTTP status of a refused file.
func RefusalStatus(r *offline.Refusal) int {
	switch r.Kind {
	case offline.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case offline.KindForbidden:
		return http.StatusForbidden
	case offline.KindClosed:
		return http.StatusLocked
	case offline.KindChanged:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// offlineRefused shows the upload form again with why the file was
// refused, or hands other errors to the error handler.
func (h *Handler) offlineRefused(c echo.Context, p offlineUploadPage, err error) error {
	msg, status, ok := h.refusalMessage(c, err)
	if !ok {
		return err
	}
	p.Error = msg
	return c.Render(status, "offline_upload", p)
}

// refusalMessage is why an upload was refused, in the reader's language,
// and the status to answer: a refused file (RefusalStatus; another
// organisation's is logged as a denied access) or a missing one (422); ok
// is false for any other error.
func (h *Handler) refusalMessage(c echo.Context, err error) (msg string, status int, ok bool) {
	l := h.Localizer(c)
	if r, isRefusal := offline.AsRefusal(err); isRefusal {
		if r.Kind == offline.KindForbidden {
			who := PrincipalOf(c)
			h.security(c, "access.denied", &who.User.ID, map[string]any{"role": who.User.Role, "object": "offline template of " + r.Msg.Key})
		}
		return r.Msg.Translate(l.T), RefusalStatus(r), true
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for _, m := range ve.Localized(l.T) {
			msg = m
		}
		return msg, http.StatusUnprocessableEntity, true
	}
	return "", 0, false
}
