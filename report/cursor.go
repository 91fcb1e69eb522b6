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
type cursor[T any] struct {
	rows   *sql.Rows
	scan   func(*sql.Rows) (int64, T, error)
	list   []keyed[T]     // rows from memory instead (ordered by id), when rows is nil
	wanted map[int64]bool // indicators the walk will visit and has not yet
	ahead  map[int64][]T  // rows read before the walk reached their indicator
	peeked bool
	id     int64
	item   T
	done   bool
	err    error
}

func newCursor[T any](rows *sql.Rows, wanted map[int64]bool, scan func(*sql.Rows) (int64, T, error)) *cursor[T] {
	w := make(map[int64]bool, len(wanted))
	for id := range wanted {
		w[id] = true
	}
	return &cursor[T]{rows: rows, scan: scan, wanted: w, ahead: map[int64][]T{}}
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
	if c.rows == nil {
		if len(c.list) == 0 {
			c.done = true
			return false
		}
		c.id, c.item, c.list = c.list[0].id, c.list[0].item, c.list[1:]
		c.peeked = true
		return true
	}
	if !c.rows.Next() {
		c.done = true
		return false
	}
	c.id, c.item, c.err = c.scan(c.rows)
	c.peeked = c.err == nil
	return c.peeked
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

// close ends the query and returns the first error met.
func (c *cursor[T]) close() error {
	if c.rows == nil {
		return nil
	}
	err := c.rows.Close()
	if c.err != nil {
		return c.err
	}
	if err == nil {
		err = c.rows.Err()
	}
	return err
}
