package handlers

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"naptracker/figures"
	"naptracker/i18n"

	"github.com/labstack/echo/v4"
)

// csvTable is a table a page shows, to be downloaded as CSV: the same
// rows, filters and scope as the page, and numbers as the page's reader
// may see them (from the figures package, never recomputed here).
type csvTable struct {
	header []string
	rows   [][]string
}

func (t *csvTable) add(cells ...string) { t.rows = append(t.rows, cells) }

// csvText makes a text cell inert in a spreadsheet: one that starts with
// = + - @, a tab or a carriage return gets a leading apostrophe, so that
// opening the file cannot run it as a formula.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvNumber writes a number plainly (a dot for decimals, no grouping), so
// that any spreadsheet reads it as a number.
func csvNumber(x *float64) string {
	if x == nil {
		return ""
	}
	return strconv.FormatFloat(*x, 'f', -1, 64)
}

// csvFigure writes a figure as its audience may see it: the number, "<5"
// for a small count, or the word for a withheld figure.
func csvFigure(l *i18n.Localizer, f figures.Figure) string {
	switch {
	case f.Small:
		return "<5"
	case f.Hidden():
		return l.T("pages.withheld")
	}
	return csvNumber(f.Value)
}

// sendCSV answers the table as UTF-8 CSV with a byte-order mark (so that
// Excel reads the accents and Lao script), quoted as RFC 4180 says, with
// CRLF line ends; every text cell goes through csvText.
func sendCSV(c echo.Context, name string, t *csvTable) error {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(t.header); err != nil {
		return err
	}
	for _, r := range t.rows {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+safeFileName(name)+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
