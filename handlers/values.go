package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"naptracker/domain"
	"naptracker/figures"
	"naptracker/i18n"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// valuePage is the data-entry form of one indicator value.
type valuePage struct {
	Page
	Form   *reporting.ValueForm
	Cells  []cellField
	Input  valueFields
	Errors map[string]string
	// Stale is set when the save was based on an old version: the page then
	// shows the stored version beside what the user typed.
	Stale *domain.StaleError
	// EvidenceMax is the size limit of an evidence file, as the upload form says it.
	EvidenceMax string
	// Breakdown is the stored breakdown as the reader may see it, shown
	// once the value can no longer be edited.
	Breakdown []shownCell
}

// shownCell is a stored breakdown cell with its label.
type shownCell struct {
	Label  string
	Figure figures.Figure
}

// valueFields is the form as typed, kept as text so that a mistake is shown back as entered.
type valueFields struct {
	Value, TextValue, Narrative, Reason string
	Version                             int
}

// cellField is one input of the breakdown grid.
type cellField struct {
	Key, Label, Value string
}

// cellFields lays out the breakdown grid of a set with the given values,
// labelled in lang.
func cellFields(lang string, set *domain.DisaggregationSet, value func(cell string) string) []cellField {
	if set == nil {
		return nil
	}
	labels := map[string]string{}
	for _, d := range set.Dimensions {
		for _, c := range d.Categories {
			labels[d.Code+"="+c.Code] = c.LabelIn(lang)
		}
	}
	var out []cellField
	for _, cell := range set.Cells() {
		var parts []string
		for _, p := range strings.Split(cell, ";") {
			parts = append(parts, labels[p])
		}
		out = append(out, cellField{Key: cell, Label: strings.Join(parts, " · "), Value: value(cell)})
	}
	return out
}

// formatInput writes a number into a form field that is read back in any
// interface language: a decimal point, and a fourth decimal digit where
// exactly three would make French read "12.345" as ambiguous.
func formatInput(v *float64) string {
	if v == nil {
		return ""
	}
	s := strconv.FormatFloat(*v, 'f', -1, 64)
	if _, frac, ok := strings.Cut(s, "."); ok && len(frac) == 3 {
		s += "0"
	}
	return s
}

// ValueForm shows the data-entry form of a value to those who report it.
func (h *Handler) ValueForm(c echo.Context) error {
	caller := h.caller(c)
	form, err := reporting.LoadValueForm(c.Request().Context(), h.DB, caller.Scope, valueTarget(c), caller.Now)
	if err != nil {
		return h.denyLogged(c, err)
	}
	return c.Render(http.StatusOK, "value", h.valuePageFor(c, form))
}

// valuePageFor is the value page showing what is stored.
func (h *Handler) valuePageFor(c echo.Context, form *reporting.ValueForm) valuePage {
	l := h.Localizer(c)
	p := valuePage{Page: h.page(c), Form: form, Input: valueFields{Version: form.Version()}, EvidenceMax: sizeText(h.EvidenceMaxSize)}
	if form.Value != nil {
		p.Input.Value, p.Input.TextValue, p.Input.Narrative = l.InputNum(form.Value.Value), form.Value.TextValue, form.Value.Narrative
	}
	p.Cells = cellFields(l.Lang, form.Set, func(cell string) string { return l.InputNum(form.Cell(cell)) })
	p.Breakdown = storedBreakdown(p.Cells, form, domain.ScopeOf(&PrincipalOf(c).User).AudienceFor(form.Reporter.ID))
	return p
}

// valueFormAgain shows the value page again with 422 and the messages errs
// beside their fields.
func (h *Handler) valueFormAgain(c echo.Context, caller domain.Caller, t reporting.ValueTarget, errs map[string]string) error {
	form, err := reporting.LoadValueForm(c.Request().Context(), h.DB, caller.Scope, t, caller.Now)
	if err != nil {
		return err
	}
	p := h.valuePageFor(c, form)
	p.Errors = errs
	return c.Render(http.StatusUnprocessableEntity, "value", p)
}

// storedBreakdown gives the stored cells of the form's value (figures.Disclose
// for the audience), in the set's order, labelled as the input grid is.
func storedBreakdown(cells []cellField, form *reporting.ValueForm, aud figures.Audience) []shownCell {
	if form.Value == nil || len(form.Value.Breakdown) == 0 {
		return nil
	}
	var raw []float64
	var labels []string
	for _, cf := range cells {
		if x := form.Cell(cf.Key); x != nil {
			raw, labels = append(raw, *x), append(labels, cf.Label)
		}
	}
	_, figs := figures.Disclose(form.Indicator.Sensitive, aud, form.Value.Value, raw, form.Value.Status != domain.StatusApproved)
	out := make([]shownCell, len(figs))
	for i := range figs {
		out[i] = shownCell{Label: labels[i], Figure: figs[i]}
	}
	return out
}

