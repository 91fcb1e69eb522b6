package handlers

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// qrSize is the side of the QR code in pixels: large enough for an old
// phone camera, small enough for a slow connection (a few kilobytes).
const qrSize = 240

// mfaSetupPage walks a user through adding NAP Tracker to an authenticator app.
type mfaSetupPage struct {
	Page
	Next string
	// Required is set when the user's role cannot work without a second factor.
	Required bool
	// Secret is the base32 key in groups of four, for typing by hand.
	Secret string
	// URI is the otpauth:// address (which the QR code also holds); QR is
	// the code as a data: URL. Both are built here, never from input.
	URI template.URL
	QR  template.URL
	// NeedPassword is set for a session that has completed sign-in (a user
	// adding the optional second factor later): the password is asked again.
	NeedPassword bool
	Errors       map[string]string
}

// mfaStatusPage shows an enrolled user's second factor and what they can do with it.
type mfaStatusPage struct {
	Page
	EnabledAt  time.Time
	Remaining  int
	CanDisable bool
	Errors     map[string]string
}

// mfaCodesPage shows new recovery codes, once.
type mfaCodesPage struct {
	Page
	Codes []string
	Next  string
}

// MFASetup shows the set-up of the authenticator app to a user without
// one, and the status of the second factor to a user with one. A session
// still owing the second factor of an enrolled user is sent to enter the
// code: otherwise this page would let the password alone replace the
// authenticator.
func (h *Handler) MFASetup(c echo.Context) error {
	who := PrincipalOf(c)
	if who.User.TOTPEnabledAt != nil {
		if who.MFAPending() {
			return c.Redirect(http.StatusSeeOther, "/login/2fa?next="+url.QueryEscape(safeNext(c.QueryParam("next"))))
		}
		return h.renderMFAStatus(c, http.StatusOK, nil)
	}
	return h.renderMFASetup(c, http.StatusOK, nil)
}

func (h *Handler) renderMFASetup(c echo.Context, status int, errs map[string]string) error {
	who := PrincipalOf(c)
	key, err := account.BeginTOTP(c.Request().Context(), h.DB, h.Keys, &who.User)
	if err != nil {
		return err
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	p := mfaSetupPage{
		Page:         h.page(c),
		Next:         c.FormValue("next"),
		Required:     domain.MFARequired(who.User.Role),
		Secret:       groupKey(key.Secret()),
		URI:          template.URL(key.URL()),
		QR:           template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())),
		NeedPassword: !who.MFAPending(),
		Errors:       errs,
	}
	if p.Next != "" {
		p.Next = safeNext(p.Next)
	}
	return c.Render(status, "mfa_setup", p)
}

// groupKey writes a base32 key in groups of four letters, as authenticator
// apps accept it with or without the spaces.
func groupKey(secret string) string {
	var sb strings.Builder
	for i := 0; i < len(secret); i += 4 {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(secret[i:min(i+4, len(secret))])
	}
	return sb.String()
}

func (h *Handler) renderMFAStatus(c echo.Context, status int, errs map[string]string) error {
	who := PrincipalOf(c)
	left, err := account.RemainingRecoveryCodes(c.Request().Context(), h.DB, who.User.ID)
	if err != nil {
		return err
	}
	p := mfaStatusPage{Page: h.page(c), Remaining: left, CanDisable: !domain.MFARequired(who.User.Role), Errors: errs}
	if who.User.TOTPEnabledAt != nil {
		p.EnabledAt = *who.User.TOTPEnabledAt
	}
	return c.Render(status, "mfa_status", p)
}

// MFAConfirm turns the second factor on with a first code from the app,
// which proves the app holds the secret. A session that has not yet passed
// a second factor has just given the password; any other must give it
// again. Success starts a new session and shows the recovery codes, once.
func (h *Handler) MFAConfirm(c echo.Context) error {
	ctx, who, caller, l := c.Request().Context(), PrincipalOf(c), h.caller(c), h.Localizer(c)
	if who.User.TOTPEnabledAt != nil {
		if who.MFAPending() {
			return c.Redirect(http.StatusSeeOther, "/login/2fa?next="+url.QueryEscape(safeNext(c.FormValue("next"))))
		}
		return c.Redirect(http.StatusSeeOther, "/account/2fa")
	}
	if who.User.TOTPSecret == "" {
		// Nothing to confirm yet: show the set-up first.
		return c.Redirect(http.StatusSeeOther, "/account/2fa")
	}
	if !who.MFAPending() {
		status, msg, err := h.reauthenticate(c, who)
		if err != nil {
			return err
		}
		if msg != "" {
			return h.renderMFASetup(c, status, map[string]string{"password": msg})
		}
	}
	if account.NormaliseTOTPCode(c.FormValue("code")) == "" {
		return h.renderMFASetup(c, http.StatusUnprocessableEntity, map[string]string{"code": l.T("mfa.code_missing")})
	}
	codes, err := account.ConfirmTOTP(ctx, h.DB, h.Keys, caller, who.User.ID, c.FormValue("code"))
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &ve):
		return h.renderMFASetup(c, http.StatusUnprocessableEntity, map[string]string{"code": l.T("mfa.code_wrong")})
	case errors.Is(err, domain.ErrConflict):
		return c.Redirect(http.StatusSeeOther, "/account/2fa")
	case err != nil:
		return err
	}
	if _, err := h.passMFA(c, who); err != nil {
		return err
	}
	next := "/account"
	if n := c.FormValue("next"); n != "" {
		next = safeNext(n)
	}
	return c.Render(http.StatusOK, "mfa_codes", mfaCodesPage{Page: h.page(c), Codes: codes, Next: next})
}

// mfaPassword checks the password posted for a change to the user's
// second factor; it has answered the request (answered) when the second
// factor is off (back to setting it up) or the password is refused (the
// status page again, with the message beside field).
func (h *Handler) mfaPassword(c echo.Context, who *Principal, field string) (answered bool, err error) {
	if who.User.TOTPEnabledAt == nil {
		return true, c.Redirect(http.StatusSeeOther, "/account/2fa")
	}
	status, msg, err := h.reauthenticate(c, who)
	if err != nil {
		return true, err
	}
	if msg != "" {
		return true, h.renderMFAStatus(c, status, map[string]string{field: msg})
	}
	return false, nil
}

// MFADisable turns off the optional second factor of a focal point, donor
// or facilitator, after checking their password. Roles that require a
// second factor never reach it (route table), and the model refuses too.
func (h *Handler) MFADisable(c echo.Context) error {
	ctx, who := c.Request().Context(), PrincipalOf(c)
	if answered, err := h.mfaPassword(c, who, "disable_password"); answered {
		return err
	}
	if err := account.DisableTOTP(ctx, h.DB, h.caller(c), who.User.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?flash=flash.mfa_disabled")
}

// MFARecoveryCodes replaces all of the user's recovery codes with new ones,
// after checking the password, and shows them once: for a user who has
// used some, or fears someone has seen them.
func (h *Handler) MFARecoveryCodes(c echo.Context) error {
	ctx, who := c.Request().Context(), PrincipalOf(c)
	if answered, err := h.mfaPassword(c, who, "codes_password"); answered {
		return err
	}
	codes, err := account.RegenerateRecoveryCodes(ctx, h.DB, h.caller(c), who.User.ID)
	if err != nil {
		return err
	}
	return c.Render(http.StatusOK, "mfa_codes", mfaCodesPage{Page: h.page(c), Codes: codes, Next: "/account/2fa"})
}
