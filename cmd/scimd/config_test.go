package main

import (
	"strings"
	"testing"
)

func TestServeConfigValidate(t *testing.T) {
	good := serveConfig{Addr: "127.0.0.1:8080", DB: dbConfig{DataDir: "./scimd-data"}, Sessions: sessionConfig{Idle: "2h", Max: "12h"}}
	tests := []struct {
		name   string
		change func(*serveConfig)
		want   []string // one problem each; none means valid
	}{
		{"defaults", func(*serveConfig) {}, nil},
		{"any host, port 0", func(c *serveConfig) { c.Addr = ":0" }, nil},
		{"ipv6", func(c *serveConfig) { c.Addr = "[::1]:8080" }, nil},
		{"https base", func(c *serveConfig) { c.BaseURL = "https://id.example.com/prefix" }, nil},
		{"postgres", func(c *serveConfig) { c.DB.DatabaseURL = "postgres://u:p@db:5432/scimd?sslmode=require" }, nil},
		{"postgresql", func(c *serveConfig) { c.DB.DatabaseURL = "postgresql://db/scimd" }, nil},
		{"sqlite", func(c *serveConfig) { c.DB.DatabaseURL = "sqlite:/var/lib/scimd/scimd.db" }, nil},
		{"sqlite url form", func(c *serveConfig) { c.DB.DatabaseURL = "sqlite:///var/lib/scimd/scimd.db" }, nil},
		{"no data dir with a url", func(c *serveConfig) { c.DB = dbConfig{DatabaseURL: "sqlite:x.db"} }, nil},

		{"empty addr", func(c *serveConfig) { c.Addr = "" }, []string{"--addr (SCIMD_ADDR) is empty"}},
		{"addr without port", func(c *serveConfig) { c.Addr = "localhost" }, []string{`--addr (SCIMD_ADDR) "localhost" is not host:port`}},
		{"port out of range", func(c *serveConfig) { c.Addr = ":70000" }, []string{`--addr (SCIMD_ADDR) ":70000" is not host:port`}},
		{"base not http", func(c *serveConfig) { c.BaseURL = "ftp://x" }, []string{`--base-url (SCIMD_BASE_URL) "ftp://x" must be`}},
		{"base relative", func(c *serveConfig) { c.BaseURL = "/scim" }, []string{`--base-url (SCIMD_BASE_URL) "/scim" must be`}},
		{"base with query", func(c *serveConfig) { c.BaseURL = "https://x/?a=b" }, []string{"--base-url (SCIMD_BASE_URL)"}},
		{"base with password", func(c *serveConfig) { c.BaseURL = "https://u:hunter22@x" }, []string{`"https://u:xxxxx@x" must be`}},
		{"mysql", func(c *serveConfig) { c.DB.DatabaseURL = "mysql://u:hunter22@h/x" }, []string{`must start with postgres://, postgresql:// or sqlite:, not "mysql:"`}},
		{"bad postgres url", func(c *serveConfig) { c.DB.DatabaseURL = "postgres://u:hunter22@h:x:y/%zz" }, []string{"--database-url (SCIMD_DATABASE_URL) is not a valid URL"}},
		{"sqlite without path", func(c *serveConfig) { c.DB.DatabaseURL = "sqlite:" }, []string{"sqlite: needs a file path"}},
		{"sqlite memory", func(c *serveConfig) { c.DB.DatabaseURL = "sqlite::memory:" }, []string{"sqlite: needs a file path"}},
		{"no data dir", func(c *serveConfig) { c.DB.DataDir = "" }, []string{"--data-dir (SCIMD_DATA_DIR) is empty"}},
		{"secret key", func(c *serveConfig) { c.Key.SecretKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" }, nil},
		{"short secret key", func(c *serveConfig) { c.Key.SecretKey = "c2hvcnQ=" }, []string{"--secret-key (SCIMD_SECRET_KEY): the key is 5 bytes once decoded; it must be 32"}},
		{"secret key not base64", func(c *serveConfig) { c.Key.SecretKey = "hunter22 hunter22!" }, []string{"--secret-key (SCIMD_SECRET_KEY): the key is not base64"}},
		{"session durations", func(c *serveConfig) { c.Sessions = sessionConfig{Idle: "30m", Max: "8h"} }, nil},
		{"session idle not a duration", func(c *serveConfig) { c.Sessions.Idle = "2 hours" }, []string{`--session-idle (SCIMD_SESSION_IDLE) "2 hours" is not a duration`}},
		{"session idle too short", func(c *serveConfig) { c.Sessions.Idle = "10s" }, []string{"--session-idle (SCIMD_SESSION_IDLE) 10s must be between 1m and 168h"}},
		{"session max too long", func(c *serveConfig) { c.Sessions.Max = "1000h" }, []string{"--session-max (SCIMD_SESSION_MAX) 1000h0m0s must be between 5m and 720h"}},
		{"session max below idle", func(c *serveConfig) { c.Sessions = sessionConfig{Idle: "4h", Max: "1h"} }, []string{"--session-max (SCIMD_SESSION_MAX) 1h0m0s is shorter than --session-idle 4h0m0s"}},
		{"every problem at once",
			func(c *serveConfig) {
				*c = serveConfig{Addr: "nope", BaseURL: "ftp://x", DB: dbConfig{DatabaseURL: "mysql://x"}, Sessions: c.Sessions}
			},
			[]string{"--addr", "--base-url", "--database-url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.change(&c)
			err := c.validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("validate = nil, want problems")
			}
			got := lines(err.Error())
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n%s\nwant %d", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want %q in it", i, got[i], w)
				}
			}
			if strings.Contains(err.Error(), "hunter22") {
				t.Errorf("a password is shown: %v", err)
			}
		})
	}
}

