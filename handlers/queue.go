package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"naptracker/domain"
	"naptracker/reporting"

	"github.com/labstack/echo/v4"
)

// queuePage is the secretariat's validation queue.
type queuePage struct {
	Page
	Queue   *reporting.Queue
	Filter  reporting.QueueFilter
	Done    int
	Skipped int
	Query   string // the filter as a query string, to come back to
	Error   string
}

// Queue lists everything submitted, filterable by period, pillar and organisation.
func (h *Handler) Queue(c echo.Context) error {
	f := reporting.QueueFilter{Period: c.QueryParam("period"), Pillar: c.QueryParam("pillar"), Org: c.QueryParam("org"), Jump: c.QueryParam("jump") == "1"}
	q, err := reporting.LoadQueue(c.Request().Context(), h.DB, c.Param("plan"), f)
	if err != nil {
		return err
	}
	p := queuePage{Page: h.page(c), Queue: q, Filter: f, Query: filterQuery(f)}
	p.Done, _ = strconv.Atoi(c.QueryParam("done"))
	p.Skipped, _ = strconv.Atoi(c.QueryParam("skipped"))
	return c.Render(http.StatusOK, "queue", p)
}

func filterQuery(f reporting.QueueFilter) string {
	v := url.Values{}
	for k, x := range map[string]string{"period": f.Period, "pillar": f.Pillar, "org": f.Org} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if f.Jump {
		v.Set("jump", "1")
	}
	return v.Encode()
}

// queueRef is an item of the queue as a form names it: kind|code|period|version.
type queueRef struct {
	kind, code, period string
	version            int
}

func parseQueueRef(s string) (queueRef, bool) {
	parts := strings.Split(s, "|")
	if len(parts) != 4 {
		return queueRef{}, false
	}
	v, err := strconv.Atoi(parts[3])
	if err != nil || (parts[0] != reporting.ItemIndicator && parts[0] != reporting.ItemActivity) {
		return queueRef{}, false
	}
	return queueRef{parts[0], parts[1], parts[2], v}, true
}

// QueueAction approves the selected items (action=approve with one or more
// "item" fields — bulk approval), or returns one item with a comment
// (action=return). Each item is its own transaction: an item changed since
// the page was loaded is skipped, never overwritten, and counted.
func (h *Handler) QueueAction(c echo.Context) error {
	ctx, caller, plan := c.Request().Context(), h.caller(c), c.Param("plan")
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	action := c.FormValue("action")
	if action != reporting.ActionApprove && action != reporting.ActionReturn {
		return &domain.ValidationError{Fields: map[string]string{"action": "Choose approve or return."}}
	}
	refs := form["item"]
	if action == reporting.ActionReturn && len(refs) != 1 {
		return &domain.ValidationError{Fields: map[string]string{"item": "Return one item at a time, with a comment."}}
	}
	done, skipped := 0, 0
	for _, s := range refs {
		ref, ok := parseQueueRef(s)
		if !ok {
			skipped++
			continue
		}
		if ref.kind == reporting.ItemIndicator {
			_, err = reporting.TransitionValue(ctx, h.DB, caller, reporting.ValueTarget{Plan: plan, Indicator: ref.code, Period: ref.period}, action, ref.version, c.FormValue("comment"))
		} else {
			_, err = reporting.TransitionUpdate(ctx, h.DB, caller, reporting.UpdateTarget{Plan: plan, Activity: ref.code, Period: ref.period}, action, ref.version, c.FormValue("comment"))
		}
		var ve *domain.ValidationError
		switch {
		case err == nil:
			done++
		case errors.As(err, &ve) && action == reporting.ActionReturn:
			return err // the comment is missing: say so
		case errors.Is(err, domain.ErrStale), errors.Is(err, domain.ErrLocked), errors.Is(err, domain.ErrNotFound):
			skipped++
		default:
			return err
		}
	}
	back := "/plans/" + url.PathEscape(plan) + "/queue?" + c.FormValue("back")
	if !strings.HasSuffix(back, "?") {
		back += "&"
	}
	return c.Redirect(http.StatusSeeOther, back+"done="+strconv.Itoa(done)+"&skipped="+strconv.Itoa(skipped))
}
