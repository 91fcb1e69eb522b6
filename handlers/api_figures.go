package handlers

import (
	"net/http"
	"strings"

	"naptracker/figures"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// figureCellJSON is an indicator's figures for a period or the range. A
// number the caller may not see is null with "suppressed": true ("small":
// true when it is 1 to 4), never sent.
type figureCellJSON struct {
	Period     string   `json:"period"`
	Target     *float64 `json:"target"`
	Actual     *float64 `json:"actual"`
	Suppressed bool     `json:"suppressed,omitempty"`
	Small      bool     `json:"small,omitempty"`
	Unapproved bool     `json:"unapproved,omitempty"`
	Progress   *float64 `json:"progress"`
	Rating     string   `json:"rating"`
	Due        bool     `json:"due"`
}

// breakdownFigureJSON is one breakdown cell's figure.
type breakdownFigureJSON struct {
	Period     string   `json:"period,omitempty"`
	Value      *float64 `json:"value"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

type breakdownJSON struct {
	Cell    string                `json:"cell"`
	Range   breakdownFigureJSON   `json:"range"`
	Periods []breakdownFigureJSON `json:"periods"`
}

type indicatorFiguresJSON struct {
	Code         string           `json:"code"`
	Sensitive    bool             `json:"sensitive"`
	Audience     string           `json:"audience"`
	Accumulation string           `json:"accumulation"`
	Direction    string           `json:"direction"`
	Baseline     *float64         `json:"baseline"`
	RatedPeriod  string           `json:"rated_period"`
	Rating       string           `json:"rating"`
	Current      figureCellJSON   `json:"current"`
	Range        figureCellJSON   `json:"range"`
	Periods      []figureCellJSON `json:"periods"`
	Breakdown    []breakdownJSON  `json:"breakdown,omitempty"`
}

// planFigures reads the plan's figures for the caller's audience with the
// filters of the figures API and its CSV (from, to, include_unapproved).
func (h *Handler) planFigures(c echo.Context) (*reporting.PlanFigures, error) {
	caller, q := h.caller(c), c.QueryParams()
	return reporting.LoadPlanFigures(c.Request().Context(), h.DB, caller.Scope, c.Param("plan"),
		strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to")), truthy(q.Get("include_unapproved")), caller.Now)
}

// APIFigures gives every indicator's figures over a range, as the workshop
// report, the pages, the slides and the dashboard show them:
// GET /api/v1/plans/{plan}/figures?from=P&to=P[&include_unapproved=1].
// Each indicator says which period it is rated at and its rating.
func (h *Handler) APIFigures(c echo.Context) error {
	pf, err := h.planFigures(c)
	if err != nil {
		return err
	}
	label := func(k int) string { return pf.Periods[k].Label }
	cell := func(c figures.Cell) figureCellJSON {
		return figureCellJSON{Period: label(c.Period), Target: c.Target, Actual: c.Actual.Value, Suppressed: c.Actual.Hidden(), Small: c.Actual.Small,
			Unapproved: c.Actual.Unapproved, Progress: c.Progress, Rating: c.Rating, Due: c.Due}
	}
	fig := func(period string, f figures.Figure) breakdownFigureJSON {
		return breakdownFigureJSON{Period: period, Value: f.Value, Suppressed: f.Hidden()}
	}
	out := make([]indicatorFiguresJSON, 0, len(pf.Indicators))
	for _, it := range pf.Indicators {
		a, ind := it.Assessment, it.Indicator
		j := indicatorFiguresJSON{Code: ind.Code, Sensitive: ind.Sensitive, Audience: it.Audience.String(), Accumulation: ind.Accumulation,
			Direction: ind.Direction, Baseline: ind.BaselineValue, Range: cell(a.Range)}
		j.Current = cell(a.Current())
		j.RatedPeriod, j.Rating = j.Current.Period, j.Current.Rating
		for _, c := range a.Periods {
			j.Periods = append(j.Periods, cell(c))
		}
		for i, name := range it.Cells {
			if a.Breakdown == nil {
				break
			}
			b := breakdownJSON{Cell: name, Range: fig("", a.Breakdown[i][0])}
			for k, f := range a.Breakdown[i][1:] {
				b.Periods = append(b.Periods, fig(label(pf.Range.From+k), f))
			}
			j.Breakdown = append(j.Breakdown, b)
		}
		out = append(out, j)
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": pf.Plan.Code, "from": pf.Range.First().Label, "to": pf.Range.Last().Label, "indicators": out})
}
