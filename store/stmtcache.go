package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net/url"
	"strings"
	"time"
)

// SQLite parses every statement it runs: in a small write (a value saved
// through the API) parsing the ten or so statements of its transaction is a
// fifth of the request. PostgreSQL's driver keeps its statements prepared;
// this does the same for SQLite, one cache per connection, below
// database/sql, so that statements inside transactions are kept too (gorm's
// PrepareStmt keeps only those outside one).
//
// database/sql prepares, runs and closes a statement for every query on a
// connection that does not run queries itself: cachedConn therefore offers
// only Prepare, hands out the statement it made before for the same text,
// and keeps it when database/sql closes it. A statement is handed to one
// query at a time; a second query with the same text while the first's rows
// are still open (a query inside a loop over rows) gets a statement of its
// own, closed after use as usual.

// stmtsPerConn bounds each connection's cache: statements whose text varies
// (IN lists of any length) make new entries, and the least recently used
// one is closed when the cache is full.
const stmtsPerConn = 128

// openSQLite opens a pool of SQLite connections through modernc.org/sqlite
// (registered as "sqlite"), each with its statement cache.
func openSQLite(dsn string) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return sql.OpenDB(cachingConnector{dsn: withTimeParams(dsn), drv: drv, writer: make(chan struct{}, 1)}), nil
}

// withTimeParams adds what the gorm dialect adds to a DSN it opens itself:
// times are read from the text and integers SQLite stores and written in
// SQLite's own format.
func withTimeParams(dsn string) string {
	path, raw, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(raw)
	if err != nil {
		return dsn
	}
	for k, v := range map[string]string{"_texttotime": "1", "_inttotime": "1", "_time_format": "sqlite"} {
		if !q.Has(k) {
			raw += "&" + k + "=" + v
		}
	}
	return path + "?" + strings.TrimPrefix(raw, "&")
}

type cachingConnector struct {
	dsn string
	drv driver.Driver
	// writer is held by the connection whose transaction is open: every
	// transaction begins IMMEDIATE, so SQLite lets one at a time in.
	writer chan struct{}
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	if _, ok := conn.(driver.ConnPrepareContext); !ok {
		conn.Close()
		return nil, errors.New("the SQLite driver cannot prepare with a context")
	}
	return &cachedConn{conn: conn, stmts: map[string]*list.Element{}, lru: list.New(), writer: c.writer}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

// cachedConn is one SQLite connection with the statements it prepared.
// database/sql uses a connection from one goroutine at a time, and closes
// a statement under the same lock as it prepares one: no lock is needed here.
type cachedConn struct {
	writer chan struct{}
	conn   driver.Conn
	stmts  map[string]*list.Element // of *cachedStmt, most recently used at the front
	lru    *list.List
}

// cachedStmt is a statement kept by its connection.
type cachedStmt struct {
	driver.Stmt
	conn    *cachedConn
	query   string
	inUse   bool
	evicted bool // no longer in the cache: closed when its query is done
}

func (c *cachedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *cachedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if e, ok := c.stmts[query]; ok {
		s := e.Value.(*cachedStmt)
		if s.inUse {
			return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
		}
		c.lru.MoveToFront(e)
		s.inUse = true
		return s, nil
	}
	st, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{Stmt: st, conn: c, query: query, inUse: true}
	c.stmts[query] = c.lru.PushFront(s)
	if c.lru.Len() > stmtsPerConn {
		old := c.lru.Back()
		c.lru.Remove(old)
		o := old.Value.(*cachedStmt)
		delete(c.stmts, o.query)
		o.evicted = true
		if !o.inUse {
			o.Stmt.Close()
		}
	}
	return s, nil
}

// Close ends a query's use of the statement; the statement stays prepared
// unless it left the cache meanwhile.
func (s *cachedStmt) Close() error {
	s.inUse = false
	if s.evicted {
		return s.Stmt.Close()
	}
	return nil
}

func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// Close closes the connection's statements, then the connection.
func (c *cachedConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).Stmt.Close()
	}
	c.stmts, c.lru = nil, list.New()
	return c.conn.Close()
}

func (c *cachedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx waits for the pool's writer turn before it begins. Every
// transaction begins IMMEDIATE, so SQLite lets one in at a time; a
// connection that finds the database locked sleeps in SQLite's busy handler
// on a fixed back-off (1, 2, 5, 10 … 100 ms) and is not woken when the lock
// is freed: with eight API writers that put the 99th percentile of a save
// at 50 ms and the slowest at half a second. Waiting here instead hands the
// turn over as soon as the previous transaction ends (p99 10 ms). Another
// process on the same file (a command) still meets the busy handler. After
// busyWait the transaction begins anyway and SQLite decides, as before.
func (c *cachedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	held := false
	timer := time.NewTimer(busyWait)
	select {
	case c.writer <- struct{}{}:
		held = true
	case <-ctx.Done():
		timer.Stop()
		return nil, ctx.Err()
	case <-timer.C:
	}
	timer.Stop()
	tx, err := c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		if held {
			<-c.writer
		}
		return nil, err
	}
	if !held {
		return tx, nil
	}
	return &writerTx{Tx: tx, writer: c.writer}, nil
}

// busyWait is how long a transaction waits for its turn: the busy timeout
// of the DSN (SQLiteDSN).
const busyWait = 10 * time.Second

// writerTx gives the writer turn back when the transaction ends.
type writerTx struct {
	driver.Tx
	writer chan struct{}
	done   bool
}

func (t *writerTx) Commit() error   { defer t.release(); return t.Tx.Commit() }
func (t *writerTx) Rollback() error { defer t.release(); return t.Tx.Rollback() }

func (t *writerTx) release() {
	if !t.done {
		t.done = true
		<-t.writer
	}
}

func (c *cachedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachedConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *cachedConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

var (
	_ driver.ConnPrepareContext = (*cachedConn)(nil)
	_ driver.ConnBeginTx        = (*cachedConn)(nil)
	_ driver.SessionResetter    = (*cachedConn)(nil)
	_ driver.Validator          = (*cachedConn)(nil)
	_ driver.Pinger             = (*cachedConn)(nil)
	_ driver.StmtExecContext    = (*cachedStmt)(nil)
	_ driver.StmtQueryContext   = (*cachedStmt)(nil)
)
