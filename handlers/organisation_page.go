package handlers

import (
	"net/http"
	"time"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// organisationView is an organisation's page ("my responsibilities"): what
// it leads, supports and reports, what it still owes, and its focal points,
// laid out to print on one A4 page for the review workshop.
type organisationView struct {
	Page
	*review.OrgPage
	// ShowEmails: the reader may see the focal points' e-mail addresses
	// (the secretariat, administrators and the organisation's own focal points).
	ShowEmails bool
	// Now is the instant the page describes, printed on it.
	Now time.Time
	// Decisions are the workshop decisions the organisation is responsible for.
	Decisions *decisionsBlock
}

// ShowOrganisation shows an organisation's responsibilities in a plan to
// every role; donors and facilitators see approved data only and the focal
// points' names without their e-mail addresses.
func (h *Handler) ShowOrganisation(c echo.Context) error {
	who, caller, l := PrincipalOf(c), h.caller(c), h.Localizer(c)
	scope := caller.Scope
	// Readers of approved data only get a 304 for a page they hold (see ShowIndicator).
	if !scope.Validates() {
		plan, err := planning.FindPlan(c.Request().Context(), h.DB, c.Param("plan"))
		if err != nil {
			return err
		}
		org := int64(0)
		if scope.ReportsForOwnOrg() {
			o, err := planning.FindOrganisationByAcronym(c.Request().Context(), h.DB, c.Param("org"))
			if err != nil {
				return err
			}
			org = o.ID
		}
		if h.notModified(c, plan, readsApprovedOnly(who, org)) {
			return nil
		}
	}
	pg, err := review.LoadOrgPage(c.Request().Context(), h.DB, scope, c.Param("plan"), c.Param("org"), l.Lang, caller.Now)
	if err != nil {
		return err
	}
	v := organisationView{Page: h.page(c), OrgPage: pg, ShowEmails: scope.SeesUnapproved(pg.Org.ID), Now: caller.Now}
	// --- workshop decisions ---
	back := "/plans/" + pg.Plan.Code + "/organisations/" + pg.Org.Acronym
	if v.Decisions, err = h.decisionsFor(c, review.DecisionFilter{PlanID: pg.Plan.ID, OrgID: pg.Org.ID}, back, "decisions"); err != nil {
		return err
	}
	v.Decisions.CSV = decisionsCSVLink(pg.Plan.Code, pg.Org.Acronym, false)
	// --- end workshop decisions ---
	return c.Render(http.StatusOK, "organisation", v)
}

// OrgAcronym names an organisation by id ("?" when unknown).
func (v organisationView) OrgAcronym(id int64) string {
	if o, ok := v.Orgs[id]; ok {
		return o.Acronym
	}
	return "?"
}

// OrgName is an organisation's full name by id.
func (v organisationView) OrgName(id int64) string { return v.Orgs[id].Name }

// Num writes an indicator's number: yes/no and milestone values as words.
func (v organisationView) Num(ind domain.Indicator, x *float64) string {
	return indicatorView{Page: v.Page, IndicatorPage: &review.IndicatorPage{Indicator: ind}}.Num(x)
}

// Fig writes an indicator's figure as the reader may see it ("<5", withheld).
func (v organisationView) Fig(ind domain.Indicator, f review.Figure) string {
	return indicatorView{Page: v.Page, IndicatorPage: &review.IndicatorPage{Indicator: ind}}.Fig(f)
}

// LateCount counts the items past their due date.
func (v organisationView) LateCount() int {
	n := 0
	for _, it := range v.Late {
		if it.State == reporting.ItemMissing {
			n++
		}
	}
	return n
}

// IsMine reports whether the signed-in user belongs to this organisation.
func (v organisationView) IsMine() bool {
	return v.User != nil && v.User.OrganisationID != nil && *v.User.OrganisationID == v.Org.ID
}
