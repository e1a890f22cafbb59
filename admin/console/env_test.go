package console_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/admin/console"
	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/sso"
	"github.com/scimd/scimd/sso/oidc"
	"github.com/scimd/scimd/sso/saml"
)

// env is a tenant on a real SQLite store, served by the sign-in server and
// the console as serve mounts them, with sessions made by the directory's
// own sign-in.
type env struct {
	t      *testing.T
	kind   string // "sqlite" or "postgres"
	dsn    string
	svc    *directory.Service
	srv    *httptest.Server
	tenant *directory.Tenant
	conn   *directory.Connection
	// idp is the tenant's identity provider, as SCIM writes.
	idp directory.Actor
	box *secretbox.Box
	// console is the console the server mounts.
	console *console.Console
}

var policy = directory.SessionPolicy{Idle: time.Hour, Absolute: 8 * time.Hour}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, "sqlite")
}

// store is what both stores are.
type store interface {
	directory.Store
	Migrate(ctx context.Context) (int, error)
}

// newEnvOn is newEnv on the store of kind: "sqlite" or "postgres".
func newEnvOn(t *testing.T, kind string) *env {
	t.Helper()
	var (
		dsn string
		st  store
		err error
	)
	if kind == "postgres" {
		dsn = testdb.Postgres(t)
		st, err = postgres.Open(t.Context(), dsn)
	} else {
		dsn = testdb.SQLite(t)
		st, err = sqlite.Open(t.Context(), dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := directory.NewService(st, nil)
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme Inc", 0)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := svc.CreateConnection(t.Context(), directory.CLI, tn.ID, &directory.Connection{Kind: directory.KindOIDC, Name: "Okta", Enabled: true,
		OIDC: &directory.OIDCConfig{Issuer: "https://acme.okta.example", ClientID: "scimd"}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, kind: kind, dsn: dsn, svc: svc, tenant: tn, conn: conn,
		idp: directory.Actor{Kind: directory.ActorToken, ID: directory.NewID(), Scope: directory.ScopeSCIM}}
	e.srv = httptest.NewUnstartedServer(nil)
	base := "http://" + e.srv.Listener.Addr().String()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	box, err := secretbox.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	e.box = box
	oc := oidc.New(box, nil, nil)
	sc := saml.New(saml.Config{Service: svc, Secrets: box, BaseURL: base, Log: log})
	signIn, err := sso.New(sso.Config{Service: svc, Log: log, BaseURL: base, Sessions: policy, Secrets: box,
		Connectors: []sso.Connector{oc, sc}, Console: console.Path, ConsoleRecovery: console.RecoveryHome})
	if err != nil {
		t.Fatal(err)
	}
	// No Secrets: typing an OIDC client secret is refused (a test says
	// so); SAML keys are sealed by the connector.
	c, err := console.New(console.Config{Service: svc, Log: log, BaseURL: base, SignedIn: signIn.SignedIn,
		CallbackURL: signIn.CallbackURL,
		MetadataURL: func(t *directory.Tenant, c *directory.Connection) string {
			if c.Kind != directory.KindSAML {
				return ""
			}
			return sc.MetadataURL(t, c)
		},
		// The connection test as serve wires it: each kind's connector.
		Check: func(ctx context.Context, t *directory.Tenant, c *directory.Connection) []console.Finding {
			var found []sso.Finding
			if c.Kind == directory.KindSAML {
				found = sc.Check(ctx, t, c)
			} else {
				found = oc.Check(ctx, c)
			}
			var out []console.Finding
			for _, f := range found {
				out = append(out, console.Finding{Level: string(f.Level), Message: f.Message})
			}
			return out
		},
		SAML: sc.Admin(), LinkURL: signIn.LinkURL, Banners: console.BreakGlassBanner})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/t/", signIn)
	mux.Handle(console.Pattern, c)
	e.console = c
	e.srv.Config.Handler = mux
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// user makes a user: by the identity provider when idp, else locally.
func (e *env) user(u *directory.User, idp bool) *directory.User {
	e.t.Helper()
	a := directory.CLI
	if idp {
		a = e.idp
	}
	if u.Role == "" {
		u.Role = directory.RoleAgent
	}
	u.Active = true
	got, err := e.svc.CreateUser(e.t.Context(), a, e.tenant.ID, u)
	if err != nil {
		e.t.Fatalf("create %s: %v", u.UserName, err)
	}
	return got
}

// session signs u in through the tenant's connection and returns the
// session cookie's value.
func (e *env) session(u *directory.User) string {
	e.t.Helper()
	res, err := e.svc.SignIn(e.t.Context(), e.tenant.ID, directory.SignInClaims{ConnectionID: e.conn.ID, Subject: u.ExternalID}, policy, "")
	if err != nil {
		e.t.Fatalf("sign in %s: %v", u.UserName, err)
	}
	return res.Secret
}

// admin makes a local admin and signs them in.
func (e *env) admin(name string) (*directory.User, string) {
	u := e.user(&directory.User{UserName: name, ExternalID: "ext-" + name, Role: directory.RoleAdmin}, false)
	return u, e.session(u)
}

type response struct {
	status int
	header http.Header
	body   string
}

// get fetches a path with the session (if any), following no redirect.
func (e *env) get(path, session string) *response {
	e.t.Helper()
	return e.do("GET", path, session, nil)
}

// post sends a form as a same-origin browser does, unless hdr replaces
// those headers.
func (e *env) post(path, session string, form url.Values, hdr ...string) *response {
	e.t.Helper()
	return e.do("POST", path, session, form, append([]string{"Sec-Fetch-Site", "same-origin", "Origin", e.srv.URL}, hdr...)...)
}

func (e *env) do(method, path, session string, form url.Values, hdr ...string) *response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: sso.SessionCookie, Value: session})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// multipart sends a multipart form, as a browser sends a form with a file
// input: values, and the file named file.
func (e *env) multipart(path, session string, values map[string]string, field, file, content string) *response {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range values {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile(field, file)
	if err != nil {
		e.t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	req, err := http.NewRequestWithContext(e.t.Context(), "POST", e.srv.URL+path, &b)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: sso.SessionCookie, Value: session})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return &response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// csrf reads the form token from a page.
func csrf(t *testing.T, page string) string {
	t.Helper()
	const marker = `name="csrf" value="`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no form token on the page:\n%s", page)
	}
	rest := page[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}
