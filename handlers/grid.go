package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// gridPage is the data-entry grid of an organisation for a period.
type gridPage struct {
	Page
	Grid *reporting.ValueGrid
	Rows []gridRow
	// Failed and Conflicts count the rows a save refused, for the summary
	// above the grid.
	Failed, Conflicts int
}

// gridRow is one row of the grid as shown: the stored row, and the inputs
// (as typed when the row was refused, else as stored).
type gridRow struct {
	*reporting.GridRow
	Editable bool
	// The inputs, named apart from the stored value's fields.
	Input, TextInput, NarrativeInput, ReasonInput string
	Version                                       int
	Cells                                         []cellField
	Errors                                        map[string]string
	// Stale is set when the row's save was based on an old version: the
	// row then shows the stored value beside what was typed.
	Stale *domain.StaleError
	// Refused is why the row could not be saved or submitted (locked).
	Refused string
	Jump    *reporting.Jump
	// OutOfRange is the plausible range the stored value is outside of.
	OutOfRange *reporting.Range
}

// Grid field names: one per row and input, keyed by the indicator's code.
func gridField(kind, code string) string { return kind + ":" + code }

func (h *Handler) loadGrid(c echo.Context) (*reporting.ValueGrid, error) {
	caller := h.caller(c)
	return reporting.LoadValueGrid(c.Request().Context(), h.DB, caller.Scope, c.Param("plan"), c.Param("org"), c.Param("period"), caller.Now)
}

// storedRows lays out the rows of g with their stored values.
func storedRows(l *i18n.Localizer, g *reporting.ValueGrid) []gridRow {
	rows := make([]gridRow, len(g.Rows))
	for i := range g.Rows {
		r := &g.Rows[i]
		row := gridRow{GridRow: r, Editable: r.Editable(g.Open()), Version: r.Version(), Jump: r.Jump(g.PreviousLabel), OutOfRange: r.OutOfRange()}
		if r.Value != nil {
			row.Input, row.TextInput, row.NarrativeInput = l.InputNum(r.Value.Value), r.Value.TextValue, r.Value.Narrative
		}
		row.Cells = cellFields(l.Lang, r.Set, func(cell string) string { return l.InputNum(r.Cell(cell)) })
		rows[i] = row
	}
	return rows
}

// ValueGrid shows every value an organisation owes for a period on one
// page, to those who report for it.
func (h *Handler) ValueGrid(c echo.Context) error {
	g, err := h.loadGrid(c)
	if err != nil {
		return h.denyLogged(c, err)
	}
	return c.Render(http.StatusOK, "grid", gridPage{Page: h.page(c), Grid: g, Rows: storedRows(h.Localizer(c), g)})
}

// gridOutcome is what happened to one row of a grid post.
type gridOutcome struct {
	typed  gridRow
	failed bool
	saved  *domain.IndicatorValue // the value after the save (nil when untouched)
}

// tally counts the refused rows of a grid's outcomes and, of them, those
// refused as stale (see is what an outcome says of both).
func tally[O any](outcomes map[string]*O, see func(*O) (failed, stale bool)) (failed, stale int) {
	for _, o := range outcomes {
		if f, s := see(o); f {
			failed++
			if s {
				stale++
			}
		}
	}
	return failed, stale
}

// gridStatus answers a grid with refused rows (failed, of which stale
// were refused as stale): 409 when every refusal is a conflict, else 422.
func gridStatus(failed, stale int) int {
	if failed > stale {
		return http.StatusUnprocessableEntity
	}
	return http.StatusConflict
}

// gridFlash is the notice after a grid's rows were all saved, or saved and
// submitted.
func gridFlash(submit bool) string {
	if submit {
		return "flash.grid_submitted"
	}
	return "flash.grid_saved"
}

