package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/scimd/scimd/directory/internal/sqlstore"
)

// pipeTx is a transaction that holds writes back and sends them with what
// comes next, in one round trip: BEGIN goes out with the first statement,
// held writes with the next read, and the writes at the end of a
// transaction together, before the COMMIT. A transaction that only writes
// (a SCIM create) costs two round trips: its statements, then COMMIT.
//
// A held write with a check (a RETURNING the caller reads, which may
// refuse) makes COMMIT wait for the answers, so that a refusal can still
// roll back; writes without one commit in the same round trip.
type pipeTx struct {
	conn    *pgx.Conn
	pending []*pgx.QueuedQuery
	// checked is set when a held write has a check: its answer must be
	// read before the COMMIT is sent.
	checked bool
	begun   bool
	failed  bool
}

var _ sqlstore.DB = (*pipeTx)(nil)

// send sends BEGIN (if not yet), the held writes and then last, if not
// nil, in one pipeline, and reads every result.
func (t *pipeTx) send(ctx context.Context, begin bool, last *pgx.QueuedQuery) error {
	b := &pgx.Batch{}
	if begin && !t.begun {
		b.Queue("BEGIN")
		t.begun = true
	}
	b.QueuedQueries = append(b.QueuedQueries, t.pending...)
	t.pending, t.checked = nil, false
	if last != nil {
		b.QueuedQueries = append(b.QueuedQueries, last)
	}
	if len(b.QueuedQueries) == 0 {
		return nil
	}
	err := t.conn.SendBatch(ctx, b).Close()
	if err != nil {
		t.failed = true
	}
	return err
}

// Queue holds a write until the next read or the commit.
func (t *pipeTx) Queue(_ context.Context, sql string, args []any, check func(sqlstore.Rows) error) error {
	qq := &pgx.QueuedQuery{SQL: sql, Arguments: args}
	if check != nil {
		qq.Query(func(rows pgx.Rows) error { return check(rows) })
		t.checked = true
	}
	t.pending = append(t.pending, qq)
	return nil
}

// Exec runs a statement now, with the held writes before it.
func (t *pipeTx) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	qq := &pgx.QueuedQuery{SQL: sql, Arguments: args}
	qq.Exec(func(ct pgconn.CommandTag) error {
		n = ct.RowsAffected()
		return nil
	})
	err := t.send(ctx, true, qq)
	return n, err
}

// QueryRow runs a single-row query, with the held writes before it, when
// its Scan is called.
func (t *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return &pipeRow{t: t, ctx: ctx, sql: sql, args: args}
}

type pipeRow struct {
	t    *pipeTx
	ctx  context.Context
	sql  string
	args []any
}

func (r *pipeRow) Scan(dest ...any) error {
	qq := &pgx.QueuedQuery{SQL: r.sql, Arguments: r.args}
	var scanErr error
	qq.QueryRow(func(row pgx.Row) error {
		scanErr = row.Scan(dest...)
		if errors.Is(scanErr, pgx.ErrNoRows) {
			scanErr = sqlstore.ErrNoRows
			return nil // no row is an answer, not a failed transaction
		}
		return scanErr
	})
	if err := r.t.send(r.ctx, true, qq); err != nil {
		if scanErr != nil && errors.Is(err, scanErr) {
			return scanErr
		}
		return err
	}
	return scanErr
}

// Query sends the held writes (and BEGIN), then runs the query on the
// transaction's connection.
func (t *pipeTx) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	if err := t.send(ctx, true, nil); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, args...)
}

// commit sends what is held and commits. When nothing was read and no
// held write has a check, the writes go alone, as one implicit
// transaction: one round trip, and a failing statement undoes the rest.
// Otherwise COMMIT waits for the answers, so that a check can still
// refuse.
func (t *pipeTx) commit(ctx context.Context) error {
	switch {
	case !t.begun && len(t.pending) == 0:
		return nil
	case !t.begun && !t.checked:
		return t.send(ctx, false, nil)
	case t.begun && !t.checked:
		t.pending = append(t.pending, &pgx.QueuedQuery{SQL: "COMMIT"})
		if err := t.send(ctx, false, nil); err != nil {
			return err
		}
		t.begun = false
		return nil
	}
	if err := t.send(ctx, true, nil); err != nil {
		return err
	}
	if _, err := t.conn.Exec(ctx, "COMMIT"); err != nil {
		t.failed = true
		return err
	}
	t.begun = false
	return nil
}

// rollback ends an explicit transaction; held writes are dropped.
func (t *pipeTx) rollback() {
	t.pending = nil
	if t.begun || t.failed {
		// Best effort: if this fails, the connection is not idle and
		// Release closes it.
		ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
		defer cancel()
		t.conn.Exec(ctx, "ROLLBACK")
		t.begun = false
	}
}
