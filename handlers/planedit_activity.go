package handlers

import (
	"net/http"
	"strconv"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/planedit"

	"github.com/labstack/echo/v4"
)

// activityFormPage is the form of an activity and, for an existing one,
// its funding lines and indicators.
type activityFormPage struct {
	editBase
	Parent     string // the objective's code
	Tier       string
	Leads      []choice
	Supporters []choice
	Activity   *domain.Activity
	Funding    []fundingRow
	// NewFunding is the form to add a funding line.
	NewFunding fundingRow
	Statuses   []choice
	// Over is how much the funding in the activity's currency exceeds its budget.
	Over       float64
	Indicators []domain.Indicator
	// FundingFailed is set when a funding line form was refused.
	FundingFailed bool
}

// fundingRow is one funding line's form (Line nil for the new line's form).
type fundingRow struct {
	Line    *domain.FundingLine
	Form    formValues
	Errors  map[string]string
	Funders []choice
}

// activityView says what an activity page shows beyond the activity itself.
type activityView struct {
	form, fundingForm formValues
	errs, fundingErrs map[string]string
	// fundingFor is the funding line the funding form and errors belong to (0: a new line).
	fundingFor int64
	inUse      []string
}

func activityFields(a *domain.Activity, supporters []int64) formValues {
	f := nodeFields(a.Code, a.Title, a.Description, a.Position, a.Version)
	f.setTexts("title", a.TitleI18n)
	f.set("start_date", a.StartDate.Format(time.DateOnly))
	f.set("end_date", a.EndDate.Format(time.DateOnly))
	f.setID("lead", &a.LeadOrgID)
	for _, id := range supporters {
		f["supporters"] = append(f["supporters"], strconv.FormatInt(id, 10))
	}
	f.setNum("budget", &a.Budget)
	f.set("currency", a.Currency)
	return f
}

func parseActivity(p *formParser) planedit.ActivityInput {
	return planedit.ActivityInput{NodeInput: parseNode(p), StartDate: p.date("start_date"), EndDate: p.date("end_date"),
		LeadOrgID: p.id("lead"), SupporterIDs: p.ids("supporters"), Budget: p.number("budget", 0), Currency: p.text("currency")}
}

func fundingFields(fl *domain.FundingLine) formValues {
	f := formValues{}
	f.setID("funder", &fl.FunderID)
	f.setNum("amount", &fl.Amount)
	f.set("currency", fl.Currency)
	f.set("status", fl.Status)
	f.set("note", fl.Note)
	f.set("version", strconv.Itoa(fl.Version))
	return f
}

func parseFunding(p *formParser) planedit.FundingInput {
	amount := p.optNumber("amount")
	if amount == nil {
		p.fail("amount", "pe.err_required_number")
		amount = new(float64)
	}
	return planedit.FundingInput{FunderID: p.id("funder"), Amount: *amount, Currency: p.text("currency"), Status: p.text("status"),
		Note: p.text("note"), Version: p.version()}
}

// renderActivity shows the form for a new activity under objective (a
// nil) or an existing activity with its funding and indicators.
func (h *Handler) renderActivity(c echo.Context, status int, plan *domain.Plan, objective string, a *domain.Activity, v activityView) error {
	ctx, l := c.Request().Context(), h.Localizer(c)
	orgs, err := account.OrganisationChoices(ctx, h.DB)
	if err != nil {
		return err
	}
	p := activityFormPage{editBase: editBase{Page: h.page(c), Plan: plan, Form: v.form, Errors: v.errs, Creating: a == nil},
		Parent: objective, Tier: plan.Tier3In(l.Lang), Activity: a, FundingFailed: len(v.fundingErrs) > 0, Statuses: enumOptions(l, "funding.", planedit.FundingStatuses)}
	funders := func(f formValues) []choice {
		return orgOptions(l, orgs, f, "funder", domain.Organisation.IsFunder)
	}
	if a == nil {
		p.Action = peChildPath(plan, "objective", objective, "activity")
	} else {
		var supporters []int64
		if p.Indicators, err = planedit.IndicatorsUnder(ctx, h.DB, planedit.IndicatorParent{Activity: a}); err != nil {
			return err
		}
		lines, err := planedit.ActivityFunding(ctx, h.DB, a.ID)
		if err != nil {
			return err
		}
		if supporters, err = planedit.ActivitySupporterIDs(ctx, h.DB, a.ID); err != nil {
			return err
		}
		if p.Form == nil {
			p.Form = activityFields(a, supporters)
		}
		p.Form.set("code", a.Code)
		path := peItemPath(plan, "activity", a.Code)
		p.Action, p.Item, p.Over = path, itemBox(path, a.Version, a.ArchivedAt, v.inUse), planedit.FundingOver(*a, lines)
		for i := range lines {
			row := fundingRow{Line: &lines[i], Form: fundingFields(&lines[i])}
			if v.fundingFor == lines[i].ID {
				row.Form, row.Errors = v.fundingForm, v.fundingErrs
			}
			row.Funders = funders(row.Form)
			p.Funding = append(p.Funding, row)
		}
		p.NewFunding = fundingRow{Form: formValues{"currency": {a.Currency}, "status": {domain.FundingPledged}, "version": {"0"}}}
		if v.fundingFor == 0 && v.fundingForm != nil {
			p.NewFunding.Form, p.NewFunding.Errors = v.fundingForm, v.fundingErrs
		}
		p.NewFunding.Funders = funders(p.NewFunding.Form)
	}
	p.Leads = orgOptions(l, orgs, p.Form, "lead", nil)
	p.Supporters = orgOptions(l, orgs, p.Form, "supporters", nil)
	return c.Render(status, "edit_activity", p)
}

