package store

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to PostgreSQL when dsn is a postgres URL, else to the SQLite
// file at path dsn (created with its directory if missing). The SQLite
// connection has foreign keys on, WAL, a busy timeout and immediate
// transactions, so that concurrent writers queue instead of failing.
func Open(dsn string, log logger.Interface) (*gorm.DB, error) {
	return OpenWith(dsn, log, OpenOptions{})
}

// OpenOptions tune a connection pool for its use.
type OpenOptions struct {
	// SQLiteCacheKiB is the page cache of each SQLite connection in KiB
	// (0: SQLite's default, 2,000 KiB). Each pooled connection fills its
	// own: a command that reads a whole plan once, such as the workshop
	// report, gains nothing from them and sets a small one.
	SQLiteCacheKiB int
}

// OpenWith is Open with options.
func OpenWith(dsn string, log logger.Interface, o OpenOptions) (*gorm.DB, error) {
	if log == nil {
		log = logger.Discard
	}
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         log,
		NowFunc:        func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var dial gorm.Dialector
	if IsPostgresURL(dsn) {
		dial = postgres.Open(dsn)
	} else {
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		dsn = SQLiteDSN(dsn)
		if o.SQLiteCacheKiB > 0 {
			dsn += "&" + url.Values{"_pragma": {fmt.Sprintf("cache_size(-%d)", o.SQLiteCacheKiB)}}.Encode()
		}
		conn, err := openSQLite(dsn)
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		// Each connection keeps its prepared statements (stmtcache.go).
		dial = sqlite.New(sqlite.Config{Conn: conn})
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if IsPostgres(db) {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
	} else {
		// WAL lets readers run beside the single writer; BEGIN IMMEDIATE and
		// the busy timeout make writers wait their turn.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// SQLiteDSN turns a file path into the driver DSN with the pragmas NAP Tracker relies on.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_txlock", "immediate")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_timezone", "UTC")
	return path + "?" + q.Encode()
}

// IsPostgres reports whether db talks to PostgreSQL.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// Advisory lock keys, one per kind of start-up work that must not run twice at once.
const (
	LockBootstrap = 0x4e4151
)

// AdvisoryLock takes a PostgreSQL transaction-level advisory lock inside tx,
// released at commit or rollback, so that instances starting together take
// turns. On SQLite the immediate transaction already holds the database's
// write lock, so there is nothing more to take.
func AdvisoryLock(tx *gorm.DB, key int64) error {
	if !IsPostgres(tx) {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", key).Error
}

// IsSQLiteBusy reports whether err is SQLite's "database is locked"
// (SQLITE_BUSY): another connection held the write lock for longer than the
// busy timeout.
func IsSQLiteBusy(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked"))
}
