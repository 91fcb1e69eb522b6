package handlers

import (
	"net/http"
	"time"

	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// apiCompleteness is the answer of GET /api/v1/plans/{plan}/completeness.
type apiCompleteness struct {
	Plan string `json:"plan"`
	// At is the instant (RFC 3339, UTC) the numbers describe.
	At      string                  `json:"at"`
	Periods []apiPeriodCompleteness `json:"periods"`
}

// apiPeriodCompleteness is one period: its totals and a row per organisation, worst first.
type apiPeriodCompleteness struct {
	Label         string                `json:"label"`
	DueDate       string                `json:"due_date"`
	Total         apiCompletenessCounts `json:"total"`
	Organisations []apiOrgCompleteness  `json:"organisations"`
}

// apiOrgCompleteness is one organisation's counts in a period.
type apiOrgCompleteness struct {
	Acronym string `json:"acronym"`
	Name    string `json:"name"`
	apiCompletenessCounts
}

// apiCompletenessCounts are the counts and rates of models.CompletenessCounts.
type apiCompletenessCounts struct {
	Expected         int      `json:"expected"`
	OnTime           int      `json:"on_time"`
	Late             int      `json:"late"`
	Missing          int      `json:"missing"`
	NotDue           int      `json:"not_due"`
	Submitted        int      `json:"submitted"`
	Returned         int      `json:"returned"`
	Approved         int      `json:"approved"`
	CompletenessRate *float64 `json:"completeness_rate"`
	TimelinessRate   *float64 `json:"timeliness_rate"`
}

func completenessCountsJSON(c reporting.CompletenessCounts) apiCompletenessCounts {
	return apiCompletenessCounts{Expected: c.Expected, OnTime: c.OnTime, Late: c.Late, Missing: c.Missing, NotDue: c.NotDue,
		Submitted: c.Submitted, Returned: c.Returned, Approved: c.Approved,
		CompletenessRate: c.CompletenessRate(), TimelinessRate: c.TimelinessRate()}
}

// APICompleteness answers the numbers of the completeness page as JSON:
// GET /api/v1/plans/{plan}/completeness?period=P[&period=Q][&org=ACRONYM].
func (h *Handler) APICompleteness(c echo.Context) error {
	f, err := h.readCompletenessFilter(c)
	if err != nil {
		return err
	}
	now := h.Now().UTC()
	rep, err := reporting.CompletenessFromRollups(c.Request().Context(), h.DB, *f.plan, f.selected, f.orgID(), now)
	if err != nil {
		return err
	}
	out := apiCompleteness{Plan: f.plan.Code, At: now.Format(time.RFC3339), Periods: make([]apiPeriodCompleteness, 0, len(rep.Periods))}
	for _, pc := range rep.Periods {
		ap := apiPeriodCompleteness{Label: pc.Period.Label, DueDate: apiDate(pc.Period.DueDate), Total: completenessCountsJSON(pc.Total),
			Organisations: make([]apiOrgCompleteness, 0, len(pc.Rows))}
		for _, r := range pc.Rows {
			ap.Organisations = append(ap.Organisations, apiOrgCompleteness{Acronym: r.Organisation.Acronym, Name: r.Organisation.Name,
				apiCompletenessCounts: completenessCountsJSON(r.CompletenessCounts)})
		}
		out.Periods = append(out.Periods, ap)
	}
	return c.JSON(http.StatusOK, out)
}
