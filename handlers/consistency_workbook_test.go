package handlers_test

// The workbook side of TestFiguresAgreeAcrossOutputs: the IPTT and the
// Summary against the figures API.

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"naptracker/domain"
	"naptracker/i18n"

	"github.com/xuri/excelize/v2"
)

func consCheckWorkbook(t *testing.T, L *i18n.Localizer, a consAudience, p *consPlanInfo, figs map[string]*consFigures, tally *consTally) {
	t.Helper()
	path := "/api/v1/plans/" + p.code + "/reports/workshop.xlsx?from=" + url.QueryEscape(p.from) + "&to=" + url.QueryEscape(p.to) + "&lang=en" + a.xlsxQuery
	r := a.api.Get(path)
	mustStatus(t, r, http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatalf("workbook: %v", err)
	}
	defer f.Close()
	consCheckIPTT(t, L, f, p, figs, tally)
	consCheckSummary(t, L, f, p, figs, tally)
}

// consXLNum compares a raw workbook cell with a number of the API (nil: "–").
func consXLNum(got string, want *float64) bool {
	if want == nil {
		return got == "–"
	}
	x, err := strconv.ParseFloat(got, 64)
	return err == nil && consApprox(x, *want)
}

func consCheckIPTT(t *testing.T, L *i18n.Localizer, f *excelize.File, p *consPlanInfo, figs map[string]*consFigures, tally *consTally) {
	t.Helper()
	sheet := L.T("report.sheet.iptt")
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) < 5 {
		t.Fatalf("IPTT sheet %q: %d rows, %v", sheet, len(rows), err)
	}
	head := map[string]int{}
	for i, h := range rows[3] {
		head[strings.TrimSpace(h)] = i
	}
	type group struct{ target, actual, pct, rating int }
	groupOf := func(suffix string) group {
		g := group{}
		for _, c := range []struct {
			key string
			at  *int
		}{{"target", &g.target}, {"actual", &g.actual}, {"pct", &g.pct}, {"rag", &g.rating}} {
			h := L.T("report.col."+c.key) + " " + suffix
			i, ok := head[h]
			if !ok {
				t.Fatalf("IPTT has no column %q", h)
			}
			*c.at = i
		}
		return g
	}
	rangeGroup := groupOf(L.T("report.iptt.range_short"))
	periodGroups := make([]group, len(p.labels))
	for k, label := range p.labels {
		periodGroups[k] = groupOf(label)
	}
	at := func(row []string, i int) string {
		if i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	compare := func(source, code string, row []string, g group, c consCell, rowNo int) {
		actual := at(row, g.actual)
		var okActual bool
		switch {
		case c.Small:
			okActual = actual == "<5"
		case c.Suppressed:
			okActual = actual == L.T("report.withheld")
		default:
			okActual = consXLNum(actual, c.Actual)
		}
		pct := at(row, g.pct)
		var okPct bool
		switch {
		case c.Progress != nil:
			okPct = consXLNum(pct, c.Progress)
		case c.Suppressed:
			okPct = pct == L.T("report.withheld")
		default:
			okPct = pct == "–"
		}
		target, rating := at(row, g.target), at(row, g.rating)
		ok := consXLNum(target, c.Target) && okActual && okPct && rating == L.T("report.rag."+c.Rating)
		tally.check(source, ok, "%s row %d %s: IPTT shows target %q actual %q %% %q rating %q; API %v", code, rowNo, c.Period, target, actual, pct, rating, c)
	}
	found := map[string]bool{}
	for i, row := range rows[4:] {
		if at(row, 2) == "" { // a pillar or objective heading, or a breakdown row
			continue
		}
		code := at(row, 0)
		fig := figs[code]
		if fig == nil {
			t.Errorf("IPTT row %d: indicator %q is not in the figures API", i+5, code)
			continue
		}
		found[code] = true
		for k, g := range periodGroups {
			if k < len(fig.Periods) {
				compare("IPTT periods", code, row, g, fig.Periods[k], i+5)
			}
		}
		compare("IPTT range", code, row, rangeGroup, fig.Range, i+5)
	}
	for code := range figs {
		tally.check("IPTT periods", found[code], "%s: no row in the IPTT", code)
	}
}

func consCheckSummary(t *testing.T, L *i18n.Localizer, f *excelize.File, p *consPlanInfo, figs map[string]*consFigures, tally *consTally) {
	t.Helper()
	sheet := L.T("report.sheet.summary")
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("Summary sheet %q: %v", sheet, err)
	}
	want := consCounts(p, figs)
	header, col := -1, -1
	for i, row := range rows {
		for j, c := range row {
			if strings.TrimSpace(c) == L.T("report.col.indicators") {
				header, col = i, j
			}
		}
		if header >= 0 {
			break
		}
	}
	if header < 0 {
		t.Fatalf("Summary: no %q column", L.T("report.col.indicators"))
	}
	// The rating columns follow, in the order of the ratings, each headed
	// by the rating word (possibly qualified: "On track (indicators)").
	for k, r := range domain.RAGs {
		if h := rows[header]; col+1+k >= len(h) || !strings.Contains(h[col+1+k], L.T("report.rag."+r)) {
			t.Fatalf("Summary: column %d is not the %q count: %q", col+2+k, L.T("report.rag."+r), rows[header])
		}
	}
	isPillar := map[string]bool{}
	for _, pl := range p.pillars {
		isPillar[pl] = true
	}
	seen := map[string]bool{}
	for i, row := range rows[header+1:] {
		if len(row) == 0 || !isPillar[strings.TrimSpace(row[0])] {
			continue
		}
		pl := strings.TrimSpace(row[0])
		seen[pl] = true
		n := func(j int) string {
			if j < len(row) {
				return row[j]
			}
			return ""
		}
		total := 0
		for _, c := range want[pl] {
			total += c
		}
		w := float64(total)
		tally.check("Summary", consXLNum(n(col), &w), "pillar %s (row %d): %s indicators, the API has %d", pl, header+i+2, n(col), total)
		for k, r := range domain.RAGs {
			w := float64(want[pl][r])
			tally.check("Summary", consXLNum(n(col+1+k), &w), "pillar %s (row %d): %s %s, the API rates %d so", pl, header+i+2, n(col+1+k), r, want[pl][r])
		}
	}
	for _, pl := range p.pillars {
		tally.check("Summary", seen[pl], "pillar %s: no row in the Summary", pl)
	}
}

// consCounts counts the API's current ratings per pillar ("" for the plan).
func consCounts(p *consPlanInfo, figs map[string]*consFigures) map[string]map[string]int {
	out := map[string]map[string]int{"": {}}
	for _, pl := range p.pillars {
		out[pl] = map[string]int{}
	}
	for _, ind := range p.inds {
		if f := figs[ind.code]; f != nil {
			out[ind.pillar][f.Rating]++
			out[""][f.Rating]++
		}
	}
	return out
}
