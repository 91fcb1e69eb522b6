package report

import (
	"cmp"
	"database/sql"
	"slices"
)

// cursor reads the rows of one query ordered by indicator id and hands
// them out per indicator in the order the tree is walked, which is usually
// the order of the ids (indicators are created in plan order). Rows of an
// indicator the walk reaches later are kept until it does, so memory stays
// small on a plan walked in id order and is never worse than reading
// everything. Rows of indicators the walk does not visit are skipped.
//
// A cursor over a query reads ahead on a goroutine of its own, in batches,
// so that decoding the database's rows (the larger part of a report's
// reading) runs on another core than the sheet being written.
type cursor[T any] struct {
	reading *readAhead[T]  // the query read ahead; nil for rows in memory
	list    []keyed[T]     // the rows at hand: in memory, or the batch being handed out
	wanted  map[int64]bool // indicators the walk will visit and has not yet
	ahead   map[int64][]T  // rows read before the walk reached their indicator
	batch   []keyed[T]     // the batch list is a tail of, handed back when done
	peeked  bool
	id      int64
	item    T
	done    bool
	err     error
}

func newCursor[T any](rows *sql.Rows, wanted map[int64]bool, scan func(*sql.Rows) (int64, T, error)) *cursor[T] {
	w := make(map[int64]bool, len(wanted))
	for id := range wanted {
		w[id] = true
	}
	c := &cursor[T]{wanted: w, ahead: map[int64][]T{}}
	if rows != nil {
		c.reading = startReadAhead(rows, scan)
	}
	return c
}

// readAhead reads a query's rows into batches on its own goroutine. Only
// that goroutine touches the rows (and runs scan) until it has ended.
type readAhead[T any] struct {
	full  chan []keyed[T] // batches read, in order
	empty chan []keyed[T] // batches handed back to be filled again
	quit  chan struct{}   // closed when the cursor is closed early
	ended chan error      // the reading's error (nil at the end of the rows), once
}

// readAheadBatch rows a batch; readAheadBatches batches may wait read.
const (
	readAheadBatch   = 512
	readAheadBatches = 4
)

func startReadAhead[T any](rows *sql.Rows, scan func(*sql.Rows) (int64, T, error)) *readAhead[T] {
	a := &readAhead[T]{full: make(chan []keyed[T], readAheadBatches), empty: make(chan []keyed[T], readAheadBatches),
		quit: make(chan struct{}), ended: make(chan error, 1)}
	go func() {
		defer close(a.full)
		err := func() error {
			for {
				select {
				case <-a.quit:
					return nil
				default:
				}
				var batch []keyed[T]
				select {
				case batch = <-a.empty:
					batch = batch[:0]
				default:
					batch = make([]keyed[T], 0, readAheadBatch)
				}
				for len(batch) < readAheadBatch && rows.Next() {
					id, item, err := scan(rows)
					if err != nil {
						return err
					}
					batch = append(batch, keyed[T]{id, item})
				}
				if len(batch) > 0 {
					select {
					case a.full <- batch:
					case <-a.quit:
						return nil
					}
				}
				if len(batch) < readAheadBatch {
					return rows.Err()
				}
			}
		}()
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		a.ended <- err
	}()
	return a
}

// keyed is a row of an indicator, for a cursor over rows in memory.
type keyed[T any] struct {
	id   int64
	item T
}

// listCursor hands out rows already in memory (sorted here by id).
func listCursor[T any](list []keyed[T], wanted map[int64]bool) *cursor[T] {
	slices.SortStableFunc(list, func(a, b keyed[T]) int { return cmp.Compare(a.id, b.id) })
	c := newCursor[T](nil, wanted, nil)
	c.list = list
	return c
}

// peek reads the next row unless one is waiting; false at the end.
func (c *cursor[T]) peek() bool {
	if c.peeked {
		return true
	}
	if c.done || c.err != nil {
		return false
	}
	if len(c.list) == 0 && c.reading != nil {
		a := c.reading
		if c.batch != nil {
			select { // handed back to be filled again, unless enough wait
			case a.empty <- c.batch[:0]:
			default:
			}
			c.batch = nil
		}
		batch, ok := <-a.full
		if !ok {
			c.reading, c.err = nil, <-a.ended
			c.done = true
			return false
		}
		c.batch, c.list = batch, batch
	}
	if len(c.list) == 0 {
		c.done = true
		return false
	}
	c.id, c.item, c.list = c.list[0].id, c.list[0].item, c.list[1:]
	c.peeked = true
	return true
}

// take returns the rows of indicator id (appended to dst[:0]).
func (c *cursor[T]) take(id int64, dst []T) []T {
	dst = dst[:0]
	delete(c.wanted, id)
	if rows, ok := c.ahead[id]; ok {
		delete(c.ahead, id)
		return append(dst, rows...)
	}
	for c.peek() {
		if c.id > id {
			break
		}
		c.peeked = false
		switch {
		case c.id == id:
			dst = append(dst, c.item)
		case c.wanted[c.id]:
			c.ahead[c.id] = append(c.ahead[c.id], c.item)
		}
	}
	return dst
}

// close ends the query (stopping the reading ahead) and returns the first
// error met.
func (c *cursor[T]) close() error {
	if a := c.reading; a != nil {
		c.reading = nil
		close(a.quit)
		for range a.full { // let the goroutine end
		}
		if err := <-a.ended; c.err == nil {
			c.err = err
		}
	}
	return c.err
}
