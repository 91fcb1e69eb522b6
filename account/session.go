package account

import (
	"context"
	"time"

	"naptracker/domain"

	"gorm.io/gorm"
)

// Reasons a session ended, kept on the row for the user's session list and the audit log.
const (
	EndLogout   = "logout"
	EndIdle     = "idle timeout"
	EndExpired  = "absolute timeout"
	EndByUser   = "ended by the user"
	EndByAdmin  = "ended by an administrator"
	EndDisabled = "account disabled"
	EndRotated  = "replaced by a new session"
	EndPassword = "password changed"
	EndRole     = "role changed"
	EndMFAReset = "second factor reset"
)

// Session is a signed-in browser, stored on the server so that several
// instances share it and so that ending it takes effect at the next request.
// The cookie holds the token; the table holds only its hash.
type Session struct {
	ID          int64
	TokenHash   string
	UserID      int64
	CSRFToken   string `gorm:"column:csrf_token"`
	MFAPassed   bool   `gorm:"column:mfa_passed"`
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ExpiresAt   time.Time
	EndedAt     *time.Time
	EndedReason string
	ClientIP    string `gorm:"column:client_ip"`
	UserAgent   string
	// PasswordCheckedAt is when the user last typed their password in this
	// session (signing in, or confirming it for a high-value action); nil
	// counts as long ago.
	PasswordCheckedAt *time.Time
}

// RecentPasswordWindow is how long a password check lets high-value
// actions (role change, disabling an account, a privileged user's API
// token, resetting a second factor) go ahead without asking again.
const RecentPasswordWindow = 5 * time.Minute

// PasswordRecent reports whether the session's user typed their password
// less than RecentPasswordWindow before now.
func (s *Session) PasswordRecent(now time.Time) bool {
	return s.PasswordCheckedAt != nil && now.Sub(*s.PasswordCheckedAt) < RecentPasswordWindow
}

// SetPasswordChecked records when the session's user last typed their
// password (nil: never, which counts as long ago).
func SetPasswordChecked(ctx context.Context, db *gorm.DB, s *Session, at *time.Time) error {
	if err := db.WithContext(ctx).Model(&Session{}).Where("id = ?", s.ID).Update("password_checked_at", at).Error; err != nil {
		return err
	}
	s.PasswordCheckedAt = at
	return nil
}

// SessionPolicy holds the timeouts of sessions.
type SessionPolicy struct {
	Idle     time.Duration // ends after this long without a request (default 30 min)
	Absolute time.Duration // ends this long after sign-in whatever happens (default 12 h)
}

// DefaultSessionPolicy is ASVS level 2's suggestion for an internal application.
var DefaultSessionPolicy = SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}

// touchEvery limits how often a request writes last_seen_at, so that reading
// pages does not turn into a stream of writes; idle timeouts are accurate to it.
const touchEvery = time.Minute

// CreateSession starts a session for u and returns the token for the
// cookie. Every session starts from a sign-in with the password, so its
// password check is recorded at now.
func CreateSession(ctx context.Context, db *gorm.DB, pol SessionPolicy, u *domain.User, mfaPassed bool, ip, userAgent string, now time.Time) (string, *Session, error) {
	token := NewSecret()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	s := &Session{
		TokenHash: HashSecret(token), UserID: u.ID, CSRFToken: NewSecret(), MFAPassed: mfaPassed,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(pol.Absolute), ClientIP: ip, UserAgent: userAgent,
		PasswordCheckedAt: &now,
	}
	if err := db.WithContext(ctx).Create(s).Error; err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// LookupSession finds the live session of a cookie token and its user. It
// returns ErrNotFound for an unknown or ended token, and ends (and returns
// ErrNotFound for) a session that is past its idle or absolute timeout or
// whose user is disabled. It refreshes last_seen_at at most once a minute.
func LookupSession(ctx context.Context, db *gorm.DB, pol SessionPolicy, token string, now time.Time) (*Session, *domain.User, error) {
	if token == "" {
		return nil, nil, domain.ErrNotFound
	}
	db = db.WithContext(ctx)
	var s Session
	var u domain.User
	if err := lookupWithUser(ctx, db, sessionQuery, HashSecret(token), sessionCols, &s, &u); err != nil {
		return nil, nil, err
	}
	reason := ""
	switch {
	case u.Disabled():
		reason = EndDisabled
	case !now.Before(s.ExpiresAt):
		reason = EndExpired
	case now.Sub(s.LastSeenAt) >= pol.Idle:
		reason = EndIdle
	}
	if reason != "" {
		if err := EndSession(ctx, db, s.ID, reason, now); err != nil {
			return nil, nil, err
		}
		return nil, nil, domain.ErrNotFound
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		s.LastSeenAt = now
		if err := db.Model(&Session{}).Where("id = ?", s.ID).Update("last_seen_at", now).Error; err != nil {
			return nil, nil, err
		}
	}
	return &s, &u, nil
}

// EndSession ends one session; ending an ended session changes nothing.
func EndSession(ctx context.Context, db *gorm.DB, id int64, reason string, now time.Time) error {
	return db.WithContext(ctx).Model(&Session{}).Where("id = ? AND ended_at IS NULL", id).
		Updates(map[string]any{"ended_at": now, "ended_reason": reason}).Error
}

// EndUserSessions ends every live session of a user (on disabling, password
// or role change) and returns how many it ended.
func EndUserSessions(ctx context.Context, db *gorm.DB, userID int64, reason string, now time.Time) (int64, error) {
	res := db.WithContext(ctx).Model(&Session{}).Where("user_id = ? AND ended_at IS NULL", userID).
		Updates(map[string]any{"ended_at": now, "ended_reason": reason})
	return res.RowsAffected, res.Error
}

// ActiveSessions lists a user's live sessions, newest first.
func ActiveSessions(ctx context.Context, db *gorm.DB, pol SessionPolicy, userID int64, now time.Time) ([]Session, error) {
	var out []Session
	err := db.WithContext(ctx).
		Where("user_id = ? AND ended_at IS NULL AND expires_at > ? AND last_seen_at > ?", userID, now, now.Add(-pol.Idle)).
		Order("last_seen_at DESC").Find(&out).Error
	return out, err
}
