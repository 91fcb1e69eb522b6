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

// ReopenValue sends an approved value back to its organisation with the
// secretariat's reason (the page's form of the API's reopen). Without a
// reason the value page comes back with 422 and the message beside the
// field; a value changed meanwhile gets the usual stale or locked answer.
func (h *Handler) ReopenValue(c echo.Context) error {
	ctx, who, now := c.Request().Context(), PrincipalOf(c), h.Now().UTC()
	scope, target := domain.ScopeOf(&who.User), valueTarget(c)
	version, _ := strconv.Atoi(c.FormValue("version"))
	reason := strings.TrimSpace(c.FormValue("reason"))
	_, err := reporting.TransitionValue(ctx, h.DB, h.actor(c), scope, target, reporting.ActionReopen, version, reason, now)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		form, lerr := reporting.LoadValueForm(ctx, h.DB, scope, target, now)
		if lerr != nil {
			return h.denyLogged(c, lerr)
		}
		p := h.valuePageFor(c, form)
		p.Errors = reopenErrors(h.fieldErrors(c, ve))
		return c.Render(http.StatusUnprocessableEntity, "value", p)
	}
	if err != nil {
		return h.denyLogged(c, err)
	}
	return c.Redirect(http.StatusSeeOther, strings.TrimSuffix(c.Request().URL.Path, "/reopen")+"?flash=flash.reopened")
}

// ReopenUpdate is ReopenValue for an activity update.
func (h *Handler) ReopenUpdate(c echo.Context) error {
	ctx, who, now := c.Request().Context(), PrincipalOf(c), h.Now().UTC()
	scope, target := domain.ScopeOf(&who.User), updateTarget(c)
	version, _ := strconv.Atoi(c.FormValue("version"))
	reason := strings.TrimSpace(c.FormValue("reason"))
	_, err := reporting.TransitionUpdate(ctx, h.DB, h.actor(c), scope, target, reporting.ActionReopen, version, reason, now)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		form, lerr := reporting.LoadUpdateForm(ctx, h.DB, scope, target, now)
		if lerr != nil {
			return h.denyLogged(c, lerr)
		}
		p := h.updatePage(c, form)
		p.Errors = reopenErrors(h.fieldErrors(c, ve))
		return c.Render(http.StatusUnprocessableEntity, "update", p)
	}
	if err != nil {
		return h.denyLogged(c, err)
	}
	return c.Redirect(http.StatusSeeOther, strings.TrimSuffix(c.Request().URL.Path, "/reopen")+"?flash=flash.reopened")
}

// reopenErrors names the workflow's "comment" field as the reopen form's
// reason field, apart from the correction reason of the same page.
func reopenErrors(fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		if k == "comment" {
			k = "reopen_reason"
		}
		out[k] = v
	}
	return out
}
