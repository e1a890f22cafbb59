package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/scim"
)

// server is a real scimd SCIM endpoint on a real store, for one test.
type server struct {
	t      testing.TB
	url    string
	svc    *directory.Service
	store  directory.Store
	tenant *directory.Tenant
	token  string
	h      *scim.Handler
}

// backends runs fn on SQLite and on PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, s *server)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		st, err := sqlite.Open(t.Context(), testdb.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		fn(t, newServer(t, st))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		st, err := postgres.Open(t.Context(), testdb.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		fn(t, newServer(t, st))
	})
}

func newServer(t *testing.T, st directory.Store) *server { return newServerTB(t, st) }

func newServerTB(t testing.TB, st directory.Store) *server {
	t.Helper()
	svc := directory.NewService(st, nil)
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeSCIM, "test")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if tt, ok := t.(*testing.T); ok {
		log = slog.New(slog.NewTextHandler(tt.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s := &server{t: t, svc: svc, store: st, tenant: tn, token: secret}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	s.h = scim.NewHandler(scim.Config{Service: svc, Log: log, BaseURL: srv.URL})
	mux.Handle("/scim/v2/", s.h)
	s.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		s.h.Close(context.Background())
		st.Close()
	})
	return s
}

// response is an answer: status, headers and the decoded JSON body.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (s *server) do(method, path string, body any, hdr ...string) *response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			s.t.Fatalf("%s %s: %d, body is not a JSON object: %s", method, path, resp.StatusCode, raw)
		}
		if ct := resp.Header.Get("Content-Type"); ct != scim.MediaType {
			s.t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return out
}

func (r *response) want(t *testing.T, status int) *response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// wantError checks a SCIM error body (RFC 7644 §3.12).
func (r *response) wantError(t *testing.T, status int, scimType string) *response {
	t.Helper()
	r.want(t, status)
	if r.body["status"] != strings.TrimSpace(strings.Repeat(" ", 0)+itoa(status)) {
		t.Errorf("error status field %v, want the string %q", r.body["status"], itoa(status))
	}
	if got, _ := r.body["scimType"].(string); got != scimType {
		t.Errorf("scimType %q, want %q (%s)", got, scimType, r.raw)
	}
	if d, _ := r.body["detail"].(string); d == "" {
		t.Errorf("error without detail: %s", r.raw)
	}
	return r
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func (r *response) str(path ...string) string {
	var v any = r.body
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := 0
			json.Unmarshal([]byte(p), &i)
			if i < len(x) {
				v = x[i]
			} else {
				v = nil
			}
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func (r *response) list() []map[string]any {
	res, _ := r.body["Resources"].([]any)
	out := make([]map[string]any, len(res))
	for i, x := range res {
		out[i], _ = x.(map[string]any)
	}
	return out
}
