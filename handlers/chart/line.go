package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Markers of a line series. Each series gets its own shape (and its own
// dash pattern), so that lines stay apart in greyscale print and for
// readers who do not tell the colours apart.
const (
	LineMarkerCircle  = "circle"
	LineMarkerSquare  = "square"
	LineMarkerDiamond = "diamond"
)

// LineSeries is one line of a line chart: a value per label, nil for a gap.
type LineSeries struct {
	Name   string
	Values []*float64
	Marker string
	Dashed bool
	// Class picks the colour from the page's stylesheet (line-0, line-1…
	// by default); the SVG carries fallback colours of its own.
	Class string
}

// LineChart is a line chart drawn on the server as inline SVG: the page
// needs no script, prints as it shows, and screen readers get the title and
// description (the page must also give the numbers in a table).
type LineChart struct {
	// ID makes the title and description ids unique in the page.
	ID    string
	Title string
	// Desc is the text alternative: what the chart shows, in words.
	Desc   string
	XLabel string
	YLabel string
	Labels []string
	Series []LineSeries
	// Reference draws a horizontal reference line (a baseline) when set.
	Reference     *float64
	ReferenceName string
	// Format writes axis numbers (strconv's shortest form when nil).
	Format        func(float64) string
	Width, Height int
}

// lineColours are fallbacks with at least 4.5:1 contrast on white.
var lineColours = []string{"#1f4e8c", "#333333", "#7a3e00"}

// lineBox is the plotting area inside the SVG.
type lineBox struct{ left, top, right, bottom float64 }

// SVG draws the chart. Values are escaped; the result is safe to put in a page.
func (c LineChart) SVG() template.HTML {
	w, h := float64(c.Width), float64(c.Height)
	if w <= 0 {
		w = 640
	}
	if h <= 0 {
		h = 300
	}
	format := c.Format
	if format == nil {
		format = func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	}
	legendH := 22.0 * float64((len(c.Series)+lineBool(c.Reference != nil)+2)/3)
	box := lineBox{left: 64, top: 12 + legendH, right: w - 36, bottom: h - 52}
	lo, hi := c.extent()
	ticks := lineTicks(lo, hi, 5)
	lo, hi = ticks[0], ticks[len(ticks)-1]
	y := func(v float64) float64 {
		if hi == lo {
			return box.bottom
		}
		return box.bottom - (v-lo)/(hi-lo)*(box.bottom-box.top)
	}
	n := len(c.Labels)
	x := func(i int) float64 {
		if n <= 1 {
			return (box.left + box.right) / 2
		}
		return box.left + float64(i)*(box.right-box.left)/float64(n-1)
	}
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg class="chart chart-line" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="inherit">`,
		esc(c.ID), esc(c.ID), lineNum(w), lineNum(h))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
	// Grid and y axis.
	b.WriteString(`<g class="axis axis-y" fill="#333333">`)
	for _, t := range ticks {
		yy := lineNum(y(t))
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#d0d0d0" stroke-width="1"/>`, lineNum(box.left), lineNum(box.right), yy, yy)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`, lineNum(box.left-6), yy, esc(format(t)))
	}
	if c.YLabel != "" {
		fmt.Fprintf(&b, `<text transform="translate(14 %s) rotate(-90)" text-anchor="middle">%s</text>`, lineNum((box.top+box.bottom)/2), esc(c.YLabel))
	}
	b.WriteString(`</g>`)
	// X axis: every label when they fit, else every k-th.
	step := 1
	if n > 0 {
		for float64(n/step)*62 > box.right-box.left {
			step++
		}
	}
	b.WriteString(`<g class="axis axis-x" fill="#333333">`)
	fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#333333" stroke-width="1"/>`, lineNum(box.left), lineNum(box.right), lineNum(box.bottom), lineNum(box.bottom))
	for i, l := range c.Labels {
		if (n-1-i)%step != 0 { // counted from the last label, which always shows
			continue
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, lineNum(x(i)), lineNum(box.bottom+18), esc(l))
	}
	if c.XLabel != "" {
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, lineNum((box.left+box.right)/2), lineNum(h-8), esc(c.XLabel))
	}
	b.WriteString(`</g>`)
	if c.Reference != nil {
		yy := lineNum(y(*c.Reference))
		fmt.Fprintf(&b, `<line class="line-reference" x1="%s" x2="%s" y1="%s" y2="%s" stroke="#555555" stroke-width="1.5" stroke-dasharray="2 4"/>`, lineNum(box.left), lineNum(box.right), yy, yy)
	}
	for si, s := range c.Series {
		colour, class := lineColours[si%len(lineColours)], s.Class
		if class == "" {
			class = "line-" + strconv.Itoa(si)
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="7 4"`
		}
		fmt.Fprintf(&b, `<g class="series %s" stroke="%s" fill="%s">`, esc(class), colour, colour)
		// One path per run of values without a gap.
		var run []string
		flush := func() {
			if len(run) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke-width="2.5"%s points="%s"/>`, dash, strings.Join(run, " "))
			}
			run = run[:0]
		}
		for i := 0; i < n; i++ {
			if i >= len(s.Values) || s.Values[i] == nil {
				flush()
				continue
			}
			run = append(run, lineNum(x(i))+","+lineNum(y(*s.Values[i])))
		}
		flush()
		for i := 0; i < n && i < len(s.Values); i++ {
			if v := s.Values[i]; v != nil {
				b.WriteString(lineMarker(s.Marker, x(i), y(*v)))
			}
		}
		b.WriteString(`</g>`)
	}
	// Legend: marker and line sample beside each name.
	b.WriteString(`<g class="legend" fill="#222222">`)
	item := 0
	place := func() (float64, float64) {
		lx := box.left + float64(item%3)*((box.right-box.left)/3)
		ly := 14 + 22*float64(item/3)
		item++
		return lx, ly
	}
	for si, s := range c.Series {
		lx, ly := place()
		colour := lineColours[si%len(lineColours)]
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="7 4"`
		}
		fmt.Fprintf(&b, `<g stroke="%s" fill="%s"><line x1="%s" x2="%s" y1="%s" y2="%s" stroke-width="2.5"%s/>%s</g>`,
			colour, colour, lineNum(lx), lineNum(lx+28), lineNum(ly), lineNum(ly), dash, lineMarker(s.Marker, lx+14, ly))
		fmt.Fprintf(&b, `<text x="%s" y="%s" dominant-baseline="middle">%s</text>`, lineNum(lx+36), lineNum(ly), esc(s.Name))
	}
	if c.Reference != nil {
		lx, ly := place()
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#555555" stroke-width="1.5" stroke-dasharray="2 4"/>`, lineNum(lx), lineNum(lx+28), lineNum(ly), lineNum(ly))
		fmt.Fprintf(&b, `<text x="%s" y="%s" dominant-baseline="middle">%s</text>`, lineNum(lx+36), lineNum(ly), esc(c.ReferenceName))
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String()) // #nosec G203 -- every text above is escaped
}

