package chart

import (
	"fmt"
	"html/template"
)

// Grouped is a horizontal grouped bar chart: for each row (a pillar) one bar
// per series (budget, expenditure), each with its value written at its end.
type Grouped struct {
	// ID is unique in the page: it prefixes the chart's element ids.
	ID string
	// Title names the chart (its accessible name).
	Title  string
	Series []Series
	Rows   []GroupedRow
	Number Number
}

// GroupedRow is one group of bars: its label and a value per series.
type GroupedRow struct {
	Label  string
	Values []float64
}

const (
	groupBarH   = 14.0
	groupBarGap = 3.0
	groupGap    = 12.0
	valueWidth  = 120.0
)

type groupedBar struct {
	X, Y, W     float64
	TextX       float64
	TextY       float64
	Paint       paint
	Text, Title string
}

type groupedRowView struct {
	Label  string
	LabelY float64
	Bars   []groupedBar
}

type groupedView struct {
	ID, Title, Desc string
	Width, Height   float64
	Paints          []paint
	Rows            []groupedRowView
}

// SVG draws the chart.
func (c Grouped) SVG() (template.HTML, error) {
	barW := chartWidth - labelWidth - valueWidth
	var maxV float64
	for _, r := range c.Rows {
		for _, v := range r.Values {
			maxV = max(maxV, v)
		}
	}
	n := float64(len(c.Series))
	groupH := n*groupBarH + (n-1)*groupBarGap
	v := groupedView{ID: c.ID, Title: c.Title, Width: chartWidth}
	top := 4.0
	legendTop := top + float64(len(c.Rows))*(groupH+groupGap) + 6
	v.Paints, v.Height = paints(c.ID, c.Series, chartWidth, legendTop)
	var desc []string
	for i, r := range c.Rows {
		y := top + float64(i)*(groupH+groupGap)
		row := groupedRowView{Label: r.Label, LabelY: y + groupH/2 + 5}
		var parts []string
		for j, val := range r.Values {
			if j >= len(v.Paints) {
				break
			}
			w := 0.0
			if maxV > 0 && val > 0 {
				w = max(1, barW*val/maxV)
			}
			by := y + float64(j)*(groupBarH+groupBarGap)
			txt := c.Number.format(val)
			row.Bars = append(row.Bars, groupedBar{X: labelWidth, Y: by, W: w, TextX: labelWidth + w + 6, TextY: by + groupBarH - 3,
				Paint: v.Paints[j], Text: txt, Title: v.Paints[j].Label + ": " + txt})
			parts = append(parts, fmt.Sprintf("%s %s", v.Paints[j].Label, txt))
		}
		v.Rows = append(v.Rows, row)
		desc = append(desc, fmt.Sprintf("%s: %s", r.Label, joinComma(parts)))
	}
	v.Desc = describe(desc)
	return render("grouped", v)
}
