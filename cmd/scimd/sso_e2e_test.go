package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
)

// replica is one scimd process: its own directory.Service and handlers
// (everything serve mounts) over a store.
type replica struct {
	svc *directory.Service
	h   http.Handler
}

func newReplica(t *testing.T, st store, base string, keeper secretbox.Keeper) *replica {
	t.Helper()
	svc := directory.NewService(st, nil)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, closeHandlers, err := handler(svc, st, log, base, signInConfig{keeper: keeper,
		sessions: directory.SessionPolicy{Idle: time.Hour, Absolute: 8 * time.Hour}, now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeHandlers(context.Background()) })
	return &replica{svc: svc, h: h}
}

// front is a load balancer at one URL in front of replicas: each request
// goes to the replica the test points it at.
type front struct {
	url      string
	replicas []*replica
	to       atomic.Int32
}

func newFront(t *testing.T, build func(base string) []*replica) *front {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &front{url: "http://" + ln.Addr().String()}
	f.replicas = build(f.url)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.replicas[f.to.Load()].h.ServeHTTP(w, r)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return f
}

func (f *front) svc() *directory.Service { return f.replicas[f.to.Load()].svc }

func openTestStore(t *testing.T, kind, dsn string) store {
	t.Helper()
	var (
		st  store
		err error
	)
	if kind == kindPostgres {
		st, err = postgres.Open(t.Context(), dsn)
	} else {
		st, err = sqlite.Open(t.Context(), dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// world is a tenant on scimd with an IdP that provisions it over SCIM and
// signs its staff in over OIDC.
type world struct {
	t          *testing.T
	f          *front
	op         *testOP
	adminToken string
	scimToken  string
}

const (
	opClientID = "scimd-app"
	opSecret   = "the-client-secret-from-the-idp"
)

func newWorld(t *testing.T, f *front) *world {
	t.Helper()
	svc := f.svc()
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme Inc", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, adminToken, _ := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeAdmin, "ops")
	_, scimToken, _ := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeSCIM, "idp")
	// The tenant's owner, so that others may be demoted and disabled.
	if _, err := svc.CreateUser(t.Context(), directory.CLI, tn.ID, &directory.User{UserName: "root", Active: true, Role: directory.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, f: f, op: newTestOP(t, opClientID, opSecret), adminToken: adminToken, scimToken: scimToken}
	// The admin connects the IdP through the admin API.
	r := w.call("Bearer "+adminToken, "POST", "/api/v1/sso/connections", map[string]any{
		"kind": "oidc", "name": "Zitadel", "issuer": w.op.issuer(), "clientId": opClientID, "clientSecret": opSecret})
	if r.status != http.StatusCreated || strings.Contains(r.raw, opSecret) {
		t.Fatalf("create connection: %d %s", r.status, r.raw)
	}
	o := r.body["oidc"].(map[string]any)
	if o["clientSecretSet"] != true || r.body["redirectUri"] != f.url+"/t/acme/sso/oidc/callback" {
		t.Errorf("connection %s", r.raw)
	}
	return w
}

type apiResponse struct {
	status int
	body   map[string]any
	raw    string
}

// call sends a JSON request to the front with an Authorization header.
func (w *world) call(auth, method, path string, body any, hdr ...string) *apiResponse {
	w.t.Helper()
	return w.send(http.DefaultClient, auth, method, path, body, hdr...)
}

func (w *world) send(c *http.Client, auth, method, path string, body any, hdr ...string) *apiResponse {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(w.t.Context(), method, w.f.url+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		ct := "application/json"
		if strings.HasPrefix(path, "/scim/") {
			ct = "application/scim+json"
		}
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := &apiResponse{status: resp.StatusCode, raw: string(b)}
	json.Unmarshal(b, &out.body)
	return out
}

// provision creates a user over SCIM, as the IdP does, and returns its id.
func (w *world) provision(userName, externalID string) string {
	w.t.Helper()
	r := w.call("Bearer "+w.scimToken, "POST", "/scim/v2/Users", map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName, "externalId": externalID, "active": true,
		"emails": []map[string]any{{"value": userName, "primary": true, "type": "work"}},
	})
	if r.status != http.StatusCreated {
		w.t.Fatalf("SCIM create: %d %s", r.status, r.raw)
	}
	return r.body["id"].(string)
}

func (w *world) setActive(id string, active bool) {
	w.t.Helper()
	r := w.call("Bearer "+w.scimToken, "PATCH", "/scim/v2/Users/"+id, map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []map[string]any{{"op": "replace", "value": map[string]any{"active": active}}},
	})
	if r.status != http.StatusOK {
		w.t.Fatalf("SCIM patch: %d %s", r.status, r.raw)
	}
}

func (w *world) setRole(id, role string) {
	w.t.Helper()
	if r := w.call("Bearer "+w.adminToken, "PUT", "/api/v1/users/"+id+"/role", map[string]any{"role": role}); r.status != http.StatusOK {
		w.t.Fatalf("set role: %d %s", r.status, r.raw)
	}
}

// browser returns a browser: a client with a cookie jar that follows
// redirects.
func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

var startLink = regexp.MustCompile(`href="([^"]*/sso/oidc/start[^"]*)"`)

// signIn opens the tenant's sign-in page, clicks its one choice, and
// follows the browser through the provider and back.
func (w *world) signIn(b *http.Client) (status int, finalURL, body string) {
	w.t.Helper()
	resp, err := b.Get(w.f.url + "/t/acme/login")
	if err != nil {
		w.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := startLink.FindStringSubmatch(string(page))
	if m == nil {
		w.t.Fatalf("no sign-in choice on the page:\n%s", page)
	}
	resp, err = b.Get(w.f.url + html.UnescapeString(m[1]))
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.String(), string(out)
}

// TestSSOEndToEnd: the IdP provisions Ada over SCIM; she signs in through
// a real OpenID provider (zitadel/oidc's op: authorization code, PKCE,
// nonce), uses the admin API with her session cookie as an admin, loses
// and regains rights with her role between two requests, is cut off the
// moment she is disabled, and signs out.
func TestSSOEndToEnd(t *testing.T) {
	for _, kind := range []string{kindSQLite, kindPostgres} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dsn := testdb.SQLite(t)
			if kind == kindPostgres {
				dsn = testdb.Postgres(t)
			}
			box, _ := secretbox.New(bytes.Repeat([]byte{1}, 32))
			f := newFront(t, func(base string) []*replica {
				return []*replica{newReplica(t, openTestStore(t, kind, dsn), base, box)}
			})
			w := newWorld(t, f)
			ada := w.provision("ada@acme.example", "zitadel-ada")
			w.setRole(ada, "admin")
			w.op.who(opPerson{Subject: "zitadel-ada", Email: "ada@acme.example", EmailVerified: true, UserName: "ada@acme.example", Name: "Ada Lovelace"})

			b := newBrowser()
			status, final, body := w.signIn(b)
			if status != http.StatusOK || final != f.url+"/t/acme/console/" || !strings.Contains(body, "ada@acme.example") || !strings.Contains(body, "admin") {
				t.Fatalf("sign-in ended at %d %s:\n%s", status, final, body)
			}
			api := func(method, path string, body any, hdr ...string) *apiResponse {
				t.Helper()
				return w.send(b, "", method, "/t/acme/api/v1"+path, body, hdr...)
			}
			// The session works on the admin API as an admin.
			r := api("GET", "/users", nil)
			if r.status != http.StatusOK || !strings.Contains(r.raw, "ada@acme.example") {
				t.Fatalf("GET users with the session: %d %s", r.status, r.raw)
			}
			// A write from scimd's own origin passes; one from another site
			// does not, cookie or no cookie.
			if r := api("PATCH", "/users/"+ada, map[string]any{"title": "Analyst"}, "Origin", f.url, "Sec-Fetch-Site", "same-origin"); r.status != http.StatusOK {
				t.Errorf("same-origin PATCH: %d %s", r.status, r.raw)
			}
			if r := api("PATCH", "/users/"+ada, map[string]any{"title": "Pwned"}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
				t.Errorf("cross-site PATCH: %d %s", r.status, r.raw)
			}
			// No session, no entry; and the cookie means nothing at /api/v1.
			if r := w.call("", "GET", "/t/acme/api/v1/users", nil); r.status != http.StatusUnauthorized {
				t.Errorf("without the cookie: %d", r.status)
			}
			cookie := sessionCookie(t, b, f.url+"/t/acme/")
			if r := w.call("", "GET", "/api/v1/users", nil, "Cookie", "scimd_session="+cookie); r.status != http.StatusUnauthorized {
				t.Errorf("cookie at /api/v1: %d", r.status)
			}
			// Nor in another tenant's path.
			w.f.svc().CreateTenant(t.Context(), directory.CLI, "globex", "", 0)
			if r := w.call("", "GET", "/t/globex/api/v1/users", nil, "Cookie", "scimd_session="+cookie); r.status != http.StatusUnauthorized {
				t.Errorf("cookie in another tenant: %d %s", r.status, r.raw)
			}

			// A role change applies to the next request, without signing out.
			w.setRole(ada, "agent")
			if r := api("GET", "/users", nil); r.status != http.StatusForbidden {
				t.Errorf("as an agent: %d %s", r.status, r.raw)
			}
			w.setRole(ada, "admin")
			if r := api("GET", "/users", nil); r.status != http.StatusOK {
				t.Errorf("as an admin again: %d %s", r.status, r.raw)
			}

			// Disabling her ends her session at once; enabling her again
			// does not bring it back.
			w.setActive(ada, false)
			if r := api("GET", "/users", nil); r.status != http.StatusUnauthorized {
				t.Errorf("disabled: %d %s", r.status, r.raw)
			}
			w.setActive(ada, true)
			if r := api("GET", "/users", nil); r.status != http.StatusUnauthorized {
				t.Errorf("re-enabled, old session: %d", r.status)
			}

			// She signs in again, then out: the session no longer works.
			if status, _, body := w.signIn(b); status != http.StatusOK {
				t.Fatalf("second sign-in: %d %s", status, body)
			}
			if r := api("GET", "/seats", nil); r.status != http.StatusOK {
				t.Fatalf("after second sign-in: %d", r.status)
			}
			old := sessionCookie(t, b, f.url+"/t/acme/")
			req, _ := http.NewRequest("POST", f.url+"/t/acme/logout", nil)
			req.Header.Set("Origin", f.url)
			resp, err := b.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Request.URL.Path != "/t/acme/login" {
				t.Errorf("sign-out ended at %s", resp.Request.URL)
			}
			if r := w.call("", "GET", "/t/acme/api/v1/seats", nil, "Cookie", "scimd_session="+old); r.status != http.StatusUnauthorized {
				t.Errorf("the signed-out session still works: %d", r.status)
			}

			// Every sign-in is in the audit log, for the admins.
			r = w.call("Bearer "+w.adminToken, "GET", "/api/v1/audit?action=session.", nil)
			if r.status != http.StatusOK || strings.Count(r.raw, `"session.signin"`) != 2 || !strings.Contains(r.raw, `"session.signout"`) {
				t.Errorf("audit: %s", r.raw)
			}
			// An unknown person is refused with a page that says so.
			w.op.who(opPerson{Subject: "zitadel-mallory", Email: "mallory@evil.example", EmailVerified: true, UserName: "mallory"})
			if status, _, body := w.signIn(newBrowser()); status != http.StatusForbidden || !strings.Contains(body, "have an account here") {
				t.Errorf("unknown person: %d %s", status, body)
			}
		})
	}
}

