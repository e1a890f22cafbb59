package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTenantCreateAndList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		out := ok(t, append([]string{"tenant", "create", "acme", "--name", "Acme Inc", "--seats", "5"}, b.db()...)...)
		if !strings.Contains(out, "acme") || !strings.Contains(out, "seats: 5") {
			t.Errorf("tenant create said %q", out)
		}
		// Flags before the slug work too.
		ok(t, append([]string{"tenant", "create", "--name", "Globex", "globex"}, b.db()...)...)

		out = ok(t, append([]string{"tenant", "list"}, b.db()...)...)
		got := lines(out)
		if len(got) != 3 {
			t.Fatalf("tenant list:\n%s", out)
		}
		for i, want := range [][]string{
			{"SLUG", "NAME", "SEATS", "CREATED"},
			{"acme", "Acme Inc", "5"},
			{"globex", "Globex", "unlimited"},
		} {
			for _, w := range want {
				if !strings.Contains(got[i], w) {
					t.Errorf("tenant list line %d = %q, want %q in it", i, got[i], w)
				}
			}
		}
	})
}

func TestTenantCreateRefused(t *testing.T) {
	db := sqliteBackend(t).db()
	ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"duplicate", []string{"tenant", "create", "acme"}, "scimd: tenant acme already exists\n"},
		{"bad slug", []string{"tenant", "create", "Not A Slug"}, `scimd: tenant slug "Not A Slug" must be lower-case`},
		{"negative seats", []string{"tenant", "create", "x", "--seats", "-1"}, "scimd: seats must be 0 (unlimited) or more"},
		{"no slug", []string{"tenant", "create"}, "scimd: tenant create needs SLUG"},
		{"two slugs", []string{"tenant", "create", "a", "b"}, "scimd: tenant create takes SLUG, got 2 arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, append(tt.args, db...)...)
			if r.err == nil {
				t.Fatalf("succeeded: %s", r.stdout)
			}
			if len(lines(r.stderr)) != 1 || !strings.HasPrefix(r.stderr, tt.want) {
				t.Errorf("stderr = %q, want one line starting %q", r.stderr, tt.want)
			}
		})
	}
}

func TestTokenCreate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ok(t, append([]string{"tenant", "create", "acme"}, b.db()...)...)
		out := ok(t, append([]string{"token", "create", "--tenant", "acme", "--description", "Okta production"}, b.db()...)...)
		secret := lastLine(out)
		if len(secret) < 43 || strings.ContainsAny(secret, " \t") {
			t.Fatalf("last line %q is not a secret alone", secret)
		}
		if strings.Count(out, secret) != 1 {
			t.Errorf("the secret appears more than once:\n%s", out)
		}
		for _, want := range []string{"created token ", "scope:       scim", "Okta production"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}

		// The database keeps the hash and nothing from which the secret
		// could be read.
		rows := b.tokenRows(t)
		if len(rows) != 1 {
			t.Fatalf("%d token rows, want 1", len(rows))
		}
		var sawHash bool
		for _, v := range rows[0] {
			if bs, ok := v.([]byte); ok && bytes.Equal(bs, hashOf(secret)) {
				sawHash = true
				continue
			}
			if s := text(v); strings.Contains(s, secret) || strings.Contains(s, secret[len("scimd_"):]) {
				t.Errorf("a token column holds the secret: %v", v)
			}
		}
		if !sawHash {
			t.Errorf("no column holds the secret's SHA-256: %v", rows[0])
		}
		for _, f := range b.files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue // no WAL left, say
			}
			if bytes.Contains(data, []byte(secret[len("scimd_"):])) {
				t.Errorf("%s holds the secret", f)
			}
		}
	})
}

func TestTokenCreateRefused(t *testing.T) {
	db := sqliteBackend(t).db()
	ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no tenant flag", []string{"token", "create"}, "scimd: token create needs --tenant SLUG"},
		{"unknown tenant", []string{"token", "create", "--tenant", "nope"}, `scimd: tenant "nope" does not exist`},
		{"bad scope", []string{"token", "create", "--tenant", "acme", "--scope", "root"}, `scimd: token scope "root" is not scim or admin`},
		{"stray argument", []string{"token", "create", "--tenant", "acme", "extra"}, `scimd: token create takes no arguments`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, append(tt.args, db...)...)
			if r.err == nil || r.stdout != "" {
				t.Fatalf("err %v, stdout %q", r.err, r.stdout)
			}
			if len(lines(r.stderr)) != 1 || !strings.HasPrefix(r.stderr, tt.want) {
				t.Errorf("stderr = %q, want one line starting %q", r.stderr, tt.want)
			}
		})
	}
}

