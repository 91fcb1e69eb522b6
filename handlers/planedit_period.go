package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/planedit"

	"github.com/labstack/echo/v4"
)

// periodsPage lists a plan's reporting periods.
type periodsPage struct {
	Page
	Plan    *domain.Plan
	Periods []domain.PeriodStateRow
}

// periodPage is one period: its due date and grace days, its lock, and
// the organisations allowed to report late.
type periodPage struct {
	editBase
	Period     *domain.ReportingPeriod
	State      string
	Locks      []choice
	LockForm   formValues
	Exceptions []planedit.ExceptionRow
	// Exception is the form to grant an exception.
	Exception       formValues
	ExceptionErrors map[string]string
	Orgs            []choice
}

// Periods lists the plan's periods with their due dates, state and lock.
func (h *Handler) Periods(c echo.Context) error {
	plan, err := h.editPlan(c)
	if err != nil {
		return err
	}
	rows, err := planedit.PlanPeriodRows(c.Request().Context(), h.DB, plan.ID, h.Now().UTC())
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "edit_periods", periodsPage{Page: h.page(c), Plan: plan, Periods: rows})
}

// periodPath is the address of a period's page.
func pePeriodPath(plan *domain.Plan, label string) string {
	return planEditPath(plan, "/periods/"+url.PathEscape(label))
}

// editPeriod loads the plan and the period :period.
func (h *Handler) editPeriod(c echo.Context) (*domain.Plan, *domain.ReportingPeriod, error) {
	plan, err := h.editPlan(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := planedit.PeriodByLabel(c.Request().Context(), h.DB, plan.ID, c.Param("period"))
	return plan, p, err
}

// renderPeriod shows a period's page; nil forms are filled from the database.
func (h *Handler) renderPeriod(c echo.Context, status int, plan *domain.Plan, period *domain.ReportingPeriod, f formValues, errs map[string]string, exc formValues, excErrs map[string]string) error {
	ctx, l := c.Request().Context(), h.Localizer(c)
	exceptions, err := planedit.PeriodExceptions(ctx, h.DB, period.ID)
	if err != nil {
		return err
	}
	orgs, err := account.OrganisationChoices(ctx, h.DB)
	if err != nil {
		return err
	}
	if f == nil {
		f = formValues{"due_date": {period.DueDate.Format(time.DateOnly)}, "grace_days": {strconv.Itoa(period.GraceDays)},
			"version": {strconv.Itoa(period.Version)}}
	}
	if exc == nil {
		// Two weeks after the period locks, or after today once it has.
		from := period.LocksAt()
		if now := h.Now().UTC(); now.After(from) {
			from = now
		}
		exc = formValues{"until": {from.AddDate(0, 0, 14).Format(time.DateOnly)}}
	}
	path := pePeriodPath(plan, period.Label)
	p := periodPage{editBase: editBase{Page: h.page(c), Plan: plan, Form: f, Errors: errs, Action: path},
		Period: period, LockForm: formValues{"lock": {period.Lock()}}, State: period.State(h.Now().UTC(), nil), Exceptions: exceptions, Exception: exc, ExceptionErrors: excErrs,
		Locks: enumOptions(l, "pe.lock.", []string{domain.LockAuto, domain.LockLocked, domain.LockUnlocked}),
		Orgs:  orgOptions(l, orgs, exc, "organisation", nil)}
	return c.Render(status, "edit_period", p)
}

// PeriodForm shows a period's page.
func (h *Handler) PeriodForm(c echo.Context) error {
	plan, period, err := h.editPeriod(c)
	if err != nil {
		return err
	}
	return h.renderPeriod(c, http.StatusOK, plan, period, nil, nil, nil, nil)
}

// periodStep runs a form of the period page: the period form (its own
// fields and messages) or the exception form (exception true).
func (h *Handler) periodStep(c echo.Context, exception bool, parse func(p *formParser), check func() error, save func(plan *domain.Plan, label string) error, flash string) error {
	plan, period, err := h.editPeriod(c)
	if err != nil {
		return err
	}
	return h.submitForm(c, formStep{
		parse: parse,
		check: check,
		save: func() (string, error) {
			return pePeriodPath(plan, period.Label) + "?flash=" + flash, save(plan, period.Label)
		},
	}, func(status int, f formValues, errs map[string]string) error {
		if exception {
			return h.renderPeriod(c, status, plan, period, nil, nil, f, errs)
		}
		return h.renderPeriod(c, status, plan, period, f, errs, nil, nil)
	})
}

// UpdatePeriod saves a period's due date and grace days.
func (h *Handler) UpdatePeriod(c echo.Context) error {
	var in planedit.PeriodInput
	noCheck := func() error { return nil }
	return h.periodStep(c, false, func(p *formParser) {
		in = planedit.PeriodInput{DueDate: p.date("due_date"), GraceDays: p.required("grace_days"), Version: p.version()}
	}, noCheck, func(plan *domain.Plan, label string) error {
		return planedit.UpdatePeriod(c.Request().Context(), h.DB, h.caller(c), plan, label, in)
	}, "flash.pe_period_saved")
}

// LockPeriod locks, unlocks or returns a period to automatic locking (field lock).
func (h *Handler) LockPeriod(c echo.Context) error {
	var lock string
	var version int
	noCheck := func() error { return nil }
	return h.periodStep(c, false, func(p *formParser) { lock, version = p.text("lock"), p.version() }, noCheck,
		func(plan *domain.Plan, label string) error {
			return planedit.SetPeriodLock(c.Request().Context(), h.DB, h.caller(c), plan, label, lock, version)
		}, "flash.pe_lock_saved")
}

// GrantException lets an organisation report in the period until a date.
func (h *Handler) GrantException(c echo.Context) error {
	var in planedit.ExceptionInput
	noCheck := func() error { return nil }
	return h.periodStep(c, true, func(p *formParser) {
		in = planedit.ExceptionInput{OrganisationID: p.id("organisation"), Until: p.date("until"), Reason: p.text("reason")}
	}, noCheck, func(plan *domain.Plan, label string) error {
		return planedit.GrantException(c.Request().Context(), h.DB, h.caller(c), plan, label, in)
	}, "flash.pe_exception_granted")
}

// RemoveException withdraws an organisation's exception.
func (h *Handler) RemoveException(c echo.Context) error {
	plan, period, err := h.editPeriod(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	if err := planedit.RemoveException(c.Request().Context(), h.DB, h.caller(c), plan, period.Label, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, pePeriodPath(plan, period.Label)+"?flash=flash.pe_exception_removed")
}
