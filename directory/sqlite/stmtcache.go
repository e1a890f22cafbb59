package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds a cache: queries built from filters vary with the
// filter's shape, and a client could send endless shapes.
const maxStmts = 256

// stmtCache holds statements prepared on one pool, by their text.
//
// The writer pool has one connection, which a transaction holds: a
// statement first met inside a transaction can't be prepared then (the
// prepare would wait for the connection forever). It runs unprepared and
// is noted; prepareNoted prepares it once the transaction is over.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	noted map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, noted: map[string]bool{}}
}

// get returns q prepared, or nil when it isn't (yet): the cache is full,
// q does not prepare (the caller then runs it as is and sees the error),
// or, inTx, q is new.
func (c *stmtCache) get(ctx context.Context, q string, inTx bool) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[q]; ok {
		return st
	}
	if len(c.stmts)+len(c.noted) >= maxStmts {
		return nil
	}
	if inTx {
		c.noted[q] = true
		return nil
	}
	c.mu.Unlock()
	st, err := c.db.PrepareContext(ctx, q)
	c.mu.Lock()
	if err != nil {
		return nil
	}
	if old, ok := c.stmts[q]; ok { // prepared meanwhile
		st.Close()
		return old
	}
	c.stmts[q] = st
	return st
}

// prepareNoted prepares the statements noted during a transaction. It
// holds no lock while it prepares: preparing waits for the writer's
// connection, which another transaction may hold and may need the cache.
func (c *stmtCache) prepareNoted(ctx context.Context) {
	c.mu.Lock()
	var todo []string
	for q := range c.noted {
		todo = append(todo, q)
	}
	clear(c.noted)
	c.mu.Unlock()
	for _, q := range todo {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.stmts[q]; ok || len(c.stmts) >= maxStmts {
			st.Close()
		} else {
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

// close releases the prepared statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}
