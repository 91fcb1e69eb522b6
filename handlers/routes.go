package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Route is one entry of the route table: the address, the handler and who
// may use it. Every route the application serves is listed in Routes, so the
// access rules can be read, and tested, in one place.
type Route struct {
	Method string
	Path   string
	// Public routes need no sign-in. Until sign-in lands (issue 3) only
	// public routes exist; other routes must list the roles they allow.
	Public  bool
	Roles   []string
	Handler echo.HandlerFunc
}

// Routes returns the route table.
func (h *Handler) Routes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/healthz", Public: true, Handler: h.Healthz},
		{Method: http.MethodGet, Path: "/readyz", Public: true, Handler: h.Readyz},
		{Method: http.MethodGet, Path: "/", Public: true, Handler: h.Home},
		{Method: http.MethodGet, Path: "/plans/:plan", Public: true, Handler: h.ShowPlan},
	}
}

// Register adds every route of the table to e.
func (h *Handler) Register(e *echo.Echo) {
	for _, r := range h.Routes() {
		e.Add(r.Method, r.Path, r.Handler)
	}
}
