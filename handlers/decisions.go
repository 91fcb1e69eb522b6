package handlers

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"
	"naptracker/planning"
	"naptracker/review"

	"github.com/labstack/echo/v4"
)

// CreateDecision records a workshop decision from the form on the
// presentation's decisions slide and goes back to that slide; a refused
// form comes back on the same slide with 422 and the messages.
func (h *Handler) CreateDecision(c echo.Context) error {
	ctx, l := c.Request().Context(), h.Localizer(c)
	plan, err := planning.FindPlan(ctx, h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	values := formValues(form)
	snapshotID, _ := strconv.ParseInt(values.V("snapshot"), 10, 64)
	errs := map[string]string{}
	in := review.DecisionInput{Text: values.V("text"), SnapshotID: snapshotID}
	switch target := values.V("target"); {
	case strings.HasPrefix(target, "pillar:"):
		in.PillarCode = strings.TrimPrefix(target, "pillar:")
	case strings.HasPrefix(target, "activity:"):
		in.ActivityCode = strings.TrimPrefix(target, "activity:")
	case target == "" || target == "plan":
	default:
		errs["target"] = l.T("present.err.target")
	}
	if org := strings.TrimSpace(values.V("organisation")); org != "" {
		id, err := strconv.ParseInt(org, 10, 64)
		if err != nil || id <= 0 {
			errs["organisation"] = l.T("present.err.organisation")
		}
		in.OrganisationID = id
	}
	if due := strings.TrimSpace(values.V("due_date")); due != "" {
		d, err := time.Parse("2006-01-02", due)
		if err != nil {
			errs["due_date"] = l.T("present.err.due_date")
		} else {
			in.DueDate = &d
		}
	}
	if len(errs) == 0 {
		_, err = review.CreateDecision(ctx, h.DB, h.caller(c), plan.ID, in)
		var ve *domain.ValidationError
		switch {
		case errors.As(err, &ve):
			maps.Copy(errs, h.fieldErrors(c, ve))
		case err != nil:
			return h.denyLogged(c, err)
		}
	}
	if len(errs) == 0 && snapshotID == 0 {
		// Back to the live presentation's decisions slide, without
		// working the slides out again: they are one per pillar and five more.
		pillars, err := planning.CountPillars(ctx, h.DB, plan.ID)
		if err != nil {
			return err
		}
		q := url.Values{}
		for _, k := range []string{"from", "to"} {
			if v := values.V(k); v != "" {
				q.Set(k, v)
			}
		}
		back := "/plans/" + url.PathEscape(plan.Code) + "/present"
		if len(q) > 0 {
			back += "?" + q.Encode()
		}
		return c.Redirect(http.StatusSeeOther, withFlash(back, "flash.decision_recorded", "slide-"+strconv.Itoa(decisionsSlide(pillars))))
	}
	p, err := h.presentData(c, plan.Code, snapshotID, values.V("from"), values.V("to"))
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		p.Form = decisionForm{Values: values, Errors: errs}
		p.Start = p.DecisionsNo()
		return c.Render(http.StatusUnprocessableEntity, "present", p)
	}
	return c.Redirect(http.StatusSeeOther, withFlash(p.Back, "flash.decision_recorded", "slide-"+strconv.Itoa(p.DecisionsNo())))
}

// DecisionDone marks a decision done and goes back to the page it was
// marked on (the "back" field: a page of the same plan), else the plan.
func (h *Handler) DecisionDone(c echo.Context) error {
	ctx := c.Request().Context()
	plan, err := planning.FindPlan(ctx, h.DB, c.Param("plan"))
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	if _, err := review.MarkDecisionDone(ctx, h.DB, h.caller(c), plan.ID, id); err != nil {
		return h.denyLogged(c, err)
	}
	home := "/plans/" + url.PathEscape(plan.Code)
	back, fragment := c.FormValue("back"), c.FormValue("fragment")
	if back != home && !strings.HasPrefix(back, home+"/") && !strings.HasPrefix(back, home+"?") || strings.Contains(back, "//") || strings.Contains(back, "\\") {
		back = home
	}
	return c.Redirect(http.StatusSeeOther, withFlash(back, "flash.decision_done", fragment))
}

// withFlash adds the flash key to a local address's query and a fragment
// (slide-N, decisions) when it is made of safe characters.
func withFlash(path, flash, fragment string) string {
	u, err := url.Parse(path)
	if err != nil {
		return "/"
	}
	q := u.Query()
	q.Set("flash", flash)
	u.RawQuery = q.Encode()
	u.Fragment = ""
	for _, r := range fragment {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			fragment = ""
			break
		}
	}
	u.Fragment = fragment
	return u.String()
}

// decisionsBlock is what the plan and organisation pages show of the
// workshop decisions, through the "decisions" partial.
type decisionsBlock struct {
	Rows      []review.DecisionRow
	CanDecide bool
	// Back and Fragment bring a "mark done" back to the same place.
	Back, Fragment string
	Now            time.Time
	// CSV is the address of the list as CSV (the same filter).
	CSV string
}

// decisionsFor loads the decisions a page shows (one query).
func (h *Handler) decisionsFor(c echo.Context, f review.DecisionFilter, back, fragment string) (*decisionsBlock, error) {
	rows, err := review.ListDecisions(c.Request().Context(), h.DB, f)
	if err != nil {
		return nil, err
	}
	b := &decisionsBlock{Rows: rows, Back: back, Fragment: fragment, Now: h.Now().UTC()}
	if who := PrincipalOf(c); who != nil {
		b.CanDecide = domain.ScopeOf(&who.User).CanRecordDecisions()
	}
	return b, nil
}
