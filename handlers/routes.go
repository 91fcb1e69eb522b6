package handlers

import (
	"net/http"

	"naptracker/models"

	"github.com/labstack/echo/v4"
)

// Route is one entry of the route table: the address, the handler and who
// may use it. Every route the application serves is listed in Routes, so the
// access rules can be read, and tested, in one place.
type Route struct {
	Method string
	Path   string
	// Public routes need no sign-in.
	Public bool
	// Roles lists the roles allowed; a route that is not public and lists
	// no role is reachable by nobody.
	Roles []string
	// BeforeMFA lets a session that still owes its second factor use the
	// route (signing out, entering the code, enrolling).
	BeforeMFA bool
	Handler   echo.HandlerFunc
}

// Role groups used in the table.
var (
	everyone = []string{models.RoleAdmin, models.RoleSecretariat, models.RoleFocalPoint, models.RoleDonor, models.RoleFacilitator}
	managers = []string{models.RoleAdmin, models.RoleSecretariat}
)

// Routes returns the route table.
func (h *Handler) Routes() []Route {
	get, post := http.MethodGet, http.MethodPost
	return []Route{
		{Method: get, Path: "/healthz", Public: true, Handler: h.Healthz},
		{Method: get, Path: "/readyz", Public: true, Handler: h.Readyz},

		// Signing in and out.
		{Method: get, Path: "/login", Public: true, Handler: h.LoginForm},
		{Method: post, Path: "/login", Public: true, Handler: h.Login},
		{Method: post, Path: "/logout", Roles: everyone, BeforeMFA: true, Handler: h.Logout},

		// The plan.
		{Method: get, Path: "/", Roles: everyone, Handler: h.Home},
		{Method: get, Path: "/plans/:plan", Roles: everyone, Handler: h.ShowPlan},

		// Own account: sessions.
		{Method: get, Path: "/account", Roles: everyone, Handler: h.Account},
		{Method: post, Path: "/account/sessions/:id/end", Roles: everyone, Handler: h.EndOwnSession},

		// --- second factor (TOTP, recovery codes) ---
		// --- end second factor ---

		// --- user management ---
		// --- end user management ---

		// --- API tokens and the JSON API ---
		// --- end API ---
	}
}

// Register adds every route of the table to e, each behind its guard.
func (h *Handler) Register(e *echo.Echo) {
	for _, r := range h.Routes() {
		e.Add(r.Method, r.Path, h.guard(r))
	}
}
