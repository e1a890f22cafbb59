package oidc_test

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/sso"
	"github.com/scimd/scimd/sso/oidc"
)

// fakeOP is an OpenID provider for attack tests: go-oidc's oidctest serves
// its discovery document and keys, and this adds an authorization endpoint
// that signs the browser straight in and a token endpoint that checks the
// code, the client and the PKCE verifier, then returns whatever ID token
// the test mints: tests tamper with it to play a hostile network.
type fakeOP struct {
	t      testing.TB
	srv    *httptest.Server
	keys   *oidctest.Server
	priv   *rsa.PrivateKey
	kid    string
	client string
	secret string

	mu    sync.Mutex
	codes map[string]*authRequest // code → the request it answers
	// mint makes the ID token for an authorization request; nil mints a
	// good one for subject.
	mint    func(a *authRequest) string
	subject string
	claims  map[string]any
	// errorParam, when set, makes /auth answer with an error.
	errorParam string
	last       *authRequest
}

type authRequest struct {
	State, Nonce, Challenge, Method, RedirectURI, ClientID, Scope string
	used                                                          bool
}

func newFakeOP(t testing.TB, priv *rsa.PrivateKey) *fakeOP {
	op := &fakeOP{t: t, priv: priv, kid: "key-1", client: "scimd-client", secret: "s3cret-client-secret-0123456789abcdef", codes: map[string]*authRequest{}}
	op.keys = &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: priv.Public(), KeyID: op.kid, Algorithm: gooidc.RS256}}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth", op.authorize)
	mux.HandleFunc("POST /token", op.token)
	mux.Handle("/", op.keys)
	op.srv = httptest.NewServer(mux)
	op.keys.SetIssuer(op.srv.URL)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *fakeOP) issuer() string { return op.srv.URL }

func (op *fakeOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := &authRequest{State: q.Get("state"), Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"),
		Method: q.Get("code_challenge_method"), RedirectURI: q.Get("redirect_uri"), ClientID: q.Get("client_id"), Scope: q.Get("scope")}
	op.mu.Lock()
	op.last = a
	errParam := op.errorParam
	code := directory.NewSecret()
	op.codes[code] = a
	op.mu.Unlock()
	to, _ := url.Parse(a.RedirectURI)
	back := url.Values{"state": {a.State}}
	if errParam != "" {
		back.Set("error", errParam)
		back.Set("error_description", "The user <b>cancelled</b>")
	} else {
		back.Set("code", code)
	}
	to.RawQuery = back.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
}

func (op *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	fail := func(code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": code})
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != op.client || secret != op.secret {
		fail("invalid_client")
		return
	}
	op.mu.Lock()
	a := op.codes[r.PostForm.Get("code")]
	replay := a != nil && a.used
	if a != nil {
		a.used = true
	}
	op.mu.Unlock()
	if a == nil || replay || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("redirect_uri") != a.RedirectURI {
		fail("invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if a.Method != "S256" || base64.RawURLEncoding.EncodeToString(sum[:]) != a.Challenge {
		fail("invalid_grant")
		return
	}
	op.mu.Lock()
	mint := op.mint
	op.mu.Unlock()
	var idToken string
	if mint != nil {
		idToken = mint(a)
	} else {
		idToken = op.sign(op.goodClaims(a))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + directory.NewSecret(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

// goodClaims are the claims of a valid ID token for a.
func (op *fakeOP) goodClaims(a *authRequest) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": op.issuer(), "aud": op.client, "sub": op.subject, "nonce": a.Nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range op.claims {
		c[k] = v
	}
	return c
}

func (op *fakeOP) sign(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return oidctest.SignIDToken(op.priv, op.kid, gooidc.RS256, string(b))
}

// stack is scimd's sign-in on SQLite, over real HTTP, with one tenant and
// one OIDC connection to op.
type stack struct {
	t      testing.TB
	url    string
	svc    *directory.Service
	store  directory.Store
	tenant *directory.Tenant
	conn   *directory.Connection
	op     *fakeOP
}

func newStack(t testing.TB, op *fakeOP) *stack {
	t.Helper()
	st, err := sqlite.Open(t.Context(), testdb.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secretbox.New([]byte(strings.Repeat("k", 32)))
	svc := directory.NewService(st, nil)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	signIn, err := sso.New(sso.Config{Service: svc, Log: log, BaseURL: srv.URL,
		Connectors: []sso.Connector{oidc.New(box, nil, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/t/", signIn)
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	c := &directory.Connection{ID: directory.NewID(), TenantID: tn.ID, Kind: directory.KindOIDC, Name: "Okta", Enabled: true,
		OIDC: &directory.OIDCConfig{Issuer: op.issuer(), ClientID: op.client}}
	c.Secret, _ = box.Seal([]byte(op.secret), c.SecretContext())
	if c, err = svc.CreateConnection(t.Context(), directory.CLI, tn.ID, c); err != nil {
		t.Fatal(err)
	}
	return &stack{t: t, url: srv.URL, svc: svc, store: st, tenant: tn, conn: c, op: op}
}

// browser is a browser: a cookie jar that follows redirects.
type browser struct {
	t testing.TB
	c *http.Client
}

func (s *stack) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// page is an answer as a browser sees it after redirects.
type page struct {
	status int
	url    string
	body   string
}

func (b *browser) get(u string) *page {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return &page{status: resp.StatusCode, url: resp.Request.URL.String(), body: sb.String()}
}

// signIn walks a browser through the sign-in page and the provider.
func (s *stack) signIn(b *browser) *page {
	s.t.Helper()
	return b.get(s.startURL())
}

func (s *stack) startURL() string {
	return s.url + "/t/acme/sso/oidc/start?connection=" + s.conn.ID
}

// startOnly begins a sign-in and stops at the provider's redirect back,
// returning the callback URL the provider sent the browser to.
func (s *stack) startOnly(b *browser) string {
	s.t.Helper()
	prev := b.c.CheckRedirect
	defer func() { b.c.CheckRedirect = prev }()
	var callback string
	b.c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if strings.Contains(r.URL.Path, "/sso/oidc/callback") {
			callback = r.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := b.c.Get(s.startURL())
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if callback == "" {
		s.t.Fatalf("no redirect to the callback; status %d", resp.StatusCode)
	}
	return callback
}

// user provisions a user as the IdP does.
func (s *stack) user(u *directory.User) *directory.User {
	s.t.Helper()
	idp := directory.Actor{Kind: directory.ActorToken, ID: directory.NewID(), Scope: directory.ScopeSCIM}
	out, err := s.svc.CreateUser(s.t.Context(), idp, s.tenant.ID, u)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// lastRefusal returns the reason of the newest refused sign-in in the
// audit log.
func (s *stack) lastRefusal() string {
	s.t.Helper()
	evs, err := s.svc.AuditEvents(s.t.Context(), s.tenant.ID, directory.AuditQuery{Action: "session.signin", Limit: 1})
	if err != nil || len(evs) == 0 {
		s.t.Fatalf("no sign-in events: %v", err)
	}
	if evs[0].Outcome != directory.OutcomeDenied {
		return "(success)"
	}
	return evs[0].Reason
}

func (p *page) String() string { return fmt.Sprintf("%d %s\n%s", p.status, p.url, p.body) }
