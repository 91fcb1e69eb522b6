package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"naptracker/account"
	"naptracker/domain"

	"github.com/labstack/echo/v4"
)

// userForm holds what the user forms submit, so a refused form comes back filled in.
type userForm struct {
	Email   string
	Name    string
	Role    string
	OrgID   int64
	Version int
}

// roleOrEmpty is the role a form asked for, "" when there was no form.
func (f *userForm) roleOrEmpty() string {
	if f == nil {
		return ""
	}
	return f.Role
}

// orgPtr is the form's organisation as the models take it (nil for none).
func (f userForm) orgPtr() *int64 {
	if f.OrgID == 0 {
		return nil
	}
	id := f.OrgID
	return &id
}

// usersPage is the list of accounts with its filters.
type usersPage struct {
	Page
	Users []account.UserListItem
	Orgs  []domain.Organisation
	Roles []string
	// Role and Org are the filters in use ("" and 0 for any).
	Role string
	Org  int64
}

// userNewPage is the form to create an account.
type userNewPage struct {
	Page
	Form   userForm
	Errors map[string]string
	Roles  []string
	Orgs   []domain.Organisation
}

// userEditPage is one account: its facts, the edit form and actions, and its history.
type userEditPage struct {
	Page
	Target *domain.User
	Org    *domain.Organisation
	Form   userForm
	Errors map[string]string
	Roles  []string
	Orgs   []domain.Organisation
	Audit  []domain.AuditEntry
	// CanChange is false when the manager may only look (the secretariat on an administrator).
	CanChange bool
	IsSelf    bool
	IsAdmin   bool
	// PasswordStale is set when the manager's last password check is too old
	// for high-value actions: their forms then carry a password field.
	// PasswordFor names the form whose password was refused (confirm…).
	PasswordStale bool
	PasswordFor   string
	// Reason is the second-factor reset reason typed, kept when the form is refused.
	Reason string
}

// PasswordError is the message of a refused password for the named form
// (confirm…), "" for the other forms of the page.
func (p userEditPage) PasswordError(form string) string {
	if p.PasswordFor != form {
		return ""
	}
	return p.Errors["password"]
}

// TargetMFARequired reports whether the account's role must have a second
// factor, so that a reset means setting one up again at the next sign-in.
func (p userEditPage) TargetMFARequired() bool { return domain.MFARequired(p.Target.Role) }

// userLinkPage shows a new set-password link, once.
type userLinkPage struct {
	Page
	Target    *domain.User
	Link      string
	ExpiresAt time.Time
	// Created is true right after the account was created.
	Created bool
}

// Users lists the accounts, filtered by role and organisation with a plain GET form.
func (h *Handler) Users(c echo.Context) error {
	ctx := c.Request().Context()
	p := usersPage{Page: h.page(c), Roles: domain.Roles}
	if r := c.QueryParam("role"); domain.ValidRole(r) {
		p.Role = r
	}
	if id, err := strconv.ParseInt(c.QueryParam("org"), 10, 64); err == nil && id > 0 {
		p.Org = id
	}
	var err error
	if p.Users, err = account.ListUsers(ctx, h.DB, account.UserFilter{Role: p.Role, OrganisationID: p.Org}); err != nil {
		return err
	}
	if p.Orgs, err = account.OrganisationChoices(ctx, h.DB); err != nil {
		return err
	}
	return c.Render(http.StatusOK, "users", p)
}

// NewUserForm shows the form to create an account, offering only the roles
// the manager may grant.
func (h *Handler) NewUserForm(c echo.Context) error {
	return h.renderNewUser(c, http.StatusOK, userForm{}, nil)
}

func (h *Handler) renderNewUser(c echo.Context, status int, f userForm, errs map[string]string) error {
	orgs, err := account.OrganisationChoices(c.Request().Context(), h.DB)
	if err != nil {
		return err
	}
	p := userNewPage{Page: h.page(c), Form: f, Errors: errs, Roles: domain.GrantableRoles(PrincipalOf(c).User.Role), Orgs: orgs}
	return c.Render(status, "user_new", p)
}

// CreateUser creates an account without a password and shows, once, the
// link with which its owner sets one.
func (h *Handler) CreateUser(c echo.Context) error {
	f := parseUserForm(c)
	u := &domain.User{Email: f.Email, Name: f.Name, Role: f.Role, OrganisationID: f.orgPtr()}
	secret, tok, err := account.InviteUser(c.Request().Context(), h.DB, h.caller(c), u)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		return h.renderNewUser(c, http.StatusUnprocessableEntity, f, h.fieldErrors(c, ve))
	}
	if err != nil {
		h.logDenied(c, err, nil, f.Role)
		return err
	}
	return h.renderLink(c, u, secret, tok, true)
}

