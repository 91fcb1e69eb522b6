package account

import (
	"context"
	"strings"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// TokenPrefix starts every API token, so that leaked tokens are easy to
// recognise (and to search for in code).
const TokenPrefix = "napt_"

// APIToken lets a program use the JSON API as its user, with the user's role
// and organisation. Only the SHA-256 of the token is stored; Prefix keeps its
// first characters so that the owner can tell tokens apart.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Prefix     string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	// Recorded is set by LookupAPIToken when this use is the one it
	// recorded (the first, then at most one a minute): the caller writes the
	// token.use audit row then, not on every request.
	Recorded bool `gorm:"-"`
}

// CreateAPIToken makes a token for u and returns it; it is shown once and never again.
func CreateAPIToken(ctx context.Context, db *gorm.DB, who domain.Caller, u *domain.User, name string, expires *time.Time) (string, *APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return "", nil, domain.FieldError("name", "err.token_name")
	}
	if expires != nil && !expires.After(who.Now) {
		return "", nil, domain.FieldError("expires", "err.token_expires")
	}
	secret := TokenPrefix + NewSecret()
	t := &APIToken{UserID: u.ID, Name: name, Prefix: secret[:len(TokenPrefix)+6], TokenHash: HashSecret(secret), CreatedAt: who.Now, ExpiresAt: expires}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		return domain.Audit(tx, who.Actor, "token.create", "api_token", &t.ID, nil, nil, map[string]any{"user_id": u.ID, "name": name, "prefix": t.Prefix}, "")
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// LookupAPIToken finds the user of a live token; ErrNotFound for an unknown,
// revoked or expired token or a disabled user. It records the last use at
// most once a minute, and sets Recorded on the token when it did.
func LookupAPIToken(ctx context.Context, db *gorm.DB, secret string, now time.Time) (*APIToken, *domain.User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, nil, domain.ErrNotFound
	}
	db = db.WithContext(ctx)
	var t APIToken
	var u domain.User
	if err := lookupWithUser(ctx, db, tokenQuery, HashSecret(secret), tokenCols, &t, &u); err != nil {
		return nil, nil, err
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, nil, domain.ErrNotFound
	}
	if u.Disabled() {
		return nil, nil, domain.ErrNotFound
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		// Conditional, so that of parallel requests (on any instance) only
		// one records the use.
		res := db.Model(&APIToken{}).Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", t.ID, now.Add(-touchEvery)).
			Update("last_used_at", now)
		if res.Error != nil {
			return nil, nil, res.Error
		}
		t.LastUsedAt, t.Recorded = &now, res.RowsAffected == 1
	}
	return &t, &u, nil
}

// RevokeAPIToken revokes one of the user's tokens; ErrNotFound if it is not theirs.
func RevokeAPIToken(ctx context.Context, db *gorm.DB, who domain.Caller, userID, tokenID int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&APIToken{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", tokenID, userID).Update("revoked_at", who.Now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrNotFound
		}
		return domain.Audit(tx, who.Actor, "token.revoke", "api_token", &tokenID, nil, nil, nil, "")
	})
}

// revokeUserTokens revokes, inside tx, every API token of a user that is
// still live, and returns how many: a new password must also shut out a
// script or thief holding a token made with the old one.
func revokeUserTokens(tx *gorm.DB, userID int64, now time.Time) (int64, error) {
	res := tx.Model(&APIToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now)
	return res.RowsAffected, res.Error
}

// UserTokens lists a user's tokens that are not revoked, newest first.
func UserTokens(ctx context.Context, db *gorm.DB, userID int64) ([]APIToken, error) {
	var out []APIToken
	err := db.WithContext(ctx).Where("user_id = ? AND revoked_at IS NULL", userID).Order("created_at DESC, id DESC").Find(&out).Error
	return out, err
}

// TokenExpiry reads the optional last day of a token (YYYY-MM-DD). The
// token stops working at the midnight (UTC) that ends that day, which must
// be after today. An empty value means the token never expires (nil, true);
// ok is false for a value that is not a date in the future. The web form
// and the command line share it, so a date means the same in both.
func TokenExpiry(value string, now time.Time) (expires *time.Time, ok bool) {
	if value == "" {
		return nil, true
	}
	day, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return nil, false
	}
	end := day.AddDate(0, 0, 1)
	y, m, d := now.UTC().Date()
	if !day.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return nil, false
	}
	return &end, true
}
