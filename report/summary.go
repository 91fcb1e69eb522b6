package report

import (
	"fmt"

	"naptracker/domain"

	"github.com/xuri/excelize/v2"
)

// activityStatuses are the summary's activity status columns, in order.
var activityStatuses = append(append([]string{}, domain.ProgressStatuses...), noReport)

// statusColours colour the activity status chart's series.
var statusColours = map[string]string{
	domain.ProgressNotStarted: "BFBFBF", domain.ProgressOnTrack: "70AD47", domain.ProgressDelayed: "FFC000",
	domain.ProgressCompleted: "2F5597", domain.ProgressCancelled: "7F7F7F", noReport: "E7E6E6",
}

// writeSummary writes a row per pillar — activities by status, indicators
// by rating, budget and expenditure — and two native charts: a stacked bar
// of activity status by pillar and a bar of indicator ratings by pillar.
// An indicator's rating here is that of the last period of the range whose
// due date has passed (the first period's while none has).
func (b *build) writeSummary() error {
	L, st := b.L, b.st
	heads := []string{L.T("report.col.pillar"), L.T("report.col.title"), L.T("report.col.activities")}
	for _, s := range activityStatuses {
		heads = append(heads, L.T("report.summary.of_activities", b.statusWord(s)))
	}
	heads = append(heads, L.T("report.col.indicators"))
	for _, r := range domain.RAGs {
		heads = append(heads, L.T("report.summary.of_indicators", L.T(ragKey(r))))
	}
	heads = append(heads, L.T("report.col.budget"), L.T("report.col.expenditure"))
	widths := []float64{8, 40, 10}
	for range len(heads) - 3 {
		widths = append(widths, 11)
	}
	sheet, err := b.normalSheet("summary", L.T("report.summary.title", b.tree.Plan.Code), L.T("report.summary.intro", b.rangeLabel(), b.statusLabel()), heads, widths)
	if err != nil {
		return err
	}
	// The cells the charts refer to, kept for their caches (chartCache).
	cache := map[string]any{}
	for i, h := range heads {
		cache[cellName(i+1, 3)] = h
	}
	pillars := b.pillars()
	row := 4
	for _, p := range pillars {
		count := map[string]int{}
		n := 0
		var budget, spent float64
		unapproved := false
		for _, o := range p.Objectives {
			for _, a := range o.Activities {
				s, ok := b.acts[a.ID]
				if !ok {
					continue
				}
				n++
				count[s.status]++
				budget += a.Budget
				spent += s.expenditure
				unapproved = unapproved || s.unapproved
			}
		}
		cells := []any{str(st.bold, p.Code), str(st.wrap, p.Title), st.number(float64(n), false)}
		for _, s := range activityStatuses {
			cells = append(cells, st.number(float64(count[s]), false))
		}
		rags, total := b.ragByPillar[p.ID], 0
		for _, r := range domain.RAGs {
			total += rags[r]
		}
		cells = append(cells, st.number(float64(total), false))
		for _, r := range domain.RAGs {
			cells = append(cells, st.number(float64(rags[r]), false))
		}
		cells = append(cells, st.number(budget, false), st.number(spent, unapproved))
		for i, c := range cells {
			cache[cellName(i+1, row)] = c.(excelize.Cell).Value
		}
		if err := b.setRow(sheet, row, cells); err != nil {
			return err
		}
		row++
	}
	last := row - 1
	if len(pillars) > 0 {
		cats := fmt.Sprintf("'%s'!$A$4:$A$%d", sheet, last)
		series := func(firstCol int, keys []string, colour func(string) string) []excelize.ChartSeries {
			var out []excelize.ChartSeries
			for i, k := range keys {
				c := colName(firstCol + i)
				out = append(out, excelize.ChartSeries{Name: fmt.Sprintf("'%s'!$%s$3", sheet, c), Categories: cats,
					Values: fmt.Sprintf("'%s'!$%s$4:$%s$%d", sheet, c, c, last),
					Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour(k)}}})
			}
			return out
		}
		at := last + 3
		statusChart := &excelize.Chart{Type: excelize.BarStacked, Series: series(4, activityStatuses, func(k string) string { return statusColours[k] }),
			Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: L.T("report.summary.chart_status")}}},
			Legend: excelize.ChartLegend{Position: "bottom"}, Dimension: excelize.ChartDimension{Width: 720, Height: 320}}
		// The workbook's two charts are these, both over the Summary.
		for i := 1; i <= 2; i++ {
			b.charts[fmt.Sprintf("xl/charts/chart%d.xml", i)] = cache
		}
		if err := b.f.AddChart(sheet, cellName(1, at), statusChart); err != nil {
			return err
		}
		ragFirst := 4 + len(activityStatuses) + 1
		ragChart := &excelize.Chart{Type: excelize.BarStacked, Series: series(ragFirst, domain.RAGs, func(k string) string {
			if k == domain.RAGNotDue {
				return "D9D9D9"
			}
			if k == domain.RAGWithheld {
				return "1F3864"
			}
			return map[string]string{domain.RAGOnTrack: "70AD47", domain.RAGBehind: "FFC000", domain.RAGOffTrack: "C00000", domain.RAGNoData: "A6A6A6"}[k]
		}),
			Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: L.T("report.summary.chart_rag")}}},
			Legend: excelize.ChartLegend{Position: "bottom"}, Dimension: excelize.ChartDimension{Width: 720, Height: 320}}
		if err := b.f.AddChart(sheet, cellName(1, at+18), ragChart); err != nil {
			return err
		}
	}
	if len(pillars) > 0 {
		// The charts print with the table: 18 rows each below it.
		b.printRows[sheet] = last + 3 + 36
	}
	return b.finishTable(sheet, len(heads), last, 2, widths)
}

// statusWord names an activity status (or "no report").
func (b *build) statusWord(s string) string {
	if s == noReport {
		return b.L.T("report.status_" + noReport)
	}
	return b.L.T("progress." + s)
}
