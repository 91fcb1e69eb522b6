package storetest

import (
	"sync/atomic"

	"gorm.io/gorm"
)

// QueryCounter counts the SQL statements GORM runs on a database, so tests
// can show that a page costs a fixed number of queries whatever the data size.
type QueryCounter struct{ n atomic.Int64 }

// CountQueries registers a counter on db's callbacks (every query, row, raw,
// create, update and delete statement).
func CountQueries(db *gorm.DB) *QueryCounter {
	c := &QueryCounter{}
	inc := func(db *gorm.DB) {
		if !db.DryRun { // subqueries are built in dry-run mode, not run
			c.n.Add(1)
		}
	}
	cb := db.Callback()
	_ = cb.Query().After("gorm:query").Register("modelstest:count", inc)
	_ = cb.Row().After("gorm:row").Register("modelstest:count", inc)
	_ = cb.Raw().After("gorm:raw").Register("modelstest:count", inc)
	_ = cb.Create().After("gorm:create").Register("modelstest:count", inc)
	_ = cb.Update().After("gorm:update").Register("modelstest:count", inc)
	_ = cb.Delete().After("gorm:delete").Register("modelstest:count", inc)
	return c
}

// Reset sets the count back to zero.
func (c *QueryCounter) Reset() { c.n.Store(0) }

// N returns the number of statements since the last reset.
func (c *QueryCounter) N() int64 { return c.n.Load() }
