package handlers

import (
	"net/http"

	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// Which form of a page a password confirmation belongs to, so that its
// message shows under the form that was sent.
const (
	confirmDetails  = "details"
	confirmDisable  = "disable"
	confirmMFAReset = "mfa_reset"
)

// passwordStale reports whether a high-value action asked now must carry the
// password: the request's session last checked it RecentPasswordWindow ago
// or more. A request without a session (an API token) never has a recent check.
func (h *Handler) passwordStale(c echo.Context) bool {
	who := PrincipalOf(c)
	return who == nil || who.Session == nil || !who.Session.PasswordRecent(h.Now().UTC())
}

// confirmRecentPassword lets a high-value action (a role change, disabling
// an account, a privileged user's API token, resetting a second factor) go
// ahead: at once when the session's password check is recent, otherwise
// only when the form's "password" field holds the user's password, which
// then counts as a new check. Wrong passwords go through reauthenticate,
// and so through the sign-in throttle and the hashing slots, so the form
// cannot be used to guess passwords. It returns the status and message to
// show on the "password" field, or 0 and "" to go ahead. API tokens are
// not sessions and cannot confirm a password: they get ErrForbidden
// (no such action is offered on the API).
func (h *Handler) confirmRecentPassword(c echo.Context) (int, string, error) {
	who := PrincipalOf(c)
	if who == nil || who.Session == nil {
		return 0, "", domain.ErrForbidden
	}
	if !h.passwordStale(c) {
		return 0, "", nil
	}
	if c.FormValue("password") == "" {
		h.security(c, "reauth.required", &who.User.ID, map[string]any{"route": c.Request().Method + " " + c.Path()})
		return http.StatusUnprocessableEntity, h.Localizer(c).T("reauth.password_needed"), nil
	}
	return h.reauthenticate(c, who)
}