func (h *Handler) renderLink(c echo.Context, u *domain.User, secret string, tok *domain.PasswordToken, created bool) error {
	p := userLinkPage{Page: h.page(c), Target: u, Link: strings.TrimRight(h.BaseURL, "/") + "/set-password/" + secret,
		ExpiresAt: tok.ExpiresAt, Created: created}
	return c.Render(http.StatusOK, "user_link", p)
}

// ShowUser shows an account with its edit form and history. The
// secretariat may look at any account but change only those it manages.
func (h *Handler) ShowUser(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	return h.renderUserEdit(c, http.StatusOK, u, formOf(u), nil)
}

func (h *Handler) renderUserEdit(c echo.Context, status int, u *domain.User, f userForm, errs map[string]string) error {
	p, err := h.userEditPage(c, u, f, errs)
	if err != nil {
		return err
	}
	return c.Render(status, "user_edit", p)
}

// renderUserEditFor renders an account's page again after one of its forms
// (confirm…) was refused, keeping the reason typed into the reset form.
func (h *Handler) renderUserEditFor(c echo.Context, status int, u *domain.User, f userForm, errs map[string]string, form, reason string) error {
	p, err := h.userEditPage(c, u, f, errs)
	if err != nil {
		return err
	}
	p.PasswordFor, p.Reason = form, reason
	return c.Render(status, "user_edit", p)
}

func (h *Handler) userEditPage(c echo.Context, u *domain.User, f userForm, errs map[string]string) (userEditPage, error) {
	ctx, who := c.Request().Context(), PrincipalOf(c)
	orgs, err := account.OrganisationChoices(ctx, h.DB)
	if err != nil {
		return userEditPage{}, err
	}
	history, err := account.UserAudit(ctx, h.DB, u.ID, 20)
	if err != nil {
		return userEditPage{}, err
	}
	p := userEditPage{Page: h.page(c), Target: u, Form: f, Errors: errs, Orgs: orgs, Audit: history,
		Roles:         domain.GrantableRoles(who.User.Role),
		CanChange:     domain.CanManageRole(who.User.Role, u.Role),
		IsSelf:        who.User.ID == u.ID,
		IsAdmin:       who.User.Role == domain.RoleAdmin,
		PasswordStale: h.passwordStale(c),
	}
	for i := range orgs {
		if u.OrganisationID != nil && orgs[i].ID == *u.OrganisationID {
			p.Org = &orgs[i]
		}
	}
	return p, nil
}

// formOf is the edit form as the stored account fills it.
func formOf(u *domain.User) userForm {
	f := userForm{Email: u.Email, Name: u.Name, Role: u.Role, Version: u.Version}
	if u.OrganisationID != nil {
		f.OrgID = *u.OrganisationID
	}
	return f
}

// UpdateUser saves the edit form; the form's version must still be current.
func (h *Handler) UpdateUser(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	f := parseUserForm(c)
	m := h.caller(c)
	// A change of role is a high-value action: it needs a recent password
	// check. Changes the models would refuse anyway are left to them.
	if f.Role != u.Role && !m.Is(u.ID) && domain.CanManageRole(m.Scope.Role, u.Role) && domain.CanManageRole(m.Scope.Role, f.Role) {
		status, msg, err := h.confirmRecentPassword(c)
		if err != nil {
			return err
		}
		if msg != "" {
			return h.renderUserEditFor(c, status, u, f, map[string]string{"password": msg}, confirmDetails, "")
		}
	}
	ch := account.UserChange{Name: f.Name, Role: f.Role, OrganisationID: f.orgPtr(), Version: f.Version}
	err = account.UpdateUser(c.Request().Context(), h.DB, m, u.ID, ch)
	return h.afterUserChange(c, u, &f, err, "flash.user_updated")
}

// DisableUser disables an account; its sessions and API tokens stop
// working at once. It needs a recent password check.
func (h *Handler) DisableUser(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	m := h.caller(c)
	if !u.Disabled() && !m.Is(u.ID) && domain.CanManageRole(m.Scope.Role, u.Role) {
		status, msg, err := h.confirmRecentPassword(c)
		if err != nil {
			return err
		}
		if msg != "" {
			return h.renderUserEditFor(c, status, u, formOf(u), map[string]string{"password": msg}, confirmDisable, "")
		}
	}
	err = account.DisableUser(c.Request().Context(), h.DB, m, u.ID, formVersion(c))
	return h.afterUserChange(c, u, nil, err, "flash.user_disabled")
}

