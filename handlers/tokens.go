package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// maxTokenName is the longest token name the database accepts.
const maxTokenName = 100

// tokensPage lists the user's API tokens and holds the form to create one.
type tokensPage struct {
	Page
	Tokens []tokenRow
	// NewToken is the secret of the token just created; it is shown on this
	// response only and never stored in clear.
	NewToken string
	// BaseURL is the site's public address, for the example command.
	BaseURL string
	// Name and Expires are what was typed into the form (kept on errors).
	Name    string
	Expires string
	// MinExpires is the earliest date the form accepts (tomorrow, UTC).
	MinExpires string
	// Errors maps form fields to translated messages.
	Errors map[string]string
	// PasswordStale is set for a privileged user whose last password check
	// is too old: the create form then asks for the password.
	PasswordStale bool
}

// tokenRow is one token in the list. LastDay is the last calendar day on
// which an expiring token works (it stops at the midnight UTC after it).
type tokenRow struct {
	account.APIToken
	LastDay *time.Time
}

// Tokens shows the user's API tokens and the form to create one.
func (h *Handler) Tokens(c echo.Context) error {
	return h.renderTokens(c, http.StatusOK, tokensPage{})
}

// renderTokens fills the list of tokens into p and renders the tokens page.
func (h *Handler) renderTokens(c echo.Context, status int, p tokensPage) error {
	who := PrincipalOf(c)
	tokens, err := account.UserTokens(c.Request().Context(), h.DB, who.User.ID)
	if err != nil {
		return err
	}
	p.Page = h.page(c)
	p.BaseURL = strings.TrimRight(h.BaseURL, "/")
	p.MinExpires = h.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	p.PasswordStale = domain.Privileged(who.User.Role) && h.passwordStale(c)
	for _, t := range tokens {
		row := tokenRow{APIToken: t}
		if t.ExpiresAt != nil {
			last := t.ExpiresAt.UTC().Add(-time.Nanosecond)
			row.LastDay = &last
		}
		p.Tokens = append(p.Tokens, row)
	}
	if p.NewToken != "" {
		// The page holds a secret: no cache may keep a copy of it.
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	}
	return c.Render(status, "tokens", p)
}

// CreateToken makes an API token for the signed-in user from the form (a
// name, and an optional last day as YYYY-MM-DD) and shows it on the answer
// to this request only: it cannot be shown again, so there is no redirect.
// Invalid input re-renders the form with 422 and the field messages. An
// administrator or secretariat member whose last password check is older
// than models.RecentPasswordWindow must give their password too.
func (h *Handler) CreateToken(c echo.Context) error {
	ctx, who, caller := c.Request().Context(), PrincipalOf(c), h.caller(c)
	l := h.Localizer(c)
	p := tokensPage{Name: strings.TrimSpace(c.FormValue("name")), Expires: strings.TrimSpace(c.FormValue("expires")), Errors: map[string]string{}}
	if p.Name == "" || utf8.RuneCountInString(p.Name) > maxTokenName {
		p.Errors["name"] = l.T("tokens.error_name", maxTokenName)
	}
	expires, ok := account.TokenExpiry(p.Expires, caller.Now)
	if !ok {
		p.Errors["expires"] = l.T("tokens.error_expires")
	}
	if len(p.Errors) > 0 {
		return h.renderTokens(c, http.StatusUnprocessableEntity, p)
	}
	// A token of an administrator or the secretariat acts with their rights
	// without a second factor: it needs a recent password check.
	if domain.Privileged(who.User.Role) {
		status, msg, err := h.confirmRecentPassword(c)
		if err != nil {
			return err
		}
		if msg != "" {
			p.Errors["password"] = msg
			return h.renderTokens(c, status, p)
		}
	}
	secret, _, err := account.CreateAPIToken(ctx, h.DB, caller, &who.User, p.Name, expires)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		// The form was checked above; this is a last line of defence.
		for f := range ve.Fields {
			if f == "expires" {
				p.Errors[f] = l.T("tokens.error_expires")
			} else {
				p.Errors["name"] = l.T("tokens.error_name", maxTokenName)
			}
		}
		return h.renderTokens(c, http.StatusUnprocessableEntity, p)
	}
	if err != nil {
		return err
	}
	return h.renderTokens(c, http.StatusOK, tokensPage{NewToken: secret})
}

// RevokeToken revokes one of the user's own tokens at once. Another user's
// token id is answered as not found, so ids reveal nothing.
func (h *Handler) RevokeToken(c echo.Context) error {
	ctx, who, caller := c.Request().Context(), PrincipalOf(c), h.caller(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	if err := account.RevokeAPIToken(ctx, h.DB, caller, who.User.ID, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account/tokens?flash=flash.token_revoked")
}
