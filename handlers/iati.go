package handlers

import (
	"bytes"
	"net/http"
	"strings"

	"naptracker/report"

	"github.com/labstack/echo/v4"
)

// IATIExport sends the results of a plan as an IATI 2.03 activity file:
// GET /api/v1/plans/{plan}/iati.xml (token) and /plans/{plan}/iati.xml,
// with from, to, funder (a partner's acronym: its funded activities, it
// reporting), country (ISO 3166-1 alpha-2) and publisher (the reporting
// organisation's IATI identifier) as query parameters. Everyone gets the
// same file: approved data, small counts of victims protected.
func (h *Handler) IATIExport(c echo.Context) error {
	q := c.QueryParams()
	o := report.IATIOptions{Plan: c.Param("plan"), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Funder: strings.TrimSpace(q.Get("funder")), Country: strings.ToUpper(strings.TrimSpace(q.Get("country"))),
		Publisher: strings.TrimSpace(q.Get("publisher")), Now: h.Now().UTC()}
	var out bytes.Buffer // small; written whole so that an error still gets an error page
	if err := report.IATI(c.Request().Context(), h.DB, o, &out); err != nil {
		return err
	}
	name := safeFilename(o.Plan) + "-iati"
	if o.Funder != "" {
		name += "-" + safeFilename(o.Funder)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.xml"`)
	return c.Blob(http.StatusOK, report.IATIContentType, out.Bytes())
}