// renderActivityEdit shows the activity :code; f nil fills the form from the database.
func (h *Handler) renderActivityEdit(c echo.Context, status int, plan *domain.Plan, f formValues, errs map[string]string, inUse []string) error {
	a, err := planedit.FindCoded[domain.Activity](c.Request().Context(), h.DB, plan.ID, c.Param("code"))
	if err != nil {
		return err
	}
	return h.renderActivity(c, status, plan, "", a, activityView{form: f, errs: errs, inUse: inUse})
}

// NewActivityForm shows the form for a new activity under the objective :code.
func (h *Handler) NewActivityForm(c echo.Context) error {
	plan, o, err := editCoded[domain.Objective](h, c)
	if err != nil {
		return err
	}
	code, err := planedit.SuggestCode(c.Request().Context(), h.DB, plan.ID, "activity", o.Code)
	if err != nil {
		return err
	}
	f := nodeFields(code, "", "", 0, 0)
	f.set("start_date", domain.Date(plan.StartYear, time.January, 1).Format(time.DateOnly))
	f.set("end_date", domain.Date(plan.EndYear, time.December, 31).Format(time.DateOnly))
	f.set("budget", "0")
	f.set("currency", plan.Currency)
	return h.renderActivity(c, http.StatusOK, plan, o.Code, nil, activityView{form: f})
}

// editCoded loads the plan and its objective or activity (T) named :code.
func editCoded[T domain.Objective | domain.Activity](h *Handler, c echo.Context) (*domain.Plan, *T, error) {
	plan, err := h.editPlan(c)
	if err != nil {
		return nil, nil, err
	}
	x, err := planedit.FindCoded[T](c.Request().Context(), h.DB, plan.ID, c.Param("code"))
	return plan, x, err
}

// CreateActivity adds an activity under the objective :code.
func (h *Handler) CreateActivity(c echo.Context) error {
	plan, o, err := editCoded[domain.Objective](h, c)
	if err != nil {
		return err
	}
	return h.submitActivity(c, plan, o.Code, nil, func(in planedit.ActivityInput) (string, error) {
		a, err := planedit.CreateActivity(c.Request().Context(), h.DB, h.caller(c), plan, o, in)
		return peCreated(plan, "activity", a.Code, err)
	})
}

// submitActivity runs the activity form of a new activity under the
// objective coded objective (a nil) or of the activity a; save stores the
// checked input and says where to go next.
func (h *Handler) submitActivity(c echo.Context, plan *domain.Plan, objective string, a *domain.Activity, save func(planedit.ActivityInput) (string, error)) error {
	code := ""
	if a != nil {
		code = a.Code
	}
	var in planedit.ActivityInput
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parseActivity(p) },
		check: func() error {
			return planedit.ValidateActivityInput(c.Request().Context(), h.DB, plan, objective, in, code)
		},
		save: func() (string, error) { return save(in) },
	}, func(status int, f formValues, errs map[string]string) error {
		return h.renderActivity(c, status, plan, objective, a, activityView{form: f, errs: errs})
	})
}

// EditActivityForm shows the activity :code with its funding lines.
func (h *Handler) EditActivityForm(c echo.Context) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	return h.renderActivityEdit(c, http.StatusOK, plan, nil, nil, nil)
}

// UpdateActivity saves the activity form.
func (h *Handler) UpdateActivity(c echo.Context) error {
	plan, a, err := editCoded[domain.Activity](h, c)
	if err != nil {
		return err
	}
	return h.submitActivity(c, plan, "", a, func(in planedit.ActivityInput) (string, error) {
		err := planedit.UpdateActivity(c.Request().Context(), h.DB, h.caller(c), plan, a.Code, in)
		return peItemPath(plan, "activity", a.Code) + "/edit?flash=flash.pe_saved", err
	})
}

// saveFunding runs a funding line form (id 0 adds a line) on the activity page.
func (h *Handler) saveFunding(c echo.Context, id int64) error {
	plan, a, err := editCoded[domain.Activity](h, c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var in planedit.FundingInput
	return h.submitForm(c, formStep{
		parse: func(p *formParser) { in = parseFunding(p) },
		check: func() error { return planedit.ValidateFundingInput(ctx, h.DB, in) },
		save: func() (string, error) {
			if id == 0 {
				_, err = planedit.CreateFunding(ctx, h.DB, h.caller(c), plan, a, in)
			} else {
				err = planedit.UpdateFunding(ctx, h.DB, h.caller(c), plan, a, id, in)
			}
			return peItemPath(plan, "activity", a.Code) + "/edit?flash=flash.pe_funding_saved#funding", err
		},
	}, func(status int, f formValues, errs map[string]string) error {
		return h.renderActivity(c, status, plan, "", a, activityView{fundingFor: id, fundingForm: f, fundingErrs: errs})
	})
}

// fundingID reads the funding line id of the path; a malformed one is not found.
func fundingID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.ErrNotFound
	}
	return id, nil
}

// CreateFunding adds a funding line to the activity :code.
func (h *Handler) CreateFunding(c echo.Context) error { return h.saveFunding(c, 0) }

// UpdateFunding saves a funding line of the activity :code.
func (h *Handler) UpdateFunding(c echo.Context) error {
	id, err := fundingID(c)
	if err != nil {
		return err
	}
	return h.saveFunding(c, id)
}

// DeleteFunding removes a funding line of the activity :code.
func (h *Handler) DeleteFunding(c echo.Context) error {
	id, err := fundingID(c)
	if err != nil {
		return err
	}
	plan, a, err := editCoded[domain.Activity](h, c)
	if err != nil {
		return err
	}
	if err := planedit.DeleteFunding(c.Request().Context(), h.DB, h.caller(c), plan, a, id, formVersion(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, peItemPath(plan, "activity", a.Code)+"/edit?flash=flash.pe_funding_deleted#funding")
}
