package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/scim"
)

// server is a "scimd serve" running in the test's process.
type server struct {
	base string // http://127.0.0.1:port
	logs *syncBuffer

	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	stopErr  error
}

// startServer runs scimd serve with args and the environment vars, and
// returns once it listens.
func startServer(t *testing.T, vars map[string]string, args ...string) *server {
	t.Helper()
	s, err := tryServer(t, vars, args...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tryServer is startServer, returning why serve ended if it did before it
// was ready.
func tryServer(t *testing.T, vars map[string]string, args ...string) (*server, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	addrc := make(chan string, 1)
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), getenv(vars), io.Discard, s.logs,
			func(addr string) { addrc <- addr })
	}()
	select {
	case addr := <-addrc:
		s.base = "http://" + addr
	case err := <-s.done:
		cancel()
		return nil, fmt.Errorf("serve ended before it was ready: %w\nlogs:\n%s", err, s.logs)
	case <-time.After(60 * time.Second):
		cancel()
		return nil, fmt.Errorf("serve was not ready after a minute; logs:\n%s", s.logs)
	}
	t.Cleanup(func() { s.stop(t) })
	return s, nil
}

// stop ends the server as SIGTERM would and returns what run returned. It
// fails the test unless run returns within a few seconds.
func (s *server) stop(t *testing.T) error {
	t.Helper()
	s.stopOnce.Do(func() {
		begin := time.Now()
		s.cancel()
		select {
		case s.stopErr = <-s.done:
			if d := time.Since(begin); d > 5*time.Second {
				t.Errorf("serve took %s to stop", d)
			}
		case <-time.After(30 * time.Second):
			s.stopErr = errors.New("serve did not stop")
			t.Error(s.stopErr)
		}
	})
	return s.stopErr
}

// request is an HTTP answer, read.
type request struct {
	status int
	header http.Header
	body   string
}

// get sends a GET to the server with a bearer token, if one is given.
func (s *server) get(t *testing.T, path, token string) request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return request{resp.StatusCode, resp.Header, string(b)}
}

// logRecords decodes every log line, failing on one that is not JSON.
func logRecords(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(logs) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		out = append(out, m)
	}
	return out
}

// scimError decodes a SCIM error body and checks its shape.
func scimError(t *testing.T, r request, wantStatus int) {
	t.Helper()
	if r.status != wantStatus || r.header.Get("Content-Type") != scim.MediaType {
		t.Errorf("answer %d %q, want %d %s", r.status, r.header.Get("Content-Type"), wantStatus, scim.MediaType)
	}
	var e struct {
		Schemas []string
		Status  string
		Detail  string
	}
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	if len(e.Schemas) != 1 || e.Schemas[0] != scim.ErrorSchema || e.Status != strconv.Itoa(wantStatus) || e.Detail == "" {
		t.Errorf("SCIM error body %q", r.body)
	}
}

