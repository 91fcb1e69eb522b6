package models

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LoginThrottle counts failed sign-ins for one key ("account:<email>" or
// "ip:<address>") in the database, so the count survives a restart and is
// shared between instances.
type LoginThrottle struct {
	Key          string `gorm:"primaryKey"`
	Failures     int
	LastFailure  time.Time
	BlockedUntil *time.Time
}

// ThrottlePolicy says how sign-in failures slow further attempts: after
// Free failures each further one blocks the key for Base, doubling up to Max.
// Failures older than Forget are forgotten. There is never a permanent lock,
// so an attacker cannot lock a minister out for good.
type ThrottlePolicy struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// DefaultThrottlePolicy: 5 free failures per account (20 per address), then
// 30 s, 1 min, 2 min … up to 15 min between attempts.
var DefaultThrottlePolicy = ThrottlePolicy{Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}

// AccountKey and AddressKey name the two throttles of a sign-in attempt.
func AccountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }

// AddressKey names the throttle of a client address.
func AddressKey(ip string) string { return "ip:" + ip }

// ThrottledUntil returns the time until which any of the keys is blocked,
// or the zero time when none is.
func ThrottledUntil(ctx context.Context, db *gorm.DB, now time.Time, keys ...string) (time.Time, error) {
	var rows []LoginThrottle
	if err := db.WithContext(ctx).Where("key IN ? AND blocked_until > ?", keys, now).Find(&rows).Error; err != nil {
		return time.Time{}, err
	}
	var until time.Time
	for _, r := range rows {
		if r.BlockedUntil.After(until) {
			until = *r.BlockedUntil
		}
	}
	return until, nil
}

// RecordLoginFailure counts a failure against a key under a policy and
// returns until when the key is now blocked (zero when it is not).
func RecordLoginFailure(ctx context.Context, db *gorm.DB, pol ThrottlePolicy, key string, now time.Time) (time.Time, error) {
	var until time.Time
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t LoginThrottle
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", key).Take(&t).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			t = LoginThrottle{Key: key}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&t).Error; err != nil {
				return err
			}
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", key).Take(&t).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if now.Sub(t.LastFailure) > pol.Forget {
			t.Failures = 0
		}
		t.Failures++
		t.LastFailure = now
		t.BlockedUntil = nil
		if over := t.Failures - pol.Free; over > 0 {
			d := time.Duration(float64(pol.Base) * math.Pow(2, float64(min(over-1, 20))))
			if d > pol.Max {
				d = pol.Max
			}
			u := now.Add(d)
			t.BlockedUntil, until = &u, u
		}
		return tx.Save(&t).Error
	})
	return until, err
}

// ClearLoginFailures forgets the failures of a key after a successful sign-in.
func ClearLoginFailures(ctx context.Context, db *gorm.DB, key string) error {
	return db.WithContext(ctx).Where("key = ?", key).Delete(&LoginThrottle{}).Error
}