// SaveValueGrid saves every edited row of the grid as a draft, each on its
// own with its own version (models.SaveValue, as the single form), and with
// "action=submit" then submits every row that is saved and complete. Rows
// that are refused come back with their input and messages (422), or with
// both versions when they were stale (409); the others are saved.
func (h *Handler) SaveValueGrid(c echo.Context) error {
	ctx, caller, l := c.Request().Context(), h.caller(c), h.Localizer(c)
	g, err := h.loadGrid(c)
	if err != nil {
		return h.denyLogged(c, err)
	}
	submit := c.FormValue("action") == "submit"
	outcomes := map[string]*gridOutcome{}
	for i := range g.Rows {
		r := &g.Rows[i]
		code := r.Indicator.Code
		// Only rows the page offered carry a version; one that was locked
		// meanwhile (submitted by a colleague, period closed) is still
		// tried, so that the model says why it is refused.
		if _, posted := c.Request().PostForm[gridField("ver", code)]; !posted {
			continue
		}
		o := &gridOutcome{typed: h.typedRow(c, l, r)}
		outcomes[code] = o
		in, ok := gridInput(l, &o.typed)
		if !ok {
			o.failed = true
			continue
		}
		if o.typed.Version == r.Version() && r.Unchanged(in) {
			o.saved = r.Value
			continue
		}
		target := reporting.ValueTarget{Plan: g.Plan.Code, Indicator: code, Period: g.Period.Label}
		v, err := reporting.SaveValue(ctx, h.DB, caller, target, in)
		if o.failed = !h.rowRefused(c, &o.typed, err); o.failed {
			continue
		}
		o.saved = v
	}
	if submit {
		for i := range g.Rows {
			r := &g.Rows[i]
			o := outcomes[r.Indicator.Code]
			if o == nil || o.failed || o.saved == nil {
				continue
			}
			saved := *r
			saved.Value = o.saved
			// A returned value goes back only once corrected (saved with a
			// reason, which makes it a draft), as on the single form.
			if !saved.Complete() || o.saved.Status != domain.StatusDraft {
				continue
			}
			target := reporting.ValueTarget{Plan: g.Plan.Code, Indicator: r.Indicator.Code, Period: g.Period.Label}
			_, err := reporting.TransitionValue(ctx, h.DB, caller, target, reporting.ActionSubmit, o.saved.Version, "")
			o.failed = !h.rowRefused(c, &o.typed, err)
		}
	}
	p := gridPage{Page: h.page(c)}
	p.Failed, p.Conflicts = tally(outcomes, func(o *gridOutcome) (bool, bool) { return o.failed, o.typed.Stale != nil })
	if p.Failed == 0 {
		return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?flash="+gridFlash(submit))
	}
	// Show the grid as it is now, with the refused rows as typed.
	if g, err = h.loadGrid(c); err != nil {
		return h.denyLogged(c, err)
	}
	p.Grid, p.Rows = g, storedRows(l, g)
	for i := range p.Rows {
		o := outcomes[p.Rows[i].Indicator.Code]
		if o == nil || !o.failed {
			continue
		}
		stored := p.Rows[i]
		p.Rows[i] = o.typed
		p.Rows[i].GridRow, p.Rows[i].Jump, p.Rows[i].OutOfRange = stored.GridRow, stored.Jump, stored.OutOfRange
		p.Rows[i].Editable = stored.Editable || o.typed.Stale != nil
		if o.typed.Stale != nil {
			p.Rows[i].Version = stored.Version // saving again replaces the stored version
		}
	}
	return c.Render(gridStatus(p.Failed, p.Conflicts), "grid", p)
}

// typedRow reads one row of the posted grid as typed.
func (h *Handler) typedRow(c echo.Context, l *i18n.Localizer, r *reporting.GridRow) gridRow {
	code := r.Indicator.Code
	t := gridRow{GridRow: r, Editable: true, Errors: map[string]string{},
		Input: strings.TrimSpace(c.FormValue(gridField("v", code))), TextInput: c.FormValue(gridField("t", code)),
		NarrativeInput: c.FormValue(gridField("n", code)), ReasonInput: c.FormValue(gridField("r", code))}
	t.Version, _ = strconv.Atoi(c.FormValue(gridField("ver", code)))
	t.Cells = cellFields(l.Lang, r.Set, func(cell string) string { return strings.TrimSpace(c.FormValue(gridField("c", code) + ":" + cell)) })
	return t
}

// gridInput turns a typed row into a model input, noting unreadable
// numbers in the row's errors (ok false).
func gridInput(l *i18n.Localizer, t *gridRow) (reporting.ValueInput, bool) {
	in := reporting.ValueInput{TextValue: t.TextInput, Narrative: t.NarrativeInput, Version: t.Version, Reason: t.ReasonInput}
	if t.Input != "" {
		if x, bad := parseNumber(l.Lang, t.Input); bad == "" {
			in.Value = &x
		} else {
			t.Errors["value"] = l.T(bad)
		}
	}
	for _, cf := range t.Cells {
		if cf.Value == "" {
			continue
		}
		x, bad := parseNumber(l.Lang, cf.Value)
		if bad != "" {
			t.Errors["disaggregation."+cf.Key] = l.T(bad)
			continue
		}
		if in.Disaggregation == nil {
			in.Disaggregation = map[string]float64{}
		}
		in.Disaggregation[cf.Key] = x
	}
	return in, len(t.Errors) == 0
}

// rowRefused records on the typed row why a save or submission of it
// failed, and reports whether it succeeded (err nil).
func (h *Handler) rowRefused(c echo.Context, t *gridRow, err error) bool {
	if err == nil {
		return true
	}
	if stale, refused := h.rowRefusal(c, err, t.Errors, "indicator", t.Indicator.Code); stale != nil {
		t.Stale = stale
	} else if refused != "" {
		t.Refused = refused
	}
	return false
}

// rowRefusal sorts out why the save or submission of one row of a grid
// (values or activity updates) failed: field messages go into errs, a stale
// version comes back for the row to show as a conflict, a lock as the
// row's refusal in the reader's language. Errors that are not about the
// row (the database is down) fail the row with the generic message and are
// logged with the row's attributes.
func (h *Handler) rowRefusal(c echo.Context, err error, errs map[string]string, row ...any) (stale *domain.StaleError, refused string) {
	l := h.Localizer(c)
	var ve *domain.ValidationError
	var le *domain.LockedError
	switch {
	case errors.As(err, &ve):
		for k, v := range h.fieldErrors(c, ve) {
			errs[k] = v
		}
	case errors.As(err, &stale):
	case errors.As(err, &le):
		if le.Msg != nil {
			refused = le.Msg.Translate(l.T)
		} else {
			refused = le.Reason
		}
	default:
		h.Log.Error("grid row save failed", append(row, "err", err)...)
		refused = l.T("error.500.message")
	}
	return stale, refused
}
