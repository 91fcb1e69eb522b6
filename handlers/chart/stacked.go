package chart

import (
	"fmt"
	"html/template"
)

// Stacked is a horizontal stacked bar chart: one bar per row (a pillar),
// split into the series (statuses, ratings), each segment labelled with
// its number when it is wide enough and every row with its total.
type Stacked struct {
	// ID is unique in the page: it prefixes the chart's element ids.
	ID string
	// Title names the chart (its accessible name).
	Title  string
	Series []Series
	Rows   []StackedRow
	// TotalLabel is the word before each row's total in the description.
	TotalLabel string
	Number     Number
}

// StackedRow is one bar: its label and a value per series, in series order.
type StackedRow struct {
	Label  string
	Values []float64
}

// Layout of the chart, in SVG user units (the SVG scales to its box).
const (
	chartWidth  = 640.0
	labelWidth  = 110.0
	totalWidth  = 60.0
	rowHeight   = 26.0
	rowGap      = 10.0
	minTextSpan = 22.0
)

type segment struct {
	X, W      float64
	Paint     paint
	Text      string
	TextX     float64
	ShowText  bool
	TitleText string
}

type stackedRowView struct {
	Label, Total string
	Y, TextY     float64
	Segments     []segment
}

type stackedView struct {
	ID, Title, Desc string
	Height          float64
	Width           float64
	BarX, TotalX    float64
	BarH            float64
	Paints          []paint
	Rows            []stackedRowView
}

// SVG draws the chart.
func (c Stacked) SVG() (template.HTML, error) {
	barW := chartWidth - labelWidth - totalWidth
	var maxTotal float64
	for _, r := range c.Rows {
		t := 0.0
		for _, v := range r.Values {
			t += v
		}
		maxTotal = max(maxTotal, t)
	}
	top := 4.0
	v := stackedView{ID: c.ID, Title: c.Title, Width: chartWidth, BarX: labelWidth, TotalX: chartWidth - 4, BarH: rowHeight}
	legendTop := top + float64(len(c.Rows))*(rowHeight+rowGap) + 6
	v.Paints, v.Height = paints(c.ID, c.Series, chartWidth, legendTop)
	var desc []string
	for i, r := range c.Rows {
		y := top + float64(i)*(rowHeight+rowGap)
		row := stackedRowView{Label: r.Label, Y: y, TextY: y + rowHeight/2 + 5}
		x, total := labelWidth, 0.0
		var parts []string
		for j, val := range r.Values {
			if j >= len(v.Paints) {
				break
			}
			total += val
			parts = append(parts, fmt.Sprintf("%s %s", v.Paints[j].Label, c.Number.format(val)))
			if val <= 0 || maxTotal == 0 {
				continue
			}
			w := barW * val / maxTotal
			txt := c.Number.format(val)
			row.Segments = append(row.Segments, segment{X: x, W: w, Paint: v.Paints[j], Text: txt, TextX: x + w/2,
				ShowText: w >= minTextSpan+float64(len(txt)-1)*6, TitleText: v.Paints[j].Label + ": " + txt})
			x += w
		}
		row.Total = c.Number.format(total)
		v.Rows = append(v.Rows, row)
		desc = append(desc, fmt.Sprintf("%s (%s %s): %s", r.Label, c.TotalLabel, row.Total, joinComma(parts)))
	}
	v.Desc = describe(desc)
	return render("stacked", v)
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}
