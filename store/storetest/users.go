package storetest

import (
	"context"
	"sync"

	"naptracker/account"
	"naptracker/domain"

	"gorm.io/gorm"
)

// hashes holds, per password, the one argon2id hash the test process made
// of it.
var hashes sync.Map

// CreateUser is account.CreateUser for tests' fixtures: users with the same
// password share one hash (salt included), made once per test process.
// Each hash otherwise costs an argon2id computation (19 MiB, a tenth of a
// second, several times that under the race detector) and a hashing slot.
// Signing in still verifies the password against it with argon2id.
func CreateUser(ctx context.Context, db *gorm.DB, actor domain.Actor, u *domain.User, password string) error {
	if err := account.ValidateNewUser(u, password); err != nil {
		return err
	}
	h, ok := hashes.Load(password)
	if !ok {
		hash, err := account.HashPassword(password)
		if err != nil {
			return err
		}
		h, _ = hashes.LoadOrStore(password, hash)
	}
	return account.CreateUserWithHash(ctx, db, actor, u, h.(string))
}
