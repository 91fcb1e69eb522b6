package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Healthz answers 200 while the process is alive.
func (h *Handler) Healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// Readyz answers 200 when the database answers within two seconds, else 503,
// without details (they go to the log).
func (h *Handler) Readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	sqlDB, err := h.DB.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		h.Log.Warn("readiness check failed", "err", err)
		return c.String(http.StatusServiceUnavailable, "unavailable")
	}
	return c.String(http.StatusOK, "ready")
}
