package chart

import (
	"encoding/xml"
	"strings"
	"testing"
)

func f(v float64) *float64 { return &v }

// TestLineChartSVG checks what a reader of the chart relies on: it is an
// accessible image with its title and description, well-formed, each series
// keeps its own marker and dash pattern (legible in greyscale), gaps break
// the line, and text is escaped.
func TestLineChartSVG(t *testing.T) {
	c := LineChart{ID: "c1", Title: "Targets & actuals", Desc: "Actual <b>rose</b>", XLabel: "Period", YLabel: "Cases",
		Labels: []string{"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"},
		Series: []LineSeries{
			{Name: "Target", Values: []*float64{f(10), f(20), f(30), f(40)}, Marker: LineMarkerSquare, Dashed: true},
			{Name: "Actual", Values: []*float64{f(12), nil, f(25), f(38)}, Marker: LineMarkerCircle},
		},
		Reference: f(5), ReferenceName: "Baseline"}
	svg := string(c.SVG())
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, svg)
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="c1-t c1-d"`, `<title id="c1-t">Targets &amp; actuals</title>`,
		`<desc id="c1-d">Actual &lt;b&gt;rose&lt;/b&gt;</desc>`, `stroke-dasharray="7 4"`, "Baseline", "2024-Q3", "Cases"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// Target: 4 squares on the chart + 1 in the legend; actual: 3 circles + 1.
	if n := strings.Count(svg, "<rect "); n != 5 {
		t.Errorf("%d square markers, want 5", n)
	}
	if n := strings.Count(svg, "<circle "); n != 4 {
		t.Errorf("%d circle markers, want 4", n)
	}
	// The gap in the actual series splits its line: one polyline for the
	// target, one for Q3–Q4 of the actual (Q1 alone draws no line).
	if n := strings.Count(svg, "<polyline "); n != 2 {
		t.Errorf("%d polylines, want 2", n)
	}
}

func TestLineTicks(t *testing.T) {
	ticks := lineTicks(0, 87, 5)
	if ticks[0] != 0 || ticks[len(ticks)-1] < 87 {
		t.Errorf("ticks %v do not cover 0..87", ticks)
	}
	if len(ticks) < 3 || len(ticks) > 8 {
		t.Errorf("ticks %v: want about five", ticks)
	}
	c := LineChart{Labels: []string{"a"}, Series: []LineSeries{{Values: []*float64{nil}}}}
	if lo, hi := c.extent(); lo != 0 || hi != 1 {
		t.Errorf("empty chart extent %v..%v, want 0..1", lo, hi)
	}
}
