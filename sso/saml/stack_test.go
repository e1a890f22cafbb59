package saml

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/sso"
)

// stack is scimd's sign-in on SQLite over real HTTP: one tenant, acme,
// with Ada, provisioned by the IdP with the externalId "00u-ada", and one
// SAML connection to idp, whose metadata is kept with it.
type stack struct {
	t      *testing.T
	url    string
	svc    *directory.Service
	tenant *directory.Tenant
	conn   *directory.Connection
	idp    *testIdP
	c      *Connector
	box    secretbox.Keeper
}

func newStack(t *testing.T, idp *testIdP, md metadataOptions) *stack {
	t.Helper()
	st, err := sqlite.Open(t.Context(), testdb.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secretbox.New(bytes.Repeat([]byte{7}, secretbox.KeySize))
	svc := directory.NewService(st, nil)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	c := New(Config{Service: svc, Secrets: box, BaseURL: srv.URL, Log: log})
	signIn, err := sso.New(sso.Config{Service: svc, Log: log, BaseURL: srv.URL, Connectors: []sso.Connector{c}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/t/", signIn)
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	scimActor := directory.Actor{Kind: directory.ActorToken, ID: directory.NewID(), Scope: directory.ScopeSCIM}
	if _, err := svc.CreateUser(t.Context(), scimActor, tn.ID, &directory.User{UserName: "ada@acme.example", ExternalID: "00u-ada", Active: true}); err != nil {
		t.Fatal(err)
	}
	conn := &directory.Connection{ID: directory.NewID(), TenantID: tn.ID, Kind: directory.KindSAML, Name: "Okta", Enabled: true,
		SAML: &directory.SAMLConfig{Metadata: idp.metadata(md)}}
	if err := NewKeyPair(box, conn, time.Now()); err != nil {
		t.Fatal(err)
	}
	if conn, err = svc.CreateConnection(t.Context(), directory.CLI, tn.ID, conn); err != nil {
		t.Fatal(err)
	}
	return &stack{t: t, url: srv.URL, svc: svc, tenant: tn, conn: conn, idp: idp, c: c, box: box}
}

// sp is scimd's service provider as the IdP knows it, answering
// requestID.
func (s *stack) sp(requestID string) sp {
	return sp{entityID: s.c.EntityID(s.tenant, s.conn), acs: s.c.ACSURL(s.tenant, s.conn), requestID: requestID}
}

// allowIdPInitiated turns IdP-initiated sign-in on or off for the tenant.
func (s *stack) allowIdPInitiated(on bool) {
	s.t.Helper()
	if _, err := s.svc.SetSSOSettings(s.t.Context(), directory.CLI, s.tenant.ID, func(st *directory.SSOSettings) error {
		st.IdPInitiated = on
		return nil
	}); err != nil {
		s.t.Fatal(err)
	}
}

// browser is a browser: a cookie jar that follows redirects, except to
// the IdP, where it stops and shows where it was sent.
type browser struct {
	t *testing.T
	c *http.Client
}

func (s *stack) browser() *browser {
	jar, _ := cookiejar.New(nil)
	idpHost := hostOf(s.idp.ssoURL)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		if r.URL.Host == idpHost {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &browser{t: s.t, c: c}
}

func hostOf(u string) string {
	p, _ := url.Parse(u)
	return p.Host
}

// page is an answer as a browser sees it after redirects.
type page struct {
	status int
	url    string
	body   string
}

func read(t *testing.T, resp *http.Response, err error) *page {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &page{status: resp.StatusCode, url: resp.Request.URL.String(), body: string(b)}
}

// authnRequest is a sign-in request as the IdP receives it.
type authnRequest struct {
	saml.AuthnRequest
	relayState string
	query      url.Values
	rawQuery   string
}

// start begins a sign-in in b and returns the request scimd sent the
// browser to the IdP with.
func (s *stack) start(b *browser) *authnRequest {
	s.t.Helper()
	resp, err := b.c.Get(s.url + "/t/acme/sso/saml/start?connection=" + s.conn.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || hostOf(s.idp.ssoURL) != loc.Host {
		s.t.Fatalf("start: %d to %s", resp.StatusCode, loc)
	}
	return parseAuthnRequest(s.t, loc)
}

func parseAuthnRequest(t *testing.T, loc *url.URL) *authnRequest {
	t.Helper()
	q := loc.Query()
	deflated, err := base64.StdEncoding.DecodeString(q.Get("SAMLRequest"))
	if err != nil {
		t.Fatalf("SAMLRequest: %v", err)
	}
	plain, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	if err != nil {
		t.Fatalf("SAMLRequest: %v", err)
	}
	out := &authnRequest{relayState: q.Get("RelayState"), query: q, rawQuery: loc.RawQuery}
	if err := xml.Unmarshal(plain, &out.AuthnRequest); err != nil {
		t.Fatalf("AuthnRequest: %v\n%s", err, plain)
	}
	return out
}

// post is the IdP's answer arriving: the browser posts response (XML) to
// the ACS URL with relayState, as the IdP's auto-submitting form makes it.
func (s *stack) post(b *browser, response []byte, relayState string) *page {
	s.t.Helper()
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(response)}}
	if relayState != "" {
		form.Set("RelayState", relayState)
	}
	resp, err := b.c.PostForm(s.c.ACSURL(s.tenant, s.conn), form)
	return read(s.t, resp, err)
}

// signedIn reports whether the page is the home of Ada signed in.
func (p *page) signedIn() bool {
	return p.status == http.StatusOK && strings.HasSuffix(p.url, "/t/acme/") && strings.Contains(p.body, "ada@acme.example")
}

// lastSignIn returns the newest sign-in event's outcome: "(success)", or
// the refusal's reason and detail.
func (s *stack) lastSignIn() string {
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

// goodResponse is a response to req for Ada, its assertion signed by the
// IdP.
func (s *stack) goodResponse(req *authnRequest) []byte {
	x := s.sp(req.ID)
	a := s.idp.assertion(x, "00u-ada")
	return xmlOf(s.idp.response(x), nil, nil, signed(a, s.idp.key, s.idp.cert))
}
