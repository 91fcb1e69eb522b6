package handlers

import (
	"crypto/subtle"
	"net/http"
	"net/url"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/i18n"

	"github.com/labstack/echo/v4"
)

// LanguageChoice is one button of the language switcher: a language code
// and its name in that language.
type LanguageChoice struct {
	Code, Name string
	Current    bool
}

// LanguageChoices lists the interface languages for the switcher, each
// named in its own language, the page's language marked current.
func (p Page) LanguageChoices() []LanguageChoice {
	out := make([]LanguageChoice, 0, len(i18n.Supported))
	for _, code := range i18n.Supported {
		out = append(out, LanguageChoice{Code: code, Name: i18n.Names[code], Current: p.L != nil && p.L.Lang == code})
	}
	return out
}

// here is the page the language switcher brings the visitor back to: the
// address of a GET, else the same-site page that posted the form (a form
// refused with 422 has no address of its own to come back to).
func here(c echo.Context) string {
	req := c.Request()
	u := req.URL
	if req.Method != http.MethodGet {
		ref, err := url.Parse(req.Referer())
		if err != nil || ref.Host != req.Host || ref.Path == "" {
			return "/"
		}
		u = ref
	}
	// A one-off message is not shown again in the new language.
	q := u.Query()
	if !q.Has("flash") {
		return u.RequestURI()
	}
	q.Del("flash")
	back := url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: q.Encode()}
	return back.RequestURI()
}

// SetLanguage is the language switcher on every page. It keeps the choice
// in the "lang" cookie, so that it also holds before signing in and after
// signing out, and for a signed-in user also in their account, so that
// e-mails follow it. It then goes back to the page the visitor was on
// (a same-site path only, never another site).
func (h *Handler) SetLanguage(c echo.Context) error {
	lang := c.FormValue("lang")
	if !i18n.IsSupported(lang) {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	if who := PrincipalOf(c); who != nil && who.Session != nil {
		// The route is public (the sign-in page has the switcher too), so
		// the guard does not check the CSRF token of a session: do it here.
		if subtle.ConstantTimeCompare([]byte(c.FormValue("csrf_token")), []byte(who.Session.CSRFToken)) != 1 {
			h.security(c, "csrf.rejected", &who.User.ID, map[string]any{"reason": "missing or wrong token"})
			return echo.NewHTTPError(http.StatusForbidden)
		}
		if err := account.SetUserLanguage(c.Request().Context(), h.DB, h.caller(c), who.User.ID, lang); err != nil {
			return err
		}
	}
	h.setLanguageCookie(c, lang)
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("next")))
}

// SaveAccountLanguage saves the language chosen on the account page; the
// empty choice means "follow my browser".
func (h *Handler) SaveAccountLanguage(c echo.Context) error {
	who := PrincipalOf(c)
	lang := c.FormValue("language")
	if err := account.SetUserLanguage(c.Request().Context(), h.DB, h.caller(c), who.User.ID, lang); err != nil {
		return err
	}
	h.setLanguageCookie(c, lang)
	return c.Redirect(http.StatusSeeOther, "/account?flash=flash.language_saved")
}

// setLanguageCookie keeps (or, for "", forgets) a visitor's language for a
// year. It is set like the session cookie: HttpOnly, SameSite=Lax, and
// Secure behind TLS.
func (h *Handler) setLanguageCookie(c echo.Context, lang string) {
	ck := &http.Cookie{Name: i18n.CookieName, Value: lang, Path: "/", HttpOnly: true, Secure: h.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600}
	if lang == "" {
		ck.MaxAge = -1
	}
	c.SetCookie(ck)
}

// fieldErrors returns the messages of a validation error in the request's
// language (a message without a catalogue key stays as the model wrote it).
func (h *Handler) fieldErrors(c echo.Context, ve *domain.ValidationError) map[string]string {
	return ve.Localized(h.Localizer(c).T)
}

// PageFor is the common page data of a request for pages rendered outside
// the handlers (the error page), so that its language switcher comes back
// to the failed address and carries the session's CSRF token.
func (h *Handler) PageFor(c echo.Context) Page { return h.page(c) }
