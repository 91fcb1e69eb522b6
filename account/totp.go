package account

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"time"

	"naptracker/domain"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"
)

// TOTPIssuer names the application in the user's authenticator app.
const TOTPIssuer = "NAP Tracker"

// totpPeriod is the length of one TOTP step in seconds: 30, six digits and
// SHA-1 are what every authenticator app expects.
const totpPeriod = 30

// RecoveryCodeCount is how many recovery codes a user holds after enrolling
// or asking for new ones.
const RecoveryCodeCount = 10

// recoveryAlphabet is Crockford's base32 in lower case: 32 symbols, so each
// random byte masked to 5 bits picks one without bias, and no I, L, O or U
// to misread. 24 symbols carry 120 bits, enough (ASVS 6.5.2: 112) for the
// plain SHA-256 of HashSecret to be a safe way to store them.
const (
	recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	recoveryLen      = 24
	recoveryGroup    = 4
)

// CodeCheck is the outcome of checking an authenticator code at sign-in.
type CodeCheck int

// The outcomes of VerifyTOTP.
const (
	CodeWrong    CodeCheck = iota // not a valid code for now (or no authenticator)
	CodeAccepted                  // valid, and not used before
	CodeReused                    // valid, but its 30-s step was already used
)

// MFAKey names the throttle of second-factor attempts for a user, so that
// someone who knows the password cannot try every code.
func MFAKey(userID int64) string { return "mfa:" + strconv.FormatInt(userID, 10) }

// totpContext binds a sealed TOTP secret to its user's row, so that a
// secret copied into another user's row does not open there.
func totpContext(userID int64) string { return "users.totp_secret:" + strconv.FormatInt(userID, 10) }

// openTOTPSecret returns the base32 secret stored for a user. A value
// stored in clear by an older version is returned as is; the next start
// seals it (SealTOTPSecrets).
func openTOTPSecret(keys *Keyring, userID int64, stored string) (string, error) {
	if stored == "" || !IsSealed(stored) {
		return stored, nil
	}
	b, err := keys.Open(totpContext(userID), stored)
	if err != nil {
		return "", fmt.Errorf("the TOTP secret of user %d: %w", userID, err)
	}
	return string(b), nil
}

// SealTOTPSecrets encrypts, in one transaction, the TOTP secrets stored in
// clear (by a version before 0.11) and, when all is set, re-encrypts those
// sealed under any key but the current one (after a key rotation). It
// returns how many it sealed.
func SealTOTPSecrets(ctx context.Context, db *gorm.DB, keys *Keyring, all bool) (int, error) {
	n := 0
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []domain.User
		if err := tx.Select("id", "totp_secret").Where("totp_secret <> ''").Find(&rows).Error; err != nil {
			return err
		}
		cur := keys.CurrentID()
		for _, u := range rows {
			if IsSealed(u.TOTPSecret) && (!all || SealedWith(u.TOTPSecret) == cur) {
				continue
			}
			plain, err := openTOTPSecret(keys, u.ID, u.TOTPSecret)
			if err != nil {
				return err
			}
			sealed, err := keys.Seal(totpContext(u.ID), []byte(plain))
			if err != nil {
				return err
			}
			res := tx.Model(&domain.User{}).Where("id = ? AND totp_secret = ?", u.ID, u.TOTPSecret).UpdateColumn("totp_secret", sealed)
			if res.Error != nil {
				return res.Error
			}
			n += int(res.RowsAffected)
		}
		return nil
	})
	return n, err
}

