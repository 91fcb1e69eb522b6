package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"naptracker/seed"
	"naptracker/store"

	"gorm.io/gorm"
)

// A template is a database prepared once per test process (migrated, say,
// or migrated and seeded) that tests copy instead of preparing their own:
// a copy of the SQLite file, or a PostgreSQL CREATE DATABASE … TEMPLATE.
// Being built by the running test binary, a template always matches the
// migrations and seed compiled into it; nothing is cached between runs.
type template struct {
	once sync.Once
	dsn  string // the SQLite file, or the PostgreSQL database name
	err  error
}

var (
	templatesMu sync.Mutex
	templates   = map[string]*template{}
	cloneSeq    atomic.Int64
	// procTag names this process's PostgreSQL databases: naptest_<pid>_<random>_….
	// Databases of test processes that are gone (killed by a timeout, say)
	// are dropped by the next process that makes a template.
	procTag = func() string {
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		return "naptest_" + strconv.Itoa(os.Getpid()) + "_" + hex.EncodeToString(b)
	}()
	sqliteTemplateDir string
)

// Clone returns the connection string of a fresh copy of the template
// called name, building the template on first use in this process with
// build, which gets the connection string of an empty database and must
// close every connection it opened before it returns. The copy is removed
// when t ends (the caller closes its own connections first: register their
// closing after calling Clone). On SQLite the copy is a file called
// naptracker.db in a directory of its own, and so is the file build gets
// (app.Config's DataDir is its directory).
func Clone(t testing.TB, name string, build func(dsn string) error) string {
	t.Helper()
	templatesMu.Lock()
	tpl := templates[name]
	if tpl == nil {
		tpl = &template{}
		templates[name] = tpl
	}
	templatesMu.Unlock()
	base := os.Getenv("TEST_DATABASE_URL")
	tpl.once.Do(func() {
		if base == "" {
			tpl.dsn, tpl.err = buildSQLiteTemplate(name, build)
		} else {
			tpl.dsn, tpl.err = buildPostgresTemplate(base, name, build)
		}
	})
	if tpl.err != nil {
		t.Fatalf("template database %q: %v", name, tpl.err)
	}
	if base == "" {
		dst := filepath.Join(t.TempDir(), "naptracker.db")
		if err := copyFile(tpl.dsn, dst); err != nil {
			t.Fatalf("copy template database %q: %v", name, err)
		}
		return dst
	}
	db := fmt.Sprintf("%s_%d", procTag, cloneSeq.Add(1))
	admin, err := adminDB(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Exec(`CREATE DATABASE "` + db + `" TEMPLATE "` + tpl.dsn + `"`).Error; err != nil {
		t.Fatalf("clone template database %q: %v", name, err)
	}
	t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS "` + db + `" WITH (FORCE)`) })
	dsn, err := withDatabase(base, db)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

func buildSQLiteTemplate(name string, build func(string) error) (string, error) {
	templatesMu.Lock()
	if sqliteTemplateDir == "" {
		dir, err := os.MkdirTemp("", "naptracker-test-templates-")
		if err != nil {
			templatesMu.Unlock()
			return "", err
		}
		sqliteTemplateDir = dir
	}
	dir := sqliteTemplateDir
	templatesMu.Unlock()
	file := filepath.Join(dir, name, "naptracker.db")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return "", err
	}
	if err := build(file); err != nil {
		return "", err
	}
	// The builder has closed its connections, which checkpoints the WAL
	// into the file; check that, so that a copy of the file is complete.
	if st, err := os.Stat(file + "-wal"); err == nil && st.Size() > 0 {
		return "", fmt.Errorf("%s-wal is not empty after the builder closed the database", file)
	}
	return file, nil
}

func buildPostgresTemplate(base, name string, build func(string) error) (string, error) {
	admin, err := adminDB(base)
	if err != nil {
		return "", err
	}
	dropStaleDatabases(admin, base)
	db := procTag + "_tpl_" + name
	if err := admin.Exec(`CREATE DATABASE "` + db + `"`).Error; err != nil {
		return "", err
	}
	dsn, err := withDatabase(base, db)
	if err != nil {
		return "", err
	}
	if err := build(dsn); err != nil {
		return "", err
	}
	return db, nil
}

// CleanupTemplates removes this process's template databases. TestMain may
// call it after m.Run; templates left behind are removed by a later test
// process anyway.
func CleanupTemplates() {
	templatesMu.Lock()
	defer templatesMu.Unlock()
	for name, tpl := range templates {
		if tpl.err == nil && tpl.dsn != "" {
			if base := os.Getenv("TEST_DATABASE_URL"); base != "" {
				if admin, err := adminDB(base); err == nil {
					admin.Exec(`DROP DATABASE IF EXISTS "` + tpl.dsn + `" WITH (FORCE)`)
				}
			}
		}
		delete(templates, name)
	}
	if sqliteTemplateDir != "" {
		os.RemoveAll(sqliteTemplateDir)
		sqliteTemplateDir = ""
	}
}

// dropStaleDatabases drops the databases of test processes on this machine
// that no longer run (a test binary killed by its timeout cannot clean up).
func dropStaleDatabases(admin *gorm.DB, base string) {
	u, err := url.Parse(base)
	if err != nil {
		return
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1", "":
	default:
		return // the process ids of another machine's tests mean nothing here
	}
	var names []string
	if admin.Raw(`SELECT datname FROM pg_database WHERE datname LIKE 'naptest\_%'`).Scan(&names).Error != nil {
		return
	}
	for _, n := range names {
		parts := strings.SplitN(n, "_", 3)
		if len(parts) < 3 {
			continue
		}
		pid, err := strconv.Atoi(parts[1])
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // not ours, or the process still runs
		}
		admin.Exec(`DROP DATABASE IF EXISTS "` + n + `" WITH (FORCE)`)
	}
}

var (
	adminOnce sync.Once
	admin     *gorm.DB
	adminErr  error
)

// adminDB is one connection pool to TEST_DATABASE_URL for the whole process,
// to create and drop databases.
func adminDB(base string) (*gorm.DB, error) {
	adminOnce.Do(func() {
		admin, adminErr = store.Open(base, nil)
		if adminErr != nil {
			adminErr = fmt.Errorf("open TEST_DATABASE_URL: %w", adminErr)
			return
		}
		if s, err := admin.DB(); err == nil {
			s.SetMaxOpenConns(4)
		}
	})
	return admin, adminErr
}

// withDatabase returns base with its database name replaced by db.
func withDatabase(base, db string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse TEST_DATABASE_URL: %w", err)
	}
	u.Path = "/" + db
	return u.String(), nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Main runs the tests of a package that uses templates and removes the
// templates afterwards: func TestMain(m *testing.M) { storetest.Main(m) }.
func Main(m *testing.M) {
	RaiseParallel()
	code := m.Run()
	CleanupTemplates()
	os.Exit(code)
}

// Demo returns a fresh copy of a database holding the demo plan loaded for
// day (a template per calendar day, seeded once per test process) and
// registers its removal.
func Demo(t testing.TB, day time.Time) *gorm.DB {
	t.Helper()
	name := "demo-" + day.UTC().Format("20060102")
	return Open(t, MigratedWith(t, name, func(ctx context.Context, db *gorm.DB) error {
		if _, err := seed.Demo(ctx, db, day); err != nil {
			return fmt.Errorf("seed the demo plan: %w", err)
		}
		return nil
	}))
}

// RaiseParallel lets more tests that called t.Parallel run at once than
// go test's default (GOMAXPROCS), unless -test.parallel was given: most of
// these tests wait — on a database, on Chromium, on a server they started —
// more than they compute, so with two at a time the processor stays idle
// for half the run. TestMain calls it before m.Run.
func RaiseParallel() {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
}
