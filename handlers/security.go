package handlers

import (
	"log/slog"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// security records a security event — sign-in, sign-out, denied access,
// token use, permission change — in the audit log and as a structured log
// line, with the user, client address, time (UTC) and request id. Details
// must never hold passwords, tokens or indicator values.
func (h *Handler) security(c echo.Context, action string, userID *int64, details map[string]any) {
	a := h.actor(c)
	if userID != nil {
		a.UserID = userID
	}
	if err := domain.Audit(h.DB.WithContext(c.Request().Context()), a, action, "security", userID, nil, nil, details, ""); err != nil {
		h.Log.Error("writing the security log failed", "action", action, "request_id", a.RequestID, "err", err)
	}
	attrs := []any{
		slog.String("event", action),
		slog.String("request_id", a.RequestID),
		slog.String("ip", a.ClientIP),
		slog.String("method", c.Request().Method),
		slog.String("path", account.RedactPath(c.Request().URL.Path)),
	}
	if a.UserID != nil {
		attrs = append(attrs, slog.Int64("user_id", *a.UserID))
	}
	for k, v := range details {
		attrs = append(attrs, slog.Any(k, v))
	}
	h.Log.Info("security", attrs...)
}
