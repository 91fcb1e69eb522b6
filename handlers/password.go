package handlers

import (
	"errors"
	"net/http"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/i18n"

	"github.com/labstack/echo/v4"
)

// setPasswordPage is the form behind a one-time set-password link, or the
// explanation that the link no longer works.
type setPasswordPage struct {
	Page
	Token  string
	Email  string
	Errors map[string]string
	// Invalid is true when the link is unknown, used, expired or replaced.
	Invalid bool
}

// accountPasswordPage is the form to change one's own password.
type accountPasswordPage struct {
	Page
	Errors map[string]string
	// Throttled explains why the form waits after repeated wrong passwords.
	Throttled string
}

// SetPasswordForm shows the form of a set-password link. A link that does
// not work gets a page (404) that says why links stop working and what to do.
func (h *Handler) SetPasswordForm(c echo.Context) error {
	u, _, err := account.PasswordTokenUser(c.Request().Context(), h.DB, c.Param("token"), h.Now().UTC())
	if errors.Is(err, domain.ErrNotFound) {
		return h.renderSetPassword(c, http.StatusNotFound, "", nil)
	}
	if err != nil {
		return err
	}
	return h.renderSetPassword(c, http.StatusOK, u.Email, nil)
}

func (h *Handler) renderSetPassword(c echo.Context, status int, email string, errs map[string]string) error {
	p := setPasswordPage{Page: h.page(c), Token: c.Param("token"), Email: email, Errors: errs, Invalid: status == http.StatusNotFound}
	return c.Render(status, "set_password", p)
}

// SetPassword sets the password of a link's account, which uses the link
// up, and sends the person to sign in. The route is public: the unguessable
// token in the address is what authorises it.
func (h *Handler) SetPassword(c echo.Context) error {
	ctx, caller, token := c.Request().Context(), h.caller(c), c.Param("token")
	u, _, err := account.PasswordTokenUser(ctx, h.DB, token, caller.Now)
	if errors.Is(err, domain.ErrNotFound) {
		return h.renderSetPassword(c, http.StatusNotFound, "", nil)
	}
	if err != nil {
		return err
	}
	password := c.FormValue("password")
	if v := checkNewPassword(h.Localizer(c), password, c.FormValue("repeat")); v.Err() != nil {
		return h.renderSetPassword(c, http.StatusUnprocessableEntity, u.Email, h.fieldErrors(c, v))
	}
	_, err = account.UsePasswordToken(ctx, h.DB, caller, token, password)
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &ve):
		return h.renderSetPassword(c, http.StatusUnprocessableEntity, u.Email, h.fieldErrors(c, ve))
	case errors.Is(err, domain.ErrNotFound):
		return h.renderSetPassword(c, http.StatusNotFound, "", nil)
	case err != nil:
		return err
	}
	// Failed sign-ins before the reset no longer stand between the person and their account.
	if err := account.ClearLoginFailures(ctx, h.DB, account.AccountKey(u.Email)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login?flash=flash.password_set")
}

// PasswordForm shows the form to change one's own password.
func (h *Handler) PasswordForm(c echo.Context) error {
	return c.Render(http.StatusOK, "account_password", accountPasswordPage{Page: h.page(c)})
}

// passwordThrottled answers a password change while the account waits
// until then: 429 with Retry-After and the page saying how long.
func (h *Handler) passwordThrottled(c echo.Context, until, now time.Time) error {
	c.Response().Header().Set("Retry-After", retryAfter(until, now))
	p := accountPasswordPage{Page: h.page(c), Throttled: h.Localizer(c).N("login.throttled", minutesUntil(until, now))}
	return c.Render(http.StatusTooManyRequests, "account_password", p)
}

// ChangePassword changes the signed-in user's password. It needs the
// current one; wrong guesses count towards the same throttle as failed
// sign-ins, so a stolen session cannot try passwords at leisure. The other
// sessions of the user end; this one stays.
func (h *Handler) ChangePassword(c echo.Context) error {
	ctx, caller, who := c.Request().Context(), h.caller(c), PrincipalOf(c)
	key := account.AccountKey(who.User.Email)
	until, err := account.ThrottledUntil(ctx, h.DB, caller.Now, key)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return h.passwordThrottled(c, until, caller.Now)
	}
	password := c.FormValue("password")
	if v := checkNewPassword(h.Localizer(c), password, c.FormValue("repeat")); v.Err() != nil {
		return c.Render(http.StatusUnprocessableEntity, "account_password", accountPasswordPage{Page: h.page(c), Errors: h.fieldErrors(c, v)})
	}
	var keep int64
	if who.Session != nil {
		keep = who.Session.ID
	}
	// Counted before the current password is hashed, so that parallel
	// guesses cannot pass the throttle; taken back unless it was wrong.
	res, until, err := account.ReserveAttempt(ctx, h.DB, caller.Now, account.ThrottleKey{Key: key, Policy: h.Throttle})
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return h.passwordThrottled(c, until, caller.Now)
	}
	err = account.ChangeOwnPassword(ctx, h.DB, caller, who.User.ID, c.FormValue("current"), password, keep)
	var ve *domain.ValidationError
	if errors.As(err, &ve) && ve.Fields["current"] != "" {
		h.security(c, "password.change_failed", &who.User.ID, map[string]any{"reason": "wrong current password"})
		return c.Render(http.StatusUnprocessableEntity, "account_password", accountPasswordPage{Page: h.page(c), Errors: h.fieldErrors(c, ve)})
	}
	if rerr := res.Release(ctx, h.DB); rerr != nil {
		return rerr
	}
	if ve != nil {
		return c.Render(http.StatusUnprocessableEntity, "account_password", accountPasswordPage{Page: h.page(c), Errors: h.fieldErrors(c, ve)})
	}
	if err != nil {
		return err
	}
	if who.Session != nil {
		// The current password was just typed: a fresh check for high-value actions.
		if err := account.SetPasswordChecked(ctx, h.DB, who.Session, &caller.Now); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/account?flash=flash.password_changed")
}

// checkNewPassword checks a new password and its repetition before any
// slower work, so that every message shows at once.
func checkNewPassword(l *i18n.Localizer, password, repeat string) *domain.ValidationError {
	v := &domain.ValidationError{}
	if m := account.PasswordRuleMessage(password); m != nil {
		v.AddKey("password", m.Key, m.Args...)
	}
	if password != repeat {
		v.Add("repeat", l.T("newpw.mismatch"))
	}
	return v
}
