package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/directory/sqlite"
)

// store is a directory.Store that also knows its schema: both stores are.
type store interface {
	directory.Store
	// Migrate applies pending migrations and returns how many.
	Migrate(ctx context.Context) (int, error)
	// Pending reports whether a migration is not applied yet.
	Pending(ctx context.Context) (bool, error)
}

var (
	_ store = (*postgres.Store)(nil)
	_ store = (*sqlite.Store)(nil)
)

// openStore opens the database c names and applies pending migrations, so
// that every command, not only serve, works on a database it finds at an
// older version. It returns how many migrations it applied.
func openStore(ctx context.Context, c dbConfig) (store, int, error) {
	if err := validate(c.checks()); err != nil {
		return nil, 0, err
	}
	db := c.resolve()
	var (
		s   store
		err error
	)
	switch db.kind {
	case kindSQLite:
		if err := prepareDir(filepath.Dir(db.dsn)); err != nil {
			return nil, 0, err
		}
		s, err = sqlite.Open(ctx, db.dsn)
	default:
		s, err = postgres.Open(ctx, db.dsn)
	}
	if err != nil {
		return nil, 0, dbError(db, "", err)
	}
	n, err := s.Migrate(ctx)
	if err != nil {
		s.Close()
		return nil, 0, dbError(db, "can't apply migrations", err)
	}
	return s, n, nil
}

// prepareDir creates the database's directory (0700: it holds every
// tenant's directory) and checks that it is writable, because SQLite's
// own word for an unwritable directory is "out of memory".
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("can't create the data directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".scimd-write-check-*")
	if err != nil {
		return fmt.Errorf("the data directory %s is not writable: %w", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// dbError says which database failed and how (what, if err does not say), in one line, with the
// database's password hidden even where a driver's message quotes it.
func dbError(db database, what string, err error) error {
	msg := fmt.Sprintf("database %s: %v", db, err)
	if what != "" {
		msg = fmt.Sprintf("database %s: %s: %v", db, what, err)
	}
	if u, perr := url.Parse(db.dsn); perr == nil && db.kind == kindPostgres {
		// Drivers don't quote passwords today; this keeps it so. (A
		// password under 4 characters would garble the message, and is
		// hardly a secret.)
		if pw, ok := u.User.Password(); ok && len(pw) >= 4 {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	msg = strings.Join(strings.Fields(msg), " ") // one line, whatever the driver wrote
	return &redactedError{msg: msg, err: err}
}

// redactedError is an error whose message was rewritten (a password
// hidden) but which still wraps the original, for errors.Is.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// withService opens the database c names, runs fn on a directory.Service
// over it, and closes it.
func withService(ctx context.Context, e *env, c dbConfig, fn func(*directory.Service) error) error {
	s, _, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	err = fn(directory.NewService(s, e.now))
	return errors.Join(err, s.Close())
}

// migrateCmd applies pending migrations. serve and the other commands
// migrate too; this is for doing it ahead of a deploy, or on its own.
func migrateCmd(ctx context.Context, e *env, cmd string, args []string) error {
	var c dbConfig
	fs := newFlagSet(cmd, "migrate [flags]")
	c.register(fs)
	pos, err := fs.parse(args, e)
	if err != nil {
		return err
	}
	if err := fs.wantArgs(pos); err != nil {
		return err
	}
	s, n, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("database %s: %w", c.resolve(), err)
	}
	switch n {
	case 0:
		fmt.Fprintf(e.stdout, "applied 0 migrations: %s is up to date\n", c.resolve())
	case 1:
		fmt.Fprintf(e.stdout, "applied 1 migration to %s\n", c.resolve())
	default:
		fmt.Fprintf(e.stdout, "applied %d migrations to %s\n", n, c.resolve())
	}
	return nil
}
