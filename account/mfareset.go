package account

import (
	"context"
	"strings"
	"unicode/utf8"

	"naptracker/domain"

	"gorm.io/gorm"
)

// MaxResetReason is the longest reason a second-factor reset keeps.
const MaxResetReason = 1000

// MFAReset is what resetting a person's second factor did.
type MFAReset struct {
	SessionsEnded int64
	TokensRevoked int64
}

// ResetUserMFA clears another person's second factor when they have lost
// it (a lost or broken phone): the authenticator's secret, enrolled or
// still pending, and the recovery codes. Administrators and the NAP
// secretariat, who must have a second factor, set up a new one at their
// next sign-in; for other roles it is simply off until they turn it on
// again. The person's sessions end and their API tokens are revoked, since
// whoever holds the lost phone may also hold a signed-in laptop or a token
// made with it. Only administrators may, never on their own account (their
// own settings ask for their password and a code instead), and only with a
// reason, which the audit row keeps. Everything happens in one transaction.
func ResetUserMFA(ctx context.Context, db *gorm.DB, who domain.Caller, id int64, reason string) (MFAReset, error) {
	var out MFAReset
	reason = strings.TrimSpace(reason)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := loadUserFor(tx, who, id, domain.OnlyAdministrators)
		if err != nil {
			return err
		}
		if err := CheckMFAReset(who, u, reason); err != nil {
			return err
		}
		if err := bumpUser(tx, u, map[string]any{"totp_secret": "", "totp_enabled_at": nil, "totp_last_step": 0}, who.Now); err != nil {
			return err
		}
		var codes int64
		if err := tx.Model(&domain.RecoveryCode{}).Where("user_id = ? AND used_at IS NULL", u.ID).Count(&codes).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&domain.RecoveryCode{}).Error; err != nil {
			return err
		}
		if out.SessionsEnded, err = EndUserSessions(ctx, tx, u.ID, EndMFAReset, who.Now); err != nil {
			return err
		}
		if out.TokensRevoked, err = revokeUserTokens(tx, u.ID, who.Now); err != nil {
			return err
		}
		old := map[string]any{"mfa_enabled_at": u.TOTPEnabledAt, "recovery_codes_left": codes}
		changed := map[string]any{"mfa": "reset", "sessions_ended": out.SessionsEnded, "tokens_revoked": out.TokensRevoked}
		return domain.Audit(tx, who.Actor, "user.mfa_reset", "user", &u.ID, nil, old, changed, reason)
	})
	return out, err
}

// CheckMFAReset says what is wrong with resetting u's second factor for
// this reason, before anything is asked or changed: a missing or too long
// reason, the manager's own account, or nothing to reset.
func CheckMFAReset(who domain.Caller, u *domain.User, reason string) error {
	v := &domain.ValidationError{}
	switch n := utf8.RuneCountInString(strings.TrimSpace(reason)); {
	case n == 0:
		v.AddKey("reason", "err.mfa_reset_reason", MaxResetReason)
	case n > MaxResetReason:
		v.AddKey("reason", "err.mfa_reset_reason", MaxResetReason)
	}
	switch {
	case who.Is(u.ID):
		v.AddKey("mfa_reset", "err.mfa_reset_own")
	case u.TOTPEnabledAt == nil && u.TOTPSecret == "":
		v.AddKey("mfa_reset", "err.mfa_reset_none")
	}
	return v.Err()
}
