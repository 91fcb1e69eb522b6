package handlers

import (
	"net/http"
	"strconv"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// accountPage is the user's own account: sessions, second factor, tokens.
type accountPage struct {
	Page
	Sessions  []account.Session
	CurrentID int64
	Tokens    []account.APIToken
}

// Account shows the signed-in user's active sessions (and, as they land,
// second factor and API tokens).
func (h *Handler) Account(c echo.Context) error {
	return h.renderAccount(c, http.StatusOK)
}

func (h *Handler) renderAccount(c echo.Context, status int) error {
	ctx, who := c.Request().Context(), PrincipalOf(c)
	sessions, err := account.ActiveSessions(ctx, h.DB, h.Sessions, who.User.ID, h.Now().UTC())
	if err != nil {
		return err
	}
	tokens, err := account.UserTokens(ctx, h.DB, who.User.ID)
	if err != nil {
		return err
	}
	p := accountPage{Page: h.page(c), Sessions: sessions, Tokens: tokens}
	if who.Session != nil {
		p.CurrentID = who.Session.ID
	}
	return c.Render(status, "account", p)
}

// EndOwnSession ends one of the user's own sessions (a browser left signed
// in elsewhere). Another user's session id is answered as not found.
func (h *Handler) EndOwnSession(c echo.Context) error {
	ctx, who, now := c.Request().Context(), PrincipalOf(c), h.Now().UTC()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	var s account.Session
	if err := h.DB.WithContext(ctx).Where("id = ? AND user_id = ? AND ended_at IS NULL", id, who.User.ID).Take(&s).Error; err != nil {
		return domain.ErrNotFound
	}
	if err := account.EndSession(ctx, h.DB, s.ID, account.EndByUser, now); err != nil {
		return err
	}
	h.security(c, "session.end", &who.User.ID, map[string]any{"session_id": s.ID})
	if who.Session != nil && s.ID == who.Session.ID {
		h.clearSessionCookie(c)
		return c.Redirect(http.StatusSeeOther, "/login?flash=flash.signed_out")
	}
	return c.Redirect(http.StatusSeeOther, "/account?flash=flash.session_ended")
}
