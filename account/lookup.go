package account

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"naptracker/domain"

	"gorm.io/gorm"
)

// Every page view and every API call finds its session or token and the
// user behind it. Through gorm that was two queries, each scanned by
// reflection; these read both in one query into the fields directly.
// lookupColumns lists the columns read, in the order scanned, and
// TestLookupReadsEveryColumn holds the lists equal to the tables' models,
// so that a column added to a model cannot be silently left unread.

// userColumns are the users columns read with a session or token.
var userColumns = []string{"id", "email", "name", "role", "organisation_id", "password_hash", "language",
	"disabled_at", "last_login_at", "totp_secret", "totp_enabled_at", "totp_last_step", "password_changed_at",
	"version", "created_at", "updated_at"}

func userFields(u *domain.User) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.Role, &u.OrganisationID, &u.PasswordHash, &u.Language,
		&u.DisabledAt, &u.LastLoginAt, &u.TOTPSecret, &u.TOTPEnabledAt, &u.TOTPLastStep, &u.PasswordChangedAt,
		&u.Version, &u.CreatedAt, &u.UpdatedAt}
}

// sessionColumns are the sessions columns read.
var sessionColumns = []string{"id", "token_hash", "user_id", "csrf_token", "mfa_passed", "created_at", "last_seen_at",
	"expires_at", "ended_at", "ended_reason", "client_ip", "user_agent", "password_checked_at"}

func sessionFields(s *Session) []any {
	return []any{&s.ID, &s.TokenHash, &s.UserID, &s.CSRFToken, &s.MFAPassed, &s.CreatedAt, &s.LastSeenAt,
		&s.ExpiresAt, &s.EndedAt, &s.EndedReason, &s.ClientIP, &s.UserAgent, &s.PasswordCheckedAt}
}

// tokenColumns are the api_tokens columns read.
var tokenColumns = []string{"id", "user_id", "name", "prefix", "token_hash", "created_at", "last_used_at",
	"expires_at", "revoked_at"}

func tokenFields(t *APIToken) []any {
	return []any{&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.TokenHash, &t.CreatedAt, &t.LastUsedAt,
		&t.ExpiresAt, &t.RevokedAt}
}

// selectList is "a.c1, a.c2, …, b.c1, …" for the columns of two tables.
func selectList(a string, aCols []string, b string, bCols []string) string {
	cols := make([]string, 0, len(aCols)+len(bCols))
	for _, c := range aCols {
		cols = append(cols, a+"."+c)
	}
	for _, c := range bCols {
		cols = append(cols, b+"."+c)
	}
	return strings.Join(cols, ", ")
}

var (
	sessionQuery = "SELECT " + selectList("s", sessionColumns, "u", userColumns) +
		" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.ended_at IS NULL"
	tokenQuery = "SELECT " + selectList("t", tokenColumns, "u", userColumns) +
		" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL"
)

// lookupWithUser runs one of the queries above for a secret's hash and
// scans the row into fields; domain.ErrNotFound when there is none.
func lookupWithUser(ctx context.Context, db *gorm.DB, query, hash string, fields []any) error {
	err := db.WithContext(ctx).Raw(query, hash).Row().Scan(fields...)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ErrNotFound
	}
	return err
}
