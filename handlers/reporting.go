package handlers

import (
	"net/http"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// reportingPage is "My reporting": everything an organisation owes in the
// periods that are open or overdue for it.
type reportingPage struct {
	Page
	Report *reporting.OrgReporting
	// Orgs lets the secretariat pick whose reporting to look at.
	Orgs     []domain.Organisation
	Selected string
}

// LastPeriod is the latest period listed, where the offline form's range ends by default.
func (p reportingPage) LastPeriod() string {
	if p.Report == nil || len(p.Report.Periods) == 0 {
		return ""
	}
	return p.Report.Periods[len(p.Report.Periods)-1].Period.Label
}

// MyReporting shows a focal point what their organisation must report, the
// returned and missing items first. The secretariat can look at any
// organisation's page with ?org=ACRONYM, to chase it.
func (h *Handler) MyReporting(c echo.Context) error {
	ctx, who := c.Request().Context(), PrincipalOf(c)
	p := reportingPage{Page: h.page(c)}
	orgID := who.OrgID()
	if domain.ScopeOf(&who.User).Validates() {
		orgs, err := reporting.ReportingOrganisations(ctx, h.DB)
		if err != nil {
			return err
		}
		p.Orgs, p.Selected, orgID = orgs, c.QueryParam("org"), 0
		for _, o := range orgs {
			if o.Acronym == p.Selected {
				orgID = o.ID
			}
		}
	}
	if orgID == 0 {
		if _, err := planning.FindPlan(ctx, h.DB, c.Param("plan")); err != nil {
			return err
		}
		p.Report = &reporting.OrgReporting{}
		p.Report.Plan.Code = c.Param("plan")
		return c.Render(http.StatusOK, "reporting", p)
	}
	rep, err := reporting.LoadOrgReporting(ctx, h.DB, c.Param("plan"), orgID, h.Now().UTC())
	if err != nil {
		return err
	}
	p.Report = rep
	return c.Render(http.StatusOK, "reporting", p)
}