// TOTPKey rebuilds the key of a stored base32 secret for a user, for the
// set-up page (otpauth:// address and QR code).
func TOTPKey(secret, email string) (*otp.Key, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, err
	}
	return totp.Generate(totp.GenerateOpts{
		Issuer: TOTPIssuer, AccountName: email, Period: totpPeriod, Secret: raw,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
}

// BeginTOTP starts enrolment: it stores a new secret for u, pending
// (totp_enabled_at stays NULL) until a first code confirms it. A pending
// secret is kept and returned again, so that reloading the set-up page does
// not invalidate an app that already scanned it. An enrolled user gets
// ErrConflict. The secret is stored sealed by keys.
func BeginTOTP(ctx context.Context, db *gorm.DB, keys *Keyring, u *domain.User) (*otp.Key, error) {
	if u.TOTPEnabledAt != nil {
		return nil, domain.ErrConflict
	}
	if u.TOTPSecret != "" {
		plain, err := openTOTPSecret(keys, u.ID, u.TOTPSecret)
		if err != nil {
			return nil, err
		}
		return TOTPKey(plain, u.Email)
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: TOTPIssuer, AccountName: u.Email, Period: totpPeriod, SecretSize: 20,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, err
	}
	sealed, err := keys.Seal(totpContext(u.ID), []byte(key.Secret()))
	if err != nil {
		return nil, err
	}
	db = db.WithContext(ctx)
	res := db.Model(&domain.User{}).Where("id = ? AND totp_enabled_at IS NULL AND totp_secret = ''", u.ID).
		UpdateColumn("totp_secret", sealed)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 1 {
		u.TOTPSecret = sealed
		return key, nil
	}
	// Another request got there first: use what it stored.
	var cur domain.User
	if err := db.Take(&cur, u.ID).Error; err != nil {
		return nil, err
	}
	if cur.TOTPEnabledAt != nil || cur.TOTPSecret == "" {
		return nil, domain.ErrConflict
	}
	u.TOTPSecret = cur.TOTPSecret
	plain, err := openTOTPSecret(keys, u.ID, cur.TOTPSecret)
	if err != nil {
		return nil, err
	}
	return TOTPKey(plain, u.Email)
}

// ConfirmTOTP finishes enrolment with a first code from the app: it enables
// the second factor, creates the recovery codes and audits "mfa.enable", all
// in one transaction, and returns the codes (shown once, stored as hashes).
// A wrong code is a ValidationError on "code"; no pending secret, or a user
// already enrolled, is ErrConflict.
func ConfirmTOTP(ctx context.Context, db *gorm.DB, keys *Keyring, who domain.Caller, userID int64, code string) ([]string, error) {
	var codes []string
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u domain.User
		if err := tx.Take(&u, userID).Error; err != nil {
			return err
		}
		if u.TOTPEnabledAt != nil || u.TOTPSecret == "" {
			return domain.ErrConflict
		}
		plain, err := openTOTPSecret(keys, userID, u.TOTPSecret)
		if err != nil {
			return err
		}
		step, ok := matchStep(plain, code, who.Now)
		if !ok {
			return domain.FieldError("code", "err.totp_code")
		}
		res := tx.Model(&domain.User{}).Where("id = ? AND totp_enabled_at IS NULL AND totp_secret = ?", userID, u.TOTPSecret).
			Updates(map[string]any{"totp_enabled_at": who.Now, "totp_last_step": step})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return domain.ErrConflict
		}
		if codes, err = replaceRecoveryCodes(tx, userID); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "mfa.enable", "user", &userID, nil, nil, map[string]any{"recovery_codes": len(codes)}, "")
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// VerifyTOTP checks a sign-in code against the user's enabled authenticator,
// allowing one step of clock drift either way. A code is accepted once: its
// step must be later than the last one accepted, which the same UPDATE
// records, so two requests racing with one code cannot both pass.
func VerifyTOTP(ctx context.Context, db *gorm.DB, keys *Keyring, userID int64, code string, now time.Time) (CodeCheck, error) {
	db = db.WithContext(ctx)
	var u domain.User
	if err := db.Take(&u, userID).Error; err != nil {
		return CodeWrong, err
	}
	if u.TOTPEnabledAt == nil || u.TOTPSecret == "" {
		return CodeWrong, nil
	}
	plain, err := openTOTPSecret(keys, userID, u.TOTPSecret)
	if err != nil {
		return CodeWrong, err
	}
	step, ok := matchStep(plain, code, now)
	if !ok {
		return CodeWrong, nil
	}
	res := db.Model(&domain.User{}).Where("id = ? AND totp_enabled_at IS NOT NULL AND totp_last_step < ?", userID, step).
		UpdateColumn("totp_last_step", step)
	if res.Error != nil {
		return CodeWrong, res.Error
	}
	if res.RowsAffected != 1 {
		return CodeReused, nil
	}
	return CodeAccepted, nil
}

// matchStep returns the 30-s step, among now's and its two neighbours, for
// which code is valid.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	code = NormaliseTOTPCode(code)
	if !IsTOTPCode(code) {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		ok, err := totp.ValidateCustom(code, secret, time.Unix(step*totpPeriod, 0), opts)
		if err == nil && ok {
			return step, true
		}
	}
	return 0, false
}

// NormaliseTOTPCode removes the spaces and dashes people copy from apps
// that show "123 456".
func NormaliseTOTPCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
}

