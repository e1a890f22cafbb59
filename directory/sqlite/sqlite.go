// Package sqlite is the embedded Store: SQLite through modernc.org/sqlite,
// so that scimd runs with nothing else installed. The queries live in
// directory/internal/sqlstore, shared with PostgreSQL; this package adapts
// database/sql to them and names SQLite's differences.
//
// SQLite takes one writer at a time, so the store keeps one connection for
// writes (each transaction BEGIN IMMEDIATE) and a pool of read-only ones:
// in WAL mode readers never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/internal/sqlstore"
	"github.com/scimd/scimd/migrations"
)

func init() {
	// SQLite's own lower() folds ASCII only; PostgreSQL's folds all of
	// Unicode. Replacing it makes case-insensitive userNames and emails
	// compare the same on both stores (and its indexes agree with it).
	err := sqlite.RegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
	if err != nil {
		panic(err)
	}
}

// Store is a directory.Store on SQLite.
type Store struct {
	*sqlstore.Store
	writer, reader *sql.DB
	migrations     *sqlstore.Migrations
}

var _ directory.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path. It does not
// migrate: call Migrate.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: %q is not a file path", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	pragmas := url.Values{}
	for _, p := range []string{
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous(FULL)", // a 2xx means on disk, whatever happens next
		"case_sensitive_like(1)",
	} {
		pragmas.Add("_pragma", p)
	}
	writer, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	pragmas.Add("_pragma", "query_only(1)")
	reader, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	m, err := sqlstore.NewMigrations(writer, goose.DialectSQLite3, migrations.SQLite())
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, err
	}
	d := &dbDriver{writer: writer, reader: reader, wstmts: newStmtCache(writer), rstmts: newStmtCache(reader)}
	return &Store{Store: sqlstore.New(d, dialect), writer: writer, reader: reader, migrations: m}, nil
}

// Migrate applies pending migrations and returns how many.
func (s *Store) Migrate(ctx context.Context) (int, error) { return s.migrations.Up(ctx) }

// Pending reports whether a migration is not applied yet.
func (s *Store) Pending(ctx context.Context) (bool, error) { return s.migrations.Pending(ctx) }

// DBs returns the writer and reader pools, for their statistics.
func (s *Store) DBs() (writer, reader *sql.DB) { return s.writer, s.reader }

// uniqueColumns names the unique indexes on plain columns, which SQLite
// reports by their columns rather than their names.
var uniqueColumns = map[string]string{
	"tenants.slug":                     "tenants_slug",
	"users.tenant_id, users.extension": "users_extension_live",
	"organization_domains.tenant_id, organization_domains.domain": "organization_domains_pkey",
	"custom_fields.tenant_id, custom_fields.name":                 "custom_fields_pkey",
}

// constraintName reads the index from "UNIQUE constraint failed: index
// 'name'", "UNIQUE constraint failed: t.a, t.b" or "CHECK constraint
// failed: name", with or without the driver's "(2067)" after it.
var constraintName = regexp.MustCompile(`(?:UNIQUE|CHECK) constraint failed: (?:index '([^']+)'|(.+?))(?: \(\d+\))?$`)

var dialect = &sqlstore.Dialect{
	Name:   "sqlite",
	IDRows: func(p string) string { return "(SELECT value AS id FROM json_each(" + p + "))" },
	// One writer at a time already serializes seat changes: no SeatLock.
	JSONRows: func(elems, order string) string {
		return "coalesce(json_group_array(json_array(" + elems + ") ORDER BY " + order + "), '[]')"
	},
	// Custom field names are letters, digits, _ and -
	// (directory.ValidCustomName): quoting one in a JSON path is safe.
	JSONRemove: func(col, key string) string { return "json_remove(" + col + `, '$."' || ` + key + ` || '"')` },
	JSONHas: func(col, key string) string {
		return "(json_type(" + col + `, '$."' || ` + key + ` || '"') IS NOT NULL)`
	},
	// SQLite's ->> gives text, numbers and booleans (1 and 0) as SQL
	// values; the CASE keeps a value of the wrong type from matching.
	JSONText: func(col, key string) string {
		return "(CASE WHEN json_type(" + col + ", '$.' || " + key + ") = 'text' THEN " + col + " ->> " + key + " END)"
	},
	JSONNumber: func(col, key string) string {
		return "(CASE WHEN json_type(" + col + ", '$.' || " + key + ") IN ('integer', 'real') THEN " + col + " ->> " + key + " END)"
	},
	JSONBool: func(col, key string) string {
		return "(CASE WHEN json_type(" + col + ", '$.' || " + key + ") IN ('true', 'false') THEN " + col + " ->> " + key + " END)"
	},
	Violation: func(err error) (string, string) {
		e, ok := errors.AsType[*sqlite.Error](err)
		if !ok {
			return "", ""
		}
		var kind string
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			kind = "unique"
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			kind = "check"
		default:
			return "", ""
		}
		// SQLite names the violated index only in its message.
		m := constraintName.FindStringSubmatch(e.Error())
		if m == nil {
			return kind, ""
		}
		if m[1] != "" {
			return kind, m[1]
		}
		if name, ok := uniqueColumns[m[2]]; ok {
			return kind, name
		}
		return kind, m[2]
	},
	Retryable: func(error) bool { return false },
}

