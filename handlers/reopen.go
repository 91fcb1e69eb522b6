package handlers

import (
	"context"
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
	target := valueTarget(c)
	return h.reopen(c, func(ctx context.Context, caller domain.Caller, version int, reason string) error {
		_, err := reporting.TransitionValue(ctx, h.DB, caller, target, reporting.ActionReopen, version, reason)
		return err
	}, func(caller domain.Caller, errs map[string]string) error {
		return h.valueFormAgain(c, caller, target, errs)
	})
}

// ReopenUpdate is ReopenValue for an activity update.
func (h *Handler) ReopenUpdate(c echo.Context) error {
	target := updateTarget(c)
	return h.reopen(c, func(ctx context.Context, caller domain.Caller, version int, reason string) error {
		_, err := reporting.TransitionUpdate(ctx, h.DB, caller, target, reporting.ActionReopen, version, reason)
		return err
	}, func(caller domain.Caller, errs map[string]string) error {
		return h.updateFormAgain(c, caller, target, errs)
	})
}

// reopen runs a reopen posted by the item's page: the move with the form's
// version and reason; on a validation error, the page again (render) with
// the messages beside the reason; then back to the page with a notice.
func (h *Handler) reopen(c echo.Context,
	move func(ctx context.Context, caller domain.Caller, version int, reason string) error,
	render func(caller domain.Caller, errs map[string]string) error) error {
	ctx, caller := c.Request().Context(), h.caller(c)
	version, _ := strconv.Atoi(c.FormValue("version"))
	err := move(ctx, caller, version, strings.TrimSpace(c.FormValue("reason")))
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		if err := render(caller, reopenErrors(h.fieldErrors(c, ve))); err != nil {
			return h.denyLogged(c, err)
		}
		return nil
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
