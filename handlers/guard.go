package handlers

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"
)

// guard wraps a route's handler with its access rule: anonymous callers are
// sent to sign in (401 on the API), sessions that still owe the second
// factor may only reach the routes that let them pass it, roles not listed
// get 403, and every state-changing request from a browser must carry the
// session's CSRF token and must not come from another site.
func (h *Handler) guard(r Route) echo.HandlerFunc {
	return func(c echo.Context) error {
		unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead
		if unsafe && !isAPI(c) && crossSite(c) {
			h.security(c, "csrf.rejected", nil, map[string]any{"reason": "cross-site request"})
			return echo.NewHTTPError(http.StatusForbidden)
		}
		if r.Public {
			return r.Handler(c)
		}
		who := PrincipalOf(c)
		if who == nil {
			if isAPI(c) {
				return h.unauthorized(c, "no credentials")
			}
			if r.Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			return echo.NewHTTPError(http.StatusUnauthorized)
		}
		if who.MFAPending() && !r.BeforeMFA {
			if isAPI(c) {
				return echo.NewHTTPError(http.StatusUnauthorized)
			}
			return c.Redirect(http.StatusSeeOther, h.mfaStep(who))
		}
		if !slices.Contains(r.Roles, who.User.Role) {
			h.security(c, "access.denied", &who.User.ID, map[string]any{"role": who.User.Role, "route": r.Method + " " + r.Path})
			return echo.NewHTTPError(http.StatusForbidden)
		}
		if unsafe && who.Session != nil {
			sent := c.Request().Header.Get("X-CSRF-Token")
			if sent == "" {
				sent = c.FormValue("csrf_token")
			}
			if subtle.ConstantTimeCompare([]byte(sent), []byte(who.Session.CSRFToken)) != 1 {
				h.security(c, "csrf.rejected", &who.User.ID, map[string]any{"reason": "missing or wrong token"})
				return echo.NewHTTPError(http.StatusForbidden)
			}
		}
		return r.Handler(c)
	}
}

// crossSite reports whether the browser says the request comes from another
// site (Sec-Fetch-Site), or its Origin names another host.
func crossSite(c echo.Context) bool {
	req := c.Request()
	switch req.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	if origin := req.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != req.Host {
			return true
		}
	}
	return false
}
