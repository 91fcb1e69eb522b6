package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, two passes, one
// lane), which keeps a login under ~50 ms on a small server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Each argon2id computation takes argonMemory (19 MiB) and about a second of
// one core here, so a burst of sign-ins could exhaust memory. hashSlots
// bounds how many run at once: one per core, since more would only queue
// inside the scheduler while holding their memory.
var hashSlots = make(chan struct{}, max(1, runtime.NumCPU()))

// HashWait is how long a sign-in waits for a free hashing slot before the
// server answers that it is busy (503 with Retry-After).
var HashWait = 3 * time.Second

// ErrBusy means every password-hashing slot stayed taken for HashWait:
// the caller should answer 503 with Retry-After and not count the attempt.
var ErrBusy = errors.New("too many password checks at once")

// passwordChecks counts the argon2id verifications computed, so that tests
// can show a burst of sign-ins is throttled before any hash is computed
// (export_test.go reads it).
var passwordChecks atomic.Int64

// acquireHashSlot waits for a hashing slot for at most wait (forever when
// wait is negative), or until ctx ends; it returns ErrBusy when none came.
func acquireHashSlot(ctx context.Context, wait time.Duration) error {
	if wait < 0 {
		select {
		case hashSlots <- struct{}{}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case hashSlots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ErrBusy
	}
}

func releaseHashSlot() { <-hashSlots }

// HashPassword hashes a password with argon2id into a PHC-format string
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash). Unlike bcrypt it uses every byte
// of long (for example Lao) passphrases. Each hash has a new random salt.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := acquireHashSlot(context.Background(), -1); err != nil {
		return "", err
	}
	defer releaseHashSlot()
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the hash, in constant time,
// waiting as long as it takes for a hashing slot. An empty or malformed
// hash never matches. Sign-in uses VerifyPassword, which gives up when the
// server is saturated.
func CheckPassword(hash, password string) bool {
	ok, _ := verifyPassword(context.Background(), hash, password, -1)
	return ok
}

// VerifyPassword is CheckPassword for requests: it waits at most HashWait
// for a hashing slot (or until ctx ends) and then returns ErrBusy.
func VerifyPassword(ctx context.Context, hash, password string) (bool, error) {
	return verifyPassword(ctx, hash, password, HashWait)
}

func verifyPassword(ctx context.Context, hash, password string, wait time.Duration) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, nil
	}
	var version int
	var mem uint32
	var iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, nil
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, nil
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err := errors.Join(err1, err2); err != nil || len(want) == 0 {
		return false, nil
	}
	if err := acquireHashSlot(ctx, wait); err != nil {
		return false, err
	}
	defer releaseHashSlot()
	passwordChecks.Add(1)
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// RandomPassword returns a random password of n characters from an alphabet
// without look-alike letters, for demo accounts and one-time passwords.
func RandomPassword(n int) string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
