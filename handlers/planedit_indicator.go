package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/planedit"

	"github.com/labstack/echo/v4"
)

// indicatorFormPage is the form of an indicator of an objective (outcome)
// or an activity (output).
type indicatorFormPage struct {
	editBase
	ParentKind, Parent string
	Units, Directions  []choice
	Accumulations      []choice
	Orgs, Sets         []choice
	// Years are the plan's years, one target input each.
	Years []int
	// Lead is the activity lead's acronym, the default reporter of an output indicator.
	Lead string
}

// targetField names the input of a year's target.
func peTargetField(y int) string { return fmt.Sprintf("target.%d", y) }

func indicatorFields(ind *domain.Indicator, targets map[int]float64) formValues {
	f := nodeFields(ind.Code, "", "", ind.Position, ind.Version)
	delete(f, "title")
	delete(f, "description")
	for k, v := range map[string]string{"name": ind.Name, "definition": ind.Definition, "unit_type": ind.UnitType,
		"unit_label": ind.UnitLabel, "direction": ind.Direction, "accumulation": ind.Accumulation,
		"means_of_verification": ind.MeansOfVerification} {
		f.set(k, v)
	}
	f.setTexts("name", ind.NameI18n)
	f.setTexts("definition", ind.DefinitionI18n)
	f.setTexts("unit_label", ind.UnitLabelI18n)
	f.setNum("baseline_value", ind.BaselineValue)
	if ind.BaselineYear != nil {
		f.set("baseline_year", strconv.Itoa(*ind.BaselineYear))
	}
	for y, x := range targets {
		f.setNum(peTargetField(y), &x)
	}
	f.setNum("end_target", ind.EndTarget)
	f.setID("reporting_org", &ind.ReportingOrgID)
	f.setID("disaggregation_set", ind.DisaggregationSetID)
	if ind.Sensitive {
		f.set("sensitive", "1")
	}
	return f
}

func parseIndicator(p *formParser, plan *domain.Plan) planedit.IndicatorInput {
	in := planedit.IndicatorInput{Code: p.text("code"), Name: p.text("name"), Names: p.texts("name"), Definition: p.text("definition"),
		Definitions: p.texts("definition"), UnitLabels: p.texts("unit_label"),
		UnitType: p.text("unit_type"), UnitLabel: p.text("unit_label"), Direction: p.text("direction"), Accumulation: p.text("accumulation"),
		BaselineValue: p.optNumber("baseline_value"), BaselineYear: p.optInt("baseline_year"), Targets: map[int]float64{},
		EndTarget: p.optNumber("end_target"), MeansOfVerification: p.text("means_of_verification"), ReportingOrgID: p.id("reporting_org"),
		Sensitive: p.text("sensitive") == "1", Position: p.integer("position", 0), Version: p.version()}
	for y := plan.StartYear; y <= plan.EndYear; y++ {
		if x := p.optNumber(peTargetField(y)); x != nil {
			in.Targets[y] = *x
		}
	}
	if id := p.id("disaggregation_set"); id != 0 {
		in.DisaggregationSetID = &id
	}
	return in
}

// indicatorParent loads the plan being edited and its objective or
// activity (kind) named :code.
func (h *Handler) indicatorParent(c echo.Context, kind string) (*domain.Plan, planedit.IndicatorParent, error) {
	var parent planedit.IndicatorParent
	plan, err := h.editPlan(c)
	if err != nil {
		return nil, parent, err
	}
	ctx := c.Request().Context()
	if kind == "activity" {
		parent.Activity, err = planedit.FindCoded[domain.Activity](ctx, h.DB, plan.ID, c.Param("code"))
	} else {
		parent.Objective, err = planedit.FindCoded[domain.Objective](ctx, h.DB, plan.ID, c.Param("code"))
	}
	return plan, parent, err
}

// codedIndicator loads the plan's indicator :code and what it hangs from.
func (h *Handler) codedIndicator(c echo.Context, plan *domain.Plan) (*domain.Indicator, planedit.IndicatorParent, error) {
	ind, err := planedit.FindCoded[domain.Indicator](c.Request().Context(), h.DB, plan.ID, c.Param("code"))
	if err != nil {
		return nil, planedit.IndicatorParent{}, err
	}
	parent, err := h.parentOf(c, ind)
	return ind, parent, err
}

// parentOf loads the objective or activity an indicator hangs from.
func (h *Handler) parentOf(c echo.Context, ind *domain.Indicator) (planedit.IndicatorParent, error) {
	ctx := c.Request().Context()
	var err error
	var parent planedit.IndicatorParent
	if ind.ActivityID != nil {
		parent.Activity, err = planedit.FindByID[domain.Activity](ctx, h.DB, *ind.ActivityID)
	} else {
		parent.Objective, err = planedit.FindByID[domain.Objective](ctx, h.DB, *ind.ObjectiveID)
	}
	return parent, err
}