// ResetUserMFA clears the second factor of a person who lost it
// (administrators only, never their own, with a reason and a recent
// password check): they set it up again at their next sign-in, and their
// sessions and API tokens end.
func (h *Handler) ResetUserMFA(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	m, reason := h.caller(c), strings.TrimSpace(c.FormValue("reason"))
	if m.Scope.Role != domain.RoleAdmin {
		h.logDenied(c, domain.ErrForbidden, &u.ID, "")
		return domain.ErrForbidden
	}
	var ve *domain.ValidationError
	if err := account.CheckMFAReset(m, u, reason); errors.As(err, &ve) {
		return h.renderUserEditFor(c, http.StatusUnprocessableEntity, u, formOf(u), h.fieldErrors(c, ve), confirmMFAReset, reason)
	}
	status, msg, err := h.confirmRecentPassword(c)
	if err != nil {
		return err
	}
	if msg != "" {
		return h.renderUserEditFor(c, status, u, formOf(u), map[string]string{"password": msg}, confirmMFAReset, reason)
	}
	res, err := account.ResetUserMFA(c.Request().Context(), h.DB, m, u.ID, reason)
	if errors.As(err, &ve) {
		fresh, ferr := account.FindUser(c.Request().Context(), h.DB, u.ID)
		if ferr != nil {
			return ferr
		}
		return h.renderUserEditFor(c, http.StatusUnprocessableEntity, fresh, formOf(fresh), h.fieldErrors(c, ve), confirmMFAReset, reason)
	}
	if err == nil {
		h.security(c, "mfa.reset_by_admin", &PrincipalOf(c).User.ID, map[string]any{"target_user_id": u.ID,
			"sessions_ended": res.SessionsEnded, "tokens_revoked": res.TokensRevoked})
	}
	return h.afterUserChange(c, u, nil, err, "flash.user_mfa_reset")
}

// EnableUser lets a disabled account sign in again.
func (h *Handler) EnableUser(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	err = account.EnableUser(c.Request().Context(), h.DB, h.caller(c), u.ID, formVersion(c))
	return h.afterUserChange(c, u, nil, err, "flash.user_enabled")
}

// UserPasswordLink makes a new one-time set-password link for an account
// and shows it once; older unused links of the account stop working.
func (h *Handler) UserPasswordLink(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	secret, tok, err := account.CreatePasswordToken(c.Request().Context(), h.DB, h.caller(c), u.ID)
	if err != nil {
		return h.afterUserChange(c, u, nil, err, "")
	}
	return h.renderLink(c, u, secret, tok, false)
}

// EndUserSessions signs a person out of every browser (administrators only).
func (h *Handler) EndUserSessions(c echo.Context) error {
	u, err := h.targetUser(c)
	if err != nil {
		return err
	}
	_, err = account.EndAllUserSessions(c.Request().Context(), h.DB, h.caller(c), u.ID)
	return h.afterUserChange(c, u, nil, err, "flash.user_sessions_ended")
}

// afterUserChange answers a change to an account: back to its page with a
// flash on success, the page again with the messages (422) on invalid
// input, any other error to the error handler (403, 409 …).
func (h *Handler) afterUserChange(c echo.Context, u *domain.User, f *userForm, err error, flash string) error {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		fresh, ferr := account.FindUser(c.Request().Context(), h.DB, u.ID)
		if ferr != nil {
			return ferr
		}
		form := userForm{Email: fresh.Email, Name: fresh.Name, Role: fresh.Role, Version: fresh.Version}
		if fresh.OrganisationID != nil {
			form.OrgID = *fresh.OrganisationID
		}
		if f != nil {
			form.Name, form.Role, form.OrgID, form.Version = f.Name, f.Role, f.OrgID, f.Version
		}
		return h.renderUserEdit(c, http.StatusUnprocessableEntity, fresh, form, h.fieldErrors(c, ve))
	}
	if err != nil {
		h.logDenied(c, err, &u.ID, f.roleOrEmpty())
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/users/"+strconv.FormatInt(u.ID, 10)+"?flash="+flash)
}

// logDenied puts a refused change of an account (a manager reaching above
// their privilege) in the security log, as the route guard does for routes.
func (h *Handler) logDenied(c echo.Context, err error, target *int64, role string) {
	if !errors.Is(err, domain.ErrForbidden) {
		return
	}
	who := PrincipalOf(c)
	details := map[string]any{"role": who.User.Role, "route": c.Request().Method + " " + c.Path()}
	if target != nil {
		details["target_user_id"] = *target
	}
	if role != "" {
		details["requested_role"] = role
	}
	h.security(c, "access.denied", &who.User.ID, details)
}

// targetUser loads the account named in the path; a malformed id is not found.
func (h *Handler) targetUser(c echo.Context) (*domain.User, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, domain.ErrNotFound
	}
	return account.FindUser(c.Request().Context(), h.DB, id)
}

// parseUserForm reads the user form. An organisation value that is not a
// number becomes an id that exists nowhere, so the models say so.
func parseUserForm(c echo.Context) userForm {
	f := userForm{
		Email:   strings.TrimSpace(c.FormValue("email")),
		Name:    strings.TrimSpace(c.FormValue("name")),
		Role:    c.FormValue("role"),
		Version: formVersion(c),
	}
	if v := c.FormValue("organisation"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			id = -1
		}
		f.OrgID = id
	}
	return f
}

// formVersion is the version a form was made from; -1 (never current) when missing.
func formVersion(c echo.Context) int {
	v, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		return -1
	}
	return v
}
