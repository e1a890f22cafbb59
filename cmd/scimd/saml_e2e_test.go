package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml/samlidp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
)

// samlIdP is crewjam's own SAML identity provider, samlidp, served over
// real HTTP: its users, the service providers it knows (by their
// metadata), its IdP-initiated shortcuts, and its signing certificate.
type samlIdP struct {
	t   *testing.T
	srv *httptest.Server
	idp *samlidp.Server
}

// newSAMLIdP starts samlidp with a signing certificate valid until
// notAfter, signing with RSA-SHA256 as Okta and Entra do.
func newSAMLIdP(t *testing.T, notAfter time.Time) *samlIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "samlidp signing"},
		NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	p := &samlIdP{t: t}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.idp.ServeHTTP(w, r) }))
	t.Cleanup(p.srv.Close)
	u, _ := url.Parse(p.srv.URL)
	p.idp, err = samlidp.New(samlidp.Options{URL: *u, Key: key, Certificate: cert, Store: &samlidp.MemoryStore{},
		Logger: log.New(t.Output(), "samlidp: ", 0)})
	if err != nil {
		t.Fatal(err)
	}
	p.idp.IDP.SignatureMethod = dsig.RSASHA256SignatureMethod
	return p
}

func (p *samlIdP) metadataURL() string { return p.srv.URL + "/metadata" }

// put calls samlidp's admin API.
func (p *samlIdP) put(path string, body []byte) {
	p.t.Helper()
	req, _ := http.NewRequestWithContext(p.t.Context(), "PUT", p.srv.URL+path, bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		p.t.Fatalf("samlidp PUT %s: %d", path, resp.StatusCode)
	}
}

// addUser gives the IdP a person; samlidp sends the user's name as the
// uid attribute, which the tests' connections take as the person's id
// (as Okta sends its user id, and SCIM carries it as the externalId).
func (p *samlIdP) addUser(name, email string) {
	b, _ := json.Marshal(map[string]any{"name": name, "email": email, "password": "hunter2", "given_name": "Ada", "surname": "Lovelace"})
	p.put("/users/"+name, b)
}

// register tells the IdP about a service provider: its metadata, as
// scimd serves it, which is what an IdP's admin uploads.
func (p *samlIdP) register(name, spMetadataURL string) {
	p.t.Helper()
	resp, err := http.Get(spMetadataURL)
	if err != nil {
		p.t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		p.t.Fatalf("scimd's metadata: %d %s", resp.StatusCode, md)
	}
	p.put("/services/"+name, md)
}

var (
	samlStartLink = regexp.MustCompile(`href="([^"]*/sso/saml/start[^"]*)"`)
	formAction    = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	formInput     = regexp.MustCompile(`name="([A-Za-z]+)"[^>]*value="([^"]*)"`)
)

// form is an HTML form a page holds: its action and hidden values.
type form struct {
	action string
	values url.Values
}

func parseForm(t *testing.T, page string) *form {
	t.Helper()
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form on the page:\n%s", page)
	}
	f := &form{action: html.UnescapeString(m[1]), values: url.Values{}}
	for _, in := range formInput.FindAllStringSubmatch(page, -1) {
		f.values.Set(in[1], html.UnescapeString(in[2]))
	}
	return f
}

// samlWorld is a tenant on scimd whose IdP, samlidp, provisions it over
// SCIM and signs its staff in over SAML.
type samlWorld struct {
	*world
	idp  *samlIdP
	conn string // the SAML connection's id
	acs  string
}

