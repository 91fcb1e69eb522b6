// Package modelstest gives each test a fresh database: a new SQLite file by
// default, or, when TEST_DATABASE_URL is set, a new PostgreSQL database (a
// copy of a template) or schema (an empty one, from DSN).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"naptracker/store"

	"gorm.io/gorm"
)

// DSN returns the connection string of a fresh, empty database for t and
// registers its removal. Callers that need the raw DSN (to start a server
// process, say) use it; most tests call New.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return filepath.Join(t.TempDir(), "test.db")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := store.Open(base, nil)
	if err != nil {
		t.Fatalf("open TEST_DATABASE_URL: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if s, err := admin.DB(); err == nil {
			s.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// New opens a fresh, migrated database for t and closes it when t ends.
// The database is a copy of one migrated once per test process (see Clone).
func New(t testing.TB) *gorm.DB {
	t.Helper()
	return Open(t, MigratedDSN(t))
}

// MigratedDSN returns the connection string of a fresh, migrated database
// for t (a copy of the process's migrated template) and registers its removal.
func MigratedDSN(t testing.TB) string {
	t.Helper()
	return MigratedWith(t, "migrated", func(context.Context, *gorm.DB) error { return nil })
}

// MigratedWith returns the connection string of a fresh copy of the
// template name, a migrated database on which fill ran once for the test
// process, and registers its removal.
func MigratedWith(t testing.TB, name string, fill func(context.Context, *gorm.DB) error) string {
	t.Helper()
	return Clone(t, name, func(dsn string) error {
		db, err := store.Open(dsn, nil)
		if err != nil {
			return err
		}
		defer func() {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		}()
		ctx := context.Background()
		if _, err := store.Migrate(ctx, db); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return fill(ctx, db)
	})
}

// Open opens dsn and closes it when t ends, without migrating.
func Open(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	db, err := store.Open(dsn, nil)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	return db
}

// AllOnPostgresEnv, set to 1, makes the tests that check nothing the
// database decides (a browser's layout and scripts, LibreOffice's reading of
// a workbook) run on PostgreSQL too; by default they run on SQLite only.
const AllOnPostgresEnv = "NAPTRACKER_TEST_ALL_ON_POSTGRES"

// OnSecondDatabase reports whether a test that checks nothing the database
// decides should leave out what is database-independent: the suite is
// running on PostgreSQL (TEST_DATABASE_URL), where it has run already on
// SQLite in CI, and AllOnPostgresEnv is not set. What such tests check of
// the server's answers is covered on both databases by the HTTP tests.
func OnSecondDatabase() bool {
	return os.Getenv("TEST_DATABASE_URL") != "" && os.Getenv(AllOnPostgresEnv) != "1"
}

// SkipOnSecondDatabase skips a database-independent test when OnSecondDatabase.
func SkipOnSecondDatabase(t testing.TB, what string) {
	t.Helper()
	if OnSecondDatabase() {
		t.Skipf("%s does not depend on the database: run on SQLite only (%s=1 runs it on PostgreSQL too)", what, AllOnPostgresEnv)
	}
}

// Must stops the test at a setup step that failed (a row the test builds
// its case on could not be written).
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
