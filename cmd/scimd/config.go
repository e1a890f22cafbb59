package main

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// Defaults. The address is loopback so that a first "scimd serve" is not
// reachable from the network before anyone chose to expose it.
const (
	defaultAddr    = "127.0.0.1:8080"
	defaultDataDir = "./scimd-data"
	sqliteFile     = "scimd.db" // the default database, in the data directory
)

// dbConfig says which database a command opens. Every command that opens
// the store registers these flags, and only these.
type dbConfig struct {
	DatabaseURL string // postgres://…, postgresql://… or sqlite:PATH; "" for the default
	DataDir     string
}

func (c *dbConfig) register(fs *flagSet) {
	fs.stringEnv(&c.DatabaseURL, "database-url", "SCIMD_DATABASE_URL", "",
		"`URL` of the database: postgres://… (or postgresql://…) or sqlite:PATH; without one, "+sqliteFile+" in the data directory")
	fs.stringEnv(&c.DataDir, "data-dir", "SCIMD_DATA_DIR", defaultDataDir,
		"`DIR` for the embedded SQLite database, created with mode 0700 on first start")
}

// Kinds of database.
const (
	kindPostgres = "postgres"
	kindSQLite   = "sqlite"
)

// database is the database a dbConfig resolves to.
type database struct {
	kind string // kindPostgres or kindSQLite
	// dsn is the PostgreSQL URL or the SQLite file's path.
	dsn string
}

// resolve returns the database c names. Call it on a config that passed
// validation.
func (c dbConfig) resolve() database {
	switch {
	case c.DatabaseURL == "":
		return database{kind: kindSQLite, dsn: filepath.Join(c.DataDir, sqliteFile)}
	case strings.HasPrefix(c.DatabaseURL, "sqlite:"):
		return database{kind: kindSQLite, dsn: sqlitePath(c.DatabaseURL)}
	}
	return database{kind: kindPostgres, dsn: c.DatabaseURL}
}

// sqlitePath is the file a sqlite: URL names. "sqlite:///var/x.db" (the
// URL form with an empty host) and "sqlite:/var/x.db" are the same file.
func sqlitePath(u string) string {
	p := strings.TrimPrefix(u, "sqlite:")
	if strings.HasPrefix(p, "//") {
		p = p[2:]
	}
	return p
}

// String names the database for logs and messages, without a password.
func (d database) String() string {
	if d.kind == kindSQLite {
		return "sqlite:" + d.dsn
	}
	return redactURL(d.dsn)
}

// redactURL hides the password of a URL. What does not parse is not shown
// at all: it might be a password with a typo around it.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(the database URL, which does not parse)"
	}
	return u.Redacted()
}

// check is one rule of a configuration: the dex way, every rule is checked
// and every failure reported at once, so an operator fixes them in one go.
type check struct {
	bad bool
	msg string
}

// problems returns the messages of the failed checks, one line each.
func problems(checks []check) []string {
	var out []string
	for _, c := range checks {
		if c.bad {
			out = append(out, c.msg)
		}
	}
	return out
}

// configError reports every problem of a configuration, one a line.
type configError struct{ problems []string }

func (e *configError) Error() string { return strings.Join(e.problems, "\n") }

func validate(checks ...[]check) error {
	var all []string
	for _, cs := range checks {
		all = append(all, problems(cs)...)
	}
	if len(all) == 0 {
		return nil
	}
	return &configError{problems: all}
}

func (c dbConfig) checks() []check {
	u := c.DatabaseURL
	scheme, _, _ := strings.Cut(u, ":")
	isPG := strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
	isSQLite := strings.HasPrefix(u, "sqlite:")
	_, perr := url.Parse(u)
	sp := sqlitePath(u)
	return []check{
		{u != "" && !isPG && !isSQLite,
			fmt.Sprintf("--database-url (SCIMD_DATABASE_URL) must start with postgres://, postgresql:// or sqlite:, not %q", truncate(scheme, 20)+":")},
		{isPG && perr != nil,
			"--database-url (SCIMD_DATABASE_URL) is not a valid URL; write it as postgres://user:password@host:5432/dbname"},
		{isSQLite && (sp == "" || sp == ":memory:" || strings.HasPrefix(sp, "file:")),
			"--database-url (SCIMD_DATABASE_URL) sqlite: needs a file path, e.g. sqlite:/var/lib/scimd/scimd.db"},
		{u == "" && strings.TrimSpace(c.DataDir) == "",
			"--data-dir (SCIMD_DATA_DIR) is empty; give a directory, or --database-url"},
	}
}

// serveConfig is what scimd serve reads.
type serveConfig struct {
	Addr     string
	BaseURL  string // "" means http://<the address serve listens on>
	DB       dbConfig
	Key      keyConfig
	Sessions sessionConfig
	Proxies  proxyConfig
	Limits   limitConfig
}

func (c *serveConfig) register(fs *flagSet) {
	fs.stringEnv(&c.Addr, "addr", "SCIMD_ADDR", defaultAddr,
		"`HOST:PORT` to listen on (port 0 picks a free one)")
	fs.stringEnv(&c.BaseURL, "base-url", "SCIMD_BASE_URL", "",
		"public `URL` clients reach scimd at, for SCIM locations and sign-in redirect URIs (default http://ADDR)")
	c.DB.register(fs)
	c.Key.register(fs)
	c.Sessions.register(fs)
	c.Proxies.register(fs)
	c.Limits.register(fs)
}

func (c serveConfig) validate() error {
	return validate(c.addrChecks(), c.baseURLChecks(), c.DB.checks(), c.Key.checks(), c.Sessions.checks(), c.Proxies.checks(), c.Limits.checks())
}

func (c serveConfig) addrChecks() []check {
	_, port, err := net.SplitHostPort(c.Addr)
	_, perr := strconv.ParseUint(port, 10, 16)
	return []check{
		{c.Addr == "", "--addr (SCIMD_ADDR) is empty; give host:port, e.g. 127.0.0.1:8080"},
		{c.Addr != "" && (err != nil || perr != nil),
			fmt.Sprintf("--addr (SCIMD_ADDR) %q is not host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080 or :8080", truncate(c.Addr, 80))},
	}
}

func (c serveConfig) baseURLChecks() []check {
	if c.BaseURL == "" {
		return nil
	}
	u, err := url.Parse(c.BaseURL)
	ok := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.User == nil && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery
	shown := c.BaseURL
	if err == nil {
		shown = u.Redacted()
	}
	return []check{
		{!ok, fmt.Sprintf("--base-url (SCIMD_BASE_URL) %q must be an absolute http:// or https:// URL without user, query or fragment, e.g. https://id.example.com",
			truncate(shown, 80))},
	}
}

// truncate bounds a value echoed in a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
