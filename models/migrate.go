package models

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations
var migrationFiles embed.FS

// migrationLockKey is the PostgreSQL advisory lock that serialises migrations
// between instances starting at the same time.
const migrationLockKey = 0x4e4150 // "NAP"

// Migration is one versioned, embedded SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations for the dialect ("postgres" or "sqlite") in order.
func Migrations(dialect string) ([]Migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", name)
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations share version %d", out[i].Version)
		}
	}
	return out, nil
}

// afterMigration holds the steps that must run in Go right after a
// migration, in its transaction: 0010 changed the shape of the indicator
// roll-ups, which are then rebuilt from the values.
var afterMigration = map[int]func(tx *gorm.DB) error{
	10: RebuildAllRollups,
	12: RebuildAllRollups, // the completeness roll-ups
}

// Migrate applies every pending migration in one transaction and returns the
// names of those it applied. On PostgreSQL the transaction first takes an
// advisory lock, so a second instance waits and then finds nothing to do; on
// SQLite the immediate transaction holds the write lock the same way.
func Migrate(ctx context.Context, db *gorm.DB) ([]string, error) {
	dialect := db.Dialector.Name()
	migs, err := Migrations(dialect)
	if err != nil {
		return nil, err
	}
	var applied []string
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if dialect == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error; err != nil {
				return fmt.Errorf("take migration lock: %w", err)
			}
		}
		if err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TIMESTAMP NOT NULL)`).Error; err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var done []int
		if err := tx.Raw("SELECT version FROM schema_migrations").Scan(&done).Error; err != nil {
			return err
		}
		have := map[int]bool{}
		for _, v := range done {
			have[v] = true
		}
		for _, m := range migs {
			if have[m.Version] {
				continue
			}
			if err := tx.Exec(m.SQL).Error; err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if err := tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC()).Error; err != nil {
				return err
			}
			applied = append(applied, m.Name)
			if after := afterMigration[m.Version]; after != nil {
				if err := after(tx); err != nil {
					return fmt.Errorf("after migration %s: %w", m.Name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// SchemaVersion returns the highest applied migration version (0 when none).
func SchemaVersion(ctx context.Context, db *gorm.DB) (int, error) {
	var v *int
	err := db.WithContext(ctx).Raw("SELECT MAX(version) FROM schema_migrations").Scan(&v).Error
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}
