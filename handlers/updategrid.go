package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// updateGridPage is the activity-update grid of an organisation over a
// range of periods.
type updateGridPage struct {
	Page
	Grid     *reporting.UpdateGrid
	Rows     []updateGridRow
	Statuses []string
	// Action is the grid's own address (with its range), to post to.
	Action        string
	Failed, Stale int
	From, To      string
}

// updateGridRow is one row as shown: the stored update, and the inputs (as
// typed when the row was refused, else as stored).
type updateGridRow struct {
	*reporting.UpdateRow
	Editable bool
	Input    reporting.UpdateInput
	Percent  string // percent complete as typed
	Expense  string // expenditure as typed
	Version  int
	Errors   map[string]string
	Conflict *domain.StaleError
	Refused  string
}

func (h *Handler) loadUpdateGrid(c echo.Context) (*reporting.UpdateGrid, error) {
	caller := h.caller(c)
	return reporting.LoadUpdateGrid(c.Request().Context(), h.DB, caller.Scope, c.Param("plan"), c.Param("org"), c.QueryParam("from"), c.QueryParam("to"), caller.Now)
}

// storedUpdateRows lays out the rows with their stored updates.
func storedUpdateRows(l *i18n.Localizer, g *reporting.UpdateGrid) []updateGridRow {
	rows := make([]updateGridRow, len(g.Rows))
	for i := range g.Rows {
		r := &g.Rows[i]
		row := updateGridRow{UpdateRow: r, Editable: r.Editable(), Version: r.Version()}
		if u := r.Update; u != nil {
			row.Input = reporting.UpdateInput{UpdateContent: u.UpdateContent, Version: u.Version}
			row.Percent = strconv.Itoa(u.PercentComplete)
			row.Expense = l.InputNum(&u.Expenditure)
		}
		rows[i] = row
	}
	return rows
}

func (h *Handler) updateGridPage(c echo.Context, g *reporting.UpdateGrid) updateGridPage {
	from, to := g.Periods[0].Label, g.Periods[len(g.Periods)-1].Label
	action := c.Request().URL.Path + "?" + url.Values{"from": {from}, "to": {to}}.Encode()
	return updateGridPage{Page: h.page(c), Grid: g, Statuses: domain.ProgressStatuses, Action: action, From: from, To: to}
}

// UpdateGrid shows every activity update an organisation owes as lead over
// a range of periods on one page.
func (h *Handler) UpdateGrid(c echo.Context) error {
	g, err := h.loadUpdateGrid(c)
	if err != nil {
		return h.denyLogged(c, err)
	}
	p := h.updateGridPage(c, g)
	p.Rows = storedUpdateRows(h.Localizer(c), g)
	return c.Render(http.StatusOK, "grid_updates", p)
}

