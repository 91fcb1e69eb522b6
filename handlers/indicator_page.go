package handlers

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/handlers/chart"
	"naptracker/pagegzip"
	"naptracker/planedit"
	"naptracker/planning"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// indicatorView is the indicator page: the indicator's facts, its targets
// and actuals over time (chart and table), the latest breakdown, history
// and evidence, as the reader's scope may see them.
type indicatorView struct {
	Page
	*review.IndicatorPage
	Chart template.HTML
	// Body is the page's content rendered (template indicator_body).
	Body *pagegzip.Part
}

// ShowIndicator shows one indicator to every role; donors and facilitators
// (and other organisations' focal points) see approved values only, and
// small counts of sensitive indicators as "<5".
func (h *Handler) ShowIndicator(c echo.Context) error {
	who, caller := PrincipalOf(c), h.caller(c)
	// Readers of approved data only get a 304 for a page they hold: donors
	// and facilitators, and focal points of other organisations. Their page
	// is also rendered once and kept, per language, day and data version
	// (slot and key below).
	var slot, key string
	if scope := caller.Scope; !scope.Validates() {
		plan, err := planning.FindPlan(c.Request().Context(), h.DB, c.Param("plan"))
		if err != nil {
			return err
		}
		org := int64(0)
		if scope.ReportsForOwnOrg() {
			ind, err := planedit.FindCoded[domain.Indicator](c.Request().Context(), h.DB, plan.ID, c.Param("code"))
			if err != nil {
				return err
			}
			org = ind.ReportingOrgID
		}
		approvedOnly := readsApprovedOnly(who, org)
		if h.notModified(c, plan, approvedOnly) {
			return nil
		}
		if approvedOnly {
			// Every reader of approved data only sees the same page (the
			// external audience's figures, no action of their own).
			slot = strings.Join([]string{strconv.FormatInt(plan.ID, 10), c.Param("code"), h.Localizer(c).Lang}, "/")
			key = strconv.FormatInt(plan.DataVersion, 10) + "/" + caller.Now.Format(time.DateOnly)
		}
	}
	if slot != "" {
		if kept, ok := h.indicatorBodies.get(slot, key); ok {
			return renderWithParts(c, "indicator", kept.withPage(h.page(c)), kept.Body)
		}
	}
	pg, err := review.LoadIndicatorPage(c.Request().Context(), h.DB, caller.Scope, c.Param("plan"), c.Param("code"), caller.Now)
	if err != nil {
		return err
	}
	v := indicatorView{Page: h.page(c), IndicatorPage: pg}
	v.Chart = v.lineChart()
	render := renderFragment
	if slot != "" {
		render = keepFragment
	}
	if v.Body, err = render(c, "indicator", "indicator_body", v); err != nil {
		return err
	}
	if slot != "" {
		h.indicatorBodies.putCapped(slot, key, v, keptIndicatorPages)
	}
	return renderWithParts(c, "indicator", v, v.Body)
}

// keptIndicatorPages bounds the indicator pages kept (a plan may have
// thousands of indicators, in three languages).
const keptIndicatorPages = 500

// withPage is a kept page for another request: the same indicator and
// body, the reader's own page around them.
func (v indicatorView) withPage(pg Page) indicatorView {
	v.Page = pg
	return v
}

// Name is the indicator's name in the page's language.
func (v indicatorView) Name() string { return v.Indicator.NameIn(v.L.Lang) }

// Num writes a number of this indicator: yes/no and milestone values as
// words, others with the language's separators.
func (v indicatorView) Num(x *float64) string {
	if x == nil {
		return "–"
	}
	switch v.Indicator.UnitType {
	case domain.UnitYesNo, domain.UnitMilestone:
		if *x >= 1 {
			return v.L.T("pages.yes")
		}
		return v.L.T("pages.no")
	}
	return v.L.Num(x)
}

// Fig writes a figure as the reader may see it: the number, "<5", or the
// withheld marker.
func (v indicatorView) Fig(f review.Figure) string {
	switch {
	case f.Small:
		return "<5"
	case f.Withheld:
		return v.L.T("pages.withheld")
	case f.Value == nil:
		return "–"
	}
	return v.Num(f.Value)
}

// HasSuppressed reports whether any figure on the page is hidden, so that
// the page explains why.
func (v indicatorView) HasSuppressed() bool {
	for _, r := range v.Rows {
		if r.Actual.Hidden() {
			return true
		}
	}
	for _, b := range v.Breakdown {
		if b.Figure.Hidden() {
			return true
		}
	}
	return v.End.Actual.Hidden()
}

// lineChart draws the period targets and the visible actuals, with the
// baseline as a reference line. Hidden figures are left out of the chart.
func (v indicatorView) lineChart() template.HTML {
	L := v.L
	c := chart.LineChart{ID: "ind-chart", Title: L.T("pages.ind.chart_title", v.Indicator.Code), XLabel: L.T("pages.period"),
		YLabel: v.Indicator.UnitLabel, Format: func(x float64) string { return L.Num(x) }, Width: 720, Height: 320}
	if c.YLabel == "" {
		c.YLabel = L.T("unit." + v.Indicator.UnitType)
	}
	target := chart.LineSeries{Name: L.T("pages.target"), Marker: chart.LineMarkerSquare, Dashed: true, Class: "line-target"}
	actual := chart.LineSeries{Name: L.T("pages.actual"), Marker: chart.LineMarkerCircle, Class: "line-actual"}
	reported, lastLabel := 0, ""
	var last review.IndicatorPeriodRow
	for _, r := range v.All {
		c.Labels = append(c.Labels, r.Period.Label)
		target.Values = append(target.Values, r.Target)
		var a *float64
		if r.Actual.Value != nil {
			a = r.Actual.Value
			reported++
			last, lastLabel = r, r.Period.Label
		}
		actual.Values = append(actual.Values, a)
	}
	c.Series = []chart.LineSeries{target, actual}
	if b := v.Indicator.BaselineValue; b != nil {
		c.Reference = b
		c.ReferenceName = L.T("pages.baseline_line", v.Num(b))
	}
	if reported == 0 {
		c.Desc = L.T("pages.ind.chart_desc_none", len(v.All))
	} else {
		c.Desc = L.T("pages.ind.chart_desc", reported, len(v.All), v.Num(last.Actual.Value), lastLabel, v.Num(last.Target), L.T("report.rag."+last.RAG))
	}
	return c.SVG()
}

// KB is a file size in kilobytes, rounded up, for the evidence list.
func (v indicatorView) KB(n int64) int { return int((n + 1023) / 1024) }
