package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/scimd/scimd/internal/testdb"
)

// syncBuffer is a bytes.Buffer that serve's log and the test may use at
// once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// getenv returns a getenv over vars, so that no test reads the real
// environment (CI may set SCIMD_* for other reasons).
func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// result is what a command did: its output, and stderr as an operator
// sees it, with main's "scimd: ..." line(s) for an error.
type result struct {
	stdout, stderr string
	err            error
}

// cli runs scimd with args and no environment, as main does.
func cli(t *testing.T, args ...string) result {
	t.Helper()
	return cliEnv(t, nil, args...)
}

func cliEnv(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr syncBuffer
	err := run(t.Context(), args, getenv(vars), &stdout, &stderr, nil)
	if err != nil {
		printError(&stderr, err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// ok runs scimd and fails the test unless it succeeded.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	r := cli(t, args...)
	if r.err != nil {
		t.Fatalf("scimd %s: %v\nstderr: %s", strings.Join(args, " "), r.err, r.stderr)
	}
	return r.stdout
}

// lastLine returns the last line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// lines splits s into its lines.
func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// backend is a database the CLI and serve are tested on.
type backend struct {
	name string
	url  string // for --database-url
	// tokenRows returns every value of every row of the tokens table, as
	// the database holds it.
	tokenRows func(t *testing.T) [][]any
	// files are the database's files on disk, if any.
	files []string
}

func (b backend) db() []string { return []string{"--database-url", b.url} }

// backends returns a fresh SQLite file and a fresh PostgreSQL database
// (skipped, loudly, without a server unless SCIMD_TEST_REQUIRE_POSTGRES=1).
func backends() []struct {
	name string
	open func(t *testing.T) backend
} {
	return []struct {
		name string
		open func(t *testing.T) backend
	}{
		{"sqlite", sqliteBackend},
		{"postgres", postgresBackend},
	}
}

func sqliteBackend(t *testing.T) backend {
	path := filepath.Join(t.TempDir(), "db", "scimd.db")
	return backend{
		name: "sqlite", url: "sqlite:" + path,
		files: []string{path, path + "-wal"},
		tokenRows: func(t *testing.T) [][]any {
			db, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rows, err := db.QueryContext(t.Context(), "SELECT * FROM tokens")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			var out [][]any
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				out = append(out, vals)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		},
	}
}

func postgresBackend(t *testing.T) backend {
	url := testdb.Postgres(t)
	return backend{
		name: "postgres", url: url,
		tokenRows: func(t *testing.T) [][]any {
			conn, err := pgx.Connect(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			rows, err := conn.Query(t.Context(), "SELECT * FROM tokens")
			if err != nil {
				t.Fatal(err)
			}
			var out [][]any
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, vals)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		},
	}
}

// forEachBackend runs test once per database.
func forEachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			test(t, bk.open(t))
		})
	}
}

// hashOf is what the database should hold for a secret.
func hashOf(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// text renders a database value for a substring check.
func text(v any) string {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case [16]byte: // a pgx uuid
		return fmt.Sprintf("%x", v)
	}
	return fmt.Sprint(v)
}
