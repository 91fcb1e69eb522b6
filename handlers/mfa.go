package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// mfaLoginPage asks for the second factor after the password.
type mfaLoginPage struct {
	Page
	Next  string
	Error string
}

// LoginMFAForm asks a session that has passed the password for the code of
// the authenticator app (or a recovery code). A session that has nothing
// left to pass goes home; one whose user has no authenticator yet goes to
// set it up.
func (h *Handler) LoginMFAForm(c echo.Context) error {
	who := PrincipalOf(c)
	if !who.MFAPending() {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if who.User.TOTPEnabledAt == nil {
		return c.Redirect(http.StatusSeeOther, "/account/2fa?next="+url.QueryEscape(safeNext(c.QueryParam("next"))))
	}
	return h.renderMFALogin(c, http.StatusOK, "")
}

func (h *Handler) renderMFALogin(c echo.Context, status int, msg string) error {
	return c.Render(status, "mfa_login", mfaLoginPage{Page: h.page(c), Next: safeNext(c.FormValue("next")), Error: msg})
}

// LoginMFA checks the code of the second step of sign-in. Failures are
// counted per user in the database and, past a few, make further attempts
// wait, so that someone who knows the password cannot try every code. An
// authenticator code is accepted once; a recovery code is spent. Success
// replaces the session with a new one (a new id after the privilege change)
// that has passed the second factor.
func (h *Handler) LoginMFA(c echo.Context) error {
	ctx, who, now, l := c.Request().Context(), PrincipalOf(c), h.Now().UTC(), h.Localizer(c)
	if !who.MFAPending() {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if who.User.TOTPEnabledAt == nil {
		return c.Redirect(http.StatusSeeOther, "/account/2fa?next="+url.QueryEscape(safeNext(c.FormValue("next"))))
	}
	key := account.MFAKey(who.User.ID)
	until, err := account.ThrottledUntil(ctx, h.DB, now, key)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		h.security(c, "mfa.throttled", &who.User.ID, map[string]any{"until": until})
		c.Response().Header().Set("Retry-After", retryAfter(until, now))
		return h.renderMFALogin(c, http.StatusTooManyRequests, l.N("mfa.throttled", minutesUntil(until, now)))
	}
	code := account.NormaliseTOTPCode(c.FormValue("code"))
	if code == "" {
		return h.renderMFALogin(c, http.StatusUnprocessableEntity, l.T("mfa.code_missing"))
	}
	method, reason := "totp", ""
	if account.IsTOTPCode(code) {
		res, err := account.VerifyTOTP(ctx, h.DB, h.Keys, who.User.ID, code, now)
		if err != nil {
			return err
		}
		switch res {
		case account.CodeWrong:
			reason = "wrong code"
		case account.CodeReused:
			reason = "code already used"
		}
	} else {
		method = "recovery_code"
		ok, err := account.UseRecoveryCode(ctx, h.DB, who.User.ID, code, now)
		if err != nil {
			return err
		}
		if !ok {
			reason = "wrong or used recovery code"
		}
	}
	if reason != "" {
		if _, err := account.RecordLoginFailure(ctx, h.DB, h.Throttle, key, now); err != nil {
			return err
		}
		h.security(c, "mfa.failure", &who.User.ID, map[string]any{"method": method, "reason": reason})
		msg := l.T("mfa.code_wrong")
		if method == "recovery_code" {
			msg = l.T("mfa.recovery_wrong")
		}
		return h.renderMFALogin(c, http.StatusUnprocessableEntity, msg)
	}
	if err := account.ClearLoginFailures(ctx, h.DB, key); err != nil {
		return err
	}
	sess, err := h.passMFA(c, who)
	if err != nil {
		return err
	}
	if method == "recovery_code" {
		left, err := account.RemainingRecoveryCodes(ctx, h.DB, who.User.ID)
		if err != nil {
			return err
		}
		h.security(c, "mfa.recovery_code_used", &who.User.ID, map[string]any{"remaining": left})
	}
	h.security(c, "mfa.success", &who.User.ID, map[string]any{"method": method, "session_id": sess.ID})
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("next")))
}