func newSAMLWorld(t *testing.T, f *front) *samlWorld {
	t.Helper()
	svc := f.svc()
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme Inc", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, adminToken, _ := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeAdmin, "ops")
	_, scimToken, _ := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeSCIM, "idp")
	if _, err := svc.CreateUser(t.Context(), directory.CLI, tn.ID, &directory.User{UserName: "root", Active: true, Role: directory.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	w := &samlWorld{world: &world{t: t, f: f, adminToken: adminToken, scimToken: scimToken}, idp: newSAMLIdP(t, time.Now().Add(365*24*time.Hour))}
	// The admin connects the IdP through the admin API, by its metadata
	// URL; the answer says what to give the IdP.
	r := w.call("Bearer "+adminToken, "POST", "/api/v1/sso/connections", map[string]any{
		"kind": "saml", "name": "samlidp", "idpMetadataUrl": w.idp.metadataURL(), "subjectAttribute": "uid"})
	if r.status != http.StatusCreated {
		t.Fatalf("create connection: %d %s", r.status, r.raw)
	}
	s := r.body["saml"].(map[string]any)
	w.conn, w.acs = r.body["id"].(string), s["acsUrl"].(string)
	if r.body["enabled"] != true || w.acs != f.url+"/t/acme/sso/saml/acs/"+w.conn || s["entityId"] != f.url+"/t/acme/sso/saml/metadata/"+w.conn {
		t.Errorf("connection %s", r.raw)
	}
	w.idp.register("scimd", s["metadataUrl"].(string))
	w.idp.addUser("00u1ada", "ada@acme.example")
	return w
}

// signIn opens the tenant's sign-in page, picks the SAML connection, signs
// in at the IdP with the form it shows, and lets the IdP's auto-posting
// form carry the response to scimd, as a browser does.
func (w *samlWorld) signIn(b *http.Client) (status int, finalURL, body string) {
	w.t.Helper()
	f := w.startAtIdP(b)
	return w.postBack(b, f)
}

// startAtIdP goes from scimd's sign-in page to the IdP and signs in
// there, and returns the form the IdP answers with.
func (w *samlWorld) startAtIdP(b *http.Client) *form {
	w.t.Helper()
	page := w.get(b, w.f.url+"/t/acme/login")
	m := samlStartLink.FindStringSubmatch(page)
	if m == nil {
		w.t.Fatalf("no SAML sign-in choice on the page:\n%s", page)
	}
	// scimd sends the browser to the IdP, which asks for a password...
	resp, err := b.Get(w.f.url + html.UnescapeString(m[1]))
	if err != nil {
		w.t.Fatal(err)
	}
	atIdP := resp.Request.URL.String()
	login, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(atIdP, w.idp.srv.URL+"/sso?") {
		w.t.Fatalf("start ended at %s:\n%s", atIdP, login)
	}
	lf := parseForm(w.t, string(login))
	lf.values.Set("user", "00u1ada")
	lf.values.Set("password", "hunter2")
	resp, err = b.PostForm(lf.action, lf.values)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		w.t.Fatalf("IdP login: %d", resp.StatusCode)
	}
	// ... and, signed in there, answers the request with a form that
	// posts the response to scimd.
	return parseForm(w.t, w.get(b, atIdP))
}

// postBack posts the IdP's form to scimd, as its script does.
func (w *samlWorld) postBack(b *http.Client, f *form) (int, string, string) {
	w.t.Helper()
	if f.action != w.acs || f.values.Get("SAMLResponse") == "" {
		w.t.Fatalf("the IdP's form: %+v", f)
	}
	resp, err := b.PostForm(f.action, f.values)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.String(), string(body)
}

func (w *samlWorld) get(b *http.Client, u string) string {
	w.t.Helper()
	resp, err := b.Get(u)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// idpInitiated is the form samlidp answers its shortcut to scimd with: a
// sign-in the IdP starts, from its dashboard.
func (w *samlWorld) idpInitiated(b *http.Client) *form {
	w.t.Helper()
	w.idp.put("/shortcuts/scimd", []byte(`{"name":"scimd","service_provider":"`+w.f.url+`/t/acme/sso/saml/metadata/`+w.conn+`"}`))
	return parseForm(w.t, w.get(b, w.idp.srv.URL+"/login/scimd"))
}

// TestSAMLEndToEnd: the IdP provisions Ada over SCIM; an admin connects
// the IdP by its metadata URL through the admin API and gives the IdP
// scimd's metadata; Ada signs in through crewjam's samlidp (a signed
// AuthnRequest out, an assertion encrypted to scimd's certificate and
// signed back), uses the admin API with her session, and signs out.
// IdP-initiated sign-in works only once the tenant turns it on; a
// transient NameID is not taken as anyone's id.
func TestSAMLEndToEnd(t *testing.T) {
	for _, kind := range []string{kindSQLite, kindPostgres} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dsn := testdb.SQLite(t)
			if kind == kindPostgres {
				dsn = testdb.Postgres(t)
			}
			box, _ := secretbox.New(bytes.Repeat([]byte{4}, 32))
			f := newFront(t, func(base string) []*replica {
				return []*replica{newReplica(t, openTestStore(t, kind, dsn), base, box)}
			})
			w := newSAMLWorld(t, f)
			ada := w.provision("ada@acme.example", "00u1ada")
			w.setRole(ada, "admin")

			b := newBrowser()
			idpForm := w.startAtIdP(b)
			// samlidp encrypts the assertion to the certificate in
			// scimd's metadata.
			if raw, err := base64.StdEncoding.DecodeString(idpForm.values.Get("SAMLResponse")); err != nil || !bytes.Contains(raw, []byte("EncryptedAssertion")) {
				t.Errorf("the IdP's response is not encrypted: %v\n%s", err, raw)
			}
			status, final, body := w.postBack(b, idpForm)
			if status != http.StatusOK || final != f.url+"/t/acme/console/" || !strings.Contains(body, "ada@acme.example") {
				t.Fatalf("sign-in ended at %d %s:\n%s", status, final, body)
			}
			api := func(method, path string, body any, hdr ...string) *apiResponse {
				t.Helper()
				return w.send(b, "", method, "/t/acme/api/v1"+path, body, hdr...)
			}
			if r := api("GET", "/users", nil); r.status != http.StatusOK || !strings.Contains(r.raw, "ada@acme.example") {
				t.Fatalf("GET users with the session: %d %s", r.status, r.raw)
			}
			if r := api("PATCH", "/users/"+ada, map[string]any{"title": "Analyst"}, "Origin", f.url, "Sec-Fetch-Site", "same-origin"); r.status != http.StatusOK {
				t.Errorf("PATCH with the session: %d %s", r.status, r.raw)
			}
			// Sign-out ends the session.
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
			if r := w.call("", "GET", "/t/acme/api/v1/users", nil, "Cookie", "scimd_session="+old); r.status != http.StatusUnauthorized {
				t.Errorf("the signed-out session still works: %d", r.status)
			}

			// From the IdP's dashboard: refused until the tenant allows it.
			if status, _, body := w.postBack(newBrowser(), w.idpInitiated(b)); status != http.StatusForbidden || !strings.Contains(body, "not asked for") {
				t.Errorf("IdP-initiated, off: %d %s", status, body)
			}
			if r := w.call("Bearer "+w.adminToken, "PATCH", "/api/v1/sso/settings", map[string]any{"idpInitiated": true}); r.status != http.StatusOK {
				t.Fatalf("turn IdP-initiated on: %d %s", r.status, r.raw)
			}
			if status, final, _ := w.postBack(newBrowser(), w.idpInitiated(b)); status != http.StatusOK || final != f.url+"/t/acme/console/" {
				t.Errorf("IdP-initiated, on: %d %s", status, final)
			}

			// samlidp sends a transient NameID: taken as the person's id,
			// it would link anew at every sign-in, so it is refused.
			if r := w.call("Bearer "+w.adminToken, "PATCH", "/api/v1/sso/connections/"+w.conn, map[string]any{"subjectAttribute": ""}); r.status != http.StatusOK {
				t.Fatalf("patch: %d %s", r.status, r.raw)
			}
			if status, _, body := w.signIn(newBrowser()); status != http.StatusBadGateway || !strings.Contains(body, "transient NameID") {
				t.Errorf("transient NameID: %d %s", status, body)
			}

			// Every attempt is in the audit log, with its reason.
			r := w.call("Bearer "+w.adminToken, "GET", "/api/v1/audit?action=session.signin", nil)
			if r.status != http.StatusOK || strings.Count(r.raw, `"outcome":"success"`) != 2 || !strings.Contains(r.raw, "unsolicited: ") || !strings.Contains(r.raw, "no_subject: ") {
				t.Errorf("audit: %s", r.raw)
			}
		})
	}
}

