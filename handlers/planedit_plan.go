package handlers

import (
	"math"
	"net/http"
	"strconv"

	"naptracker/domain"
	"naptracker/planedit"
	"naptracker/planning"

	"github.com/labstack/echo/v4"
)

// planFormPage is the form to create a plan or change its settings.
type planFormPage struct {
	editBase
	Frequencies, Languages []choice
}

// planEditHome is the editing home of a plan: its tree with links to add
// and edit every item, and the archived items that can be restored.
type planEditHome struct {
	Page
	Tree     *planning.PlanTree
	Archived []archivedRow
}

// archivedRow is an archived item with its address and the name of its tier.
type archivedRow struct {
	planedit.ArchivedItem
	Path, Tier string
}

// percent shows a fraction as the percentage typed in the form (0.85 → "85").
func pePercent(x float64) string {
	return strconv.FormatFloat(math.Round(x*10000)/100, 'f', -1, 64)
}

// planFields fills the plan form from a plan.
func planFields(p *domain.Plan) formValues {
	f := formValues{}
	for k, v := range map[string]string{
		"code": p.Code, "title": p.Title, "description": p.Description, "country": p.Country,
		"start_year": strconv.Itoa(p.StartYear), "end_year": strconv.Itoa(p.EndYear), "frequency": p.Frequency,
		"tier1_label": p.Tier1Label, "tier2_label": p.Tier2Label, "tier3_label": p.Tier3Label,
		"green_threshold": pePercent(p.GreenThreshold), "red_threshold": pePercent(p.RedThreshold),
		"language": p.Language, "currency": p.Currency, "version": strconv.Itoa(p.Version),
		"due_days": strconv.Itoa(planedit.DefaultDueDays), "grace_days": strconv.Itoa(planedit.DefaultGraceDays),
	} {
		f.set(k, v)
	}
	f.setTexts("tier1_label", p.Tier1LabelI18n)
	f.setTexts("tier2_label", p.Tier2LabelI18n)
	f.setTexts("tier3_label", p.Tier3LabelI18n)
	return f
}

// parsePlan reads the plan form; thresholds are typed as percentages.
func parsePlan(p *formParser) planedit.PlanInput {
	pct := func(name string) float64 {
		x := p.optNumber(name)
		if x == nil {
			p.fail(name, "pe.err_required_number")
			return 0
		}
		return *x / 100
	}
	return planedit.PlanInput{
		Code: p.text("code"), Title: p.text("title"), Description: p.text("description"), Country: p.text("country"),
		StartYear: p.required("start_year"), EndYear: p.required("end_year"), Frequency: p.text("frequency"),
		Tier1Label: p.text("tier1_label"), Tier2Label: p.text("tier2_label"), Tier3Label: p.text("tier3_label"),
		TierLabels:     [3]domain.Texts{p.texts("tier1_label"), p.texts("tier2_label"), p.texts("tier3_label")},
		GreenThreshold: pct("green_threshold"), RedThreshold: pct("red_threshold"),
		Language: p.text("language"), Currency: p.text("currency"),
		DueDays: p.integer("due_days", planedit.DefaultDueDays), GraceDays: p.integer("grace_days", planedit.DefaultGraceDays),
		Version: p.version(),
	}
}

func (h *Handler) renderPlanForm(c echo.Context, status int, plan *domain.Plan, f formValues, errs map[string]string) error {
	l := h.Localizer(c)
	p := planFormPage{editBase: editBase{Page: h.page(c), Plan: plan, Form: f, Errors: errs, Action: "/plans", Creating: plan == nil},
		Frequencies: enumOptions(l, "frequency.", planedit.Frequencies), Languages: enumOptions(l, "pe.lang.", planedit.PlanLanguages)}
	if plan != nil {
		p.Action = planEditPath(plan, "/settings")
	}
	return c.Render(status, "edit_plan", p)
}

// NewPlanForm shows the form to create a plan, with the usual defaults.
func (h *Handler) NewPlanForm(c echo.Context) error {
	y := h.Now().UTC().Year()
	defaults := &domain.Plan{StartYear: y, EndYear: y + 4, Frequency: domain.Quarterly, Tier1Label: "Pillar", Tier2Label: "Objective",
		Tier3Label: "Activity", GreenThreshold: 0.85, RedThreshold: 0.5, Language: "en", Currency: "USD"}
	f := planFields(defaults)
	f.set("version", "0")
	return h.renderPlanForm(c, http.StatusOK, nil, f, nil)
}

// CreatePlan creates a plan with its reporting periods and opens its editing page.
func (h *Handler) CreatePlan(c echo.Context) error {
	var in planedit.PlanInput
	ctx := c.Request().Context()
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parsePlan(p) },
		check: func() error { return planedit.ValidatePlanInput(ctx, h.DB, in, true) },
		save: func() (string, error) {
			plan, err := planedit.CreatePlan(ctx, h.DB, h.caller(c), in)
			if err != nil {
				return "", err
			}
			return planEditPath(plan, "/edit?flash=flash.pe_plan_created"), nil
		},
	}, func(status int, f formValues, errs map[string]string) error {
		return h.renderPlanForm(c, status, nil, f, errs)
	})
}

// PlanSettingsForm shows the form to change a plan's settings.
func (h *Handler) PlanSettingsForm(c echo.Context) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	return h.renderPlanForm(c, http.StatusOK, plan, planFields(plan), nil)
}

// UpdatePlanSettings saves a plan's settings; its periods follow its years
// and frequency (see models.UpdatePlan).
func (h *Handler) UpdatePlanSettings(c echo.Context) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	var in planedit.PlanInput
	ctx := c.Request().Context()
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parsePlan(p) },
		check: func() error { return planedit.ValidatePlanInput(ctx, h.DB, in, false) },
		save: func() (string, error) {
			return planEditPath(plan, "/edit?flash=flash.pe_saved"), planedit.UpdatePlan(ctx, h.DB, h.caller(c), plan.Code, in)
		},
	}, func(status int, f formValues, errs map[string]string) error {
		f.set("code", plan.Code)
		return h.renderPlanForm(c, status, plan, f, errs)
	})
}

// EditPlanHome shows the plan's tree for editing.
func (h *Handler) EditPlanHome(c echo.Context) error {
	ctx := c.Request().Context()
	tree, err := planning.LoadPlanTree(ctx, h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	archived, err := planedit.ArchivedItems(ctx, h.DB, tree.Plan.ID)
	if err != nil {
		return err
	}
	p := planEditHome{Page: h.page(c), Tree: tree}
	for _, a := range archived {
		tier := peTierLabel(&tree.Plan, a.Kind, h.Localizer(c).Lang)
		if a.Kind == "indicator" {
			tier = h.Localizer(c).T("pe.indicator")
		}
		p.Archived = append(p.Archived, archivedRow{ArchivedItem: a, Path: peItemPath(&tree.Plan, a.Kind, a.Code), Tier: tier})
	}
	return c.Render(http.StatusOK, "edit_home", p)
}

// childPath is the address of a new child of kind under a parent item.
func peChildPath(plan *domain.Plan, parentKind, parentCode, childKind string) string {
	return peItemPath(plan, parentKind, parentCode) + "/" + peSegments[childKind]
}
