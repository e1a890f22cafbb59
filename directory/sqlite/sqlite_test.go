package sqlite_test

import (
	"testing"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/directory/storetest"
	"github.com/scimd/scimd/internal/testdb"
)

func open(t *testing.T, dsn string) directory.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) directory.Store {
		s := open(t, testdb.SQLite(t))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestRestart(t *testing.T) {
	dsn := testdb.SQLite(t)
	storetest.Restart(t, func() directory.Store { return open(t, dsn) })
}

func TestMigrateTwice(t *testing.T) {
	s, err := sqlite.Open(t.Context(), testdb.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Migrate(t.Context()); err != nil || n == 0 {
		t.Fatalf("first migrate: %d applied, %v", n, err)
	}
	if n, err := s.Migrate(t.Context()); err != nil || n != 0 {
		t.Fatalf("second migrate: %d applied, %v; want 0", n, err)
	}
	if p, err := s.Pending(t.Context()); err != nil || p {
		t.Fatalf("pending after migrate: %v, %v", p, err)
	}
}