// extent is the range of every value drawn, zero included for counts that
// never go below it.
func (c LineChart) extent() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != nil {
				see(*v)
			}
		}
	}
	if c.Reference != nil {
		see(*c.Reference)
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	if lo > 0 {
		lo = 0
	}
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi
}

// lineTicks returns evenly spaced round numbers covering lo..hi, about n of them.
func lineTicks(lo, hi float64, n int) []float64 {
	span := hi - lo
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		step = m * mag
		if step >= raw {
			break
		}
	}
	start := math.Floor(lo/step) * step
	var out []float64
	for v := start; v < hi+step*0.999; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	if len(out) < 2 {
		out = append(out, start+step)
	}
	return out
}

// lineMarker draws one point's marker.
func lineMarker(kind string, x, y float64) string {
	switch kind {
	case LineMarkerSquare:
		return fmt.Sprintf(`<rect x="%s" y="%s" width="9" height="9" fill="#ffffff" stroke-width="2"/>`, lineNum(x-4.5), lineNum(y-4.5))
	case LineMarkerDiamond:
		return fmt.Sprintf(`<path d="M%s %sl6 6l-6 6l-6-6z" stroke-width="1.5"/>`, lineNum(x), lineNum(y-6))
	default:
		return fmt.Sprintf(`<circle cx="%s" cy="%s" r="5" stroke="#ffffff" stroke-width="1.5"/>`, lineNum(x), lineNum(y))
	}
}

// num writes a coordinate with at most one decimal.
func lineNum(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func lineBool(b bool) int {
	if b {
		return 1
	}
	return 0
}
