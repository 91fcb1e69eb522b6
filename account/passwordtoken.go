package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// PasswordLinkValidity is how long a set-password link works: long enough
// to reach someone over a weekend, short enough that a forgotten message
// does not stay a key to the account.
const PasswordLinkValidity = 72 * time.Hour

// CreatePasswordToken makes a new one-time set-password link for an account
// (a forgotten password, a lost first link) and returns its token, shown
// once. Any older unused link of that account stops working. Managers
// cannot make one for themselves: changing one's own password needs the
// current one.
func CreatePasswordToken(ctx context.Context, db *gorm.DB, who domain.Caller, userID int64) (string, *domain.PasswordToken, error) {
	var secret string
	var tok *domain.PasswordToken
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := loadUser(tx, userID, true)
		if err != nil {
			return err
		}
		if !domain.CanManageRole(who.Scope.Role, u.Role) {
			return domain.ErrForbidden
		}
		if who.Is(u.ID) {
			return domain.FieldError("password_link", "err.password_own_link")
		}
		if u.Disabled() {
			return domain.FieldError("password_link", "err.password_disabled")
		}
		secret, tok, err = createPasswordToken(tx, who.Actor, u.ID, who.Now)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// createPasswordToken stores a new link token (its hash only) after
// expiring the user's unused ones, and audits it.
func createPasswordToken(tx *gorm.DB, actor domain.Actor, userID int64, now time.Time) (string, *domain.PasswordToken, error) {
	if err := expirePasswordTokens(tx, userID, now); err != nil {
		return "", nil, err
	}
	secret := NewSecret()
	t := &domain.PasswordToken{UserID: userID, TokenHash: HashSecret(secret), CreatedByID: actor.UserID, CreatedAt: now, ExpiresAt: now.Add(PasswordLinkValidity)}
	if err := tx.Create(t).Error; err != nil {
		return "", nil, err
	}
	if err := domain.Audit(tx, actor, "user.password_link", "user", &userID, nil, nil, map[string]any{"expires_at": t.ExpiresAt}, ""); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// expirePasswordTokens makes every unused link of a user stop working now.
func expirePasswordTokens(tx *gorm.DB, userID int64, now time.Time) error {
	return tx.Model(&domain.PasswordToken{}).Where("user_id = ? AND used_at IS NULL AND expires_at > ?", userID, now).
		Update("expires_at", now).Error
}

// PasswordTokenUser returns the account of a live set-password link:
// ErrNotFound when the token is unknown, used, expired, or its account disabled.
func PasswordTokenUser(ctx context.Context, db *gorm.DB, secret string, now time.Time) (*domain.User, *domain.PasswordToken, error) {
	if secret == "" {
		return nil, nil, domain.ErrNotFound
	}
	db = db.WithContext(ctx)
	var t domain.PasswordToken
	err := db.Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", HashSecret(secret), now).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := loadUser(db, t.UserID, false)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled() {
		return nil, nil, domain.ErrNotFound
	}
	return u, &t, nil
}

// UsePasswordToken sets the password of a link's account and uses the link
// up: it works once. The person's sessions, if any, end. The audit row
// names the account itself as the actor: holding the link is what let them
// in. Whoever uses a link a moment after another use gets ErrNotFound.
func UsePasswordToken(ctx context.Context, db *gorm.DB, who domain.Caller, secret, password string) (*domain.User, error) {
	u, t, err := PasswordTokenUser(ctx, db, secret, who.Now)
	if err != nil {
		return nil, err
	}
	if m := PasswordRuleMessage(password); m != nil {
		return nil, domain.FieldError("password", m.Key, m.Args...)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&domain.PasswordToken{}).Where("id = ? AND used_at IS NULL AND expires_at > ?", t.ID, who.Now).Update("used_at", who.Now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrNotFound
		}
		res = tx.Model(&domain.User{}).Where("id = ? AND disabled_at IS NULL", u.ID).Updates(map[string]any{
			"password_hash": hash, "password_changed_at": who.Now, "version": gorm.Expr("version + 1"), "updated_at": who.Now,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrNotFound
		}
		n, err := EndUserSessions(ctx, tx, u.ID, EndPassword, who.Now)
		if err != nil {
			return err
		}
		tokens, err := revokeUserTokens(tx, u.ID, who.Now)
		if err != nil {
			return err
		}
		a := who.Actor
		a.UserID, a.Name = &u.ID, u.Email
		return domain.Audit(tx, a, "user.password_set", "user", &u.ID, nil, nil, map[string]any{"via": "link", "sessions_ended": n, "tokens_revoked": tokens}, "")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ChangeOwnPassword lets a signed-in person change their password, which
// needs the current one (a field error "current" when it is wrong). Their
// other sessions end — the one they use (keepSessionID) stays — and any
// unused set-password link of theirs expires.
func ChangeOwnPassword(ctx context.Context, db *gorm.DB, who domain.Caller, userID int64, current, password string, keepSessionID int64) error {
	u, err := FindUser(ctx, db, userID)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	if !CheckPassword(u.PasswordHash, current) {
		v.AddKey("current", "err.current_password")
	}
	if m := PasswordRuleMessage(password); m != nil {
		v.AddKey("password", m.Key, m.Args...)
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Matching the old hash makes a concurrent change of the same password stale.
		res := tx.Model(&domain.User{}).Where("id = ? AND password_hash = ?", u.ID, u.PasswordHash).Updates(map[string]any{
			"password_hash": hash, "password_changed_at": who.Now, "version": gorm.Expr("version + 1"), "updated_at": who.Now,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrStale
		}
		res = tx.Model(&Session{}).Where("user_id = ? AND ended_at IS NULL AND id <> ?", u.ID, keepSessionID).
			Updates(map[string]any{"ended_at": who.Now, "ended_reason": EndPassword})
		if res.Error != nil {
			return res.Error
		}
		ended := res.RowsAffected
		if err := expirePasswordTokens(tx, u.ID, who.Now); err != nil {
			return err
		}
		tokens, err := revokeUserTokens(tx, u.ID, who.Now)
		if err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "user.password_set", "user", &u.ID, nil, nil, map[string]any{"via": "own", "sessions_ended": ended, "tokens_revoked": tokens}, "")
	})
}

// RedactPath hides the secret part of paths that carry one (one-time
// set-password links), so that logs never hold a usable link.
func RedactPath(p string) string {
	if strings.HasPrefix(p, "/set-password/") {
		return "/set-password/…"
	}
	return p
}
