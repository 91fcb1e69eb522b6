package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/notify"
	"naptracker/planning"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// completenessPage is the completeness and timeliness of a plan's reporting
// per period and organisation, with its filters.
type completenessPage struct {
	Page
	Plan    domain.Plan
	Choices []periodChoice
	Orgs    []domain.Organisation
	// Org is the acronym filtered on ("" for every organisation).
	Org    string
	Report *reporting.CompletenessReport
}

// periodChoice is a period offered in the filter.
type periodChoice struct {
	Label    string
	Selected bool
}

// completenessFilter is what the page and the API were asked for.
type completenessFilter struct {
	plan     *domain.Plan
	all      []domain.ReportingPeriod
	selected []domain.ReportingPeriod
	org      *domain.Organisation
}

// readCompletenessFilter reads ?period=P (repeatable; by default the most
// recent period whose due date has passed and the open ones) and ?org=ACRONYM.
// An unknown plan, period or organisation is not found.
func (h *Handler) readCompletenessFilter(c echo.Context) (*completenessFilter, error) {
	ctx := c.Request().Context()
	plan, err := planning.FindPlan(ctx, h.DB, c.Param("plan"))
	if err != nil {
		return nil, err
	}
	f := &completenessFilter{plan: plan}
	if f.all, err = reporting.PlanPeriods(ctx, h.DB, plan.ID); err != nil {
		return nil, err
	}
	labels := c.QueryParams()["period"]
	if len(labels) == 0 {
		f.selected = reporting.DefaultCompletenessPeriods(f.all, h.Now().UTC())
	}
	for _, p := range f.all {
		if slices.Contains(labels, p.Label) {
			f.selected = append(f.selected, p)
		}
	}
	for _, l := range labels {
		if !slices.ContainsFunc(f.all, func(p domain.ReportingPeriod) bool { return p.Label == l }) {
			return nil, domain.ErrNotFound
		}
	}
	if acr := strings.TrimSpace(c.QueryParam("org")); acr != "" {
		if f.org, err = planning.FindOrganisationByAcronym(ctx, h.DB, acr); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (f *completenessFilter) orgID() int64 {
	if f.org == nil {
		return 0
	}
	return f.org.ID
}

// Completeness shows, for the chosen periods, what each organisation was
// expected to report and how much came in on time, late or not at all,
// worst first, each count of missing items linking to the list of them.
func (h *Handler) Completeness(c echo.Context) error {
	f, err := h.readCompletenessFilter(c)
	if err != nil {
		return err
	}
	ctx, now := c.Request().Context(), h.Now().UTC()
	p := completenessPage{Page: h.page(c), Plan: *f.plan}
	if f.org != nil {
		p.Org = f.org.Acronym
	}
	for i := len(f.all) - 1; i >= 0; i-- {
		per := f.all[i]
		if now.Before(per.StartDate) {
			continue
		}
		p.Choices = append(p.Choices, periodChoice{Label: per.Label,
			Selected: slices.ContainsFunc(f.selected, func(s domain.ReportingPeriod) bool { return s.ID == per.ID })})
	}
	if p.Orgs, err = account.OrganisationChoices(ctx, h.DB); err != nil {
		return err
	}
	if p.Report, err = reporting.CompletenessFromRollups(ctx, h.DB, *f.plan, f.selected, f.orgID(), now); err != nil {
		return err
	}
	return c.Render(http.StatusOK, "completeness", p)
}

// completenessOrgPage lists what one organisation still owes for a period
// (and what came late or was returned), with its focal points to chase.
type completenessOrgPage struct {
	Page
	Plan        domain.Plan
	Org         domain.Organisation
	Period      domain.ReportingPeriod
	Periods     []domain.ReportingPeriod
	Items       []reporting.CompletenessItem
	FocalPoints []domain.User
	Counts      reporting.CompletenessCounts
}

// CompletenessOrg lists an organisation's missing, not yet submitted, late
// and returned items of a period (?period=P, by default the most recent
// one whose due date has passed), with the names and e-mail addresses of
// its focal points.
func (h *Handler) CompletenessOrg(c echo.Context) error {
	ctx, now := c.Request().Context(), h.Now().UTC()
	plan, err := planning.FindPlan(ctx, h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	org, err := planning.FindOrganisationByAcronym(ctx, h.DB, c.Param("org"))
	if err != nil {
		return err
	}
	all, err := reporting.PlanPeriods(ctx, h.DB, plan.ID)
	if err != nil {
		return err
	}
	p := completenessOrgPage{Page: h.page(c), Plan: *plan, Org: *org}
	label := c.QueryParam("period")
	for _, per := range all {
		if !now.Before(per.StartDate) {
			p.Periods = append(p.Periods, per)
		}
		if per.Label == label {
			p.Period = per
		}
	}
	switch {
	case label != "" && p.Period.ID == 0:
		return domain.ErrNotFound
	case label == "":
		def := reporting.DefaultCompletenessPeriods(all, now)
		if len(def) == 0 {
			return domain.ErrNotFound
		}
		p.Period = def[0]
	}
	slices.Reverse(p.Periods)
	items, err := reporting.CompletenessItems(ctx, h.DB, *plan, []domain.ReportingPeriod{p.Period}, reporting.ItemFilter{OrgID: org.ID}, now)
	if err != nil {
		return err
	}
	for _, it := range items {
		p.Counts.Expected++
		switch it.State {
		case reporting.ItemOnTime:
			p.Counts.OnTime++
		case reporting.ItemLate:
			p.Counts.Late++
		case reporting.ItemMissing:
			p.Counts.Missing++
		case reporting.ItemNotDue:
			p.Counts.NotDue++
		}
		if it.Status == domain.StatusReturned {
			p.Counts.Returned++
		}
		if it.State != reporting.ItemOnTime || it.Status == domain.StatusReturned {
			p.Items = append(p.Items, it)
		}
	}
	fps, err := reporting.FocalPoints(ctx, h.DB, []int64{org.ID})
	if err != nil {
		return err
	}
	p.FocalPoints = fps[org.ID]
	return c.Render(http.StatusOK, "completeness_org", p)
}

// CompletenessLink is the address of an organisation's list of missing items.
func CompletenessLink(plan, org, period string) string {
	return "/plans/" + url.PathEscape(plan) + "/completeness/" + url.PathEscape(org) + "?period=" + url.QueryEscape(period)
}

// ItemLink is the address of the form of an expected item for a period.
func (p completenessOrgPage) ItemLink(it reporting.CompletenessItem) string {
	return notify.ItemPath(p.Plan.Code, p.Period.Label, it)
}

// MissingLink is the address of an organisation's list for a period.
func (p completenessPage) MissingLink(org, period string) string {
	return CompletenessLink(p.Plan.Code, org, period)
}

// Pct writes a rate as a percentage, "–" when there is none.
func (p completenessPage) Pct(r *float64) string {
	if r == nil {
		return "–"
	}
	return p.L.Pct(*r)
}

// State is a period's state at the instant the report describes.
func (p completenessPage) State(per domain.ReportingPeriod) string {
	return per.State(p.Report.At, nil)
}
