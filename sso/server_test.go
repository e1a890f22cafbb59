package sso_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/sso"
)

// postConnector is a connector whose provider posts back, as SAML's does:
// it proves the seam. Its Finish signs in whoever the form names, once the
// core has taken the pending sign-in by the RelayState.
type postConnector struct{}

func (postConnector) Kind() directory.ConnectionKind { return directory.KindSAML }
func (postConnector) CallbackPath() string           { return "acs" }
func (postConnector) FormPost() bool                 { return true }
func (postConnector) Start(_ context.Context, req *sso.StartRequest) (string, error) {
	req.Pending.RequestID = "id-" + req.State[:8]
	return "https://idp.example/sso?RelayState=" + url.QueryEscape(req.State), nil
}
func (postConnector) Finish(_ context.Context, req *sso.FinishRequest) (*sso.Assertion, error) {
	p, conn, err := req.Take(req.HTTP.PostFormValue("RelayState"))
	if err != nil {
		return nil, err
	}
	if req.HTTP.PostFormValue("InResponseTo") != p.RequestID {
		return nil, sso.Refuse(sso.ReasonUnsolicited, "the response answers another request")
	}
	return &sso.Assertion{Connection: conn, Subject: req.HTTP.PostFormValue("NameID")}, nil
}

func newServer(t *testing.T, base string) (*sso.Server, *directory.Service, *directory.Connection) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), testdb.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	st.Migrate(t.Context())
	t.Cleanup(func() { st.Close() })
	svc := directory.NewService(st, nil)
	tn, _ := svc.CreateTenant(t.Context(), directory.CLI, "acme", "", 0)
	idp := directory.Actor{Kind: directory.ActorToken, ID: directory.NewID(), Scope: directory.ScopeSCIM}
	if _, err := svc.CreateUser(t.Context(), idp, tn.ID, &directory.User{UserName: "ada", ExternalID: "name-id-ada", Active: true}); err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateConnection(t.Context(), directory.CLI, tn.ID, &directory.Connection{Kind: directory.KindSAML, Name: "SAML", Enabled: true,
		SAML: &directory.SAMLConfig{Metadata: "<EntityDescriptor/>"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sso.New(sso.Config{Service: svc, Log: slog.New(slog.DiscardHandler), BaseURL: base, Connectors: []sso.Connector{postConnector{}}})
	if err != nil {
		t.Fatal(err)
	}
	return s, svc, c
}

func cookie(resp *http.Response, name string) string {
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return c
		}
	}
	return ""
}

// TestFormPostConnector: a connector whose provider posts back gets a
// binding cookie a cross-site POST carries, and the whole flow works
// through the seam; behind https, cookies are Secure.
func TestFormPostConnector(t *testing.T) {
	s, _, c := newServer(t, "https://id.example.com")
	start := httptest.NewRecorder()
	s.ServeHTTP(start, httptest.NewRequest("GET", "/t/acme/sso/saml/start?connection="+c.ID, nil))
	resp := start.Result()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d %s", resp.StatusCode, start.Body)
	}
	binding := cookie(resp, sso.BindingCookie)
	for _, want := range []string{"Path=/t/acme/sso/", "HttpOnly", "Secure", "SameSite=None", "Max-Age=600"} {
		if !strings.Contains(binding, want) {
			t.Errorf("binding cookie %q lacks %s", binding, want)
		}
	}
	to, _ := url.Parse(resp.Header.Get("Location"))
	state := to.Query().Get("RelayState")
	form := url.Values{"RelayState": {state}, "InResponseTo": {"id-" + state[:8]}, "NameID": {"name-id-ada"}}
	req := httptest.NewRequest("POST", "/t/acme/sso/saml/acs", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", strings.SplitN(binding, ";", 2)[0])
	acs := httptest.NewRecorder()
	s.ServeHTTP(acs, req)
	resp = acs.Result()
	session := cookie(resp, sso.SessionCookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/t/acme/" {
		t.Fatalf("acs: %d %s", resp.StatusCode, acs.Body)
	}
	for _, want := range []string{"Path=/t/acme/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(session, want) {
			t.Errorf("session cookie %q lacks %s", session, want)
		}
	}
}

// TestSecureCookies: cookies drop Secure only for plain http on this
// machine.
func TestSecureCookies(t *testing.T) {
	for base, want := range map[string]bool{
		"https://id.example.com": true, "http://localhost:8080": false, "http://127.0.0.1:8080": false,
		"http://10.0.0.5:8080": true, "https://localhost": true,
	} {
		s, _, _ := newServer(t, base)
		if s.Secure() != want {
			t.Errorf("%s: Secure %v", base, s.Secure())
		}
	}
	if _, err := sso.New(sso.Config{BaseURL: "/relative"}); err == nil {
		t.Error("relative base URL accepted")
	}
}
