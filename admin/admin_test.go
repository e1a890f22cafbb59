package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/sso/saml"
)

// server is scimd's admin API and SCIM endpoint on a real store, served
// over real HTTP, for one test: the IdP writes through /scim/v2 and the
// admin through /api/v1, as in production.
type server struct {
	t          *testing.T
	url        string
	svc        *directory.Service
	store      directory.Store
	tenant     *directory.Tenant
	adminToken string
	scimToken  string
	log        *syncBuffer
	secrets    *secretbox.Box
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

// syncBuffer collects the server's log.
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

// sessionHeader names the user a test request acts as, signed in: the
// stand-in for the sign-in sessions to come. Like them, it reads the
// user's role from the directory on every request.
const sessionHeader = "X-Test-Session"

func testSessions(svc *directory.Service, tenant int64) admin.Authenticator {
	return func(r *http.Request) (admin.Principal, bool, error) {
		id := r.Header.Get(sessionHeader)
		if id == "" {
			return admin.Principal{}, false, nil
		}
		u, err := svc.User(r.Context(), tenant, id, false)
		if err != nil {
			return admin.Principal{}, false, err
		}
		return admin.Principal{TenantID: tenant, Actor: directory.Actor{Kind: directory.ActorUser, ID: u.ID, Role: u.Role}}, true, nil
	}
}

func newServer(t *testing.T, st directory.Store) *server {
	t.Helper()
	svc := directory.NewService(st, nil)
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, adminSecret, err := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeAdmin, "console")
	if err != nil {
		t.Fatal(err)
	}
	_, scimSecret, err := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeSCIM, "okta")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, svc: svc, store: st, tenant: tn, adminToken: adminSecret, scimToken: scimSecret, log: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(s.log, t.Output()), &slog.HandlerOptions{Level: slog.LevelWarn}))
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	sh := scim.NewHandler(scim.Config{Service: svc, Log: log, BaseURL: srv.URL})
	mux.Handle(scim.Prefix+"/", sh)
	box, err := secretbox.New(bytes.Repeat([]byte{3}, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s.secrets = box
	mux.Handle(admin.Prefix+"/", admin.NewHandler(admin.Config{Service: svc, Log: log,
		Authenticators: []admin.Authenticator{admin.TokenAuthenticator(svc), testSessions(svc, tn.ID)},
		Secrets:        box,
		SAML:           saml.New(saml.Config{Service: svc, Secrets: box, BaseURL: "https://id.example.com"}).Admin(),
		RedirectURI: func(t *directory.Tenant, c *directory.Connection) string {
			return "https://id.example.com/t/" + t.Slug + "/sso/" + string(c.Kind) + "/callback"
		}}))
	s.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		sh.Close(context.Background())
		st.Close()
	})
	return s
}

// response is an answer: status, headers and the decoded JSON body.
type response struct {
	method, path string
	status       int
	header       http.Header
	body         map[string]any
	raw          string
}

// api calls the admin API with the admin token; hdr are header pairs.
func (s *server) api(method, path string, body any, hdr ...string) *response {
	s.t.Helper()
	return s.do("Bearer "+s.adminToken, "application/json", method, admin.Prefix+path, body, hdr...)
}

// as calls the admin API signed in as a user (a test session).
func (s *server) as(user, method, path string, body any) *response {
	s.t.Helper()
	return s.do("", "application/json", method, admin.Prefix+path, body, sessionHeader, user)
}

// scim calls /scim/v2 with the SCIM token, as the IdP does.
func (s *server) scim(method, path string, body any, hdr ...string) *response {
	s.t.Helper()
	return s.do("Bearer "+s.scimToken, scim.MediaType, method, scim.Prefix+path, body, hdr...)
}

func (s *server) do(auth, contentType, method, path string, body any, hdr ...string) *response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
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
	out := &response{method: method, path: path, status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			s.t.Fatalf("%s %s: %d, body is not a JSON object: %s", method, path, resp.StatusCode, raw)
		}
	}
	return out
}

// want fails the test unless the answer has status.
func (r *response) want(t *testing.T, status int) *response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, r.status, status, r.raw)
	}
	if strings.HasPrefix(r.path, admin.Prefix) && r.raw != "" && r.header.Get("Content-Type") != admin.MediaType {
		t.Errorf("%s %s: Content-Type %q", r.method, r.path, r.header.Get("Content-Type"))
	}
	return r
}

// wantError checks an admin API error: its status, its code, and a
// message for people.
func (r *response) wantError(t *testing.T, status int, code string) *response {
	t.Helper()
	r.want(t, status)
	if got := r.str("error"); got != code {
		t.Errorf("%s %s: error %q, want %q: %s", r.method, r.path, got, code, r.raw)
	}
	if r.str("message") == "" {
		t.Errorf("%s %s: error without a message: %s", r.method, r.path, r.raw)
	}
	return r
}

// str reads the value at path in the body ("owners", "emails"; list
// indexes as numbers) as text: strings as they are, anything else as
// JSON.
func (r *response) str(path ...string) string {
	return text(r.get(path...))
}

func (r *response) get(path ...string) any {
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
			return nil
		}
	}
	return v
}

func text(v any) string {
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

// list returns the objects of the list at path.
func (r *response) list(path ...string) []map[string]any {
	l, _ := r.get(path...).([]any)
	out := make([]map[string]any, len(l))
	for i, x := range l {
		out[i], _ = x.(map[string]any)
	}
	return out
}

// identity finds a user answer's identity by value.
func (r *response) identity(t *testing.T, value string) map[string]any {
	t.Helper()
	for _, id := range r.list("identities") {
		if strings.EqualFold(text(id["value"]), value) {
			return id
		}
	}
	t.Fatalf("no identity %s in %s", value, r.raw)
	return nil
}

// scimUser provisions a user through SCIM, as an IdP does, and returns its
// id.
func (s *server) scimUser(t *testing.T, doc map[string]any) string {
	t.Helper()
	if doc["schemas"] == nil {
		doc["schemas"] = []string{scim.UserSchema}
	}
	r := s.scim("POST", "/Users", doc)
	if r.status != http.StatusCreated {
		t.Fatalf("SCIM create: %d %s", r.status, r.raw)
	}
	return r.str("id")
}

// localUser creates a user through the admin API and returns its id.
func (s *server) localUser(t *testing.T, doc map[string]any) string {
	t.Helper()
	return s.api("POST", "/users", doc).want(t, http.StatusCreated).str("id")
}

// events returns the audit log about target, newest first, through the
// admin API.
func (s *server) events(t *testing.T, target string) []map[string]any {
	t.Helper()
	return s.api("GET", "/audit?target="+target, nil).want(t, http.StatusOK).list("events")
}
