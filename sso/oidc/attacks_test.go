package oidc_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/scimd/scimd/directory"
)

var testKey, otherKey *rsa.PrivateKey

func init() {
	var err error
	if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
}

func setup(t *testing.T) *stack {
	t.Helper()
	op := newFakeOP(t, testKey)
	s := newStack(t, op)
	s.user(&directory.User{UserName: "ada@acme.example", ExternalID: "okta-ada", Active: true,
		Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "ada@acme.example", Primary: true}}})
	op.subject = "okta-ada"
	return s
}

// TestSignIn: the whole flow, with PKCE (S256), state and nonce sent, and
// a session cookie with the attributes it must have.
func TestSignIn(t *testing.T) {
	s := setup(t)
	b := s.browser()
	p := s.signIn(b)
	if p.status != http.StatusOK || p.url != s.url+"/t/acme/" || !strings.Contains(p.body, "You are signed in as ada@acme.example") {
		t.Fatalf("sign-in ended at %s", p)
	}
	a := s.op.last
	if a.Method != "S256" || a.Challenge == "" || len(a.Nonce) < 43 || len(a.State) < 43 || a.ClientID != s.op.client ||
		a.RedirectURI != s.url+"/t/acme/sso/oidc/callback" || !strings.HasPrefix(a.Scope, "openid") {
		t.Errorf("authorization request %+v", a)
	}
	u, _ := url.Parse(s.url + "/t/acme/")
	var session *http.Cookie
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "scimd_session" {
			session = c
		}
	}
	if session == nil || !strings.HasPrefix(session.Value, "scimds_") {
		t.Fatalf("no session cookie: %v", b.c.Jar.Cookies(u))
	}
	// The state is not kept in the database, only its hash; it is gone
	// now that it was used.
	if _, err := s.svc.TakeSignIn(t.Context(), s.tenant.ID, a.State); err == nil {
		t.Error("the state works twice")
	}
	// The cookie's attributes, as sent.
	resp := rawCallbackHeaders(t, s)
	for _, want := range []string{"scimd_session=scimds_", "Path=/t/acme/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(resp, want) {
			t.Errorf("Set-Cookie %q lacks %s", resp, want)
		}
	}
	if strings.Contains(resp, "Secure") {
		t.Errorf("Secure on plain-http localhost: %q", resp)
	}
	if got := s.lastRefusal(); got != "(success)" {
		t.Errorf("last sign-in event: %s", got)
	}
	// Sign-out ends the session.
	req, _ := http.NewRequest(http.MethodPost, s.url+"/t/acme/logout", nil)
	req.Header.Set("Origin", s.url)
	resp2, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if p := b.get(s.url + "/t/acme/"); !strings.HasSuffix(p.url, "/t/acme/login") {
		t.Errorf("after sign-out, home is %s", p.url)
	}
}

// rawCallbackHeaders signs in without following the last redirect and
// returns the session's Set-Cookie header.
func rawCallbackHeaders(t *testing.T, s *stack) string {
	b := s.browser()
	cb := s.startOnly(b)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.c.Get(cb)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "scimd_session=") {
			return c
		}
	}
	t.Fatalf("callback answered %d without a session cookie", resp.StatusCode)
	return ""
}

