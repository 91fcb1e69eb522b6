package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"naptracker/domain"
	"naptracker/pagegzip"
	"naptracker/planning"
	"naptracker/report"
	"naptracker/reporting"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// homePage lists the plans.
type homePage struct {
	Page
	Plans []planning.PlanSummary
}

// Home lists every plan with its size.
func (h *Handler) Home(c echo.Context) error {
	plans, err := planning.ListPlansCached(c.Request().Context(), h.DB, &h.planSizes)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "home", homePage{Page: h.page(c), Plans: plans})
}

// planPage shows one plan's tree.
type planPage struct {
	Page
	Tree   *planning.PlanTree
	Report *reportLinks
	// Periods feed the workshop report's download form.
	Periods []domain.ReportingPeriod
	// CanPDF: the form offers the report as PDF (LibreOffice is installed).
	CanPDF bool
	// Decisions are the plan's open workshop decisions.
	Decisions *decisionsBlock
	// Folded: the plan is too large to show whole (more than
	// planFoldAbove indicators), so each objective shows its activities and
	// indicators only when opened with a link (?open=CODE, as many as
	// wanted), without JavaScript.
	Folded bool
	open   []string
	// TreeHTML is the tree rendered (template plan_tree).
	TreeHTML *pagegzip.Part
}

// planFoldAbove is the number of indicators above which the plan page folds.
const planFoldAbove = 500

// IsOpen reports whether the objective's contents are shown.
func (p planPage) IsOpen(code string) bool { return !p.Folded || slices.Contains(p.open, code) }

// ToggleLink is the address of this page with the objective opened (or
// closed, when it is open), the others left as they are.
func (p planPage) ToggleLink(code string) string {
	q := url.Values{}
	for _, o := range p.open {
		if o != code {
			q.Add("open", o)
		}
	}
	if !slices.Contains(p.open, code) {
		q.Add("open", code)
	}
	return "/plans/" + url.PathEscape(p.Tree.Plan.Code) + "?" + q.Encode() + "#h-o-" + code
}

// ObjectiveIndicators counts an objective's indicators: its own and its activities'.
func (p planPage) ObjectiveIndicators(o *planning.ObjectiveNode) int {
	n := len(o.Indicators)
	for _, a := range o.Activities {
		n += len(a.Indicators)
	}
	return n
}

// reportLinks decides which indicators get a link to report the current period.
type reportLinks struct {
	Period string
	scope  domain.Scope
}

// For reports whether the user reports indicators of the given organisation.
func (r *reportLinks) For(orgID int64) bool { return r != nil && r.scope.CanReport(orgID) }

// role, org and period say what the links depend on ("" and 0 without links).
func (r *reportLinks) role() string {
	if r == nil {
		return ""
	}
	return r.scope.Role
}

func (r *reportLinks) org() int64 {
	if r == nil {
		return 0
	}
	return r.scope.OrgID
}

func (r *reportLinks) period() string {
	if r == nil {
		return ""
	}
	return r.Period
}

// ShowPlan shows the plan's tree: pillars → objectives → activities →
// indicators, with lead and supporting organisations.
func (h *Handler) ShowPlan(c echo.Context) error {
	// The tree changes only with the plan's data version (every plan edit
	// raises it): read once, then kept, never modified.
	plan, err := planning.FindPlan(c.Request().Context(), h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	slot, key := strconv.FormatInt(plan.ID, 10), strconv.FormatInt(plan.DataVersion, 10)
	tree, ok := h.planTrees.get(slot, key)
	if !ok {
		if tree, err = planning.LoadPlanTree(c.Request().Context(), h.DB, plan.Code); err != nil {
			return err
		}
		if tree.Plan.DataVersion == plan.DataVersion {
			h.planTrees.put(slot, key, tree)
		}
	}
	p := planPage{Page: h.page(c), Tree: tree, CanPDF: report.CanPDF(), Folded: tree.Indicators > planFoldAbove, open: c.QueryParams()["open"]}
	if p.Periods, err = reporting.PlanPeriods(c.Request().Context(), h.DB, tree.Plan.ID); err != nil {
		return err
	}
	// --- workshop decisions ---
	if p.Decisions, err = h.decisionsFor(c, review.DecisionFilter{PlanID: tree.Plan.ID, OpenOnly: true}, "/plans/"+tree.Plan.Code, "decisions"); err != nil {
		return err
	}
	p.Decisions.CSV = decisionsCSVLink(tree.Plan.Code, "", true)
	// --- end workshop decisions ---
	if who := PrincipalOf(c); who != nil {
		if label := domain.CurrentPeriodLabel(tree.Plan, h.Now().UTC()); label != "" {
			p.Report = &reportLinks{Period: label, scope: domain.ScopeOf(&who.User)}
		}
	}
	// The tree is the bulk of the page and the same for every reader of a
	// language, role and organisation: rendered once per data version and
	// reporting period, unless the plan is folded (then its links depend on
	// what the reader opened, and the page is small anyway).
	slot = strings.Join([]string{slot, p.L.Lang, p.Report.role(), strconv.FormatInt(p.Report.org(), 10)}, "/")
	key = strconv.FormatInt(tree.Plan.DataVersion, 10) + "/" + p.Report.period()
	body, ok := h.planBodies.get(slot, key)
	switch {
	case p.Folded:
		body, err = renderFragment(c, "plan", "plan_tree", p)
	case !ok:
		if body, err = keepFragment(c, "plan", "plan_tree", p); err == nil {
			h.planBodies.put(slot, key, body)
		}
	}
	if err != nil {
		return err
	}
	p.TreeHTML = body
	return renderWithParts(c, "plan", p, body)
}
