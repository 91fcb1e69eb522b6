package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/app/apptest"
	"naptracker/domain"
)

var tokenPattern = regexp.MustCompile(`napt_[A-Za-z0-9_-]{20,}`)

// bearer returns an anonymous client that sends the token.
func bearer(env *apptest.Env, t *testing.T, token string) *apptest.Client {
	c := env.Client(t)
	c.Header.Set("Authorization", "Bearer "+token)
	return c
}

// TestCreateTokenShowsItOnce creates a token on the tokens page: the answer
// shows it once with an example command, later pages only its prefix, and
// the token works on the API as its user.
func TestCreateTokenShowsItOnce(t *testing.T) {
	t.Parallel()
	env, u, b := newSignedIn(t, domain.RoleFocalPoint, "MOLSW")

	page := b.Get("/account/tokens")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "You have no API token.") || !strings.Contains(page.Body, `action="/account/tokens"`) {
		t.Fatalf("empty tokens page = %d %s", page.StatusCode, page.Body)
	}
	resp := b.Post("/account/tokens", url.Values{"name": {"monthly export"}})
	token := tokenPattern.FindString(resp.Body)
	if resp.StatusCode != http.StatusOK || token == "" {
		t.Fatalf("create = %d, no token shown: %s", resp.StatusCode, resp.Body)
	}
	for _, want := range []string{"shown only this once", `curl -H "Authorization: Bearer ` + token + `" ` + env.Config.BaseURL + `/api/v1/me`, "monthly export"} {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("the page after creating does not show %q", want)
		}
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the page with the token has Cache-Control %q, want no-store", cc)
	}

	again := b.Get("/account/tokens")
	if n := strings.Count(again.Body, " UTC</td>"); n != 1 {
		t.Errorf("before its use the token's row shows %d instants, want 1 (created; never used)", n)
	}
	if strings.Contains(again.Body, token) || strings.Contains(again.Body, "shown only this once") {
		t.Error("the token is shown a second time")
	}
	if !strings.Contains(again.Body, "monthly export") || !strings.Contains(again.Body, token[:len(account.TokenPrefix)+6]+"…") {
		t.Error("the list does not show the token's name and prefix")
	}
	if account := b.Get("/account"); !strings.Contains(account.Body, "You have 1 active token") || !strings.Contains(account.Body, `href="/account/tokens"`) || strings.Contains(account.Body, token) {
		t.Error("the account page does not summarise the token with a link to the tokens page")
	}

	me := bearer(env, t, token).Get("/api/v1/me")
	if me.StatusCode != http.StatusOK || !strings.Contains(me.Body, `"email":"`+u.Email+`"`) {
		t.Fatalf("the new token on /api/v1/me = %d %s", me.StatusCode, me.Body)
	}
	if n := strings.Count(b.Get("/account/tokens").Body, " UTC</td>"); n != 2 {
		t.Errorf("after its use the token's row shows %d instants, want 2 (created and last used)", n)
	}

	// A token with a last day says so and stops working after it.
	last := env.Clock.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
	resp = b.Post("/account/tokens", url.Values{"name": {"short"}, "expires": {last}})
	short := tokenPattern.FindString(resp.Body)
	if resp.StatusCode != http.StatusOK || short == "" || !strings.Contains(resp.Body, "works until the end of "+last) {
		t.Fatalf("create with a last day = %d", resp.StatusCode)
	}
	if r := bearer(env, t, short).Get("/api/v1/me"); r.StatusCode != http.StatusOK {
		t.Errorf("the expiring token before its last day = %d", r.StatusCode)
	}
	env.Clock.Advance(4 * 24 * time.Hour)
	if r := bearer(env, t, short).Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the expiring token after its last day = %d, want 401", r.StatusCode)
	}
	var audits int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND user_id = ?", "token.create", u.ID).Count(&audits)
	if audits != 2 {
		t.Errorf("%d token.create audit rows for two tokens", audits)
	}
}