// TestForgedTokens: ID tokens a hostile network or provider could send
// are refused, each with its reason in the audit log.
func TestForgedTokens(t *testing.T) {
	tests := []struct {
		name   string
		mint   func(op *fakeOP, a *authRequest) string
		status int
		reason string
	}{
		{"nonce of another sign-in", func(op *fakeOP, a *authRequest) string {
			c := op.goodClaims(a)
			c["nonce"] = "some-other-nonce"
			return op.sign(c)
		}, http.StatusBadRequest, "nonce_mismatch"},
		{"no nonce", func(op *fakeOP, a *authRequest) string {
			c := op.goodClaims(a)
			delete(c, "nonce")
			return op.sign(c)
		}, http.StatusBadRequest, "nonce_mismatch"},
		{"wrong issuer", func(op *fakeOP, a *authRequest) string {
			c := op.goodClaims(a)
			c["iss"] = "https://evil.example.com"
			return op.sign(c)
		}, http.StatusBadGateway, "token_invalid"},
		{"alg none", func(op *fakeOP, a *authRequest) string {
			head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
			body, _ := json.Marshal(op.goodClaims(a))
			return head + "." + base64.RawURLEncoding.EncodeToString(body) + "."
		}, http.StatusBadGateway, "token_invalid"},
		{"HS256 with the client secret", func(op *fakeOP, a *authRequest) string {
			body, _ := json.Marshal(op.goodClaims(a))
			return oidctest.SignIDToken([]byte(op.secret), op.kid, "HS256", string(body))
		}, http.StatusBadGateway, "token_invalid"},
		{"for another client", func(op *fakeOP, a *authRequest) string {
			c := op.goodClaims(a)
			c["aud"] = "another-app"
			return op.sign(c)
		}, http.StatusBadGateway, "token_invalid"},
		{"for several clients, issued to another", func(op *fakeOP, a *authRequest) string {
			c := op.goodClaims(a)
			c["aud"] = []string{op.client, "another-app"}
			c["azp"] = "another-app"
			return op.sign(c)
		}, http.StatusBadGateway, "token_invalid"},
		{"expired", func(op *fakeOP, a *authRequest) string {
			c := op.goodClaims(a)
			c["exp"] = time.Now().Add(-time.Minute).Unix()
			return op.sign(c)
		}, http.StatusBadGateway, "token_expired"},
		{"signed by an unknown key", func(op *fakeOP, a *authRequest) string {
			b, _ := json.Marshal(op.goodClaims(a))
			return oidctest.SignIDToken(otherKey, op.kid, gooidc.RS256, string(b))
		}, http.StatusBadGateway, "token_invalid"},
		{"tampered payload", func(op *fakeOP, a *authRequest) string {
			good := strings.Split(op.sign(op.goodClaims(a)), ".")
			c := op.goodClaims(a)
			c["sub"] = "okta-boss"
			body, _ := json.Marshal(c)
			return good[0] + "." + base64.RawURLEncoding.EncodeToString(body) + "." + good[2]
		}, http.StatusBadGateway, "token_invalid"},
		{"no ID token", func(*fakeOP, *authRequest) string { return "" }, http.StatusBadGateway, "token_invalid"},
		{"no subject", func(op *fakeOP, a *authRequest) string {
			c := op.goodClaims(a)
			delete(c, "sub")
			return op.sign(c)
		}, http.StatusBadGateway, "no_subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := setup(t)
			s.op.mint = func(a *authRequest) string { return tt.mint(s.op, a) }
			p := s.signIn(s.browser())
			if p.status != tt.status || strings.Contains(p.body, "signed in as") || !strings.Contains(p.body, "<h1>") {
				t.Fatalf("got %s", p)
			}
			if got := s.lastRefusal(); !strings.HasPrefix(got, tt.reason+":") {
				t.Errorf("audit reason %q, want %s", got, tt.reason)
			}
			if strings.Contains(p.body, s.op.secret) || strings.Contains(p.body, "goroutine") {
				t.Errorf("the page shows a secret or a stack: %s", p.body)
			}
		})
	}
}

