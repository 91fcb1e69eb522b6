package report

import (
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"naptracker/store/storetest"

	"gorm.io/gorm"
)

// numbers queries n rows (id, i) with i from 1 to n and id = i / 3: three
// rows an id, ordered by id as the report's queries are.
func numbers(t *testing.T, db *gorm.DB, n int) *sql.Rows {
	t.Helper()
	rows, err := db.Raw(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
SELECT i / 3 AS id, i FROM n ORDER BY i`, n).Rows()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func scanNumber(r *sql.Rows) (id int64, i int64, err error) {
	err = r.Scan(&id, &i)
	return id, i, err
}

// within fails the test if f does not return in time (a cursor that
// waits for a batch nobody sends hangs instead of failing).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s: still waiting after a minute", what)
	}
}

// TestCursorReadsAheadEveryRowOnce walks cursors reading ahead over many
// batches, in id order and with indicators taken out of order or never,
// and closes some early: every row wanted comes once, in order, and no
// cursor waits forever.
func TestCursorReadsAheadEveryRowOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	const n = 20*readAheadBatch*readAheadBatches + 7 // many batches, the last one short
	maxID := int64(n / 3)
	wanted := map[int64]bool{}
	for id := int64(0); id <= maxID; id++ {
		if id%10 != 3 { // ids the walk never visits
			wanted[id] = true
		}
	}
	expect := func(id int64) []int64 {
		var out []int64
		for i := max(1, id*3); i <= min(n, id*3+2); i++ {
			out = append(out, i)
		}
		return out
	}
	within(t, "a whole walk", func() {
		c := newCursor(numbers(t, db, n), wanted, scanNumber)
		var got []int64
		for id := int64(0); id <= maxID; id++ {
			// A walk slower than the reading, now and then (writing a sheet
			// is): the batches waiting fill up and more are made.
			if id == 0 || id == maxID-200 {
				time.Sleep(200 * time.Millisecond)
			}
			// Every fiftieth id is visited after the next one (its rows wait
			// in the cursor's ahead map meanwhile).
			if id%50 == 7 && id+1 <= maxID && wanted[id] && wanted[id+1] {
				next := c.take(id+1, got)
				if want := expect(id + 1); !slices.Equal(next, want) {
					t.Fatalf("id %d taken early: %v, want %v", id+1, next, want)
				}
				this := c.take(id, got)
				if want := expect(id); !slices.Equal(this, want) {
					t.Fatalf("id %d taken after %d: %v, want %v", id, id+1, this, want)
				}
				id++
				continue
			}
			if !wanted[id] {
				continue
			}
			got = c.take(id, got)
			if want := expect(id); !slices.Equal(got, want) {
				t.Fatalf("id %d: %v, want %v", id, got, want)
			}
		}
		if c.peek() {
			t.Errorf("rows left after the last id: %d", c.id)
		}
		if err := c.close(); err != nil {
			t.Fatal(err)
		}
	})
	// Closed after a few batches, or before reading anything.
	for _, stop := range []int64{0, 5, maxID / 3} {
		within(t, "an early close", func() {
			c := newCursor(numbers(t, db, n), wanted, scanNumber)
			for id := int64(0); id < stop; id++ {
				c.take(id, nil)
			}
			if err := c.close(); err != nil {
				t.Errorf("closed at id %d: %v", stop, err)
			}
		})
	}
	// A scan that fails: the walk ends and close reports the error.
	broken := errors.New("broken row")
	within(t, "a failing scan", func() {
		c := newCursor(numbers(t, db, n), wanted, func(r *sql.Rows) (int64, int64, error) {
			id, i, err := scanNumber(r)
			if i == 3000 {
				err = broken
			}
			return id, i, err
		})
		for id := int64(0); id <= maxID; id++ {
			c.take(id, nil)
		}
		if err := c.close(); !errors.Is(err, broken) {
			t.Errorf("close after a failed scan: %v", err)
		}
	})
	// The connections all went back to the pool.
	sqlDB, _ := db.DB()
	if inUse := sqlDB.Stats().InUse; inUse != 0 {
		t.Errorf("%d connections still in use", inUse)
	}
}
