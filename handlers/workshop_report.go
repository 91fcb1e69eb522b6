package handlers

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/report"

	"github.com/labstack/echo/v4"
)

// WorkshopReport sends the Excel workshop report of a plan:
// GET /api/v1/plans/{plan}/reports/workshop.xlsx (token) and
// GET /plans/{plan}/report.xlsx (browser session), with the filters from,
// to, pillar, org, funder, lang, include_unapproved, format (xlsx, the
// default, or pdf when LibreOffice is installed), audience (external, the
// default, or internal) and snapshot (the id of a review snapshot to
// reproduce) as query parameters.
// Only the secretariat and administrators may include unapproved data or
// ask for the internal workbook (small counts unsuppressed); everyone else
// gets approved data for the external audience.
func (h *Handler) WorkshopReport(c echo.Context) error {
	who := PrincipalOf(c)
	if who == nil {
		return echo.ErrUnauthorized
	}
	scope := domain.ScopeOf(&who.User)
	q := c.QueryParams()
	include := truthy(q.Get("include_unapproved"))
	if include && !scope.Validates() {
		return domain.ErrForbidden
	}
	audience, err := parseAudience(q.Get("audience"))
	if err != nil {
		return err
	}
	if audience == figures.Internal && !scope.Validates() {
		return domain.ErrForbidden
	}
	lang := strings.TrimSpace(q.Get("lang"))
	if lang == "" {
		lang = h.Localizer(c).Lang
	}
	var snapshot int64
	if s := strings.TrimSpace(q.Get("snapshot")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			v := &domain.ValidationError{}
			v.AddKey("snapshot", "err.snapshot_id")
			return v
		}
		snapshot = id
	}
	since, err := sinceParam(c)
	if err != nil {
		return err
	}
	now := h.Now().UTC()
	opts := report.Options{Snapshot: snapshot, Since: since,
		Plan: c.Param("plan"), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Pillar: strings.TrimSpace(q.Get("pillar")), Org: strings.TrimSpace(q.Get("org")), Funder: strings.TrimSpace(q.Get("funder")),
		Lang: lang, IncludeUnapproved: include, Audience: audience, Scope: scope, GeneratedBy: who.User.Name + " <" + who.User.Email + ">",
		Now: now, Bundle: h.I18n,
	}
	name := safeFilename(opts.Plan) + "-workshop-report-" + now.Format("2006-01-02")
	switch strings.ToLower(strings.TrimSpace(q.Get("format"))) {
	case "", "xlsx":
	case "pdf":
		// The PDF is LibreOffice's print of the workbook: made whole, then sent.
		if !report.CanPDF() {
			v := &domain.ValidationError{}
			v.AddKey("format", "err.pdf_unavailable")
			return v
		}
		var xlsx bytes.Buffer
		if err := h.buildReport(c, opts, &xlsx); err != nil {
			return err
		}
		w := &downloadWriter{res: c.Response(), filename: name + ".pdf", contentType: report.PDFContentType}
		return report.PDF(c.Request().Context(), xlsx.Bytes(), w)
	default:
		v := &domain.ValidationError{}
		v.AddKey("format", "err.report_format")
		return v
	}
	w := &downloadWriter{res: c.Response(), filename: name + ".xlsx", contentType: report.ContentType}
	return h.buildReport(c, opts, w)
}

// buildReport writes a workbook once one of the report slots is free. A
// workbook is read from several queries at once (the compliance figures
// beside the indicator table, rows streamed while the zip is written), each
// on a connection of the pool: without a bound, as many downloads at once
// as the pool has connections each held one and waited for another, and
// none finished (measured: 10 of 12 simultaneous downloads stalled until the
// client gave up, on SQLite's pool of 8). A download waits for its turn, or
// for its request to end.
func (h *Handler) buildReport(c echo.Context, opts report.Options, w io.Writer) error {
	slots := h.reportSlots()
	ctx := c.Request().Context()
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-slots }()
	return report.Workshop(ctx, h.DB, opts, w)
}

// connsPerReport is the most connections one workbook holds at once, with
// room to spare.
const connsPerReport = 3

// reportSlots is how many workbooks are built at once: the pool's
// connections divided by what one workbook holds (at least one), leaving
// the rest of the pool to the other requests.
func (h *Handler) reportSlots() chan struct{} {
	h.reportSlotsOnce.Do(func() {
		n := 1
		if sqlDB, err := h.DB.DB(); err == nil {
			if pool := sqlDB.Stats().MaxOpenConnections; pool > 0 {
				n = max(1, (pool-2)/connsPerReport)
			}
		}
		h.reportSem = make(chan struct{}, n)
	})
	return h.reportSem
}

// parseAudience reads the audience parameter of a report: "external" (or
// nothing) and "internal".
func parseAudience(s string) (figures.Audience, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "external":
		return figures.External, nil
	case "internal":
		return figures.Internal, nil
	}
	v := &domain.ValidationError{}
	v.AddKey("audience", "err.audience_choice")
	return figures.External, v
}

// truthy reads a checkbox or flag query parameter.
func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

// safeFilename keeps letters, digits, dashes and underscores.
func safeFilename(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// downloadWriter sends the download headers with the first byte, so that
// an error found before the workbook starts (an unknown plan or filter)
// still gets a normal error page or JSON body.
type downloadWriter struct {
	res         *echo.Response
	filename    string
	contentType string
	started     bool
}

func (d *downloadWriter) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		hd := d.res.Header()
		hd.Set(echo.HeaderContentType, d.contentType)
		hd.Set(echo.HeaderContentDisposition, `attachment; filename="`+d.filename+`"`)
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		d.res.WriteHeader(http.StatusOK)
	}
	return d.res.Write(p)
}
