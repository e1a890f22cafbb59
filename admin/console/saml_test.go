package console_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml/samlidp"

	"github.com/scimd/scimd/directory"
)

// idpMetadata is the metadata of crewjam's samlidp at a made-up address,
// signing with a certificate named cn that ends at notAfter.
func idpMetadata(t *testing.T, cn string, notAfter time.Time) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	u, _ := url.Parse("https://idp.acme.example")
	idp, err := samlidp.New(samlidp.Options{URL: *u, Key: key, Certificate: cert, Store: &samlidp.MemoryStore{}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := xml.Marshal(idp.IDP.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSAMLConnection: an owner makes a SAML connection from pasted IdP
// metadata and sees what to give the IdP (entity id, ACS URL, metadata
// to download) and the IdP's certificates with their expiry; sets the
// NameID and attribute options; replaces the metadata; tests it. Bad
// metadata is refused with why, and changes nothing.
func TestSAMLConnection(t *testing.T) {
	e := newEnv(t)
	owner := e.user(&directory.User{UserName: "olga", ExternalID: "ext-olga", Role: directory.RoleOwner}, false)
	s := e.session(owner)
	tok := csrf(t, e.get("/t/acme/console/settings/sso", s).body)

	r := e.post("/t/acme/console/settings/sso/connections", s, url.Values{"csrf": {tok}, "kind": {"saml"}, "name": {"Entra"}, "enabled": {"on"},
		"metadataXml": {"<not metadata"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "metadata can") {
		t.Fatalf("bad metadata: want 400 saying the metadata can't be used, got %d\n%s", r.status, r.body)
	}
	r = e.post("/t/acme/console/settings/sso/connections", s, url.Values{"csrf": {tok}, "kind": {"saml"}, "name": {"Entra"}, "enabled": {"on"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Give the identity provider") {
		t.Fatalf("no metadata: want 400 asking for it, got %d\n%s", r.status, r.body)
	}
	if conns, _ := e.svc.Connections(t.Context(), e.tenant.ID); len(conns) != 1 {
		t.Fatalf("a refused create made a connection: %d connections", len(conns))
	}

	md := idpMetadata(t, "Entra signing 2020", time.Now().Add(-time.Hour))
	r = e.post("/t/acme/console/settings/sso/connections", s, url.Values{"csrf": {tok}, "kind": {"saml"}, "name": {"Entra"}, "enabled": {"on"},
		"metadataXml": {md}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: want 303, got %d\n%s", r.status, r.body)
	}
	path := strings.SplitN(r.header.Get("Location"), "?", 2)[0]
	id := path[strings.LastIndexByte(path, '/')+1:]
	page := e.get(path, s).body
	for _, want := range []string{
		`id="sp-entity-id">` + e.srv.URL + "/t/acme/sso/saml/metadata/" + id,
		`id="callback-url">` + e.srv.URL + "/t/acme/sso/saml/",
		`href="` + e.srv.URL + "/t/acme/sso/saml/metadata/" + id + `" download`,
		"Entra signing 2020", `<span class="badge problem">expired</span>`, "https://idp.acme.example/metadata",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the connection's page lacks %q:\n%s", want, page)
		}
	}
	// The test names the expired certificate.
	r = e.post(path+"/test", s, url.Values{"csrf": {tok}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "expired") || !strings.Contains(r.body, `badge problem">problem`) {
		t.Errorf("test: want a problem naming the expired certificate, got %d\n%s", r.status, r.body)
	}

	// New metadata, uploaded as a file, with a valid certificate, and the
	// NameID and attribute options.
	fresh := idpMetadata(t, "Entra signing 2030", time.Now().Add(365*24*time.Hour))
	r = e.multipart(path, s, map[string]string{"csrf": tok, "name": "Entra", "enabled": "on", "nameIdFormat": "persistent",
		"subjectAttribute": directory.AttrEntraObjectID, "emailAttribute": "mail", "userNameAttribute": "upn", "metadataUrl": "", "metadataUrlWas": ""},
		"metadataFile", "entra.xml", fresh)
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: want 303, got %d\n%s", r.status, r.body)
	}
	c, err := e.svc.Connection(t.Context(), e.tenant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.SAML.Metadata != fresh || c.SAML.NameIDFormat != "persistent" || c.SAML.SubjectAttribute != directory.AttrEntraObjectID ||
		c.SAML.EmailAttribute != "mail" || c.SAML.UserNameAttribute != "upn" {
		t.Errorf("saved: %+v", c.SAML)
	}
	page = e.get(path, s).body
	if !strings.Contains(page, "Entra signing 2030") || strings.Contains(page, "Entra signing 2020") || !strings.Contains(page, `badge ok">valid`) {
		t.Errorf("the page shows the old certificate or not the new one:\n%s", page)
	}
	// A new key: scimd's certificate changes.
	before := c.SAML.SPCertificate
	if r := e.post(path, s, url.Values{"csrf": {tok}, "name": {"Entra"}, "enabled": {"on"}, "newKey": {"on"}}); r.status != http.StatusSeeOther {
		t.Fatalf("new key: %d\n%s", r.status, r.body)
	}
	if c, _ := e.svc.Connection(t.Context(), e.tenant.ID, id); c.SAML.SPCertificate == before || c.SAML.Metadata != fresh {
		t.Error("a new key did not change scimd's certificate, or changed the IdP's metadata")
	}
	// Pasted and uploaded at once is refused.
	r = e.multipart(path, s, map[string]string{"csrf": tok, "name": "Entra", "metadataXml": fresh}, "metadataFile", "entra.xml", fresh)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "not both") {
		t.Errorf("paste and upload: want 400, got %d", r.status)
	}
}