// dbDriver is the two pools as a sqlstore.Driver.
type dbDriver struct {
	writer, reader *sql.DB
	// Statements prepared once per pool: SQLite parses SQL on every
	// unprepared call, and parsing a forty-column INSERT costs more than
	// running it.
	wstmts, rstmts *stmtCache
}

func (d *dbDriver) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return db{d.writer, d.wstmts, nil}.Exec(ctx, q, args...)
}

func (d *dbDriver) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return db{d.reader, d.rstmts, nil}.Query(ctx, q, args...)
}

func (d *dbDriver) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return db{d.reader, d.rstmts, nil}.QueryRow(ctx, q, args...)
}

func (d *dbDriver) Queue(ctx context.Context, q string, args []any, check func(sqlstore.Rows) error) error {
	return sqlstore.RunNow(ctx, db{d.writer, d.wstmts, nil}, q, args, check)
}

func (d *dbDriver) Ping(ctx context.Context) error { return d.reader.PingContext(ctx) }

func (d *dbDriver) Close() error {
	d.wstmts.close()
	d.rstmts.close()
	return errors.Join(d.reader.Close(), d.writer.Close())
}

func (d *dbDriver) Write(ctx context.Context, fn func(sqlstore.DB) error) error {
	defer d.wstmts.prepareNoted(context.WithoutCancel(ctx))
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(db{tx, d.wstmts, tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// db adapts a pool or transaction to sqlstore.DB, writing times in
// sqlstore.TimeLayout so that their text sorts as time, and running
// statements prepared once where it can.
type db struct {
	q     querier
	stmts *stmtCache
	tx    *sql.Tx // set when q is a transaction
}

// stmt returns q's cached prepared statement, bound to the transaction if
// there is one, or nil to run q unprepared.
func (d db) stmt(ctx context.Context, q string) *sql.Stmt {
	st := d.stmts.get(ctx, q, d.tx != nil)
	if st == nil || d.tx == nil {
		return st
	}
	return d.tx.StmtContext(ctx, st)
}

func convert(args []any) []any {
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			args[i] = t.UTC().Format(sqlstore.TimeLayout)
		}
	}
	return args
}

func (d db) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if st := d.stmt(ctx, q); st != nil {
		res, err = st.ExecContext(ctx, convert(args)...)
	} else {
		res, err = d.q.ExecContext(ctx, q, convert(args)...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (d db) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	var r *sql.Rows
	var err error
	if st := d.stmt(ctx, q); st != nil {
		r, err = st.QueryContext(ctx, convert(args)...)
	} else {
		r, err = d.q.QueryContext(ctx, q, convert(args)...)
	}
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

func (d db) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	if st := d.stmt(ctx, q); st != nil {
		return row{st.QueryRowContext(ctx, convert(args)...)}
	}
	return row{d.q.QueryRowContext(ctx, q, convert(args)...)}
}

// Queue runs at once: SQLite is in the process, so there is no round
// trip to save.
func (d db) Queue(ctx context.Context, q string, args []any, check func(sqlstore.Rows) error) error {
	return sqlstore.RunNow(ctx, d, q, args, check)
}

type rows struct{ *sql.Rows }

func (r rows) Close() { r.Rows.Close() }

type row struct{ r *sql.Row }

func (r row) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return err
}