func sessionCookie(t *testing.T, b *http.Client, u string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for _, c := range b.Jar.Cookies(req.URL) {
		if c.Name == "scimd_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// TestSSOAcrossReplicas: a sign-in started on one scimd process finishes on
// another that shares the PostgreSQL database, and the session works on
// both; the finished sign-in can't be finished again on the first.
func TestSSOAcrossReplicas(t *testing.T) {
	dsn := testdb.Postgres(t)
	box, _ := secretbox.New(bytes.Repeat([]byte{2}, 32))
	f := newFront(t, func(base string) []*replica {
		return []*replica{
			newReplica(t, openTestStore(t, kindPostgres, dsn), base, box),
			newReplica(t, openTestStore(t, kindPostgres, dsn), base, box),
		}
	})
	w := newWorld(t, f)
	ada := w.provision("ada@acme.example", "zitadel-ada")
	w.setRole(ada, "owner")
	w.op.who(opPerson{Subject: "zitadel-ada", Email: "ada@acme.example", EmailVerified: true, UserName: "ada@acme.example"})

	b := newBrowser()
	var callback string
	b.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if strings.HasSuffix(r.URL.Path, "/sso/oidc/callback") {
			callback = r.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}
	f.to.Store(0)
	status, _, _ := w.signIn(b) // start on replica 0, stop at the way back
	if callback == "" || status != http.StatusSeeOther && status != http.StatusFound {
		t.Fatalf("no callback: %d", status)
	}
	b.CheckRedirect = nil
	f.to.Store(1) // the way back lands on replica 1
	resp, err := b.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ada@acme.example") {
		t.Fatalf("finish on replica 1: %d %s", resp.StatusCode, body)
	}
	for i := range 2 {
		f.to.Store(int32(i))
		if r := w.send(b, "", "GET", "/t/acme/api/v1/users", nil); r.status != http.StatusOK {
			t.Errorf("session on replica %d: %d %s", i, r.status, r.raw)
		}
	}
	// Replaying the way back on replica 0 finds the sign-in gone.
	f.to.Store(0)
	resp, err = b.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replay on replica 0: %d", resp.StatusCode)
	}
}