// TestCreateTokenValidation re-renders the form with 422 and the field's
// message, keeping what was typed, and creates nothing.
func TestCreateTokenValidation(t *testing.T) {
	t.Parallel()
	env, u, b := newSignedIn(t, domain.RoleDonor, "APJP")
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", url.Values{"name": {"  "}}, "Give the token a name of 1 to 100 characters"},
		{"name too long", url.Values{"name": {strings.Repeat("ລ", 101)}}, "Give the token a name of 1 to 100 characters"},
		{"past last day", url.Values{"name": {"kept name"}, "expires": {"2020-01-01"}}, "Enter a date after today"},
		{"today as last day", url.Values{"name": {"kept name"}, "expires": {env.Clock.Now().UTC().Format(time.DateOnly)}}, "Enter a date after today"},
		{"not a date", url.Values{"name": {"kept name"}, "expires": {"next week"}}, "Enter a date after today"},
	}
	for _, tt := range tests {
		resp := b.Post("/account/tokens", tt.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, tt.want) || tokenPattern.MatchString(resp.Body) {
			t.Errorf("%s: %d, want 422 with %q and no token", tt.name, resp.StatusCode, tt.want)
		}
		if tt.form.Get("name") == "kept name" && !strings.Contains(resp.Body, `value="kept name"`) {
			t.Errorf("%s: the name typed is not kept", tt.name)
		}
		if !strings.Contains(resp.Body, `aria-invalid="true"`) {
			t.Errorf("%s: the field in error is not marked", tt.name)
		}
	}
	if toks, _ := account.UserTokens(context.Background(), env.App.DB, u.ID); len(toks) != 0 {
		t.Errorf("%d tokens created by invalid forms", len(toks))
	}
}

// TestRevokeToken: a user revokes their own token, which stops working at
// once; another user's token id is not found and the token keeps working;
// the form needs the CSRF token.
func TestRevokeToken(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx, now := context.Background(), env.Clock.Now().UTC()
	owner, other := env.User(t, domain.RoleFocalPoint, "MOJ"), env.User(t, domain.RoleFacilitator, "")
	secret, tok, err := account.CreateAPIToken(ctx, env.App.DB, domain.Caller{Actor: domain.SystemActor, Now: now}, owner, "script", nil)
	if err != nil {
		t.Fatal(err)
	}
	api := bearer(env, t, secret)
	path := "/account/tokens/" + strconv.FormatInt(tok.ID, 10) + "/revoke"

	if resp := env.SignedIn(t, other).Post(path, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another user revoking the token = %d, want 404", resp.StatusCode)
	}
	if resp := env.SignedIn(t, other).Post("/account/tokens/nonsense/revoke", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking a malformed id = %d, want 404", resp.StatusCode)
	}
	b := env.SignedIn(t, owner)
	if resp := b.Post(path, url.Values{"csrf_token": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("revoking without the CSRF token = %d, want 403", resp.StatusCode)
	}
	if r := api.Get("/api/v1/me"); r.StatusCode != http.StatusOK {
		t.Fatalf("the token after the refused revocations = %d, want 200", r.StatusCode)
	}

	resp := b.Post(path, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/tokens?flash=flash.token_revoked" {
		t.Fatalf("revoke = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := b.Get(resp.Header.Get("Location"))
	if !strings.Contains(page.Body, "The token was revoked.") || strings.Contains(page.Body, ">script<") {
		t.Error("after revoking, the page does not confirm it or still lists the token")
	}
	if r := api.Get("/api/v1/me"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the revoked token = %d, want 401", r.StatusCode)
	}
	if again := b.Post(path, nil); again.StatusCode != http.StatusNotFound {
		t.Errorf("revoking twice = %d, want 404", again.StatusCode)
	}
	var audits int64
	env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND entity_id = ?", "token.revoke", tok.ID).Count(&audits)
	if audits != 1 {
		t.Errorf("%d token.revoke audit rows, want 1", audits)
	}
}

// TestTokenUseAuditedOncePerMinute checks the trail of an API token's use:
// a token.use audit row at its first use, then at most one a minute, however
// many requests it makes.
func TestTokenUseAuditedOncePerMinute(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	u := env.User(t, domain.RoleFocalPoint, "MOLSW")
	c := env.APIClient(t, u)
	rows := func() int64 {
		var n int64
		if err := env.App.DB.Model(&domain.AuditEntry{}).Where("action = ? AND user_id = ?", "token.use", u.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for range 5 {
		mustStatus(t, c.Get("/api/v1/me"), http.StatusOK)
	}
	if n := rows(); n != 1 {
		t.Errorf("five requests in a minute wrote %d token.use rows, want 1 (the first use)", n)
	}
	env.Clock.Advance(61 * time.Second)
	for range 3 {
		mustStatus(t, c.Get("/api/v1/me"), http.StatusOK)
	}
	if n := rows(); n != 2 {
		t.Errorf("after a minute, three more requests left %d token.use rows in all, want 2", n)
	}
}

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
