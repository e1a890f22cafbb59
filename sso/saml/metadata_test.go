package saml

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
)

// TestParseMetadata: IdP metadata as Okta, Entra and others publish it is
// read; what sign-in can't use is refused with a sentence saying why.
func TestParseMetadata(t *testing.T) {
	p := newTestIdP(t)
	until := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	good := p.metadata(metadataOptions{validUntil: until, cacheDuration: 6 * time.Hour})
	got, err := parseMetadata(good)
	if err != nil {
		t.Fatal(err)
	}
	if got.entity.EntityID != p.entityID || ssoURL(got.entity) != p.ssoURL || !got.validUntil.Equal(until) ||
		got.cacheDuration != 6*time.Hour || len(got.certs) != 1 || !got.certs[0].Equal(p.cert) {
		t.Errorf("parsed %+v", got)
	}
	// An aggregate holding one IdP (and a service provider) is that IdP,
	// with the aggregate's validUntil when it is the earlier.
	earlier := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
	aggregate := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" validUntil="2029-01-01T00:00:00Z">` + good +
		`<EntityDescriptor entityID="https://sp.example.com"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor></EntitiesDescriptor>`
	if got, err := parseMetadata(aggregate); err != nil || got.entity.EntityID != p.entityID || !got.validUntil.Equal(earlier) {
		t.Errorf("aggregate: %+v %v", got, err)
	}
	// A second signing certificate (a rollover) is trusted too; an
	// encryption-only one is not.
	next := selfSigned(t, otherKey, "next", time.Now(), time.Now().Add(time.Hour))
	two := p.metadata(metadataOptions{certs: []*x509.Certificate{p.cert, next}})
	two = strings.Replace(two, `<KeyDescriptor use="signing">`, `<KeyDescriptor use="encryption">`, 1)
	if got, err := parseMetadata(two); err != nil || len(got.certs) != 1 || !got.certs[0].Equal(next) {
		t.Errorf("encryption key taken for signing: %+v %v", got, err)
	}

	for _, tt := range []struct{ name, doc, want string }{
		{"empty", "  ", "the metadata is empty"},
		{"not XML", "<EntityDescriptor", "not well-formed XML"},
		{"HTML", "<html><body>Sign in</body></html>", "the document is a html, not SAML metadata"},
		{"no entity id", strings.Replace(good, `entityID="`+p.entityID+`"`, "", 1), "names no entityID"},
		{"a service provider", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example.com"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor>`, "describes no identity provider"},
		{"no certificate", p.metadata(metadataOptions{certs: []*x509.Certificate{}}), "has no signing certificate"},
		{"bad certificate", strings.Replace(good, base64.StdEncoding.EncodeToString(p.cert.Raw), "AAAA", 1), "can't be read"},
		{"no redirect binding", p.metadata(metadataOptions{noRedirect: true}), "no SingleSignOnService with the HTTP-Redirect binding"},
		{"two IdPs", `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + good + strings.Replace(good, p.entityID, "https://idp2.example.com", 1) + `</EntitiesDescriptor>`, "describes 2 identity providers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseMetadata(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestRefreshAt: when a copy of the metadata is read again: at its
// cacheDuration (SAML metadata 2.2), daily when it names none, never more
// often than every five minutes, and an hour before its validUntil.
func TestRefreshAt(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name       string
		cache      time.Duration
		validUntil time.Time
		want       time.Duration
	}{
		{"nothing said", 0, time.Time{}, 24 * time.Hour},
		{"cacheDuration", time.Hour, time.Time{}, time.Hour},
		{"cacheDuration too short", time.Minute, time.Time{}, 5 * time.Minute},
		{"cacheDuration beyond a day", 48 * time.Hour, time.Time{}, 24 * time.Hour},
		{"validUntil first", 0, at.Add(3 * time.Hour), 2 * time.Hour},
		{"cacheDuration first", time.Hour, at.Add(3 * time.Hour), time.Hour},
		{"validUntil near", 0, at.Add(30 * time.Minute), 5 * time.Minute},
		{"validUntil past", 0, at.Add(-time.Hour), 5 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &idp{cacheDuration: tt.cache, validUntil: tt.validUntil}
			if got := p.refreshAt(at).Sub(at); got != tt.want {
				t.Errorf("read again after %s, want %s", got, tt.want)
			}
		})
	}
}

// metadataServer serves what doc holds, counting requests, or fails.
type metadataServer struct {
	*httptest.Server
	mu    sync.Mutex
	doc   string
	fail  bool
	reads atomic.Int32
}

func newMetadataServer(t *testing.T, doc string) *metadataServer {
	m := &metadataServer{doc: doc}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.reads.Add(1)
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.fail {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		w.Write([]byte(m.doc))
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *metadataServer) set(doc string, fail bool) {
	m.mu.Lock()
	m.doc, m.fail = doc, fail
	m.mu.Unlock()
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestMetadataRefresh: a connection's IdP metadata is read from its URL
// when the copy kept is due, and saved for every replica; while the URL
// fails, the copy kept serves until it lapses.
func TestMetadataRefresh(t *testing.T) {
	st, err := sqlite.Open(t.Context(), testdb.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := directory.NewService(st, clk.now)
	box, _ := secretbox.New(bytes.Repeat([]byte{5}, secretbox.KeySize))
	c := New(Config{Service: svc, Secrets: box, BaseURL: "https://id.example.com", Now: clk.now})
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	p := newTestIdP(t)
	first := p.metadata(metadataOptions{cacheDuration: time.Hour, validUntil: clk.now().Add(48 * time.Hour)})
	srv := newMetadataServer(t, first)
	doc, _, err := c.LoadMetadata(t.Context(), srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	fetched := clk.now()
	conn, err := svc.CreateConnection(t.Context(), directory.CLI, tn.ID, &directory.Connection{Kind: directory.KindSAML, Name: "Okta", Enabled: true,
		SAML: &directory.SAMLConfig{MetadataURL: srv.URL, Metadata: doc, MetadataFetched: &fetched}})
	if err != nil {
		t.Fatal(err)
	}
	reload := func() *directory.Connection {
		t.Helper()
		got, err := svc.Connection(t.Context(), tn.ID, conn.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// Not due: the copy kept, no request.
	clk.advance(30 * time.Minute)
	if _, err := c.idp(t.Context(), reload()); err != nil || srv.reads.Load() != 1 {
		t.Fatalf("not due: %v, %d reads", err, srv.reads.Load())
	}
	// Due at its cacheDuration: read and saved, and the change is in the
	// audit log.
	second := p.metadata(metadataOptions{cacheDuration: time.Hour, validUntil: clk.now().Add(72 * time.Hour)})
	srv.set(second, false)
	clk.advance(time.Hour)
	if _, err := c.idp(t.Context(), reload()); err != nil || srv.reads.Load() != 2 {
		t.Fatalf("due: %v, %d reads", err, srv.reads.Load())
	}
	if got := reload(); got.SAML.Metadata != second || got.SAML.MetadataFetched == nil || !got.SAML.MetadataFetched.Equal(clk.now()) {
		t.Errorf("not saved: fetched %v", got.SAML.MetadataFetched)
	}
	evs, _ := svc.AuditEvents(t.Context(), tn.ID, directory.AuditQuery{Action: "sso.connection.metadata"})
	if len(evs) != 1 || evs[0].Actor.Kind != directory.ActorSystem {
		t.Errorf("audit: %+v", evs)
	}
	// Another replica finds it fresh: no request.
	other := New(Config{Service: svc, Secrets: box, BaseURL: "https://id.example.com", Now: clk.now})
	if _, err := other.idp(t.Context(), reload()); err != nil || srv.reads.Load() != 2 {
		t.Fatalf("other replica: %v, %d reads", err, srv.reads.Load())
	}
	// The URL fails: the copy kept serves.
	srv.set("", true)
	clk.advance(2 * time.Hour)
	if _, err := c.idp(t.Context(), reload()); err != nil || srv.reads.Load() != 3 {
		t.Fatalf("URL down: %v, %d reads", err, srv.reads.Load())
	}
	// ... until it lapses.
	clk.advance(72 * time.Hour)
	_, err = c.idp(t.Context(), reload())
	if se, ok := errors.AsType[*directory.SignInError](err); !ok || se.Reason != "connection_unavailable" || !strings.Contains(se.Detail, "expired on") {
		t.Errorf("lapsed: %v", err)
	}
	// A document that is not metadata is not saved over a good one.
	srv.set("<html>maintenance</html>", false)
	clk.advance(time.Hour)
	if _, err := c.idp(t.Context(), reload()); err == nil {
		t.Error("lapsed metadata used")
	}
	if got := reload(); got.SAML.Metadata != second {
		t.Error("a bad document was saved")
	}
}

// TestKeyRollover: the IdP signs with a new key that its metadata
// publishes before scimd's copy is due: the signature fails, scimd reads
// the metadata again (at most once a minute) and the response verifies.
func TestKeyRollover(t *testing.T) {
	idp := newTestIdP(t)
	srv := newMetadataServer(t, idp.metadata(metadataOptions{}))
	s := newStack(t, idp, metadataOptions{})
	fetched := time.Now().Add(-2 * time.Minute)
	if _, err := s.svc.UpdateConnection(t.Context(), directory.CLI, s.tenant.ID, s.conn.ID, func(c *directory.Connection) error {
		c.SAML.MetadataURL, c.SAML.MetadataFetched = srv.URL, &fetched
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The IdP rolls over: its metadata now names both certificates, and
	// it signs with the new key.
	newCert := selfSigned(t, otherKey, "idp.example.com 2", time.Now().Add(-time.Minute), time.Now().Add(365*24*time.Hour))
	srv.set(idp.metadata(metadataOptions{certs: []*x509.Certificate{idp.cert, newCert}}), false)
	s.allowIdPInitiated(true)
	x := s.sp("")
	resp := func() []byte {
		return xmlOf(idp.response(x), nil, nil, signed(idp.assertion(x, "00u-ada"), otherKey, newCert))
	}
	if p := s.post(s.browser(), resp(), ""); !p.signedIn() {
		t.Fatalf("after the rollover: %d %s", p.status, p.body)
	}
	if srv.reads.Load() != 1 {
		t.Errorf("%d reads of the metadata", srv.reads.Load())
	}
	// A forger's signature makes scimd read the metadata at most once a
	// minute.
	for range 3 {
		forged := xmlOf(idp.response(x), nil, nil, signed(idp.assertion(x, "00u-ada"), mustKey(), newCert))
		if p := s.post(s.browser(), forged, ""); p.signedIn() {
			t.Fatal("forged response accepted")
		}
	}
	if srv.reads.Load() != 1 {
		t.Errorf("%d reads of the metadata after forgeries", srv.reads.Load())
	}
}