// IsTOTPCode reports whether a normalised code has the shape of an
// authenticator code (six digits), as opposed to a recovery code.
func IsTOTPCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// UseRecoveryCode spends one of the user's unused recovery codes. It
// reports false for a wrong or already used code; one UPDATE both checks
// and marks it, so a code works once even under concurrent requests.
func UseRecoveryCode(ctx context.Context, db *gorm.DB, userID int64, code string, now time.Time) (bool, error) {
	canon, ok := canonicalRecoveryCode(code)
	if !ok {
		return false, nil
	}
	res := db.WithContext(ctx).Model(&domain.RecoveryCode{}).
		Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, HashSecret(canon)).
		Update("used_at", now)
	return res.RowsAffected == 1, res.Error
}

// RegenerateRecoveryCodes replaces all of an enrolled user's recovery codes
// (used or not) with new ones and audits it, in one transaction. A user
// without a second factor gets ErrConflict.
func RegenerateRecoveryCodes(ctx context.Context, db *gorm.DB, who domain.Caller, userID int64) ([]string, error) {
	var codes []string
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u domain.User
		if err := tx.Take(&u, userID).Error; err != nil {
			return err
		}
		if u.TOTPEnabledAt == nil {
			return domain.ErrConflict
		}
		var err error
		if codes, err = replaceRecoveryCodes(tx, userID); err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "mfa.recovery_codes_regenerated", "user", &userID, nil, nil, map[string]any{"recovery_codes": len(codes)}, "")
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// RemainingRecoveryCodes counts a user's unused recovery codes.
func RemainingRecoveryCodes(ctx context.Context, db *gorm.DB, userID int64) (int, error) {
	var n int64
	err := db.WithContext(ctx).Model(&domain.RecoveryCode{}).Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error
	return int(n), err
}

// DisableTOTP turns the second factor off for a user whose role does not
// require it (ErrForbidden otherwise): it clears the secret, even a pending
// one, and the recovery codes, and audits "mfa.disable", in one
// transaction. Disabling what is not enabled changes nothing and is not audited.
func DisableTOTP(ctx context.Context, db *gorm.DB, who domain.Caller, userID int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u domain.User
		if err := tx.Take(&u, userID).Error; err != nil {
			return err
		}
		if domain.MFARequired(u.Role) {
			return domain.ErrForbidden
		}
		if err := tx.Model(&domain.User{}).Where("id = ?", userID).
			Updates(map[string]any{"totp_secret": "", "totp_enabled_at": nil, "totp_last_step": 0}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&domain.RecoveryCode{}).Error; err != nil {
			return err
		}
		if u.TOTPEnabledAt == nil {
			return nil
		}
		return domain.Audit(tx, who.Actor, "mfa.disable", "user", &userID, nil, map[string]any{"enabled_at": u.TOTPEnabledAt}, nil, "")
	})
}

// replaceRecoveryCodes deletes a user's recovery codes and stores the hashes
// of RecoveryCodeCount new ones, returned formatted for reading.
func replaceRecoveryCodes(tx *gorm.DB, userID int64) ([]string, error) {
	if err := tx.Where("user_id = ?", userID).Delete(&domain.RecoveryCode{}).Error; err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	rows := make([]domain.RecoveryCode, RecoveryCodeCount)
	for i := range codes {
		canon := newRecoveryCode()
		codes[i] = formatRecoveryCode(canon)
		rows[i] = domain.RecoveryCode{UserID: userID, CodeHash: HashSecret(canon)}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return nil, err
	}
	return codes, nil
}

// newRecoveryCode returns recoveryLen random symbols of recoveryAlphabet.
func newRecoveryCode() string {
	b := make([]byte, recoveryLen)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for i := range b {
		b[i] = recoveryAlphabet[b[i]&31]
	}
	return string(b)
}

// formatRecoveryCode groups a code in fours: "abcd-efgh-…".
func formatRecoveryCode(canon string) string {
	var sb strings.Builder
	for i := 0; i < len(canon); i += recoveryGroup {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(canon[i:min(i+recoveryGroup, len(canon))])
	}
	return sb.String()
}

// canonicalRecoveryCode turns what a user typed into the stored form:
// lower case, no spaces or dashes, with the look-alikes O, I and L read as
// 0, 1 and 1. It reports false when the result cannot be a recovery code.
func canonicalRecoveryCode(code string) (string, bool) {
	var sb strings.Builder
	for _, r := range strings.ToLower(code) {
		switch r {
		case ' ', '-', '\t':
			continue
		case 'o':
			r = '0'
		case 'i', 'l':
			r = '1'
		}
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
		sb.WriteRune(r)
	}
	if sb.Len() != recoveryLen {
		return "", false
	}
	return sb.String(), true
}