// TestServeReportsEveryProblem: an operator sees every problem, one line
// each, before anything is opened.
func TestServeReportsEveryProblem(t *testing.T) {
	r := cli(t, "serve", "--addr", "nope", "--base-url", "ftp://x", "--database-url", "mysql://x")
	got := lines(r.stderr)
	if r.err == nil || len(got) != 3 {
		t.Fatalf("err %v, stderr:\n%s", r.err, r.stderr)
	}
	for _, l := range got {
		if !strings.HasPrefix(l, "scimd: --") {
			t.Errorf("line %q", l)
		}
	}
}

func TestFlagEnvPrecedence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want serveConfig
	}{
		{"defaults", nil, nil,
			serveConfig{Addr: "127.0.0.1:8080", DB: dbConfig{DataDir: "./scimd-data"}}},
		{"env", nil, map[string]string{
			"SCIMD_ADDR": ":9000", "SCIMD_BASE_URL": "https://id.example.com",
			"SCIMD_DATABASE_URL": "postgres://db/x", "SCIMD_DATA_DIR": "/var/lib/scimd"},
			serveConfig{Addr: ":9000", BaseURL: "https://id.example.com", DB: dbConfig{DatabaseURL: "postgres://db/x", DataDir: "/var/lib/scimd"}}},
		{"flag beats env",
			[]string{"--addr", ":9001", "--base-url=https://flag.example.com", "--database-url", "sqlite:f.db", "--data-dir", "/flag"},
			map[string]string{
				"SCIMD_ADDR": ":9000", "SCIMD_BASE_URL": "https://id.example.com",
				"SCIMD_DATABASE_URL": "postgres://db/x", "SCIMD_DATA_DIR": "/var/lib/scimd"},
			serveConfig{Addr: ":9001", BaseURL: "https://flag.example.com", DB: dbConfig{DatabaseURL: "sqlite:f.db", DataDir: "/flag"}}},
		{"flag and env mixed", []string{"-addr", ":9001"}, map[string]string{"SCIMD_DATA_DIR": "/env"},
			serveConfig{Addr: ":9001", DB: dbConfig{DataDir: "/env"}}},
		{"an empty variable is unset", nil, map[string]string{"SCIMD_ADDR": ""},
			serveConfig{Addr: "127.0.0.1:8080", DB: dbConfig{DataDir: "./scimd-data"}}},
		{"sign-in from env", nil, map[string]string{"SCIMD_SECRET_KEY": "k", "SCIMD_SESSION_IDLE": "30m", "SCIMD_SESSION_MAX": "8h"},
			serveConfig{Addr: "127.0.0.1:8080", DB: dbConfig{DataDir: "./scimd-data"}, Key: keyConfig{SecretKey: "k"}, Sessions: sessionConfig{Idle: "30m", Max: "8h"}}},
		{"an explicit empty flag beats env", []string{"--base-url", ""}, map[string]string{"SCIMD_BASE_URL": "https://env"},
			serveConfig{Addr: "127.0.0.1:8080", DB: dbConfig{DataDir: "./scimd-data"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c serveConfig
			fs := newFlagSet("serve", "serve")
			c.register(fs)
			if _, err := fs.parse(tt.args, &env{getenv: getenv(tt.env)}); err != nil {
				t.Fatal(err)
			}
			if tt.want.Sessions == (sessionConfig{}) {
				tt.want.Sessions = sessionConfig{Idle: "2h0m0s", Max: "12h0m0s"}
			}
			if c != tt.want {
				t.Errorf("config = %+v, want %+v", c, tt.want)
			}
		})
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args      []string
		wantPos   []string
		wantName  string
		wantSeats int
	}{
		{[]string{"acme", "--seats", "5"}, []string{"acme"}, "", 5},
		{[]string{"--seats", "5", "acme", "--name", "Acme"}, []string{"acme"}, "Acme", 5},
		{[]string{"a", "b", "--seats=2", "c"}, []string{"a", "b", "c"}, "", 2},
		{[]string{"--name", "x", "--", "--seats", "7"}, []string{"--seats", "7"}, "x", 0},
		{[]string{"a", "--", "-b"}, []string{"a", "-b"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var name string
			var seats int
			fs := newFlagSet("tenant create", "tenant create SLUG")
			fs.StringVar(&name, "name", "", "")
			fs.IntVar(&seats, "seats", 0, "")
			pos, err := fs.parse(tt.args, &env{getenv: getenv(nil)})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(pos, "|") != strings.Join(tt.wantPos, "|") || name != tt.wantName || seats != tt.wantSeats {
				t.Errorf("got %q name %q seats %d; want %q %q %d", pos, name, seats, tt.wantPos, tt.wantName, tt.wantSeats)
			}
		})
	}
}

