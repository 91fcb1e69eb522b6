package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"naptracker/store"
	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// Two transactions that lock two rows in opposite orders deadlock on a
// real PostgreSQL; the loser's error is retryable, other errors are not.
func TestDeadlockIsRetryable(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	if !store.IsPostgres(db) {
		t.Skip("deadlock detection is PostgreSQL's; SQLite has one writer at a time (run with TEST_DATABASE_URL)")
	}
	ctx := context.Background()
	if err := db.Exec("CREATE TABLE deadlock_probe (id int PRIMARY KEY, n int)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO deadlock_probe VALUES (1, 0), (2, 0)").Error; err != nil {
		t.Fatal(err)
	}
	// Each transaction locks its first row, waits until the other has
	// locked its own, then asks for the other's row.
	var locked sync.WaitGroup
	locked.Add(2)
	cross := func(first, second int) error {
		return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("UPDATE deadlock_probe SET n = n + 1 WHERE id = ?", first).Error; err != nil {
				return err
			}
			locked.Done()
			locked.Wait()
			return tx.Exec("UPDATE deadlock_probe SET n = n + 1 WHERE id = ?", second).Error
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- cross(1, 2) }()
	go func() { errs <- cross(2, 1) }()
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) {
		t.Fatalf("want exactly one transaction to lose the deadlock: %v / %v", e1, e2)
	}
	lost := errors.Join(e1, e2)
	if !store.IsRetryable(lost) || store.SQLState(lost) != "40P01" {
		t.Errorf("the loser's error %v (SQLSTATE %q) is not a retryable deadlock", lost, store.SQLState(lost))
	}
	dup := db.Exec("INSERT INTO deadlock_probe VALUES (1, 0)").Error
	if dup == nil || store.IsRetryable(dup) {
		t.Errorf("a duplicate key (%v) must not be retried", dup)
	}
	if store.IsRetryable(gorm.ErrRecordNotFound) || store.IsRetryable(nil) {
		t.Error("errors that are not PostgreSQL's must not be retried")
	}
}