// TestSAMLAcrossReplicas: a SAML sign-in started on one scimd process
// finishes on another sharing the PostgreSQL database, and the session
// works on both. The same response can't be used again on either: the
// SP-initiated one finds its sign-in gone, and an IdP-initiated one is
// refused by the replay cache that the replicas share.
func TestSAMLAcrossReplicas(t *testing.T) {
	dsn := testdb.Postgres(t)
	box, _ := secretbox.New(bytes.Repeat([]byte{5}, 32))
	f := newFront(t, func(base string) []*replica {
		return []*replica{
			newReplica(t, openTestStore(t, kindPostgres, dsn), base, box),
			newReplica(t, openTestStore(t, kindPostgres, dsn), base, box),
		}
	})
	w := newSAMLWorld(t, f)
	ada := w.provision("ada@acme.example", "00u1ada")
	w.setRole(ada, "owner")

	b := newBrowser()
	f.to.Store(0)
	idpForm := w.startAtIdP(b) // started on replica 0
	f.to.Store(1)              // the IdP's form posts to replica 1
	if status, final, body := w.postBack(b, idpForm); status != http.StatusOK || final != f.url+"/t/acme/console/" {
		t.Fatalf("finish on replica 1: %d %s\n%s", status, final, body)
	}
	for i := range 2 {
		f.to.Store(int32(i))
		if r := w.send(b, "", "GET", "/t/acme/api/v1/users", nil); r.status != http.StatusOK {
			t.Errorf("session on replica %d: %d %s", i, r.status, r.raw)
		}
	}
	f.to.Store(0)
	if status, _, _ := w.postBack(b, idpForm); status != http.StatusBadRequest {
		t.Errorf("SP-initiated replay on replica 0: %d", status)
	}

	if r := w.call("Bearer "+w.adminToken, "PATCH", "/api/v1/sso/settings", map[string]any{"idpInitiated": true}); r.status != http.StatusOK {
		t.Fatalf("turn IdP-initiated on: %d %s", r.status, r.raw)
	}
	unsolicited := w.idpInitiated(b)
	f.to.Store(0)
	if status, _, body := w.postBack(newBrowser(), unsolicited); status != http.StatusOK {
		t.Fatalf("IdP-initiated on replica 0: %d %s", status, body)
	}
	f.to.Store(1)
	if status, _, body := w.postBack(newBrowser(), unsolicited); status != http.StatusBadRequest || !strings.Contains(body, "used already") {
		t.Errorf("IdP-initiated replay on replica 1: %d %s", status, body)
	}
}

// metadata is the IdP's metadata document, as its admin downloads it.
func (p *samlIdP) metadata(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(p.metadataURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// closedURL is a URL nothing answers at.
func closedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String() + "/metadata"
	ln.Close()
	return u
}
