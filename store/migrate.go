package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
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
	// ForeignKeysOff: on SQLite the migration rebuilds a table that others
	// reference, which must run with foreign keys off (SQLite cannot alter a
	// constraint in place). Its SQL carries the line
	// "-- naptracker:foreign-keys-off"; Migrate then checks every foreign key
	// before it commits.
	ForeignKeysOff bool
}

// foreignKeysOffMarker is the line that sets Migration.ForeignKeysOff.
const foreignKeysOffMarker = "-- naptracker:foreign-keys-off"

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
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b),
			ForeignKeysOff: dialect == "sqlite" && strings.Contains(string(b), "\n"+foreignKeysOffMarker+"\n")})
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
// roll-ups, which are then rebuilt from the values (0012: the completeness
// roll-ups). The package that owns the roll-ups registers them
// (RegisterAfterMigration), since it sits above the store; stepsNeeded
// makes Migrate refuse to apply such a migration without its step.
var (
	afterMigration = map[int]func(tx *gorm.DB) error{}
	stepsNeeded    = []int{10, 12}
)

// RegisterAfterMigration sets the Go step that runs right after migration
// version, in its transaction. Packages call it from init.
func RegisterAfterMigration(version int, step func(tx *gorm.DB) error) {
	afterMigration[version] = step
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
	fkOff := dialect == "sqlite" && pendingNeedForeignKeysOff(ctx, db, migs)
	// One connection, so that foreign keys can be turned off (outside the
	// transaction, the only place SQLite allows it) for the migrations
	// that need it, and back on before the connection returns to the pool.
	err = db.WithContext(ctx).Connection(func(conn *gorm.DB) (err error) {
		if fkOff {
			if err := conn.Exec("PRAGMA foreign_keys = OFF").Error; err != nil {
				return err
			}
			defer func() {
				if e := conn.Exec("PRAGMA foreign_keys = ON").Error; err == nil {
					err = e
				}
			}()
		}
		return migrateIn(conn, dialect, migs, fkOff, &applied)
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// pendingNeedForeignKeysOff reports whether a migration not applied yet
// asks for foreign keys off. The answer is read before the migration
// transaction; a second instance that finds the work done meanwhile only
// runs its empty transaction with foreign keys off.
func pendingNeedForeignKeysOff(ctx context.Context, db *gorm.DB, migs []Migration) bool {
	var done []int
	var tables int64
	if err := db.WithContext(ctx).Raw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").Scan(&tables).Error; err != nil || tables == 1 {
		if err := db.WithContext(ctx).Raw("SELECT version FROM schema_migrations").Scan(&done).Error; err != nil {
			return true // cannot tell: the safe way
		}
	}
	for _, m := range migs {
		if m.ForeignKeysOff && !slices.Contains(done, m.Version) {
			return true
		}
	}
	return false
}

// migrateIn applies the pending migrations in one transaction on conn.
func migrateIn(conn *gorm.DB, dialect string, migs []Migration, fkOff bool, applied *[]string) error {
	return conn.Transaction(func(tx *gorm.DB) error {
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
			if slices.Contains(stepsNeeded, m.Version) && afterMigration[m.Version] == nil {
				return fmt.Errorf("migration %s needs its Go step, which no package registered (import naptracker/reporting)", m.Name)
			}
			if err := tx.Exec(m.SQL).Error; err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if err := tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC()).Error; err != nil {
				return err
			}
			*applied = append(*applied, m.Name)
			if after := afterMigration[m.Version]; after != nil {
				if err := after(tx); err != nil {
					return fmt.Errorf("after migration %s: %w", m.Name, err)
				}
			}
		}
		if fkOff {
			var broken []map[string]any
			if err := tx.Raw("PRAGMA foreign_key_check").Scan(&broken).Error; err != nil {
				return err
			}
			if len(broken) > 0 {
				return fmt.Errorf("migrations leave %d rows with broken foreign keys, first %v", len(broken), broken[0])
			}
		}
		return nil
	})
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
