// Package handlers holds the Echo handlers of NAP Tracker, one file per
// resource, and routes.go, the one table of every route and who may use it.
package handlers

import (
	"log/slog"
	"time"

	"naptracker/handlers/i18n"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Handler carries what every handler needs. It holds no per-request state.
type Handler struct {
	DB   *gorm.DB
	Log  *slog.Logger
	I18n *i18n.Bundle
	Now  func() time.Time
}

// Page is the data every page template receives.
type Page struct {
	L         *i18n.Localizer
	RequestID string
}

// localizerKey is the echo.Context key of the request's localizer.
const localizerKey = "i18n.localizer"

// Localize is middleware that picks the interface language of each request.
func (h *Handler) Localize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(localizerKey, h.I18n.For(h.I18n.Negotiate("", c.Request())))
		return next(c)
	}
}

// Localizer returns the request's localizer (English when the middleware did not run).
func (h *Handler) Localizer(c echo.Context) *i18n.Localizer {
	if l, ok := c.Get(localizerKey).(*i18n.Localizer); ok {
		return l
	}
	return h.I18n.For(i18n.Default)
}

// page fills the common page data for a request.
func (h *Handler) page(c echo.Context) Page {
	return Page{L: h.Localizer(c), RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
}