func TestTokenListShowsNoSecret(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ok(t, append([]string{"tenant", "create", "acme"}, b.db()...)...)
		first := ok(t, append([]string{"token", "create", "--tenant", "acme", "--description", "okta"}, b.db()...)...)
		second := ok(t, append([]string{"token", "create", "--tenant", "acme", "--scope", "admin", "--description", "script"}, b.db()...)...)
		id := strings.Fields(lines(first)[0])[2]

		out := ok(t, append([]string{"token", "revoke", "--tenant", "acme", id}, b.db()...)...)
		if !strings.Contains(out, "revoked token "+id) {
			t.Errorf("revoke said %q", out)
		}

		out = ok(t, append([]string{"token", "list", "--tenant", "acme"}, b.db()...)...)
		got := lines(out)
		if len(got) != 3 {
			t.Fatalf("token list:\n%s", out)
		}
		for _, w := range []string{"ID", "SCOPE", "DESCRIPTION", "CREATED", "LAST USED", "REVOKED"} {
			if !strings.Contains(got[0], w) {
				t.Errorf("header %q lacks %s", got[0], w)
			}
		}
		// Newest first: the admin token, not revoked; then the revoked one.
		if f := strings.Fields(got[1]); f[1] != "admin" || f[2] != "script" || f[len(f)-1] != "-" {
			t.Errorf("line 1 = %q", got[1])
		}
		if f := strings.Fields(got[2]); f[0] != id || f[1] != "scim" || f[len(f)-1] == "-" {
			t.Errorf("line 2 = %q, want %s revoked", got[2], id)
		}
		for _, s := range []string{lastLine(first), lastLine(second)} {
			h := hashOf(s)
			for _, leak := range []string{s, s[len("scimd_"):], hex.EncodeToString(h),
				base64.StdEncoding.EncodeToString(h), base64.RawURLEncoding.EncodeToString(h)} {
				if strings.Contains(out, leak) {
					t.Errorf("token list shows a secret or hash:\n%s", out)
				}
			}
		}

		r := cli(t, append([]string{"token", "revoke", "--tenant", "acme", id}, b.db()...)...)
		if r.err == nil || len(lines(r.stderr)) != 1 || !strings.Contains(r.stderr, "no live token") {
			t.Errorf("second revoke: %v, stderr %q", r.err, r.stderr)
		}
	})
}