// SaveValueForm saves the form as a draft, or saves and submits it
// ("action=submit"). Mistakes come back with 422 and messages beside the
// fields; an edit based on an old version gets 409 with both versions.
func (h *Handler) SaveValueForm(c echo.Context) error {
	ctx, caller := c.Request().Context(), h.caller(c)
	target := valueTarget(c)
	l := h.Localizer(c)
	form, err := reporting.LoadValueForm(ctx, h.DB, caller.Scope, target, caller.Now)
	if err != nil {
		return h.denyLogged(c, err)
	}
	typed := valueFields{Value: strings.TrimSpace(c.FormValue("value")), TextValue: c.FormValue("text_value"), Narrative: c.FormValue("narrative"), Reason: c.FormValue("reason")}
	typed.Version, _ = strconv.Atoi(c.FormValue("version"))
	fieldErrs := map[string]string{}
	in := reporting.ValueInput{TextValue: typed.TextValue, Narrative: typed.Narrative, Version: typed.Version, Reason: typed.Reason}
	if typed.Value != "" {
		if x, bad := parseNumber(l.Lang, typed.Value); bad == "" {
			in.Value = &x
		} else {
			fieldErrs["value"] = l.T(bad)
		}
	}
	cells := cellFields(l.Lang, form.Set, func(cell string) string { return strings.TrimSpace(c.FormValue("cell." + cell)) })
	for _, cf := range cells {
		if cf.Value == "" {
			continue
		}
		x, bad := parseNumber(l.Lang, cf.Value)
		if bad != "" {
			fieldErrs["disaggregation."+cf.Key] = l.T(bad)
			continue
		}
		if in.Disaggregation == nil {
			in.Disaggregation = map[string]float64{}
		}
		in.Disaggregation[cf.Key] = x
	}
	page := valuePage{Page: h.page(c), Form: form, Cells: cells, Input: typed, Errors: fieldErrs, EvidenceMax: sizeText(h.EvidenceMaxSize)}
	if len(fieldErrs) > 0 {
		return c.Render(http.StatusUnprocessableEntity, "value", page)
	}
	v, err := reporting.SaveValueAndSubmit(ctx, h.DB, caller, target, in, c.FormValue("action") == "submit")
	var ve *domain.ValidationError
	var se *domain.StaleError
	switch {
	case errors.As(err, &ve):
		page.Errors = h.fieldErrors(c, ve)
		return c.Render(http.StatusUnprocessableEntity, "value", page)
	case errors.As(err, &se):
		page.Stale = se
		return c.Render(http.StatusConflict, "value", page)
	case err != nil:
		return h.denyLogged(c, err)
	}
	flash := "flash.value_saved"
	if v.Status == domain.StatusSubmitted {
		flash = "flash.value_submitted"
	}
	return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?flash="+flash)
}

// parseNumber reads a number typed by a person in the interface language
// (i18n.ParseNumber: "62,5" in French, "62.5" in English); on failure it
// returns the message key to show beside the field.
func parseNumber(lang, s string) (float64, string) {
	x, err := i18n.ParseNumber(lang, s)
	switch {
	case errors.Is(err, i18n.ErrAmbiguous):
		return 0, "value.ambiguous_number"
	case err != nil:
		return 0, "value.not_a_number"
	}
	return x, ""
}

// AddValueComment adds a message to a value's thread and comes back to its page.
func (h *Handler) AddValueComment(c echo.Context) error {
	target := valueTarget(c)
	err := reporting.AddValueComment(c.Request().Context(), h.DB, h.caller(c), target, c.FormValue("comment"))
	if err != nil {
		return h.denyLogged(c, err)
	}
	back := strings.TrimSuffix(c.Request().URL.Path, "/comments")
	return c.Redirect(http.StatusSeeOther, back+"?flash=flash.comment_added#comments")
}

// WithdrawValue takes the caller's submission back to draft while the
// secretariat has not acted on it, and comes back to the page it was asked
// from (the value's page or the grid).
func (h *Handler) WithdrawValue(c echo.Context) error {
	version, _ := strconv.Atoi(c.FormValue("version"))
	_, err := reporting.TransitionValue(c.Request().Context(), h.DB, h.caller(c), valueTarget(c), reporting.ActionWithdraw, version, "")
	if err != nil {
		return h.denyLogged(c, err)
	}
	back := strings.TrimSuffix(c.Request().URL.Path, "/withdraw")
	if b := c.FormValue("back"); strings.HasPrefix(b, "/plans/") && !strings.ContainsAny(b, "?#\\") {
		back = b
	}
	return c.Redirect(http.StatusSeeOther, back+"?flash=flash.value_withdrawn")
}