// SaveUpdateGrid saves every edited row as a draft, each on its own with
// its own version (models.SaveUpdate, as the single form), and with
// "action=submit" then submits every row saved as a draft. Refused rows
// come back as typed with their messages (422), or with both versions when
// stale (409); the others are saved — as SaveValueGrid.
func (h *Handler) SaveUpdateGrid(c echo.Context) error {
	ctx, caller, l := c.Request().Context(), h.caller(c), h.Localizer(c)
	g, err := h.loadUpdateGrid(c)
	if err != nil {
		return h.denyLogged(c, err)
	}
	submit := c.FormValue("action") == "submit"
	type outcome struct {
		typed  updateGridRow
		failed bool
		saved  *domain.ActivityUpdate
	}
	outcomes := map[string]*outcome{}
	for i := range g.Rows {
		r := &g.Rows[i]
		key := r.Key()
		if _, posted := c.Request().PostForm[gridField("ver", key)]; !posted {
			continue
		}
		o := &outcome{typed: typedUpdateRow(c, l, r)}
		outcomes[key] = o
		if len(o.typed.Errors) > 0 {
			o.failed = true
			continue
		}
		in := o.typed.Input
		if o.typed.Version == r.Version() && r.Unchanged(in) {
			o.saved = r.Update
			continue
		}
		target := reporting.UpdateTarget{Plan: g.Plan.Code, Activity: r.Activity.Code, Period: r.Period.Label}
		u, err := reporting.SaveUpdate(ctx, h.DB, caller, target, in)
		if o.failed = !h.updateRowRefused(c, &o.typed, err); !o.failed {
			o.saved = u
		}
	}
	if submit {
		for i := range g.Rows {
			r := &g.Rows[i]
			o := outcomes[r.Key()]
			if o == nil || o.failed || o.saved == nil || o.saved.Status != domain.StatusDraft {
				continue
			}
			target := reporting.UpdateTarget{Plan: g.Plan.Code, Activity: r.Activity.Code, Period: r.Period.Label}
			_, err := reporting.TransitionUpdate(ctx, h.DB, caller, target, reporting.ActionSubmit, o.saved.Version, "")
			o.failed = !h.updateRowRefused(c, &o.typed, err)
		}
	}
	p := h.updateGridPage(c, g)
	p.Failed, p.Stale = tally(outcomes, func(o *outcome) (bool, bool) { return o.failed, o.typed.Conflict != nil })
	if p.Failed == 0 {
		return c.Redirect(http.StatusSeeOther, p.Action+"&flash="+gridFlash(submit))
	}
	if g, err = h.loadUpdateGrid(c); err != nil {
		return h.denyLogged(c, err)
	}
	p.Grid, p.Rows = g, storedUpdateRows(l, g)
	for i := range p.Rows {
		o := outcomes[p.Rows[i].Key()]
		if o == nil || !o.failed {
			continue
		}
		stored := p.Rows[i]
		p.Rows[i] = o.typed
		p.Rows[i].UpdateRow = stored.UpdateRow
		p.Rows[i].Editable = stored.Editable || o.typed.Conflict != nil
		if o.typed.Conflict != nil {
			p.Rows[i].Version = stored.Version // saving again replaces the stored version
		}
	}
	return c.Render(gridStatus(p.Failed, p.Stale), "grid_updates", p)
}

// typedUpdateRow reads one row of the posted grid as typed, noting
// unreadable numbers in its errors.
func typedUpdateRow(c echo.Context, l *i18n.Localizer, r *reporting.UpdateRow) updateGridRow {
	key := r.Key()
	t := updateGridRow{UpdateRow: r, Editable: true, Errors: map[string]string{},
		Percent: strings.TrimSpace(c.FormValue(gridField("pc", key))), Expense: strings.TrimSpace(c.FormValue(gridField("x", key)))}
	t.Version, _ = strconv.Atoi(c.FormValue(gridField("ver", key)))
	t.Input = reporting.UpdateInput{UpdateContent: domain.UpdateContent{Progress: c.FormValue(gridField("p", key)), Achievements: c.FormValue(gridField("achievements", key)),
		Challenges: c.FormValue(gridField("challenges", key)), NextSteps: c.FormValue(gridField("next_steps", key))}, Version: t.Version}
	if t.Percent != "" {
		pct, err := strconv.Atoi(t.Percent)
		if err != nil {
			t.Errors["percent_complete"] = l.T("value.not_a_number")
		}
		t.Input.PercentComplete = pct
	}
	if t.Expense != "" {
		x, bad := parseNumber(l.Lang, t.Expense)
		if bad != "" {
			t.Errors["expenditure"] = l.T(bad)
		}
		t.Input.Expenditure = x
	}
	return t
}

// updateRowRefused is rowRefused for an update row.
func (h *Handler) updateRowRefused(c echo.Context, t *updateGridRow, err error) bool {
	if err == nil {
		return true
	}
	if stale, refused := h.rowRefusal(c, err, t.Errors, "activity", t.Activity.Code, "period", t.Period.Label); stale != nil {
		t.Conflict = stale
	} else if refused != "" {
		t.Refused = refused
	}
	return false
}
