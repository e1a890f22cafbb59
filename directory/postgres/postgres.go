// Package postgres is the production Store: PostgreSQL through a pgx/v5
// connection pool. The queries live in directory/internal/sqlstore, shared
// with SQLite; this package adapts pgx to them and names PostgreSQL's
// differences: row locks, advisory locks for seats, JSON arrays for lists
// of ids, and SQLSTATEs.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/internal/sqlstore"
	"github.com/scimd/scimd/migrations"
)

// Store is a directory.Store on PostgreSQL.
type Store struct {
	*sqlstore.Store
	pool       *pgxpool.Pool
	migrations *sqlstore.Migrations
}

var _ directory.Store = (*Store)(nil)

// Open connects to the database at dsn (a postgres:// URL) and checks that
// it answers. It does not migrate: call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: can't reach the database: %w", err)
	}
	// The session locker takes an advisory lock, so replicas that start
	// together don't migrate at once.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	m, err := sqlstore.NewMigrations(stdlib.OpenDBFromPool(pool), goose.DialectPostgres, migrations.Postgres(), goose.WithSessionLocker(locker))
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{Store: sqlstore.New(&driver{pool: pool}, dialect), pool: pool, migrations: m}, nil
}

// Migrate applies pending migrations and returns how many.
func (s *Store) Migrate(ctx context.Context) (int, error) { return s.migrations.Up(ctx) }

// Pending reports whether a migration is not applied yet.
func (s *Store) Pending(ctx context.Context) (bool, error) { return s.migrations.Pending(ctx) }

// Pool returns the connection pool, for its statistics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

var dialect = &sqlstore.Dialect{
	Name:      "postgres",
	ForUpdate: " FOR UPDATE",
	IDRows: func(p string) string {
		return "(SELECT value::uuid AS id FROM jsonb_array_elements_text(" + p + "::jsonb))"
	},
	// A new seat limit is rare (an operator's command): it may stop every
	// writer of users for the moment it counts, so that the writes that
	// move seats, on every request, take no extra lock at all.
	SeatLock: "LOCK TABLE users IN SHARE MODE",
	JSONRows: func(elems, order string) string {
		return "coalesce(json_agg(json_build_array(" + elems + ") ORDER BY " + order + "), '[]')"
	},
	JSONRemove: func(col, key string) string { return "(" + col + " - " + key + "::text)" },
	JSONHas:    func(col, key string) string { return "(" + col + " ? " + key + "::text)" },
	JSONText: func(col, key string) string {
		return "(CASE WHEN jsonb_typeof(" + col + " -> " + key + "::text) = 'string' THEN " + col + " ->> " + key + "::text END)"
	},
	JSONNumber: func(col, key string) string {
		return "(CASE WHEN jsonb_typeof(" + col + " -> " + key + "::text) = 'number' THEN (" + col + " ->> " + key + "::text)::numeric END)"
	},
	JSONBool: func(col, key string) string {
		return "(CASE WHEN jsonb_typeof(" + col + " -> " + key + "::text) = 'boolean' THEN (" + col + " ->> " + key + "::text)::boolean END)"
	},
	Violation: func(err error) (string, string) {
		if e, ok := errors.AsType[*pgconn.PgError](err); ok {
			switch e.Code {
			case "23505": // unique_violation
				return "unique", e.ConstraintName
			case "23514": // check_violation
				return "check", e.ConstraintName
			}
		}
		return "", ""
	},
	Retryable: func(err error) bool {
		e, ok := errors.AsType[*pgconn.PgError](err)
		return ok && (e.Code == "40001" || e.Code == "40P01") // serialization_failure, deadlock_detected
	},
	Unavailable: unavailable,
}

// querier is what a pool and a transaction share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// db adapts a pool or transaction to sqlstore.DB.
type db struct{ q querier }

func (d db) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := d.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (d db) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return d.q.Query(ctx, sql, args...)
}

func (d db) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return row{d.q.QueryRow(ctx, sql, args...)}
}

func (d db) Queue(ctx context.Context, sql string, args []any, check func(sqlstore.Rows) error) error {
	return sqlstore.RunNow(ctx, d, sql, args, check)
}

type row struct{ r pgx.Row }

func (r row) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return err
}

// driver is the pool as a sqlstore.Driver.
type driver struct {
	pool *pgxpool.Pool
}

func (d *driver) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	return db{d.pool}.Exec(ctx, sql, args...)
}

func (d *driver) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return db{d.pool}.Query(ctx, sql, args...)
}

func (d *driver) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return db{d.pool}.QueryRow(ctx, sql, args...)
}

func (d *driver) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

func (d *driver) Close() error {
	d.pool.Close()
	return nil
}

func (d *driver) Queue(ctx context.Context, sql string, args []any, check func(sqlstore.Rows) error) error {
	return db{d.pool}.Queue(ctx, sql, args, check)
}

// maxAttempts bounds the retries of a transaction that deadlocked.
const maxAttempts = 5

// rollbackTimeout bounds the ROLLBACK after a failed transaction.
const rollbackTimeout = 5 * time.Second

// Write runs fn in a pipelined transaction (see pipeTx): a transaction
// that only writes costs one round trip, and the database's own checks
// (unique indexes, the seat limit) still decide inside it.
func (d *driver) Write(ctx context.Context, fn func(sqlstore.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := d.write(ctx, fn)
		if err == nil || attempt == maxAttempts || !dialect.Retryable(err) {
			return err
		}
	}
}

func (d *driver) write(ctx context.Context, fn func(sqlstore.DB) error) error {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection left inside a transaction is closed by Release, not
	// reused.
	defer conn.Release()
	t := &pipeTx{conn: conn.Conn()}
	if err := fn(t); err != nil {
		t.rollback()
		return err
	}
	if err := t.commit(ctx); err != nil {
		t.rollback()
		return err
	}
	return nil
}
