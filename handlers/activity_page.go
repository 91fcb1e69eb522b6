package handlers

import (
	"net/http"

	"naptracker/domain"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// activityPageView is the activity page: the activity's place in the plan, its
// organisations, budget and funding, its indicators with their current
// rating, and its updates over time, as the reader's scope may see them.
type activityPageView struct {
	Page
	*review.ActivityPage
}

// ShowActivity shows one activity to every role; donors, facilitators and
// other organisations see the lead's approved updates only.
func (h *Handler) ShowActivity(c echo.Context) error {
	caller := h.caller(c)
	pg, err := review.LoadActivityPage(c.Request().Context(), h.DB, caller.Scope, c.Param("plan"), c.Param("code"), caller.Now)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "activity", activityPageView{Page: h.page(c), ActivityPage: pg})
}

// Fig writes an indicator's figure as the reader may see it ("<5", withheld).
func (v activityPageView) Fig(ind domain.Indicator, f review.Figure) string {
	return indicatorView{Page: v.Page, IndicatorPage: &review.IndicatorPage{Indicator: ind}}.Fig(f)
}

// Num writes an indicator's number: yes/no and milestone values as words.
func (v activityPageView) Num(ind domain.Indicator, x *float64) string {
	return indicatorView{Page: v.Page, IndicatorPage: &review.IndicatorPage{Indicator: ind}}.Num(x)
}
