package chart

import (
	"html/template"
	"strconv"
)

// swatchBox is a filled rectangle of a series.
type swatchBox struct {
	X, Y, W, H float64
	P          paint
}

// formatUnit writes a coordinate with at most one decimal.
func formatUnit(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// svgTemplates are the charts' markup. html/template escapes every label
// and number written into them; they are parsed once and never changed.
var svgTemplates = template.Must(template.New("chart").Funcs(template.FuncMap{
	"f":   formatUnit,
	"add": func(a, b float64) float64 { return a + b },
	"swatch": func(x, y, w, h float64, p paint) swatchBox {
		return swatchBox{X: x, Y: y, W: w, H: h, P: p}
	},
}).Parse(`
{{define "defs"}}<defs>{{range .Paints}}{{if .PatternID}}<pattern id="{{.PatternID}}" width="8" height="8" patternUnits="userSpaceOnUse"><g stroke="{{.Ink}}" fill="{{.Ink}}">{{.Pattern}}</g></pattern>{{end}}{{end}}</defs>{{end}}
{{define "swatch"}}<rect x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}" fill="{{.P.Colour}}"{{if .P.Outline}} stroke="#6e6e6e" stroke-width="1"{{end}}/>{{if .P.PatternID}}<rect x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}" fill="url(#{{.P.PatternID}})"/>{{end}}{{end}}
{{define "legend"}}<g class="chart-legend" font-size="13">{{range .Paints}}{{template "swatch" (swatch .SwatchX .SwatchY 16 16 .)}}<text x="{{f (add .SwatchX 22)}}" y="{{f (add .SwatchY 13)}}" fill="#1a1a1a">{{.Label}}</text>{{end}}</g>{{end}}
{{define "stacked"}}<svg class="chart chart-stacked" role="img" aria-labelledby="{{.ID}}-t {{.ID}}-d" viewBox="0 0 {{f .Width}} {{f .Height}}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" font-family="inherit">
<title id="{{.ID}}-t">{{.Title}}</title><desc id="{{.ID}}-d">{{.Desc}}</desc>{{template "defs" .}}
{{range .Rows}}{{$row := .}}<g class="chart-row"><text x="{{f (add $.BarX -8)}}" y="{{f .TextY}}" text-anchor="end" font-size="13" fill="#1a1a1a">{{.Label}}</text>
{{range .Segments}}<g><title>{{.TitleText}}</title>{{template "swatch" (swatch .X $row.Y .W $.BarH .Paint)}}{{if .ShowText}}<text x="{{f .TextX}}" y="{{f $row.TextY}}" text-anchor="middle" font-size="13" font-weight="bold" fill="#000" stroke="#fff" stroke-width="3" paint-order="stroke">{{.Text}}</text>{{end}}</g>{{end}}
<text x="{{f $.TotalX}}" y="{{f .TextY}}" text-anchor="end" font-size="13" font-weight="bold" fill="#1a1a1a">{{.Total}}</text></g>
{{end}}{{template "legend" .}}</svg>{{end}}
{{define "grouped"}}<svg class="chart chart-grouped" role="img" aria-labelledby="{{.ID}}-t {{.ID}}-d" viewBox="0 0 {{f .Width}} {{f .Height}}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" font-family="inherit">
<title id="{{.ID}}-t">{{.Title}}</title><desc id="{{.ID}}-d">{{.Desc}}</desc>{{template "defs" .}}
{{range .Rows}}<g class="chart-row"><text x="{{f (add 110 -8)}}" y="{{f .LabelY}}" text-anchor="end" font-size="13" fill="#1a1a1a">{{.Label}}</text>
{{range .Bars}}<g><title>{{.Title}}</title>{{if gt .W 0.0}}{{template "swatch" (swatch .X .Y .W 14 .Paint)}}{{end}}<text x="{{f .TextX}}" y="{{f .TextY}}" font-size="12" fill="#1a1a1a">{{.Text}}</text></g>{{end}}</g>
{{end}}{{template "legend" .}}</svg>{{end}}
`))
