// Package sqlstore is the SQL both stores share: modernc's SQLite reads the
// PostgreSQL dialect ($1 placeholders, RETURNING, ON CONFLICT, partial and
// expression indexes), so the queries are written once, here, and a
// Dialect covers the few places the two differ. directory/postgres and
// directory/sqlite adapt their drivers to DB and open the Store.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DB is a connection pool or a transaction, as the drivers adapt them.
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow returns a Row whose Scan returns ErrNoRows when there was
	// none.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Queue runs a write whose outcome the transaction does not need
	// before it goes on. A store may hold it and send it with the
	// statements after it, up to the commit, in one round trip; check,
	// when not nil, then sees the rows it returned, and an error from it
	// (or from the statement) fails the transaction when it is reported:
	// here, at a later statement, or at the commit. A write without a
	// check may commit in the same round trip as itself: refusals that
	// must hold there come from the database (constraints), not checks.
	Queue(ctx context.Context, query string, args []any, check func(Rows) error) error
}

// Rows is a result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result.
type Row interface {
	Scan(dest ...any) error
}

// Driver is a database: reads through DB, writes through Write.
type Driver interface {
	DB
	// Write runs fn in one transaction, retrying it when the database
	// reports a serialization failure or deadlock.
	Write(ctx context.Context, fn func(DB) error) error
	Ping(ctx context.Context) error
	Close() error
}

// ErrNoRows is what adapters return from Row.Scan for an empty result.
var ErrNoRows = errors.New("sqlstore: no rows")

// TimeLayout is how SQLite keeps times: UTC, fixed width, so that text
// order is time order.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// nullText scans a nullable text (or uuid) column: NULL becomes "".
type nullText struct{ s *string }

func (n nullText) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n.s = ""
	case string:
		*n.s = v
	case []byte:
		*n.s = string(v)
	default:
		return fmt.Errorf("sqlstore: scan %T into text", src)
	}
	return nil
}

// timeScan scans a time column, NULL or not, from either driver: pgx gives
// a time.Time, modernc a time.Time or (from expressions) text.
type timeScan struct {
	t  *time.Time
	nt **time.Time
}

func (ts timeScan) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if ts.nt != nil {
			*ts.nt = nil
			return nil
		}
		return errors.New("sqlstore: NULL time")
	case time.Time:
		t = v
	case string:
		p, err := parseTime(v)
		if err != nil {
			return err
		}
		t = p
	case []byte:
		p, err := parseTime(string(v))
		if err != nil {
			return err
		}
		t = p
	default:
		return fmt.Errorf("sqlstore: scan %T into time", src)
	}
	t = t.UTC()
	if ts.nt != nil {
		*ts.nt = &t
	} else {
		*ts.t = t
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("sqlstore: %q is not a time", s)
}

func scanTime(t *time.Time) sql.Scanner      { return timeScan{t: t} }
func scanNullTime(t **time.Time) sql.Scanner { return timeScan{nt: t} }
func scanText(s *string) sql.Scanner         { return nullText{s} }

// null turns the zero value into SQL NULL, so that empty optional fields
// are absent (and "pr" means non-empty).
func null[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// RunNow is Queue for a store that sends every statement at once: it runs
// query on db and hands its rows to check.
func RunNow(ctx context.Context, db DB, query string, args []any, check func(Rows) error) error {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if check != nil {
		if err := check(rows); err != nil {
			return err
		}
	} else {
		for rows.Next() {
		}
	}
	rows.Close()
	return rows.Err()
}
