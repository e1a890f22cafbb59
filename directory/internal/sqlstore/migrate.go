package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Migrations applies a store's embedded schema with goose.
type Migrations struct {
	provider *goose.Provider
}

// NewMigrations prepares fsys's migrations for db.
func NewMigrations(db *sql.DB, dialect goose.Dialect, fsys fs.FS, opts ...goose.ProviderOption) (*Migrations, error) {
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	p, err := goose.NewProvider(dialect, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Migrations{provider: p}, nil
}

// Up applies every pending migration and returns how many it applied.
func (m *Migrations) Up(ctx context.Context) (int, error) {
	res, err := m.provider.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// Pending reports whether some migration is not applied yet.
func (m *Migrations) Pending(ctx context.Context) (bool, error) {
	return m.provider.HasPending(ctx)
}

// Version returns the version the database is at.
func (m *Migrations) Version(ctx context.Context) (int64, error) {
	return m.provider.GetDBVersion(ctx)
}