// TestStateAndCode: a state that scimd did not make, a replayed state, a
// sign-in finished in another browser, a code replayed with a fresh state,
// and an error from the provider are all refused.
func TestStateAndCode(t *testing.T) {
	s := setup(t)
	b := s.browser()
	cb := s.startOnly(b)
	u, _ := url.Parse(cb)
	code, state := u.Query().Get("code"), u.Query().Get("state")

	// A state scimd never made.
	forged := s.url + "/t/acme/sso/oidc/callback?" + url.Values{"code": {code}, "state": {"forged-state"}}.Encode()
	if p := b.get(forged); p.status != http.StatusBadRequest || !strings.Contains(p.body, "no longer valid") {
		t.Errorf("forged state: %s", p)
	}
	if got := s.lastRefusal(); !strings.HasPrefix(got, "state_unknown") {
		t.Errorf("reason %q", got)
	}
	// The same from a browser that started no sign-in is a stray request:
	// refused, and not written to the tenant's audit log (anyone can send
	// one).
	before, _ := s.svc.AuditEvents(t.Context(), s.tenant.ID, directory.AuditQuery{})
	if p := s.browser().get(forged); p.status != http.StatusBadRequest {
		t.Errorf("stray callback: %s", p)
	}
	if after, _ := s.svc.AuditEvents(t.Context(), s.tenant.ID, directory.AuditQuery{}); len(after) != len(before) {
		t.Errorf("a stray callback wrote %d audit events", len(after)-len(before))
	}
	// The right state in another browser: refused, and the state is spent.
	other := s.browser()
	if p := other.get(cb); p.status != http.StatusBadRequest || !strings.Contains(p.body, "another browser") {
		t.Errorf("other browser: %s", p)
	}
	if p := b.get(cb); p.status != http.StatusBadRequest {
		t.Errorf("after another browser tried, the state still works: %s", p)
	}

	// A good sign-in, then its callback replayed.
	cb = s.startOnly(b)
	if p := b.get(cb); p.status != http.StatusOK {
		t.Fatalf("sign-in: %s", p)
	}
	if p := b.get(cb); p.status != http.StatusBadRequest || !strings.HasPrefix(s.lastRefusal(), "state_unknown") {
		t.Errorf("replayed callback: %s", p)
	}
	// The used code with a fresh state: the provider refuses it.
	u, _ = url.Parse(cb)
	code = u.Query().Get("code")
	fresh, _ := url.Parse(s.startOnly(b))
	replay := s.url + "/t/acme/sso/oidc/callback?" + url.Values{"code": {code}, "state": {fresh.Query().Get("state")}}.Encode()
	if p := b.get(replay); p.status != http.StatusBadGateway || !strings.HasPrefix(s.lastRefusal(), "exchange_failed") {
		t.Errorf("replayed code: %s / %s", p, s.lastRefusal())
	}
	_ = state

	// The provider answers with an error: shown, escaped, and the state
	// is spent.
	s.op.errorParam = "access_denied"
	p := s.signIn(b)
	if p.status != http.StatusBadGateway || !strings.Contains(p.body, "access_denied") || strings.Contains(p.body, "<b>cancelled") {
		t.Errorf("provider error: %s", p)
	}
	if !strings.HasPrefix(s.lastRefusal(), "idp_error") {
		t.Errorf("reason %q", s.lastRefusal())
	}
}

// TestKeyRotation: a token signed with a key the provider published after
// scimd cached its keys verifies (the key set is read again for an unknown
// key id); one signed with a key it never published does not.
func TestKeyRotation(t *testing.T) {
	s := setup(t)
	if p := s.signIn(s.browser()); p.status != http.StatusOK {
		t.Fatalf("first sign-in: %s", p)
	}
	s.op.mint = func(a *authRequest) string {
		b, _ := json.Marshal(s.op.goodClaims(a))
		return oidctest.SignIDToken(otherKey, "key-2", gooidc.RS256, string(b))
	}
	if p := s.signIn(s.browser()); p.status != http.StatusBadGateway {
		t.Fatalf("unpublished key: %s", p)
	}
	s.op.keys.PublicKeys = append(s.op.keys.PublicKeys, oidctest.PublicKey{PublicKey: otherKey.Public(), KeyID: "key-2", Algorithm: gooidc.RS256})
	if p := s.signIn(s.browser()); p.status != http.StatusOK {
		t.Fatalf("rotated key: %s", p)
	}
}

