// Package modelstest gives each test a fresh, migrated database: a new SQLite
// file by default, or a new PostgreSQL schema when TEST_DATABASE_URL is set.
package modelstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"naptracker/models"

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
	admin, err := models.Open(base, nil)
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
func New(t testing.TB) *gorm.DB {
	t.Helper()
	db := Open(t, DSN(t))
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// Open opens dsn and closes it when t ends, without migrating.
func Open(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	db, err := models.Open(dsn, nil)
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
