package migrations

import (
	"io/fs"
	"slices"
	"testing"
)

// Both stores must have the same migrations, one for one, or one of them
// lacks a change.
func TestSameFilesPerDialect(t *testing.T) {
	names := func(f fs.FS) []string {
		entries, err := fs.ReadDir(f, ".")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	pg, lite := names(Postgres()), names(SQLite())
	if len(pg) == 0 || !slices.Equal(pg, lite) {
		t.Errorf("postgres has %v, sqlite has %v", pg, lite)
	}
}
