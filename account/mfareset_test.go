package account_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// resetFixture holds accounts made without passwords (no argon2 hash to
// compute): an administrator, a secretariat member, and a secretariat
// member who lost the phone with their enrolled authenticator.
type resetFixture struct {
	db                  *gorm.DB
	ctx                 context.Context
	now                 time.Time
	admin, sec, target  *domain.User
	asAdmin, asSec      domain.Caller
	targetSessions      int
	targetTokenRevoked  func() bool
	targetRecoveryCodes func() int64
}

func newResetFixture(t *testing.T) *resetFixture {
	t.Helper()
	f := &resetFixture{db: storetest.New(t), ctx: context.Background(), now: time.Now().UTC()}
	mk := func(role string) *domain.User {
		u := &domain.User{Email: fmt.Sprintf("%s.%s@test.example", role, account.RandomPassword(6)), Name: "Test " + role, Role: role, Version: 1}
		if err := f.db.Create(u).Error; err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.admin, f.sec, f.target = mk(domain.RoleAdmin), mk(domain.RoleSecretariat), mk(domain.RoleSecretariat)
	f.asAdmin = domain.Caller{Actor: domain.Actor{UserID: &f.admin.ID, Name: f.admin.Email}, Scope: domain.ScopeOf(f.admin), Now: f.now}
	f.asSec = domain.Caller{Actor: domain.Actor{UserID: &f.sec.ID, Name: f.sec.Email}, Scope: domain.ScopeOf(f.sec), Now: f.now}

	// The target is enrolled, with recovery codes, two signed-in browsers and a token.
	if err := f.db.Model(&domain.User{}).Where("id = ?", f.target.ID).
		Updates(map[string]any{"totp_secret": "sealed-secret", "totp_enabled_at": f.now, "totp_last_step": 42}).Error; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := f.db.Create(&domain.RecoveryCode{UserID: f.target.ID, CodeHash: account.HashSecret(account.NewSecret())}).Error; err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2; i++ {
		if _, _, err := account.CreateSession(f.ctx, f.db, account.DefaultSessionPolicy, f.target, true, "127.0.0.1", "test", f.now); err != nil {
			t.Fatal(err)
		}
	}
	f.targetSessions = 2
	_, tok, err := account.CreateAPIToken(f.ctx, f.db, domain.Caller{Actor: domain.SystemActor, Now: f.now}, f.target, "script", nil)
	if err != nil {
		t.Fatal(err)
	}
	f.targetTokenRevoked = func() bool {
		var got account.APIToken
		if err := f.db.Take(&got, tok.ID).Error; err != nil {
			t.Fatal(err)
		}
		return got.RevokedAt != nil
	}
	f.targetRecoveryCodes = func() int64 {
		var n int64
		f.db.Model(&domain.RecoveryCode{}).Where("user_id = ?", f.target.ID).Count(&n)
		return n
	}
	return f
}

func (f *resetFixture) reload(t *testing.T, id int64) *domain.User {
	t.Helper()
	u, err := account.FindUser(f.ctx, f.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *resetFixture) liveSessions(t *testing.T, id int64) int64 {
	t.Helper()
	var n int64
	if err := f.db.Model(&account.Session{}).Where("user_id = ? AND ended_at IS NULL", id).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAdminResetsALostSecondFactor(t *testing.T) {
	t.Parallel()
	f := newResetFixture(t)
	before := f.reload(t, f.target.ID)

	res, err := account.ResetUserMFA(f.ctx, f.db, f.asAdmin, f.target.ID, "  phone stolen; checked by a call to her office  ")
	if err != nil {
		t.Fatal(err)
	}
	after := f.reload(t, f.target.ID)
	if after.TOTPSecret != "" || after.TOTPEnabledAt != nil || after.TOTPLastStep != 0 {
		t.Errorf("the second factor is still there: secret %q, enabled %v, last step %d", after.TOTPSecret, after.TOTPEnabledAt, after.TOTPLastStep)
	}
	if after.Version != before.Version+1 {
		t.Errorf("version %d → %d: an edit form made before the reset must be stale", before.Version, after.Version)
	}
	if n := f.targetRecoveryCodes(); n != 0 {
		t.Errorf("%d recovery codes left", n)
	}
	if n := f.liveSessions(t, f.target.ID); n != 0 || res.SessionsEnded != int64(f.targetSessions) {
		t.Errorf("%d sessions still live, %d reported ended", n, res.SessionsEnded)
	}
	var ended account.Session
	if err := f.db.Where("user_id = ?", f.target.ID).Take(&ended).Error; err != nil || ended.EndedReason != account.EndMFAReset {
		t.Errorf("session ended for %q (%v), want %q", ended.EndedReason, err, account.EndMFAReset)
	}
	if !f.targetTokenRevoked() || res.TokensRevoked != 1 {
		t.Errorf("the API token is not revoked (%d reported)", res.TokensRevoked)
	}
	var e domain.AuditEntry
	if err := f.db.Where("action = 'user.mfa_reset' AND entity_type = 'user' AND entity_id = ?", f.target.ID).Take(&e).Error; err != nil {
		t.Fatalf("no audit row: %v", err)
	}
	if e.Reason != "phone stolen; checked by a call to her office" || e.UserID == nil || *e.UserID != f.admin.ID || e.Actor != f.admin.Email {
		t.Errorf("audit row: reason %q, actor %v %q", e.Reason, e.UserID, e.Actor)
	}
	// Nothing left to reset the second time.
	if _, err := account.ResetUserMFA(f.ctx, f.db, f.asAdmin, f.target.ID, "again"); fieldMsg(err, "mfa_reset") == "" {
		t.Errorf("a second reset: %v, want a message on mfa_reset", err)
	}
}

// Refusals change nothing: not the factor, not the sessions, not the tokens.
func TestSecondFactorResetRefusals(t *testing.T) {
	t.Parallel()
	f := newResetFixture(t)
	for _, tt := range []struct {
		name   string
		m      domain.Caller
		id     int64
		reason string
		field  string // "" for ErrForbidden
	}{
		{"the secretariat", f.asSec, f.target.ID, "lost phone", ""},
		{"no reason", f.asAdmin, f.target.ID, "", "reason"},
		{"a blank reason", f.asAdmin, f.target.ID, " \t\n ", "reason"},
		{"a reason too long", f.asAdmin, f.target.ID, strings.Repeat("a", account.MaxResetReason+1), "reason"},
		{"the administrator's own", f.asAdmin, f.admin.ID, "lost my phone", "mfa_reset"},
		{"nothing to reset", f.asAdmin, f.sec.ID, "lost phone", "mfa_reset"},
	} {
		_, err := account.ResetUserMFA(f.ctx, f.db, tt.m, tt.id, tt.reason)
		switch {
		case tt.field == "" && !errors.Is(err, domain.ErrForbidden):
			t.Errorf("%s: %v, want ErrForbidden", tt.name, err)
		case tt.field != "" && fieldMsg(err, tt.field) == "":
			t.Errorf("%s: %v, want a message on %s", tt.name, err, tt.field)
		}
	}
	u := f.reload(t, f.target.ID)
	if u.TOTPSecret == "" || u.TOTPEnabledAt == nil || f.targetRecoveryCodes() != 3 || f.liveSessions(t, f.target.ID) != 2 || f.targetTokenRevoked() {
		t.Error("a refused reset changed the account")
	}
	var n int64
	f.db.Model(&domain.AuditEntry{}).Where("action = 'user.mfa_reset'").Count(&n)
	if n != 0 {
		t.Errorf("%d audit rows for refused resets", n)
	}
}

// A secret that was never confirmed (the phone was lost during set-up)
// can be reset too, or the person could never finish enrolling.
func TestSecondFactorResetClearsAPendingSecret(t *testing.T) {
	t.Parallel()
	f := newResetFixture(t)
	if err := f.db.Model(&domain.User{}).Where("id = ?", f.sec.ID).Update("totp_secret", "pending").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := account.ResetUserMFA(f.ctx, f.db, f.asAdmin, f.sec.ID, "lost phone during set-up"); err != nil {
		t.Fatal(err)
	}
	if u := f.reload(t, f.sec.ID); u.TOTPSecret != "" {
		t.Errorf("pending secret kept: %q", u.TOTPSecret)
	}
}

func TestRecentPasswordCheck(t *testing.T) {
	t.Parallel()
	now := time.Now()
	old, recent := now.Add(-account.RecentPasswordWindow), now.Add(-account.RecentPasswordWindow+time.Second)
	for _, tt := range []struct {
		at   *time.Time
		want bool
	}{{nil, false}, {&old, false}, {&recent, true}, {&now, true}} {
		if got := (&account.Session{PasswordCheckedAt: tt.at}).PasswordRecent(now); got != tt.want {
			t.Errorf("checked at %v: recent = %v, want %v", tt.at, got, tt.want)
		}
	}
}
