// Package testdb gives tests a database of their own: a fresh PostgreSQL
// database (created and dropped around the test) or a SQLite file in the
// test's temporary directory.
package testdb

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequirePostgresEnv, set to 1, makes tests fail rather than skip when
// PostgreSQL can't be reached. CI sets it, so a broken database can't turn
// the suite green.
const RequirePostgresEnv = "SCIMD_TEST_REQUIRE_POSTGRES"

// URLEnv names the server tests use; its database is only used to create
// and drop the tests' own.
const URLEnv = "SCIMD_TEST_DATABASE_URL"

const defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	reachOnce sync.Once
	reachErr  error
)

// Postgres creates an empty database for one test and returns its URL. The
// database is dropped when the test ends. Without a reachable server the
// test is skipped with a loud message, unless SCIMD_TEST_REQUIRE_POSTGRES=1.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := cmp.Or(os.Getenv(URLEnv), defaultURL)
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			reachErr = err
			return
		}
		conn.Close(ctx)
	})
	if reachErr != nil {
		msg := fmt.Sprintf("PostgreSQL at %s is not reachable (%v)", redact(admin), reachErr)
		if os.Getenv(RequirePostgresEnv) == "1" {
			t.Fatalf("%s, and %s=1 requires it", msg, RequirePostgresEnv)
		}
		t.Skipf("SKIPPING POSTGRES TEST: %s; set %s to a server, or %s=1 to fail instead", msg, URLEnv, RequirePostgresEnv)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to %s: %v", redact(admin), err)
	}
	defer conn.Close(ctx)
	name := "scimd_test_" + strings.ToLower(rand.Text())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		// t.Context() is canceled by now.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", URLEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// SQLite returns the path of a database file in the test's temporary
// directory. (Not :memory:, where each pooled connection would see a
// database of its own.)
func SQLite(t testing.TB) string {
	return filepath.Join(t.TempDir(), "scimd.db")
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the configured URL"
	}
	return u.Redacted()
}
