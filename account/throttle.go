package account

import (
	"context"
	"errors"
	"math"
	"slices"
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

// ThrottlePolicy says how sign-in failures slow further attempts: once a
// key has Free failures, each further attempt waits Base, doubling with
// every failure up to Max.
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

// ThrottleKey is one throttle an attempt counts against, with its policy.
type ThrottleKey struct {
	Key    string
	Policy ThrottlePolicy
}

// delay is how long a key with this many failures waits before its next
// attempt: nothing below Free, then Base, doubling up to Max.
func (p ThrottlePolicy) delay(failures int) time.Duration {
	over := failures - p.Free
	if over < 0 {
		return 0
	}
	d := time.Duration(float64(p.Base) * math.Pow(2, float64(min(over, 20))))
	return min(d, p.Max)
}

// lockThrottle reads a key's row for update inside tx, creating it first
// when the key has none.
func lockThrottle(tx *gorm.DB, key string) (LoginThrottle, error) {
	var t LoginThrottle
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", key).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		t = LoginThrottle{Key: key}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&t).Error; err != nil {
			return t, err
		}
		err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", key).Take(&t).Error
	}
	return t, err
}

// countFailure adds one failure to t under pol at now, blocking the key
// once the failures reach pol.Free.
func countFailure(t *LoginThrottle, pol ThrottlePolicy, now time.Time) {
	if now.Sub(t.LastFailure) > pol.Forget {
		t.Failures = 0
	}
	t.Failures++
	t.LastFailure = now
	t.BlockedUntil = nil
	if d := pol.delay(t.Failures); d > 0 {
		u := now.Add(d).Truncate(time.Millisecond)
		t.BlockedUntil = &u
	}
}

// RecordLoginFailure counts a failure against a key under a policy and
// returns until when the key is now blocked (zero when it is not).
func RecordLoginFailure(ctx context.Context, db *gorm.DB, pol ThrottlePolicy, key string, now time.Time) (time.Time, error) {
	var until time.Time
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t, err := lockThrottle(tx, key)
		if err != nil {
			return err
		}
		countFailure(&t, pol, now)
		if t.BlockedUntil != nil {
			until = *t.BlockedUntil
		}
		return tx.Save(&t).Error
	})
	return until, err
}

// Reservation is an attempt already counted as a failure against its keys
// before the secret was checked. Release takes it back when the attempt
// turned out not to be a failure (right password, or the server too busy
// to check it).
type Reservation struct {
	keys []reserved
}

type reserved struct {
	key       string
	prev, set *time.Time
}

// ReserveAttempt counts an attempt as a failure against every key, in one
// transaction and before the password is checked, so that parallel
// attempts cannot all pass a throttle that only learns of failures
// afterwards: of a burst, only as many as the keys have free failures get
// through. When any key is blocked nothing is counted, and the time until
// which it is blocked is returned instead of a reservation.
func ReserveAttempt(ctx context.Context, db *gorm.DB, now time.Time, keys ...ThrottleKey) (*Reservation, time.Time, error) {
	keys = slices.Clone(keys)
	// Lock the rows in one order, so that two attempts never wait on each other.
	slices.SortFunc(keys, func(a, b ThrottleKey) int { return strings.Compare(a.Key, b.Key) })
	var res *Reservation
	var until time.Time
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows := make([]LoginThrottle, len(keys))
		for i, k := range keys {
			t, err := lockThrottle(tx, k.Key)
			if err != nil {
				return err
			}
			if t.BlockedUntil != nil && t.BlockedUntil.After(now) && t.BlockedUntil.After(until) {
				until = *t.BlockedUntil
			}
			rows[i] = t
		}
		if !until.IsZero() {
			return nil
		}
		res = &Reservation{}
		for i, k := range keys {
			t := &rows[i]
			prev := t.BlockedUntil
			countFailure(t, k.Policy, now)
			res.keys = append(res.keys, reserved{key: k.Key, prev: prev, set: t.BlockedUntil})
			if err := tx.Save(t).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return res, until, nil
}

// Release takes the reservation back: one failure less on each key, and a
// block that the reservation itself set is lifted (an older one is kept).
func (r *Reservation) Release(ctx context.Context, db *gorm.DB) error {
	if r == nil || len(r.keys) == 0 {
		return nil
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, k := range r.keys {
			var t LoginThrottle
			err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", k.key).Take(&t).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				continue // cleared meanwhile by a successful sign-in
			}
			if err != nil {
				return err
			}
			t.Failures = max(t.Failures-1, 0)
			if t.BlockedUntil != nil && k.set != nil && sameInstant(*t.BlockedUntil, *k.set) {
				t.BlockedUntil = k.prev
			}
			if err := tx.Save(&t).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// sameInstant compares two times to the millisecond, the precision a
// block is stored with on both databases.
func sameInstant(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

// ClearLoginFailures forgets the failures of a key after a successful sign-in.
func ClearLoginFailures(ctx context.Context, db *gorm.DB, key string) error {
	return db.WithContext(ctx).Where("key = ?", key).Delete(&LoginThrottle{}).Error
}