// renderIndicator shows the form of a new indicator (ind nil) or an existing one.
func (h *Handler) renderIndicator(c echo.Context, status int, plan *domain.Plan, parent planedit.IndicatorParent, ind *domain.Indicator, f formValues, errs map[string]string, inUse []string) error {
	ctx, l := c.Request().Context(), h.Localizer(c)
	orgs, err := account.OrganisationChoices(ctx, h.DB)
	if err != nil {
		return err
	}
	sets, err := planedit.DisaggregationChoices(ctx, h.DB)
	if err != nil {
		return err
	}
	kind, lead := "objective", ""
	if parent.Activity != nil {
		kind = "activity"
		for _, o := range orgs {
			if o.ID == parent.Activity.LeadOrgID {
				lead = o.Acronym
			}
		}
	}
	p := indicatorFormPage{editBase: editBase{Page: h.page(c), Plan: plan, Form: f, Errors: errs, Creating: ind == nil,
		Action: peChildPath(plan, kind, parent.Code(), "indicator")}, ParentKind: kind, Parent: parent.Code(), Lead: lead,
		Units: enumOptions(l, "unit.", planedit.UnitTypes), Directions: enumOptions(l, "direction.", planedit.Directions),
		Accumulations: enumOptions(l, "accumulation.", planedit.Accumulations), Orgs: orgOptions(l, orgs, f, "reporting_org", nil)}
	for _, s := range sets {
		p.Sets = append(p.Sets, choice{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
	}
	for y := plan.StartYear; y <= plan.EndYear; y++ {
		p.Years = append(p.Years, y)
	}
	if ind != nil {
		path := peItemPath(plan, "indicator", ind.Code)
		f.set("code", ind.Code)
		p.Action, p.Item = path, itemBox(path, ind.Version, ind.ArchivedAt, inUse)
	}
	return c.Render(status, "edit_indicator", p)
}

// renderIndicatorEdit shows the indicator :code; f nil fills the form from the database.
func (h *Handler) renderIndicatorEdit(c echo.Context, status int, plan *domain.Plan, f formValues, errs map[string]string, inUse []string) error {
	ctx := c.Request().Context()
	ind, parent, err := h.codedIndicator(c, plan)
	if err != nil {
		return err
	}
	if f == nil {
		targets, err := planedit.IndicatorTargets(ctx, h.DB, ind.ID)
		if err != nil {
			return err
		}
		f = indicatorFields(ind, targets)
	}
	return h.renderIndicator(c, status, plan, parent, ind, f, errs, inUse)
}

// NewIndicatorForm shows the form for a new indicator under the objective
// or activity (kind) :code, with the next code suggested.
func (h *Handler) NewIndicatorForm(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		plan, parent, err := h.indicatorParent(c, kind)
		if err != nil {
			return err
		}
		code, err := planedit.SuggestCode(c.Request().Context(), h.DB, plan.ID, "indicator", parent.Code())
		if err != nil {
			return err
		}
		f := formValues{"code": {code}, "unit_type": {domain.UnitNumber}, "direction": {domain.Increase},
			"accumulation": {domain.AccumulateSum}, "version": {"0"}}
		return h.renderIndicator(c, http.StatusOK, plan, parent, nil, f, nil, nil)
	}
}

// CreateIndicator adds an indicator under the objective or activity (kind) :code.
func (h *Handler) CreateIndicator(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		plan, parent, err := h.indicatorParent(c, kind)
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		var in planedit.IndicatorInput
		return h.submitForm(c, formStep{
			parse: func(p *formParser) { in = parseIndicator(p, plan) },
			check: func() error { return planedit.ValidateIndicatorInput(ctx, h.DB, plan, parent, in, "") },
			save: func() (string, error) {
				ind, err := planedit.CreateIndicator(ctx, h.DB, h.caller(c), plan, parent, in)
				return peCreated(plan, "indicator", ind.Code, err)
			},
		}, func(status int, f formValues, errs map[string]string) error {
			return h.renderIndicator(c, status, plan, parent, nil, f, errs, nil)
		})
	}
}

// EditIndicatorForm shows the indicator :code.
func (h *Handler) EditIndicatorForm(c echo.Context) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	return h.renderIndicatorEdit(c, http.StatusOK, plan, nil, nil, nil)
}

// UpdateIndicator saves the indicator form.
func (h *Handler) UpdateIndicator(c echo.Context) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ind, parent, err := h.codedIndicator(c, plan)
	if err != nil {
		return err
	}
	var in planedit.IndicatorInput
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parseIndicator(p, plan) },
		check: func() error { return planedit.ValidateIndicatorInput(ctx, h.DB, plan, parent, in, ind.Code) },
		save: func() (string, error) {
			err := planedit.UpdateIndicator(ctx, h.DB, h.caller(c), plan, parent, ind.Code, in)
			return peItemPath(plan, "indicator", ind.Code) + "/edit?flash=flash.pe_saved", err
		},
	}, func(status int, f formValues, errs map[string]string) error {
		return h.renderIndicator(c, status, plan, parent, ind, f, errs, nil)
	})
}
