package handlers

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// loginCookie carries the anonymous CSRF token of the sign-in form
// (double-submit): a site that cannot read our cookies cannot sign a
// victim into an account of its choosing.
const loginCookie = "nap_login"

// loginPage is the sign-in form.
type loginPage struct {
	Page
	Email     string
	Next      string
	LoginCSRF string
	Error     string
}

// dummyHash is checked when the e-mail address is unknown, so that the
// answer takes as long as for a real account and does not reveal which
// addresses exist.
// It is made at the first failed look-up, not when the program starts, so
// that commands that never sign anyone in do not pay for an argon2 hash.
var dummyHash = sync.OnceValue(func() string {
	h, _ := account.HashPassword("not a real password, only for timing")
	return h
})

// LoginForm shows the sign-in form.
func (h *Handler) LoginForm(c echo.Context) error {
	if who := PrincipalOf(c); who != nil && !who.MFAPending() {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return h.renderLogin(c, http.StatusOK, "", "")
}

func (h *Handler) renderLogin(c echo.Context, status int, email, msg string) error {
	token := account.NewSecret()
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: token, Path: "/login", HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	p := loginPage{Page: h.page(c), Email: email, Next: safeNext(c.FormValue("next")), LoginCSRF: token, Error: msg}
	return c.Render(status, "login", p)
}

// Login checks an e-mail address and password. Failures are counted per
// account and per client address in the database; past a few, further
// attempts wait, with a message saying how long. Success starts a new
// session (a new id, whatever cookie came in) and sends the user on to the
// second factor when their account has or needs one.
func (h *Handler) Login(c echo.Context) error {
	ctx, now := c.Request().Context(), h.Now().UTC()
	l := h.Localizer(c)
	cookie, err := c.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(c.FormValue("login_csrf"))) != 1 {
		h.security(c, "csrf.rejected", nil, map[string]any{"reason": "sign-in form token"})
		return h.renderLogin(c, http.StatusForbidden, "", l.T("login.expired"))
	}
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	if email == "" || password == "" {
		return h.renderLogin(c, http.StatusUnprocessableEntity, email, l.T("login.missing"))
	}
	accountKey, addressKey := account.AccountKey(email), account.AddressKey(c.RealIP())
	until, err := account.ThrottledUntil(ctx, h.DB, now, accountKey, addressKey)
	if err != nil {
		return err
	}
	// The attempt counts as a failure before its password is hashed, so that
	// a burst sent at once cannot pass the limits; it is taken back below
	// when the password is right or the server too busy to check it.
	var res *account.Reservation
	if until.IsZero() {
		res, until, err = account.ReserveAttempt(ctx, h.DB, now,
			account.ThrottleKey{Key: accountKey, Policy: h.Throttle}, account.ThrottleKey{Key: addressKey, Policy: h.AddressThrottle})
		if err != nil {
			return err
		}
	}
	if !until.IsZero() {
		h.security(c, "login.throttled", nil, map[string]any{"email": email, "until": until})
		c.Response().Header().Set("Retry-After", retryAfter(until, now))
		return h.renderLogin(c, http.StatusTooManyRequests, email, l.N("login.throttled", minutesUntil(until, now)))
	}
	user, err := account.FindUserByEmail(ctx, h.DB, email)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return errors.Join(err, res.Release(ctx, h.DB))
	}
	var hash string
	if user != nil {
		hash = user.PasswordHash
	} else {
		hash = dummyHash()
	}
	ok, err := account.VerifyPassword(ctx, hash, password)
	if err != nil {
		if rerr := res.Release(ctx, h.DB); rerr != nil {
			return rerr
		}
		if errors.Is(err, account.ErrBusy) {
			return h.busy(c, email)
		}
		return err
	}
	if !ok || user == nil || user.Disabled() {
		var uid *int64
		reason := "wrong password"
		switch {
		case user == nil:
			reason = "unknown account"
		case ok:
			reason = "account disabled"
			uid = &user.ID
		default:
			uid = &user.ID
		}
		h.security(c, "login.failure", uid, map[string]any{"email": email, "reason": reason})
		return h.renderLogin(c, http.StatusUnauthorized, email, l.T("login.failed"))
	}
	if err := res.Release(ctx, h.DB); err != nil {
		return err
	}
	if err := account.ClearLoginFailures(ctx, h.DB, accountKey); err != nil {
		return err
	}
	if who := PrincipalOf(c); who != nil && who.Session != nil {
		if err := account.EndSession(ctx, h.DB, who.Session.ID, account.EndRotated, now); err != nil {
			return err
		}
	}
	needsMFA := user.TOTPEnabledAt != nil || domain.MFARequired(user.Role)
	token, sess, err := account.CreateSession(ctx, h.DB, h.Sessions, user, !needsMFA, c.RealIP(), c.Request().UserAgent(), now)
	if err != nil {
		return err
	}
	if err := h.DB.WithContext(ctx).Model(&domain.User{}).Where("id = ?", user.ID).Update("last_login_at", now).Error; err != nil {
		return err
	}
	h.setSessionCookie(c, token)
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: h.SecureCookies})
	h.security(c, "login.success", &user.ID, map[string]any{"session_id": sess.ID, "mfa_pending": needsMFA})
	next := safeNext(c.FormValue("next"))
	if needsMFA {
		who := &Principal{User: *user, Session: sess}
		return c.Redirect(http.StatusSeeOther, h.mfaStep(who)+"?next="+url.QueryEscape(next))
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// busy answers a sign-in that found every password-hashing slot taken:
// 503 with Retry-After, the attempt not counted against anyone.
func (h *Handler) busy(c echo.Context, email string) error {
	h.security(c, "login.busy", nil, map[string]any{"email": email})
	c.Response().Header().Set("Retry-After", strconv.Itoa(busyRetrySeconds))
	return h.renderLogin(c, http.StatusServiceUnavailable, email, h.Localizer(c).T("login.busy"))
}

// busyRetrySeconds is the Retry-After of a busy answer: by then the
// hashes running now have finished.
const busyRetrySeconds = 2

// Logout ends the session on the server and clears the cookie.
func (h *Handler) Logout(c echo.Context) error {
	who := PrincipalOf(c)
	if err := account.EndSession(c.Request().Context(), h.DB, who.Session.ID, account.EndLogout, h.Now().UTC()); err != nil {
		return err
	}
	h.clearSessionCookie(c)
	h.security(c, "logout", &who.User.ID, map[string]any{"session_id": who.Session.ID})
	return c.Redirect(http.StatusSeeOther, "/login?flash=flash.signed_out")
}

// mfaStep is where a session that owes the second factor goes next: the
// code form when the user has an authenticator, else its set-up.
func (h *Handler) mfaStep(who *Principal) string {
	if who.User.TOTPEnabledAt != nil {
		return "/login/2fa"
	}
	return "/account/2fa"
}

// safeNext keeps a post-sign-in (or language switch) destination only when
// it is a path on this site, so that these forms cannot send people
// elsewhere. It judges the address as a browser will read it: browsers
// drop TAB, LF and CR anywhere, trim leading and trailing controls and
// spaces, and read a backslash as a slash, so "/\t/evil.example" and
// "/\\evil.example" both mean //evil.example, another site. The address is
// normalised the same way, then parsed: no scheme, no host, a path that
// starts with one slash. What is returned is the normalised address with
// every byte that is not printable ASCII escaped; anything else gives "/".
func safeNext(next string) string {
	next = strings.TrimFunc(next, func(r rune) bool { return r <= ' ' })
	next = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, next)
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || !utf8.ValidString(next) ||
		strings.ContainsFunc(next, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	var sb strings.Builder
	for i := 0; i < len(out); i++ {
		if b := out[i]; b <= ' ' || b >= 0x7f {
			fmt.Fprintf(&sb, "%%%02X", b)
		} else {
			sb.WriteByte(b)
		}
	}
	out = sb.String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}

func minutesUntil(until, now time.Time) int {
	return int(math.Ceil(until.Sub(now).Minutes()))
}

func retryAfter(until, now time.Time) string {
	return strconv.Itoa(int(math.Ceil(until.Sub(now).Seconds())))
}
