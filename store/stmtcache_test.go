package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"naptracker/store"
)

// TestSQLiteStatementCache tries what could go wrong when SQLite
// connections keep their statements: a query run again while the rows of
// the same query are still being read, inside and outside a transaction;
// more distinct statements than a connection keeps; a table changed after
// its statements were kept; and a failed statement.
func TestSQLiteStatementCache(t *testing.T) {
	t.Parallel()
	db, err := store.Open(filepath.Join(t.TempDir(), "cache.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	t.Cleanup(func() { sqlDB.Close() })
	sqlDB.SetMaxOpenConns(1) // one connection: every statement meets its cached self
	if err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`).Error; err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if err := db.Exec(`INSERT INTO t (n) VALUES (?)`, i*10).Error; err != nil {
			t.Fatal(err)
		}
	}

	// The same text, nested: the inner query must not reset the outer one's rows.
	const q = `SELECT id, n FROM t WHERE id >= ? ORDER BY id`
	nested := func(run func(query string, args ...any) ([][2]int, error)) {
		t.Helper()
		outer, err := sqlDB.Query(q, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer outer.Close()
		var seen, inner int
		for outer.Next() {
			var id, n int
			if err := outer.Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			seen++
			rows, err := run(q, id)
			if err != nil {
				t.Fatal(err)
			}
			inner += len(rows)
			if len(rows) == 0 || rows[0][0] != id || rows[0][1] != n {
				t.Fatalf("inner query from id %d read %v", id, rows)
			}
		}
		if err := outer.Err(); err != nil {
			t.Fatal(err)
		}
		if seen != 5 || inner != 5+4+3+2+1 {
			t.Fatalf("outer rows %d, inner rows %d: want 5 and 15", seen, inner)
		}
	}
	sqlDB.SetMaxOpenConns(2) // the outer rows hold one connection
	nested(func(query string, args ...any) ([][2]int, error) { return readPairs(sqlDB.Query(query, args...)) })

	// Inside a transaction the outer rows and the inner query share the connection.
	tx, err := sqlDB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	outer, err := tx.Query(q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for outer.Next() {
		var id, n int
		if err := outer.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		rows, err := readPairs(tx.Query(q, id))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 6-id {
			t.Fatalf("in a transaction, the inner query from id %d read %d rows", id, len(rows))
		}
	}
	outer.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[1 2 3 4 5]" {
		t.Fatalf("the outer query in a transaction read %v", ids)
	}

	// More distinct statements than a connection keeps, twice over: the
	// evicted ones are closed and prepared again, with the right answers.
	sqlDB.SetMaxOpenConns(1)
	for round := range 2 {
		for i := range 300 {
			var got int
			if err := sqlDB.QueryRow(fmt.Sprintf(`SELECT n + %d FROM t WHERE id = ?`, i), 1+i%5).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := (1+i%5)*10 + i; got != want {
				t.Fatalf("round %d, statement %d: %d, want %d", round, i, got, want)
			}
		}
	}

	// A table changed after its statement was kept.
	var cols []string
	rows, err := sqlDB.Query(`SELECT * FROM t WHERE id = 1`)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if err := db.Exec(`ALTER TABLE t ADD COLUMN label TEXT NOT NULL DEFAULT 'x'`).Error; err != nil {
		t.Fatal(err)
	}
	rows, err = sqlDB.Query(`SELECT * FROM t WHERE id = 1`)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ = rows.Columns()
	rows.Close()
	if fmt.Sprint(cols) != "[id n label]" {
		t.Fatalf("after ALTER TABLE the kept statement reads columns %v", cols)
	}

	// A statement that fails leaves its cached self usable.
	const ins = `INSERT INTO t (id, n) VALUES (?, ?)`
	if err := db.Exec(ins, 1, 1).Error; err == nil {
		t.Fatal("a duplicate key was inserted")
	}
	if err := db.Exec(ins, 6, 60).Error; err != nil {
		t.Fatalf("the same statement after its failure: %v", err)
	}
	var total int
	if err := sqlDB.QueryRow(`SELECT sum(n) FROM t`).Scan(&total); err != nil || total != 210 {
		t.Fatalf("sum after the inserts: %d (%v), want 210", total, err)
	}
}

func readPairs(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}, err error) ([][2]int, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]int
	for rows.Next() {
		var p [2]int
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// TestSQLiteWritersTakeTurns: transactions of one pool wait for their turn
// in the process instead of in SQLite's busy handler: many writers at once
// all commit, and one waiting behind an open transaction gives up when its
// request does (not after SQLite's busy timeout).
func TestSQLiteWritersTakeTurns(t *testing.T) {
	t.Parallel()
	db, err := store.Open(filepath.Join(t.TempDir(), "turns.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	t.Cleanup(func() { sqlDB.Close() })
	if err := db.Exec(`CREATE TABLE n (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO n (id, v) VALUES (1, 0)`).Error; err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				tx, err := sqlDB.Begin()
				if err != nil {
					errs <- err
					continue
				}
				var v int
				if err := tx.QueryRow(`SELECT v FROM n WHERE id = 1`).Scan(&v); err != nil {
					tx.Rollback()
					errs <- err
					continue
				}
				if _, err := tx.Exec(`UPDATE n SET v = ? WHERE id = 1`, v+1); err != nil {
					tx.Rollback()
					errs <- err
					continue
				}
				if err := tx.Commit(); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var v int
	if err := sqlDB.QueryRow(`SELECT v FROM n WHERE id = 1`).Scan(&v); err != nil || v != writers*each {
		t.Fatalf("after %d read-and-increment transactions the counter is %d (%v)", writers*each, v, err)
	}

	open, err := sqlDB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer open.Rollback()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = sqlDB.BeginTx(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a transaction waiting behind an open one ended with %v, want its context's deadline", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("it gave up after %v, not when its context ended", waited)
	}
}
