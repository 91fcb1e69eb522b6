package app

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/pagegzip"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// maxBody caps request bodies; evidence and workbook uploads have their
// own limits (Config.EvidenceBodyLimit, Config.OfflineBodyLimit).
const maxBody = "12M"

// isUpload reports whether the request is an evidence upload, whose body
// is bounded by the evidence limit instead of maxBody. Middleware added
// with Use runs after routing, so the route's pattern is known.
func isUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && strings.HasSuffix(c.Path(), "/evidence")
}

// isWorkbookUpload reports whether the request uploads a workbook (an
// offline template or a plan workbook: every route with an "import"
// segment), bounded by the configured workbook size instead of maxBody.
func isWorkbookUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && (strings.Contains(c.Path(), "/import/") || strings.HasSuffix(c.Path(), "/import"))
}

// ownLimit reports whether the request's body has a limit of its own.
func ownLimit(c echo.Context) bool { return isUpload(c) || isWorkbookUpload(c) }

// use installs the middleware every request goes through, outermost first.
func (a *App) use(e *echo.Echo) {
	e.Use(assignRequestID)
	e.Use(a.logRequests)
	e.Use(a.recoverPanics)
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: maxBody, Skipper: ownLimit}))
	e.Use(a.limitUploads)
	// Focal points often report over slow connections: compress every text
	// response (the parts of pages kept rendered are compressed once).
	e.Use(pagegzip.Middleware(5, 1024))
	e.Use(a.securityHeaders)
	e.Use(a.Handler.Authenticate)
	e.Use(rejectBadText)
	e.Use(a.retryConflicts)
}

// limitUploads bounds the body of evidence and workbook uploads: a
// declared length over the limit is refused at once with 413, a body that
// grows over it fails when read (413 as well, see rejectBadText).
func (a *App) limitUploads(next echo.HandlerFunc) echo.HandlerFunc {
	evidence, workbook := a.Config.EvidenceBodyLimit(), a.Config.OfflineBodyLimit()
	return func(c echo.Context) error {
		limit := evidence
		switch {
		case isWorkbookUpload(c):
			limit = workbook
		case !isUpload(c):
			return next(c)
		}
		req := c.Request()
		if req.ContentLength > limit {
			return echo.ErrStatusRequestEntityTooLarge
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}

// assignRequestID gives every request a fresh id, in the response header and
// in every log line. A client-supplied X-Request-Id is ignored: it could forge
// log lines or collide with another request's.
func assignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderXRequestID, newRequestID())
		return next(c)
	}
}

// logRequests writes one structured line per request.
func (a *App) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		level := slog.LevelInfo
		if strings.HasPrefix(req.URL.Path, "/static/") || req.URL.Path == "/healthz" || req.URL.Path == "/readyz" {
			level = slog.LevelDebug
		}
		a.Log.LogAttrs(req.Context(), level, "request",
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
			slog.String("method", req.Method),
			slog.String("path", account.RedactPath(req.URL.Path)),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("duration", time.Since(start)),
			slog.String("ip", c.RealIP()),
		)
		return nil
	}
}

// recoverPanics turns a panic in a handler into a logged 500.
func (a *App) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				a.Log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "panic", r)
				err = echo.NewHTTPError(http.StatusInternalServerError)
			}
		}()
		return next(c)
	}
}

// securityHeaders sets the headers every response carries: a CSP without
// inline script, no framing, no sniffing, a strict referrer policy, HSTS
// behind TLS, and no caching of pages that carry data.
func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	tls := a.Config.TLS()
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}
