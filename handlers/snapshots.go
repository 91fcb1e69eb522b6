package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/reporting"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// snapshotsPage lists a plan's review snapshots, with the form that takes
// a new one for those who may.
type snapshotsPage struct {
	Page
	Plan      *domain.Plan
	Snapshots []review.SnapshotSummary
	Periods   []domain.ReportingPeriod
	CanCreate bool
	Form      formValues
	Errors    map[string]string
}

// Snapshots lists the review snapshots of a plan: anyone may present them
// and download their report; the secretariat takes new ones.
func (h *Handler) Snapshots(c echo.Context) error {
	p, err := h.snapshotsData(c)
	if err != nil {
		return err
	}
	if len(p.Periods) > 0 {
		rng, err := planning.ResolveRange(p.Periods, "", "", h.Now().UTC())
		if err == nil {
			p.Form.set("from", rng.First().Label)
			p.Form.set("to", rng.Last().Label)
		}
	}
	return c.Render(http.StatusOK, "snapshots", p)
}

func (h *Handler) snapshotsData(c echo.Context) (snapshotsPage, error) {
	ctx := c.Request().Context()
	p := snapshotsPage{Page: h.page(c), Form: formValues{}}
	var err error
	if p.Plan, err = planning.FindPlan(ctx, h.DB, c.Param("plan")); err != nil {
		return p, err
	}
	if p.Snapshots, err = review.ListSnapshots(ctx, h.DB, p.Plan.ID); err != nil {
		return p, err
	}
	if p.Periods, err = reporting.PlanPeriods(ctx, h.DB, p.Plan.ID); err != nil {
		return p, err
	}
	if who := PrincipalOf(c); who != nil {
		p.CanCreate = domain.ScopeOf(&who.User).Validates()
	}
	return p, nil
}

// CreateSnapshot freezes the approved data of the chosen range under the
// given name; a blank or taken name, an unknown period or a range that
// ends before it starts comes back with 422 and the messages.
func (h *Handler) CreateSnapshot(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := h.snapshotsData(c)
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	p.Form = formValues(form)
	in := review.SnapshotInput{Name: strings.TrimSpace(p.Form.V("name")), From: p.Form.V("from"), To: p.Form.V("to")}
	// The form names both periods (the model would default a missing one);
	// the model checks the name and the range, in the reader's language.
	errs := map[string]string{}
	for _, f := range []string{"from", "to"} {
		if p.Form.V(f) == "" {
			errs[f] = h.Localizer(c).T("present.err.period")
		}
	}
	if len(errs) == 0 {
		_, err = review.CreateSnapshot(ctx, h.DB, h.caller(c), p.Plan.Code, in)
		var ve *domain.ValidationError
		switch {
		case errors.As(err, &ve):
			errs = h.fieldErrors(c, ve)
		case err != nil:
			return h.denyLogged(c, err)
		default:
			return c.Redirect(http.StatusSeeOther, "/plans/"+url.PathEscape(p.Plan.Code)+"/snapshots?flash=flash.snapshot_created")
		}
	}
	p.Errors = errs
	return c.Render(http.StatusUnprocessableEntity, "snapshots", p)
}

// PeriodChoices lists the plan's periods for the range selects.
func (p snapshotsPage) PeriodChoices() []choice {
	out := make([]choice, len(p.Periods))
	for i, per := range p.Periods {
		out[i] = choice{Value: per.Label, Label: per.Label}
	}
	return out
}