// TestLinkingRefusals: the directory's refusals reach the person as pages
// that say what happened and what to do.
func TestLinkingRefusals(t *testing.T) {
	s := setup(t)
	ctx := t.Context()
	idp := directory.Actor{Kind: directory.ActorToken, ID: directory.NewID(), Scope: directory.ScopeSCIM}
	s.svc.SetSSOSettings(ctx, directory.CLI, s.tenant.ID, func(st *directory.SSOSettings) error {
		st.LinkBy = []directory.LinkMethod{directory.LinkExternalID, directory.LinkEmail}
		return nil
	})
	boss, _ := s.svc.CreateUser(ctx, directory.CLI, s.tenant.ID, &directory.User{UserName: "boss", Active: true, Role: directory.RoleAdmin,
		Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "boss@acme.example", Primary: true, Verified: true}}})
	_ = boss
	s.user(&directory.User{UserName: "cy", Active: true, Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "cy@acme.example", Primary: true}}})
	dee := s.user(&directory.User{UserName: "dee", ExternalID: "okta-dee", Active: false})
	fay := s.user(&directory.User{UserName: "fay", ExternalID: "okta-fay", Active: true})
	s.svc.UpdateUser(ctx, idp, s.tenant.ID, fay.ID, 0, func(u *directory.User) error { u.Active = false; return nil })
	if err := s.svc.DeleteUser(ctx, idp, s.tenant.ID, fay.ID, 0); err != nil {
		t.Fatal(err)
	}
	_ = dee
	tests := []struct {
		name    string
		subject string
		claims  map[string]any
		title   string
		reason  string
	}{
		{"unverified email", "okta-cy", map[string]any{"email": "cy@acme.example", "email_verified": false}, "Your email address is not verified", "email_unverified"},
		{"email of an admin", "okta-boss", map[string]any{"email": "boss@acme.example", "email_verified": true}, "can&#39;t be signed in to by email", "privileged_email"},
		{"disabled", "okta-dee", nil, "Your account is disabled", "user_disabled"},
		{"deleted", "okta-fay", nil, "Your account was deleted", "user_deleted"},
		{"unknown, no JIT", "okta-zed", map[string]any{"email": "zed@acme.example", "email_verified": true}, "have an account here", "unknown_user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.op.subject, s.op.claims = tt.subject, tt.claims
			p := s.signIn(s.browser())
			if p.status != http.StatusForbidden || !strings.Contains(p.body, tt.title) {
				t.Errorf("got %s", p)
			}
			if got := s.lastRefusal(); !strings.HasPrefix(got, tt.reason+":") {
				t.Errorf("reason %q", got)
			}
		})
	}
	// With a verified email, cy signs in (email linking is on).
	s.op.subject, s.op.claims = "okta-cy", map[string]any{"email": "cy@acme.example", "email_verified": "true"}
	if p := s.signIn(s.browser()); p.status != http.StatusOK {
		t.Errorf("verified email: %s", p)
	}
}

// TestReturnPath: a sign-in returns to a page of the tenant, never to
// another site or tenant.
func TestReturnPath(t *testing.T) {
	s := setup(t)
	for _, tt := range []struct{ ret, want string }{
		{"/t/acme/", "/t/acme/"},
		{"https://evil.example/", "/t/acme/"},
		{"//evil.example/t/acme/", "/t/acme/"},
		{"/t/other/", "/t/acme/"},
		{"/t/acme/../other/", "/t/acme/"},
	} {
		p := s.browser().get(s.startURL() + "&return=" + url.QueryEscape(tt.ret))
		if p.status != http.StatusOK || p.url != s.url+tt.want {
			t.Errorf("return %q ended at %s", tt.ret, p.url)
		}
	}
}

// TestLoginPage lists the tenant's enabled connections, safely escaped.
func TestLoginPage(t *testing.T) {
	s := setup(t)
	s.svc.UpdateConnection(t.Context(), directory.CLI, s.tenant.ID, s.conn.ID, func(c *directory.Connection) error {
		c.Name = `Okta <script>alert(1)</script>`
		return nil
	})
	p := s.browser().get(s.url + "/t/acme/login")
	if p.status != http.StatusOK || !strings.Contains(p.body, "Sign in with Okta &lt;script&gt;") || strings.Contains(p.body, "<script>") {
		t.Errorf("login page: %s", p)
	}
	if !strings.Contains(p.body, "/t/acme/sso/oidc/start?connection="+s.conn.ID) {
		t.Errorf("no start link: %s", p.body)
	}
	resp, err := http.Get(s.url + "/t/acme/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", resp.Header)
	}
	if p := s.browser().get(s.url + "/t/nope/login"); p.status != http.StatusNotFound || !strings.Contains(p.body, "No such tenant") {
		t.Errorf("unknown tenant: %s", p)
	}
	s.svc.UpdateConnection(t.Context(), directory.CLI, s.tenant.ID, s.conn.ID, func(c *directory.Connection) error { c.Enabled = false; return nil })
	if p := s.browser().get(s.url + "/t/acme/login"); strings.Contains(p.body, "Sign in with") || !strings.Contains(p.body, "No sign-in is set up") {
		t.Errorf("disabled connection listed: %s", p)
	}
	if p := s.browser().get(s.startURL()); p.status != http.StatusNotFound {
		t.Errorf("start through a disabled connection: %s", p)
	}
}
