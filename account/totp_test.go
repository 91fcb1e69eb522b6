package account_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"naptracker/account"
	"naptracker/domain"
	"naptracker/store/storetest"

	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"
)

func newMFAUser(t *testing.T, db *gorm.DB, role string) *domain.User {
	t.Helper()
	u := &domain.User{Email: role + "@test.example", Name: "Test " + role, Role: role}
	if err := storetest.CreateUser(context.Background(), db, domain.SystemActor, u, "a long test password"); err != nil {
		t.Fatal(err)
	}
	return u
}

func reload(t *testing.T, db *gorm.DB, id int64) *domain.User {
	t.Helper()
	var u domain.User
	if err := db.Take(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	return &u
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolAt is when the tests' users enrol in two-step sign-in.
var enrolAt = time.Date(2025, 3, 1, 12, 0, 10, 0, time.UTC)

// enrol takes a user through BeginTOTP and ConfirmTOTP at enrolAt and
// returns the secret and the recovery codes.
func enrol(t *testing.T, db *gorm.DB, u *domain.User) (string, []string) {
	t.Helper()
	ctx := context.Background()
	key, err := account.BeginTOTP(ctx, db, testKeys, u)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := account.ConfirmTOTP(ctx, db, testKeys, domain.Caller{Actor: domain.SystemActor, Now: enrolAt}, u.ID, code(t, key.Secret(), enrolAt))
	if err != nil {
		t.Fatal(err)
	}
	return key.Secret(), codes
}

// enrolled is a new user of the role, enrolled (enrol), with the secret and
// the recovery codes.
func enrolled(t *testing.T, db *gorm.DB, role string) (*domain.User, string, []string) {
	t.Helper()
	u := newMFAUser(t, db, role)
	secret, codes := enrol(t, db, u)
	return u, secret, codes
}

func TestTOTPEnrolment(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	u := newMFAUser(t, db, domain.RoleAdmin)
	now := enrolAt

	key, err := account.BeginTOTP(ctx, db, testKeys, u)
	if err != nil {
		t.Fatal(err)
	}
	if key.Issuer() != account.TOTPIssuer || key.AccountName() != u.Email || len(key.Secret()) != 32 {
		t.Errorf("key: issuer %q, account %q, secret of %d characters", key.Issuer(), key.AccountName(), len(key.Secret()))
	}
	if !strings.HasPrefix(key.URL(), "otpauth://totp/") {
		t.Errorf("otpauth address = %q", key.URL())
	}
	stored := reload(t, db, u.ID)
	if !account.IsSealed(stored.TOTPSecret) || strings.Contains(stored.TOTPSecret, key.Secret()) || stored.TOTPEnabledAt != nil {
		t.Fatalf("after BeginTOTP the secret is stored as %q (enabled %v), want it sealed and pending", stored.TOTPSecret, stored.TOTPEnabledAt)
	}
	// Reloading the set-up page keeps the secret an app may already have scanned.
	again, err := account.BeginTOTP(ctx, db, testKeys, &domain.User{ID: u.ID, Email: u.Email})
	if err != nil || again.Secret() != key.Secret() {
		t.Fatalf("a second BeginTOTP gave another secret (%v)", err)
	}

	// A wrong code is refused and changes nothing.
	wrong := "000000"
	if wrong == code(t, key.Secret(), now) {
		wrong = "111111"
	}
	_, err = account.ConfirmTOTP(ctx, db, testKeys, domain.Caller{Actor: domain.SystemActor, Now: now}, u.ID, wrong)
	var ve *domain.ValidationError
	if !errors.As(err, &ve) || ve.Fields["code"] == "" {
		t.Fatalf("a wrong first code gave %v, want a validation error on code", err)
	}
	if reload(t, db, u.ID).TOTPEnabledAt != nil {
		t.Fatal("a wrong code enabled the second factor")
	}

	codes, err := account.ConfirmTOTP(ctx, db, testKeys, domain.Caller{Actor: domain.SystemActor, Now: now}, u.ID, code(t, key.Secret(), now))
	if err != nil {
		t.Fatal(err)
	}
	if got := reload(t, db, u.ID); got.TOTPEnabledAt == nil || !got.TOTPEnabledAt.Equal(now) {
		t.Fatalf("enabled at %v, want %v", got.TOTPEnabledAt, now)
	}
	shape := regexp.MustCompile(`^[0-9a-z]{4}(-[0-9a-z]{4}){5}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !shape.MatchString(c) || seen[c] {
			t.Errorf("recovery code %q is malformed or repeated", c)
		}
		seen[c] = true
	}
	if len(codes) != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes, want %d", len(codes), account.RecoveryCodeCount)
	}
	var rows []domain.RecoveryCode
	db.Where("user_id = ?", u.ID).Find(&rows)
	for _, r := range rows {
		for _, c := range codes {
			if strings.Contains(r.CodeHash, c) || strings.Contains(r.CodeHash, strings.ReplaceAll(c, "-", "")) {
				t.Error("a recovery code is stored as it is, not as a hash")
			}
		}
	}
	var audit []domain.AuditEntry
	db.Where("action = ? AND entity_id = ?", "mfa.enable", u.ID).Find(&audit)
	if len(audit) != 1 {
		t.Fatalf("%d mfa.enable audit rows, want 1", len(audit))
	}
	for _, c := range append(codes, key.Secret()) {
		if strings.Contains(audit[0].NewValue, c) {
			t.Error("the audit row holds a secret or a recovery code")
		}
	}
	if _, err := account.ConfirmTOTP(ctx, db, testKeys, domain.Caller{Actor: domain.SystemActor, Now: now}, u.ID, code(t, key.Secret(), now)); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("confirming an enrolled user gave %v, want ErrConflict", err)
	}
	if _, err := account.BeginTOTP(ctx, db, testKeys, reload(t, db, u.ID)); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("re-enrolling an enrolled user gave %v, want ErrConflict", err)
	}
}

func TestTOTPCodesWorkOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	u, secret, _ := enrolled(t, db, domain.RoleSecretariat)
	now := enrolAt

	check := func(c string, at time.Time, want account.CodeCheck) {
		t.Helper()
		got, err := account.VerifyTOTP(ctx, db, testKeys, u.ID, c, at)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("code %s at %s: %v, want %v", c, at.Format(time.TimeOnly), got, want)
		}
	}
	// The code that confirmed enrolment cannot sign in.
	check(code(t, secret, now), now, account.CodeReused)

	later := now.Add(time.Minute)
	c := code(t, secret, later)
	check("000000x", later, account.CodeWrong)
	check(c[:3]+" "+c[3:], later, account.CodeAccepted) // as the app shows it
	check(c, later, account.CodeReused)
	// An older code still inside the drift window is not accepted after a newer one.
	check(code(t, secret, later.Add(-30*time.Second)), later, account.CodeReused)
	// One step of clock drift either way is allowed.
	ahead := later.Add(2 * time.Minute)
	check(code(t, secret, ahead.Add(30*time.Second)), ahead, account.CodeAccepted)
	// Two steps is too far.
	far := ahead.Add(5 * time.Minute)
	check(code(t, secret, far.Add(90*time.Second)), far, account.CodeWrong)
}

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	u, _, codes := enrolled(t, db, domain.RoleAdmin)
	now := enrolAt

	use := func(c string, want bool) {
		t.Helper()
		ok, err := account.UseRecoveryCode(ctx, db, u.ID, c, now)
		if err != nil {
			t.Fatal(err)
		}
		if ok != want {
			t.Errorf("recovery code %q: accepted = %v, want %v", c, ok, want)
		}
	}
	use(codes[0], true)
	use(codes[0], false) // once only
	// Typed in capitals, without dashes, with O for 0 and I or L for 1.
	typed := strings.ToUpper(strings.ReplaceAll(codes[1], "-", " "))
	typed = strings.NewReplacer("0", "O", "1", "l").Replace(typed)
	use(typed, true)
	use("not-a-code", false)
	use(codes[2][:len(codes[2])-1], false)
	if n, err := account.RemainingRecoveryCodes(ctx, db, u.ID); err != nil || n != account.RecoveryCodeCount-2 {
		t.Errorf("%d codes remain (%v), want %d", n, err, account.RecoveryCodeCount-2)
	}

	fresh, err := account.RegenerateRecoveryCodes(ctx, db, domain.Caller{Actor: domain.SystemActor}, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	use(codes[3], false) // the old ones are gone
	if n, _ := account.RemainingRecoveryCodes(ctx, db, u.ID); n != account.RecoveryCodeCount {
		t.Errorf("%d codes after regenerating, want %d", n, account.RecoveryCodeCount)
	}
	use(fresh[9], true)

	// Another user's code does not work for this one.
	_, _, theirs := enrolled(t, db, domain.RoleFacilitator)
	use(theirs[0], false)
}

func TestDisableTOTP(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()

	admin, _, _ := enrolled(t, db, domain.RoleAdmin)
	if err := account.DisableTOTP(ctx, db, domain.Caller{Actor: domain.SystemActor}, admin.ID); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("disabling an administrator's second factor gave %v, want ErrForbidden", err)
	}
	if reload(t, db, admin.ID).TOTPEnabledAt == nil {
		t.Fatal("an administrator's second factor was turned off")
	}

	fp, _, _ := enrolled(t, db, domain.RoleFacilitator)
	if err := account.DisableTOTP(ctx, db, domain.Caller{Actor: domain.SystemActor}, fp.ID); err != nil {
		t.Fatal(err)
	}
	got := reload(t, db, fp.ID)
	if got.TOTPEnabledAt != nil || got.TOTPSecret != "" || got.TOTPLastStep != 0 {
		t.Errorf("after disabling: enabled %v, secret kept %v, last step %d", got.TOTPEnabledAt, got.TOTPSecret != "", got.TOTPLastStep)
	}
	if n, _ := account.RemainingRecoveryCodes(ctx, db, fp.ID); n != 0 {
		t.Errorf("%d recovery codes survive disabling", n)
	}
	var n int64
	db.Model(&domain.AuditEntry{}).Where("action = ? AND entity_id = ?", "mfa.disable", fp.ID).Count(&n)
	if n != 1 {
		t.Errorf("%d mfa.disable audit rows, want 1", n)
	}
	// Disabling again changes nothing and writes no second row.
	if err := account.DisableTOTP(ctx, db, domain.Caller{Actor: domain.SystemActor}, fp.ID); err != nil {
		t.Fatal(err)
	}
	db.Model(&domain.AuditEntry{}).Where("action = ? AND entity_id = ?", "mfa.disable", fp.ID).Count(&n)
	if n != 1 {
		t.Errorf("%d mfa.disable audit rows after a second disable, want 1", n)
	}
	if _, err := account.RegenerateRecoveryCodes(ctx, db, domain.Caller{Actor: domain.SystemActor}, fp.ID); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("regenerating codes without a second factor gave %v, want ErrConflict", err)
	}
}

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