// passMFA ends the request's session and starts a new one that has passed
// the second factor: a fresh id (and CSRF token) after the privilege
// change, so that a session id learnt before it is worth nothing. The
// request's principal is updated so that the page rendered next carries
// the new CSRF token and the user as now stored.
func (h *Handler) passMFA(c echo.Context, who *Principal) (*account.Session, error) {
	ctx, now := c.Request().Context(), h.Now().UTC()
	if err := account.EndSession(ctx, h.DB, who.Session.ID, account.EndRotated, now); err != nil {
		return nil, err
	}
	var user domain.User
	if err := h.DB.WithContext(ctx).Take(&user, who.User.ID).Error; err != nil {
		return nil, err
	}
	token, sess, err := account.CreateSession(ctx, h.DB, h.Sessions, &user, true, c.RealIP(), c.Request().UserAgent(), now)
	if err != nil {
		return nil, err
	}
	// The password was last typed when the replaced session began (or was
	// last confirmed), not now: the new session keeps that time.
	if at := who.Session.PasswordCheckedAt; at == nil || at.Before(now) {
		if err := account.SetPasswordChecked(ctx, h.DB, sess, at); err != nil {
			return nil, err
		}
	}
	h.setSessionCookie(c, token)
	c.Set(principalKey, &Principal{User: user, Session: sess})
	return sess, nil
}

// reauthenticate checks the current password a user must give before
// changing their second factor (ASVS: sensitive account changes need full
// re-authentication), so that a browser left signed in is not enough.
// Wrong passwords count against the account's sign-in throttle, the same
// secret being guessed. It returns the status and message to show, or
// 0 and "" when the password is right.
func (h *Handler) reauthenticate(c echo.Context, who *Principal) (int, string, error) {
	ctx, now, l := c.Request().Context(), h.Now().UTC(), h.Localizer(c)
	key := account.AccountKey(who.User.Email)
	until, err := account.ThrottledUntil(ctx, h.DB, now, key)
	if err != nil {
		return 0, "", err
	}
	if !until.IsZero() {
		h.security(c, "reauth.throttled", &who.User.ID, map[string]any{"until": until})
		c.Response().Header().Set("Retry-After", retryAfter(until, now))
		return http.StatusTooManyRequests, l.N("mfa.password_throttled", minutesUntil(until, now)), nil
	}
	password := c.FormValue("password")
	if password == "" {
		return http.StatusUnprocessableEntity, l.T("mfa.password_missing"), nil
	}
	res, until, err := account.ReserveAttempt(ctx, h.DB, now, account.ThrottleKey{Key: key, Policy: h.Throttle})
	if err != nil {
		return 0, "", err
	}
	if !until.IsZero() {
		c.Response().Header().Set("Retry-After", retryAfter(until, now))
		return http.StatusTooManyRequests, l.N("mfa.password_throttled", minutesUntil(until, now)), nil
	}
	ok, err := account.VerifyPassword(ctx, who.User.PasswordHash, password)
	if err != nil {
		if rerr := res.Release(ctx, h.DB); rerr != nil {
			return 0, "", rerr
		}
		if errors.Is(err, account.ErrBusy) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(busyRetrySeconds))
			return http.StatusServiceUnavailable, l.T("login.busy"), nil
		}
		return 0, "", err
	}
	if !ok {
		h.security(c, "reauth.failure", &who.User.ID, map[string]any{"route": c.Request().Method + " " + c.Path()})
		return http.StatusUnprocessableEntity, l.T("mfa.password_wrong"), nil
	}
	if err := res.Release(ctx, h.DB); err != nil {
		return 0, "", err
	}
	// A password typed now is a fresh check for the high-value actions too.
	if who.Session != nil {
		if err := account.SetPasswordChecked(ctx, h.DB, who.Session, &now); err != nil {
			return 0, "", err
		}
	}
	return 0, "", nil
}
