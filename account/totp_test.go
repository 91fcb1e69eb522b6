package account_test

import (
	"context"
	"errors"
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
