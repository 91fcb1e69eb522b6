package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"naptracker/domain"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// updatePage is the page of one activity update: the lead's form, the
// supporting organisations' notes, and the viewer's own note form.
type updatePage struct {
	Page
	Form     *reporting.UpdateForm
	Input    reporting.UpdateInput
	Expense  string // expenditure as typed
	NoteText string
	Errors   map[string]string
	Stale    *domain.StaleError
	Statuses []string
	// EvidenceMax is the size limit of an evidence file, as the upload form says it.
	EvidenceMax string
}

func updateTarget(c echo.Context) reporting.UpdateTarget {
	return reporting.UpdateTarget{Plan: c.Param("plan"), Activity: c.Param("code"), Period: c.Param("period")}
}

func (h *Handler) updatePage(c echo.Context, form *reporting.UpdateForm) updatePage {
	p := updatePage{Page: h.page(c), Form: form, Statuses: domain.ProgressStatuses, Input: reporting.UpdateInput{UpdateContent: domain.UpdateContent{Progress: domain.ProgressOnTrack}, Version: form.Version()},
		EvidenceMax: sizeText(h.EvidenceMaxSize)}
	if u := form.Update; u != nil {
		p.Input = reporting.UpdateInput{UpdateContent: u.UpdateContent, Version: u.Version}
		p.Expense = strconv.FormatFloat(u.Expenditure, 'f', -1, 64)
	}
	if n := form.Note(form.NoteOrg); n != nil {
		p.NoteText = n.Note
	}
	return p
}

// updateFormAgain is valueFormAgain for an activity update.
func (h *Handler) updateFormAgain(c echo.Context, caller domain.Caller, t reporting.UpdateTarget, errs map[string]string) error {
	form, err := reporting.LoadUpdateForm(c.Request().Context(), h.DB, caller.Scope, t, caller.Now)
	if err != nil {
		return err
	}
	p := h.updatePage(c, form)
	p.Errors = errs
	return c.Render(http.StatusUnprocessableEntity, "update", p)
}

// UpdateForm shows an activity update to the lead's and supporters' focal
// points and to the secretariat.
func (h *Handler) UpdateForm(c echo.Context) error {
	caller := h.caller(c)
	form, err := reporting.LoadUpdateForm(c.Request().Context(), h.DB, caller.Scope, updateTarget(c), caller.Now)
	if err != nil {
		return h.denyLogged(c, err)
	}
	return c.Render(http.StatusOK, "update", h.updatePage(c, form))
}

// SaveUpdateForm saves the lead's update (as a draft, or submitted with
// action=submit) or, with form=note, the viewer's contribution note.
func (h *Handler) SaveUpdateForm(c echo.Context) error {
	ctx, caller := c.Request().Context(), h.caller(c)
	target, l := updateTarget(c), h.Localizer(c)
	form, err := reporting.LoadUpdateForm(ctx, h.DB, caller.Scope, target, caller.Now)
	if err != nil {
		return h.denyLogged(c, err)
	}
	p := h.updatePage(c, form)
	version, _ := strconv.Atoi(c.FormValue("version"))
	var saveErr error
	flash := "flash.update_saved"
	if c.FormValue("form") == "note" {
		p.NoteText = c.FormValue("note")
		if form.NoteOrg == 0 {
			return h.denyLogged(c, domain.ErrForbidden)
		}
		_, saveErr = reporting.SaveContribution(ctx, h.DB, caller, target, form.NoteOrg, p.NoteText, version)
		flash = "flash.note_saved"
	} else {
		pct, pctErr := strconv.Atoi(strings.TrimSpace(c.FormValue("percent_complete")))
		p.Expense = strings.TrimSpace(c.FormValue("expenditure"))
		spent, spentErr := 0.0, ""
		if p.Expense != "" {
			spent, spentErr = parseNumber(l.Lang, p.Expense)
		}
		p.Input = reporting.UpdateInput{UpdateContent: domain.UpdateContent{Progress: c.FormValue("progress"), PercentComplete: pct, Achievements: c.FormValue("achievements"),
			Challenges: c.FormValue("challenges"), NextSteps: c.FormValue("next_steps"), Expenditure: spent}, Version: version}
		if pctErr != nil || spentErr != "" {
			p.Errors = map[string]string{}
			if pctErr != nil {
				p.Errors["percent_complete"] = l.T("value.not_a_number")
			}
			if spentErr != "" {
				p.Errors["expenditure"] = l.T(spentErr)
			}
			return c.Render(http.StatusUnprocessableEntity, "update", p)
		}
		submit := c.FormValue("action") == "submit"
		_, saveErr = reporting.SaveUpdateAndSubmit(ctx, h.DB, caller, target, p.Input, submit)
		if submit {
			flash = "flash.update_submitted"
		}
	}
	var ve *domain.ValidationError
	var se *domain.StaleError
	switch {
	case errors.As(saveErr, &ve):
		p.Errors = h.fieldErrors(c, ve)
		return c.Render(http.StatusUnprocessableEntity, "update", p)
	case errors.As(saveErr, &se):
		p.Stale = se
		return c.Render(http.StatusConflict, "update", p)
	case saveErr != nil:
		return h.denyLogged(c, saveErr)
	}
	return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?flash="+flash)
}
