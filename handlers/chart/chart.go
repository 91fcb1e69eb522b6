// Package chart draws small charts as SVG on the server, to be placed inside
// a page: no script, no download, readable when printed in greyscale.
//
// Every chart is an <svg role="img"> named by a <title> and described by a
// <desc> that states every number in words, and each colour comes with a
// pattern and with its word in the legend, so colour is never the only
// signal. Text written over a coloured bar is dark with a white halo, which
// keeps it readable (contrast well above 4.5:1) on any fill.
//
// The API is two chart types, Stacked (one horizontal bar per row split by
// series, such as activities by status per pillar) and Grouped (one bar per
// series per row, such as budget and expenditure per pillar), each with an
// SVG method returning template.HTML built by html/template, so labels are
// escaped. Series keys choose the fill (see Keys); unknown keys are grey.
package chart

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
)

// Series is one quantity a chart shows: Key chooses its colour and pattern
// (a rating such as "on_track", an activity status, "budget", "spent"),
// Label is the word shown in the legend and in the text description.
type Series struct {
	Key   string
	Label string
}

// fill is how a series is painted: a colour and a greyscale-safe pattern
// drawn over it in ink.
type fill struct {
	colour, pattern, ink string
}

// fills maps series keys to their paint. Ratings and activity statuses that
// mean the same share a colour (green is on track in both).
var fills = map[string]fill{
	"on_track":    {"#1b7a3a", "", ""},
	"behind":      {"#f2b01e", "diag", "#6b4700"},
	"off_track":   {"#b3261e", "cross", "#ffffff"},
	"no_data":     {"#c8c8c8", "dots", "#333333"},
	"not_due":     {"#ffffff", "horiz", "#6e6e6e"},
	"withheld":    {"#1f3864", "vert", "#ffffff"},
	"not_started": {"#d9d9d9", "dots", "#333333"},
	"delayed":     {"#f2b01e", "diag", "#6b4700"},
	"completed":   {"#1f4e9a", "vert", "#ffffff"},
	"cancelled":   {"#5f5f5f", "cross", "#ffffff"},
	"no_report":   {"#ffffff", "horiz", "#6e6e6e"},
	"budget":      {"#1f4e9a", "", ""},
	"spent":       {"#f2b01e", "diag", "#6b4700"},
}

func fillOf(key string) fill {
	if f, ok := fills[key]; ok {
		return f
	}
	return fill{"#bdbdbd", "dots", "#333333"}
}

// patterns are the 8×8 tiles drawn over a fill, by name.
var patterns = map[string]template.HTML{
	"diag":  `<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke-width="1.6"/>`,
	"cross": `<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4 M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke-width="1.2"/>`,
	"dots":  `<circle cx="2" cy="2" r="1.3" stroke="none"/><circle cx="6" cy="6" r="1.3" stroke="none"/>`,
	"horiz": `<path d="M0,4 h8" stroke-width="1.2"/>`,
	"vert":  `<path d="M4,0 v8" stroke-width="1.6"/>`,
}

// paint is a series as drawn: its fill and the id of its pattern, if any.
type paint struct {
	Key, Label       string
	Colour, Ink      string
	PatternID        string
	Pattern          template.HTML
	Outline          bool
	SwatchX, SwatchY float64
}

// paints prepares the legend entries and pattern definitions of a chart.
func paints(id string, series []Series, width float64, top float64) ([]paint, float64) {
	out := make([]paint, len(series))
	x, y := 0.0, top
	for i, s := range series {
		f := fillOf(s.Key)
		p := paint{Key: s.Key, Label: s.Label, Colour: f.colour, Ink: f.ink, Outline: f.colour == "#ffffff"}
		if f.pattern != "" {
			p.PatternID, p.Pattern = id+"-"+f.pattern+"-"+strconv.Itoa(i), patterns[f.pattern]
		}
		// Legend entries flow left to right and wrap.
		w := 28 + 7.5*float64(len([]rune(s.Label)))
		if x > 0 && x+w > width {
			x, y = 0, y+22
		}
		p.SwatchX, p.SwatchY = x, y
		x += w + 12
		out[i] = p
	}
	return out, y + 22
}

// Number formats a value for a chart: the page passes its localizer's
// formatting (for example Localizer.Num); nil writes plain digits.
type Number func(float64) string

func (n Number) format(v float64) string {
	if n == nil {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return n(v)
}

// render executes one of the chart templates into template.HTML.
func render(name string, data any) (template.HTML, error) {
	var b bytes.Buffer
	if err := svgTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // #nosec: built by html/template, which escaped every label
}

// describe joins parts into one sentence list for a <desc>.
func describe(parts []string) string { return strings.Join(parts, "; ") + "." }
