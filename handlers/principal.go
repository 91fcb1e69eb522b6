package handlers

import (
	"errors"
	"net/http"
	"strings"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// Principal is who makes a request: a user signed in with a session cookie
// or calling the API with a token.
type Principal struct {
	User    domain.User
	Session *account.Session  // set for browser sessions
	Token   *account.APIToken // set for API calls
}

// MFAPending reports whether the session still has to pass the second
// factor (or, for roles that require one, to enrol in it).
func (p *Principal) MFAPending() bool {
	return p.Session != nil && !p.Session.MFAPassed
}

// Is reports whether the principal has one of the roles.
func (p *Principal) Is(roles ...string) bool {
	for _, r := range roles {
		if p.User.Role == r {
			return true
		}
	}
	return false
}

// OrgID returns the user's organisation id, or 0 when the user has none.
func (p *Principal) OrgID() int64 {
	if p.User.OrganisationID == nil {
		return 0
	}
	return *p.User.OrganisationID
}

const principalKey = "auth.principal"

// PrincipalOf returns the request's principal, or nil for an anonymous request.
func PrincipalOf(c echo.Context) *Principal {
	p, _ := c.Get(principalKey).(*Principal)
	return p
}

// sessionCookie is the name of the session cookie: __Host- prefixed behind
// TLS, so that it is only ever set by this host over HTTPS, for the whole site.
func (h *Handler) sessionCookie() string {
	if h.SecureCookies {
		return "__Host-nap_session"
	}
	return "nap_session"
}

// isAPI reports whether a request is for the JSON API.
func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

// Authenticate finds the request's principal: a bearer token on API routes,
// the session cookie elsewhere. It never rejects a request itself; the route
// guard decides what an anonymous or unknown caller may do.
func (h *Handler) Authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch p := c.Request().URL.Path; {
		case strings.HasPrefix(p, "/static/"), p == "/healthz", p == "/readyz":
			return next(c)
		}
		ctx, now := c.Request().Context(), h.Now().UTC()
		if isAPI(c) {
			auth := c.Request().Header.Get(echo.HeaderAuthorization)
			if auth == "" {
				return next(c)
			}
			secret, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok {
				return h.unauthorized(c, "malformed Authorization header")
			}
			tok, user, err := account.LookupAPIToken(ctx, h.DB, strings.TrimSpace(secret), now)
			if errors.Is(err, domain.ErrNotFound) {
				return h.unauthorized(c, "unknown, revoked or expired token")
			}
			if err != nil {
				return err
			}
			c.Set(principalKey, &Principal{User: *user, Token: tok})
			// The trail of a token's use: its first use, then at most one
			// row a minute (a script saving values would otherwise write
			// an audit row per request).
			if tok.Recorded {
				h.security(c, "token.use", &user.ID, map[string]any{"token_id": tok.ID, "prefix": tok.Prefix})
			}
			return next(c)
		}
		cookie, err := c.Cookie(h.sessionCookie())
		if err != nil || cookie.Value == "" {
			return next(c)
		}
		sess, user, err := account.LookupSession(ctx, h.DB, h.Sessions, cookie.Value, now)
		if errors.Is(err, domain.ErrNotFound) {
			h.clearSessionCookie(c)
			return next(c)
		}
		if err != nil {
			return err
		}
		c.Set(principalKey, &Principal{User: *user, Session: sess})
		return next(c)
	}
}

// unauthorized answers 401 to an API call with bad credentials, and logs it.
func (h *Handler) unauthorized(c echo.Context, why string) error {
	h.security(c, "auth.failure", nil, map[string]any{"reason": why})
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="naptracker"`)
	return echo.NewHTTPError(http.StatusUnauthorized)
}

func (h *Handler) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name: h.sessionCookie(), Value: token, Path: "/", HttpOnly: true, Secure: h.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.Sessions.Absolute.Seconds()),
	})
}

func (h *Handler) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: h.sessionCookie(), Value: "", Path: "/", HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