func TestServe(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		db := b.db()
		ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
		created := ok(t, append([]string{"token", "create", "--tenant", "acme", "--description", "okta"}, db...)...)
		secret, tokenID := lastLine(created), strings.Fields(created)[2]
		admin := lastLine(ok(t, append([]string{"token", "create", "--tenant", "acme", "--scope", "admin"}, db...)...))

		s := startServer(t, nil, append([]string{"--addr", "127.0.0.1:0"}, db...)...)
		requests := 0
		get := func(path, token string) request {
			requests++
			return s.get(t, path, token)
		}

		if r := get("/healthz", ""); r.status != 200 || r.body != "ok\n" {
			t.Errorf("/healthz = %d %q", r.status, r.body)
		}
		if r := get("/readyz", ""); r.status != 200 || r.body != "ok\n" {
			t.Errorf("/readyz = %d %q", r.status, r.body)
		}

		r := get("/scim/v2/Users", secret)
		var list struct {
			Schemas      []string
			TotalResults int
		}
		if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != 200 ||
			len(list.Schemas) != 1 || list.Schemas[0] != scim.ListResponseSchema {
			t.Errorf("GET /scim/v2/Users = %d %q (%v)", r.status, r.body, err)
		}
		// A filter carries an email: it must not reach the logs.
		get(`/scim/v2/Users?filter=userName+eq+%22ada@example.com%22`, secret)

		r = get("/scim/v2/Users", "")
		scimError(t, r, http.StatusUnauthorized)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without WWW-Authenticate: %v", r.header)
		}
		scimError(t, get("/scim/v2/Users", "scimd_wrong"), http.StatusUnauthorized)
		scimError(t, get("/scim/v2/Users", admin), http.StatusForbidden)

		r = get("/metrics", "")
		for _, want := range []string{
			`scimd_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
			`scimd_http_requests_total{method="GET",route="/scim/v2/",status="401"} 2`,
			`scimd_http_request_duration_seconds_bucket{route="GET /readyz"`,
			`scimd_db_pool_open_connections{pool="` + map[string]string{"sqlite": "sqlite_writer", "postgres": "postgres"}[b.name] + `"}`,
			`scimd_db_pool_waits_total{pool=`,
			"go_goroutines ",
			"process_open_fds ",
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}

		// Revoking from the CLI, another process, works on a running
		// server within a second (it trusts a token it has just seen
		// that long).
		ok(t, append([]string{"token", "revoke", "--tenant", "acme", tokenID}, db...)...)
		time.Sleep(1100 * time.Millisecond)
		scimError(t, get("/scim/v2/Users", secret), http.StatusUnauthorized)

		if err := s.stop(t); err != nil {
			t.Errorf("serve returned %v after ctx ended, want nil", err)
		}

		logs := s.logs.String()
		var access int
		for _, rec := range logRecords(t, logs) {
			if rec["msg"] != "request" {
				continue
			}
			access++
			if id, _ := rec["request_id"].(string); id == "" {
				t.Errorf("access line without request_id: %v", rec)
			}
			if p, _ := rec["path"].(string); strings.Contains(p, "?") {
				t.Errorf("access line with a query: %v", rec)
			}
		}
		if access != requests {
			t.Errorf("%d access lines for %d requests", access, requests)
		}
		for _, leak := range []string{secret, admin, "ada@example.com", "filter", "Bearer", "Authorization"} {
			if strings.Contains(logs, leak) {
				t.Errorf("the logs hold %q:\n%s", leak, logs)
			}
		}
	})
}

// TestServeRestart: a restart on the same data directory keeps tenants
// and tokens, and the shutdown recorded when the token was last used.
func TestServeRestart(t *testing.T) {
	data := []string{"--data-dir", filepath.Join(t.TempDir(), "data")}
	ok(t, append([]string{"tenant", "create", "acme", "--seats", "3"}, data...)...)
	secret := lastLine(ok(t, append([]string{"token", "create", "--tenant", "acme"}, data...)...))

	s := startServer(t, nil, append([]string{"--addr", "127.0.0.1:0"}, data...)...)
	if r := s.get(t, "/scim/v2/Users", secret); r.status != 200 {
		t.Fatalf("first run: %d %s", r.status, r.body)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	list := lines(ok(t, append([]string{"token", "list", "--tenant", "acme"}, data...)...))
	if len(list) != 2 || strings.Count(list[1], "Z") != 2 { // created and last used; not revoked
		t.Errorf("after shutdown, last use not recorded:\n%s", strings.Join(list, "\n"))
	}

	s = startServer(t, nil, append([]string{"--addr", "127.0.0.1:0"}, data...)...)
	if r := s.get(t, "/scim/v2/Users", secret); r.status != 200 {
		t.Errorf("after restart: %d %s", r.status, r.body)
	}
	if r := s.get(t, "/readyz", ""); r.status != 200 {
		t.Errorf("after restart /readyz: %d %s", r.status, r.body)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if out := ok(t, append([]string{"tenant", "list"}, data...)...); !strings.Contains(out, "acme") {
		t.Errorf("tenant gone after restart:\n%s", out)
	}
	for _, rec := range logRecords(t, s.logs.String()) {
		if rec["msg"] == "scimd serving" && rec["migrations_applied"] != 0.0 {
			t.Errorf("the restart applied migrations again: %v", rec)
		}
	}
}

// TestServeWithoutConfiguration: scimd serve with nothing configured, in
// an empty directory, makes ./scimd-data/scimd.db and serves.
func TestServeWithoutConfiguration(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var vars map[string]string
	s, err := tryServer(t, nil)
	if err != nil && strings.Contains(err.Error(), "address already in use") {
		// The default address is a fixed port, and something on this
		// machine holds it: configure the address only.
		t.Logf("%s is taken; configuring SCIMD_ADDR only", defaultAddr)
		vars = map[string]string{"SCIMD_ADDR": "127.0.0.1:0"}
		s, err = tryServer(t, vars)
	}
	if err != nil {
		t.Fatal(err)
	}
	if r := s.get(t, "/readyz", ""); r.status != 200 {
		t.Errorf("/readyz = %d %s", r.status, r.body)
	}
	if vars == nil && s.base != "http://"+defaultAddr {
		t.Errorf("listening at %s, want %s", s.base, defaultAddr)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "scimd-data"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, want 0700", fi.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(dir, "scimd-data", "scimd.db")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(s.logs.String(), `"base_url":"`+s.base+`"`) {
		t.Errorf("base URL is not http://ADDR by default:\n%s", s.logs)
	}
}

func TestServeAddressTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := cli(t, "serve", "--addr", ln.Addr().String(), "--data-dir", t.TempDir())
	if r.err == nil || len(lines(r.stderr)) != 1 || !strings.Contains(r.stderr, "address already in use") {
		t.Errorf("err %v, stderr %q", r.err, r.stderr)
	}
}

func TestServeOnPostgresURLFromEnv(t *testing.T) {
	url := testdb.Postgres(t)
	s := startServer(t, map[string]string{"SCIMD_DATABASE_URL": url, "SCIMD_ADDR": "127.0.0.1:0"})
	if r := s.get(t, "/readyz", ""); r.status != 200 {
		t.Errorf("/readyz = %d %s", r.status, r.body)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.logs.String(), `"database":"postgres://`) {
		t.Errorf("serve did not use SCIMD_DATABASE_URL:\n%s", s.logs)
	}
}

// TestReadyz: /readyz fails while a migration is pending and when the
// database does not answer.
func TestReadyz(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "scimd.db"))
	if err != nil {
		t.Fatal(err)
	}
	h := readyz(st, slog.New(slog.NewTextHandler(t.Output(), nil)))
	probe := func() (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		return w.Code, w.Body.String()
	}
	if code, body := probe(); code != 503 || body != "database migrations are pending; run scimd migrate\n" {
		t.Errorf("before migrating: %d %q", code, body)
	}
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if code, body := probe(); code != 200 || body != "ok\n" {
		t.Errorf("migrated: %d %q", code, body)
	}
	st.Close()
	if code, body := probe(); code != 503 || body != "the database does not answer\n" {
		t.Errorf("closed: %d %q", code, body)
	}
}

func TestSCIMPanicBody(t *testing.T) {
	b := scimPanicBody()
	if b.Prefix != "/scim/v2/" || b.ContentType != scim.MediaType {
		t.Errorf("panic body %+v", b)
	}
	scimError(t, request{status: 500, header: http.Header{"Content-Type": {b.ContentType}}, body: b.Body}, 500)
}

func TestDefaultBaseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"0.0.0.0:8080":   "http://localhost:8080",
		"[::]:8080":      "http://localhost:8080",
		"[::1]:9":        "http://[::1]:9",
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := defaultBaseURL(a); got != want {
			t.Errorf("defaultBaseURL(%s) = %s, want %s", addr, got, want)
		}
	}
}
