// Package handlers holds the Echo handlers of NAP Tracker, one file per
// resource, and routes.go, the one table of every route and who may use it.
package handlers

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/i18n"
	"naptracker/offline"
	"naptracker/pagegzip"
	"naptracker/planning"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Handler carries what every handler needs. It holds no per-request state.
type Handler struct {
	DB   *gorm.DB
	Log  *slog.Logger
	I18n *i18n.Bundle
	Now  func() time.Time
	// Keys seal the TOTP secrets in the database.
	Keys     *account.Keyring
	Sessions account.SessionPolicy
	// Throttle applies per account; AddressThrottle per client address,
	// which many honest users behind one office NAT may share.
	Throttle        account.ThrottlePolicy
	AddressThrottle account.ThrottlePolicy
	// SecureCookies is true behind TLS: cookies get Secure and the __Host- prefix.
	SecureCookies bool
	BaseURL       string
	// dashboards keeps each plan's dashboard figures for as long as the
	// plan's data version and the date stay the same (see Dashboard).
	dashboards versioned[*dashboardPage]
	// planTrees keeps each plan's tree for its page (see ShowPlan).
	planTrees versioned[*planning.PlanTree]
	// reportSem bounds the workbooks built at once (see buildReport).
	reportSlotsOnce sync.Once
	reportSem       chan struct{}
	// planBodies keeps the plan page's tree rendered (see ShowPlan).
	planBodies versioned[*pagegzip.Part]
	// indicatorBodies keeps indicator pages of readers of approved data
	// only (see ShowIndicator).
	indicatorBodies versioned[indicatorView]
	// planSizes keeps the home page's plan sizes (see models.ListPlansCached).
	planSizes planning.PlanSizes
	// EvidenceMaxSize is the largest evidence file accepted, in bytes.
	EvidenceMaxSize int64
	// OfflineLimits bound an uploaded offline template (nil: offline.DefaultLimits).
	OfflineLimits *offline.Limits
}

// Page is the data every page template receives.
type Page struct {
	L         *i18n.Localizer
	RequestID string
	// User is the signed-in user, nil on public pages for anonymous visitors.
	User *domain.User
	// CSRF is the token every state-changing form must send back.
	CSRF string
	// Flash is a one-off message after a redirect (from the "flash" query
	// parameter, which only names a catalogue key).
	Flash string
	// Here is the same-site address the language switcher comes back to.
	Here string
}

// Can is the access policy of the signed-in user, as templates ask it:
// {{if .Can.Approve}}. Nobody signed in may do nothing.
func (p Page) Can() domain.Can {
	if p.User == nil {
		return domain.Can{}
	}
	return domain.ScopeOf(p.User).Can()
}

// localizerKey is the echo.Context key of the request's localizer.
const localizerKey = "i18n.localizer"

// Localizer returns the request's localizer. The interface language is
// picked on first use and kept for the request (the user's setting, else
// the cookie, else Accept-Language), so requests that show no text — static
// files, health checks, redirects — never negotiate one.
func (h *Handler) Localizer(c echo.Context) *i18n.Localizer {
	if l, ok := c.Get(localizerKey).(*i18n.Localizer); ok {
		return l
	}
	setting := ""
	if who := PrincipalOf(c); who != nil {
		setting = who.User.Language
	}
	l := h.I18n.For(h.I18n.Negotiate(setting, c.Request()))
	c.Set(localizerKey, l)
	return l
}

// page fills the common page data for a request.
func (h *Handler) page(c echo.Context) Page {
	p := Page{L: h.Localizer(c), RequestID: c.Response().Header().Get(echo.HeaderXRequestID), Here: here(c)}
	if who := PrincipalOf(c); who != nil {
		p.User = &who.User
		if who.Session != nil {
			p.CSRF = who.Session.CSRFToken
		}
	}
	if key := c.QueryParam("flash"); key != "" && strings.HasPrefix(key, "flash.") && h.I18n.Has(i18n.Default, key) {
		p.Flash = p.L.T(key)
	}
	return p
}

// caller is who makes the request and when, for the commands: the actor,
// the signed-in user's scope (none for an anonymous request) and the
// request's time in UTC. A handler builds it once and passes it on.
func (h *Handler) caller(c echo.Context) domain.Caller {
	who := domain.Caller{Actor: h.actor(c), Now: h.Now().UTC()}
	if p := PrincipalOf(c); p != nil {
		who.Scope = domain.ScopeOf(&p.User)
	}
	return who
}

// actor describes the request's user for the audit log.
func (h *Handler) actor(c echo.Context) domain.Actor {
	a := domain.Actor{RequestID: c.Response().Header().Get(echo.HeaderXRequestID), ClientIP: c.RealIP()}
	if who := PrincipalOf(c); who != nil {
		a.UserID, a.Name = &who.User.ID, who.User.Email
	}
	return a
}
