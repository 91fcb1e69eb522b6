package chart

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// wellFormed parses the SVG as XML, as a browser does inside a page.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
		}
	}
}

func TestStackedStatesEveryNumberAndWord(t *testing.T) {
	c := Stacked{ID: "st", Title: "Indicators by rating", TotalLabel: "total",
		Series: []Series{{"on_track", "On track"}, {"behind", "Behind"}, {"off_track", "Off track"}, {"no_data", "No data"}},
		Rows:   []StackedRow{{"Pillar 1", []float64{3, 2, 1, 0}}, {"Pillar <2>", []float64{10, 0, 0, 4}}}}
	out, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	wellFormed(t, s)
	for _, want := range []string{`role="img"`, `<title id="st-t">Indicators by rating</title>`,
		"Pillar 1 (total 6): On track 3, Behind 2, Off track 1, No data 0", "Pillar &lt;2&gt;",
		">On track</text>", ">Behind</text>", ">Off track</text>", ">No data</text>", `fill="url(#st-diag-1)"`} {
		if !strings.Contains(s, want) {
			t.Errorf("stacked chart lacks %q", want)
		}
	}
	if strings.Contains(s, "<2>") {
		t.Error("a label reached the SVG unescaped")
	}
	// The 10 of pillar 2 is wide enough to carry its number.
	if !strings.Contains(s, `paint-order="stroke">10</text>`) {
		t.Error("a wide segment does not show its number")
	}
}

func TestGroupedWritesValuesBesideBars(t *testing.T) {
	c := Grouped{ID: "gr", Title: "Budget and expenditure", Series: []Series{{"budget", "Budget"}, {"spent", "Spent"}},
		Rows:   []GroupedRow{{"Pillar 1", []float64{1000, 250}}, {"Pillar 2", []float64{0, 0}}},
		Number: func(f float64) string { return "$" + strconv.FormatFloat(f, 'f', -1, 64) }}
	out, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	wellFormed(t, s)
	for _, want := range []string{"Pillar 1: Budget $1000, Spent $250", ">$1000</text>", ">$250</text>", ">Spent</text>", `fill="url(#gr-diag-1)"`} {
		if !strings.Contains(s, want) {
			t.Errorf("grouped chart lacks %q", want)
		}
	}
}

func TestEverySeriesKeyHasAContrastingLegend(t *testing.T) {
	for _, k := range Keys() {
		f := fillOf(k)
		if f.pattern == "" && f.colour == "#ffffff" {
			t.Errorf("%s: a white fill without a pattern would vanish on paper", k)
		}
	}
}

// Keys lists the series keys with a colour of their own.
func Keys() []string {
	out := make([]string, 0, len(fills))
	for k := range fills {
		out = append(out, k)
	}
	return out
}
