// Package migrations holds the database schema of each store, embedded in
// the binary and applied by pressly/goose at start-up or by scimd migrate.
//
// Both directories list the same files, one change each, numbered. A file
// that has shipped is never edited: a later change is a new file.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Postgres returns the PostgreSQL migrations.
func Postgres() fs.FS { return sub("postgres") }

// SQLite returns the SQLite migrations.
func SQLite() fs.FS { return sub("sqlite") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded; this can't fail
	}
	return f
}
