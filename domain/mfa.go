package domain

import "time"

// RecoveryCode is a one-time code that replaces the authenticator app when
// it is lost; only its hash is stored.
type RecoveryCode struct {
	ID       int64
	UserID   int64
	CodeHash string
	UsedAt   *time.Time
}

// PasswordToken is a one-time link to set a password, for new accounts and resets.
type PasswordToken struct {
	ID          int64
	UserID      int64
	TokenHash   string
	CreatedByID *int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      *time.Time
}