func TestTokenRevokeUnknown(t *testing.T) {
	db := sqliteBackend(t).db()
	ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
	for _, id := range []string{"01a20cc4-e7fb-75e0-85b4-af517a4c485b", "not-a-uuid"} {
		r := cli(t, append([]string{"token", "revoke", "--tenant", "acme", id}, db...)...)
		want := `scimd: tenant acme has no live token "` + id + `"`
		if r.err == nil || len(lines(r.stderr)) != 1 || !strings.HasPrefix(r.stderr, want) {
			t.Errorf("revoke %s: %v, stderr %q; want one line starting %q", id, r.err, r.stderr, want)
		}
	}
	r := cli(t, append([]string{"token", "revoke", "--tenant", "nope", "x"}, db...)...)
	if r.err == nil || !strings.HasPrefix(r.stderr, `scimd: tenant "nope" does not exist`) {
		t.Errorf("revoke in unknown tenant: %v, stderr %q", r.err, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	// None of these should touch a database; if one did, it would be in
	// a directory of its own.
	t.Chdir(t.TempDir())
	tests := []struct {
		name string
		args []string
		want string // the start of the one line on stderr
	}{
		{"no command", nil, "scimd: no command given; commands are serve, migrate, tenant, token"},
		{"unknown command", []string{"frobnicate"}, `scimd: unknown command "frobnicate"; commands are serve, migrate, tenant, token`},
		{"unknown subcommand", []string{"tenant", "delete", "x"}, `scimd: unknown tenant command "delete"; commands are create, list`},
		{"missing subcommand", []string{"token"}, "scimd: token needs a command: create, list, revoke"},
		{"flag before command", []string{"--addr", ":1", "serve"}, `scimd: "--addr" comes before a command`},
		{"unknown flag", []string{"tenant", "list", "--colour"}, "scimd: tenant list: flag provided but not defined: -colour (see scimd tenant list --help)"},
		{"bad flag value", []string{"tenant", "create", "x", "--seats", "many"}, `scimd: tenant create: invalid value "many" for flag -seats`},
		{"flag without value", []string{"token", "list", "--tenant"}, "scimd: token list: flag needs an argument: -tenant"},
		{"serve argument", []string{"serve", "now"}, `scimd: serve takes no arguments, got "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, tt.args...)
			if r.err == nil {
				t.Fatal("no error")
			}
			if r.stdout != "" || len(lines(r.stderr)) != 1 || !strings.HasPrefix(r.stderr, tt.want) {
				t.Errorf("stdout %q, stderr %q; want one line on stderr starting %q", r.stdout, r.stderr, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"-h"},
		{"serve", "--help"}, {"migrate", "-h"}, {"tenant", "--help"},
		{"tenant", "create", "--help"}, {"tenant", "list", "--help"},
		{"token", "create", "--help"}, {"token", "list", "--help"}, {"token", "revoke", "-help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := cliEnv(t, map[string]string{"SCIMD_DATABASE_URL": "postgres://u:hunter22@db/x"}, args...)
			if r.err != nil || !strings.HasPrefix(r.stdout, "Usage: scimd") && !strings.Contains(r.stdout, "\nUsage: scimd") {
				t.Errorf("err %v, stdout:\n%s", r.err, r.stdout)
			}
			if strings.Contains(r.stdout, "hunter22") {
				t.Errorf("help shows the environment's password:\n%s", r.stdout)
			}
		})
	}
}

func TestUnreachablePostgres(t *testing.T) {
	for _, args := range [][]string{{"migrate"}, {"tenant", "list"}, {"serve", "--addr", "127.0.0.1:0"}} {
		t.Run(args[0], func(t *testing.T) {
			r := cli(t, append(args, "--database-url", "postgres://scimd:s3cretpw@127.0.0.1:1/scimd?sslmode=disable&connect_timeout=5")...)
			if r.err == nil {
				t.Fatal("no error")
			}
			if len(lines(r.stderr)) != 1 || !strings.HasPrefix(r.stderr, "scimd: database postgres://scimd:xxxxx@127.0.0.1:1/scimd") ||
				!strings.Contains(r.stderr, "connection refused") {
				t.Errorf("stderr = %q, want one line naming the database", r.stderr)
			}
			if strings.Contains(r.stderr, "s3cretpw") {
				t.Errorf("the password is shown: %q", r.stderr)
			}
		})
	}
}

// TestDataDirUnusable: a data directory that can't be created gives one
// line naming it. (A file stands in the way, since tests may run as root,
// whom permissions don't stop.)
func TestDataDirUnusable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "data")
	for _, args := range [][]string{{"migrate"}, {"tenant", "list"}, {"serve", "--addr", "127.0.0.1:0"}} {
		r := cli(t, append(args, "--data-dir", dir)...)
		want := "scimd: can't create the data directory " + dir + ": "
		if r.err == nil || len(lines(r.stderr)) != 1 || !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, "not a directory") {
			t.Errorf("%s: %v, stderr %q; want one line starting %q", args[0], r.err, r.stderr, want)
		}
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		r := cli(t, "migrate", "--data-dir", ro)
		if r.err == nil || len(lines(r.stderr)) != 1 || !strings.Contains(r.stderr, "the data directory "+ro+" is not writable") {
			t.Errorf("read-only data directory: %v, stderr %q", r.err, r.stderr)
		}
	}
}

func TestMigrate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		out := ok(t, append([]string{"migrate"}, b.db()...)...)
		if !strings.HasPrefix(out, "applied ") || strings.HasPrefix(out, "applied 0") {
			t.Errorf("first migrate said %q", out)
		}
		out = ok(t, append([]string{"migrate"}, b.db()...)...)
		if !strings.HasPrefix(out, "applied 0 migrations") {
			t.Errorf("second migrate said %q", out)
		}
	})
}