func TestDatabaseResolve(t *testing.T) {
	tests := []struct {
		c        dbConfig
		want     database
		wantText string
	}{
		{dbConfig{DataDir: "./scimd-data"}, database{kindSQLite, "scimd-data/scimd.db"}, "sqlite:scimd-data/scimd.db"},
		{dbConfig{DatabaseURL: "sqlite:/x/y.db"}, database{kindSQLite, "/x/y.db"}, "sqlite:/x/y.db"},
		{dbConfig{DatabaseURL: "sqlite:///x/y.db"}, database{kindSQLite, "/x/y.db"}, "sqlite:/x/y.db"},
		{dbConfig{DatabaseURL: "sqlite:rel.db"}, database{kindSQLite, "rel.db"}, "sqlite:rel.db"},
		{dbConfig{DatabaseURL: "postgres://u:pw@h/db"}, database{kindPostgres, "postgres://u:pw@h/db"}, "postgres://u:xxxxx@h/db"},
	}
	for _, tt := range tests {
		got := tt.c.resolve()
		if got != tt.want || got.String() != tt.wantText {
			t.Errorf("%+v resolves to %+v %q, want %+v %q", tt.c, got, got, tt.want, tt.wantText)
		}
	}
}

func TestPrintErrorPrefixesEachLine(t *testing.T) {
	var b strings.Builder
	printError(&b, &configError{problems: []string{"one", "two"}})
	if b.String() != "scimd: one\nscimd: two\n" {
		t.Errorf("printed %q", b.String())
	}
}
