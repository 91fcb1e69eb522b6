package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
)

// A script (or a thief) holding an API token made before a password change
// or a reset by link is shut out by it, as the sessions are: the pages say
// so beforehand.
func TestNewPasswordRevokesAPITokens(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleFocalPoint, "MOJ")

	// Changing one's own password.
	stolen := env.APIClient(t, u)
	mustStatus(t, stolen.Get("/api/v1/me"), http.StatusOK)
	b := env.SignedIn(t, u)
	form := b.Get("/account/password")
	if !strings.Contains(form.Body, "Your API tokens stop working too") {
		t.Error("the change-password page does not say that API tokens stop working")
	}
	const first = "mango river cloud lantern"
	mustStatus(t, b.Post("/account/password", url.Values{"current": {apptest.Password}, "password": {first}, "repeat": {first}}), http.StatusSeeOther)
	mustStatus(t, stolen.Get("/api/v1/me"), http.StatusUnauthorized)

	// A reset by a one-time link that a manager made.
	stolen = env.APIClient(t, u)
	mustStatus(t, stolen.Get("/api/v1/me"), http.StatusOK)
	sec := env.User(t, domain.RoleSecretariat, "")
	secret, _, err := account.CreatePasswordToken(context.Background(), env.App.DB, domain.Caller{Actor: domain.Actor{UserID: &sec.ID}, Scope: domain.ScopeOf(sec), Now: env.Clock.Now().UTC()}, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	anon := env.Client(t)
	page := anon.Get("/set-password/" + secret)
	mustStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, "Your API tokens stop working too") {
		t.Error("the set-password page does not say that API tokens stop working")
	}
	const second = "otter pebble orchard kite"
	r := anon.Post("/set-password/"+secret, url.Values{"password": {second}, "repeat": {second}})
	mustStatus(t, r, http.StatusSeeOther)
	mustStatus(t, stolen.Get("/api/v1/me"), http.StatusUnauthorized)

	var live int64
	env.App.DB.Model(&account.APIToken{}).Where("user_id = ? AND revoked_at IS NULL", u.ID).Count(&live)
	if live != 0 {
		t.Errorf("%d API tokens of the user still live after the new passwords", live)
	}
}
