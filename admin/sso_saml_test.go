package admin_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

// idpMetadata is an IdP's SAML metadata with a fresh signing certificate
// valid until notAfter.
func idpMetadata(t *testing.T, entityID string, notAfter time.Time) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "idp signing"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`, entityID, base64.StdEncoding.EncodeToString(der), entityID)
}

// TestSAMLConnections: an admin connects a SAML IdP through the API. The
// answer says what to register at the IdP; scimd's key pair is made on
// create, kept sealed and never shown; the IdP's metadata is read and
// checked before anything is saved; a connection without metadata stays
// off.
func TestSAMLConnections(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		doc := idpMetadata(t, "https://idp.example.com/saml", time.Now().Add(365*24*time.Hour))
		r := s.api("POST", "/sso/connections", map[string]any{"kind": "saml", "name": "Okta", "idpMetadata": doc,
			"subjectAttribute": "userId"}).want(t, http.StatusCreated)
		id := r.str("id")
		sp := "https://id.example.com/t/acme/sso/saml/"
		if r.str("enabled") != "true" || r.str("saml", "entityId") != sp+"metadata/"+id || r.str("saml", "acsUrl") != sp+"acs/"+id ||
			r.str("saml", "metadataUrl") != sp+"metadata/"+id || r.str("saml", "idp", "entityId") != "https://idp.example.com/saml" ||
			r.str("saml", "idp", "ssoUrl") != "https://idp.example.com/saml/sso" || r.str("saml", "idp", "certificates", "0", "subject") != "idp signing" ||
			r.str("saml", "subjectAttribute") != "userId" || r.str("saml", "spCertificateExpires") == "" || r.str("saml", "idp", "metadataSet") != "true" {
			t.Errorf("created: %s", r.raw)
		}
		stored, err := s.svc.Connection(t.Context(), s.tenant.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := s.secrets.Open(stored.Secret, stored.SecretContext())
		if err != nil {
			t.Fatalf("the service provider key does not open: %v", err)
		}
		key, err := x509.ParsePKCS8PrivateKey(plain)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := base64.StdEncoding.DecodeString(stored.SAML.SPCertificate)
		cert, err := x509.ParseCertificate(der)
		if err != nil || !key.(*rsa.PrivateKey).PublicKey.Equal(cert.PublicKey) {
			t.Fatalf("key and certificate: %v", err)
		}
		for _, path := range []string{"/sso", "/sso/connections", "/sso/connections/" + id, "/audit?action=sso."} {
			got := s.api("GET", path, nil).want(t, http.StatusOK)
			if strings.Contains(got.raw, base64.StdEncoding.EncodeToString(plain)[:40]) || strings.Contains(got.raw, "PRIVATE") || strings.Contains(got.raw, "X509Certificate") {
				t.Errorf("GET %s shows the key or the metadata: %s", path, got.raw)
			}
		}

		// A new key pair on request.
		r = s.api("PATCH", "/sso/connections/"+id, map[string]any{"newKey": true}).want(t, http.StatusOK)
		after, _ := s.svc.Connection(t.Context(), s.tenant.ID, id)
		if after.SAML.SPCertificate == stored.SAML.SPCertificate || string(after.Secret) == string(stored.Secret) {
			t.Error("newKey kept the key pair")
		}

		// Bad input changes nothing, and says what is wrong.
		for _, tt := range []struct {
			body  map[string]any
			field string
			words string
		}{
			{map[string]any{"idpMetadata": "<html>login</html>"}, "idpMetadata", "not SAML metadata"},
			{map[string]any{"idpMetadata": strings.Replace(doc, "HTTP-Redirect", "HTTP-POST", 1)}, "idpMetadata", "HTTP-Redirect"},
			{map[string]any{"idpMetadataUrl": closedURL(t)}, "idpMetadataUrl", "unreachable"},
			{map[string]any{"idpMetadataUrl": "http://idp.example.com/metadata"}, "idpMetadataUrl", "https://"},
			{map[string]any{"idpMetadata": doc, "idpMetadataUrl": "https://idp.example.com/m"}, "idpMetadata", "not both"},
			{map[string]any{"idpMetadata": nil}, "idpMetadata", "can't be removed"},
			{map[string]any{"nameIdFormat": "x509"}, "nameIdFormat", "not one of"},
			{map[string]any{"issuer": "https://x.example"}, "issuer", "belongs to OIDC connections"},
			{map[string]any{"newKey": "yes"}, "newKey", "true or false"},
		} {
			got := s.api("PATCH", "/sso/connections/"+id, tt.body).wantError(t, http.StatusBadRequest, "invalid")
			if got.str("field") != tt.field || !strings.Contains(got.str("message"), tt.words) {
				t.Errorf("%v: %s", tt.body, got.raw)
			}
		}
		if now, _ := s.svc.Connection(t.Context(), s.tenant.ID, id); now.SAML.Metadata != after.SAML.Metadata || now.SAML.NameIDFormat != "" {
			t.Error("a refused change was saved")
		}

		// Made before the IdP knows scimd (it needs the entity id and ACS
		// URL first): off until its metadata comes, from a URL.
		r = s.api("POST", "/sso/connections", map[string]any{"kind": "saml", "name": "Entra"}).want(t, http.StatusCreated)
		entra := r.str("id")
		if r.str("enabled") != "false" || r.str("saml", "acsUrl") != sp+"acs/"+entra || r.str("saml", "idp", "metadataSet") != "false" {
			t.Errorf("created without metadata: %s", r.raw)
		}
		s.api("PATCH", "/sso/connections/"+entra, map[string]any{"enabled": true}).wantError(t, http.StatusBadRequest, "invalid")
		md := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(idpMetadata(t, "https://sts.windows.net/tid/", time.Now().Add(24*time.Hour))))
		}))
		defer md.Close()
		r = s.api("PATCH", "/sso/connections/"+entra, map[string]any{"idpMetadataUrl": md.URL, "enabled": true,
			"subjectAttribute": directory.AttrEntraObjectID}).want(t, http.StatusOK)
		if r.str("enabled") != "true" || r.str("saml", "idp", "metadataUrl") != md.URL || r.str("saml", "idp", "metadataFetched") == "" ||
			r.str("saml", "idp", "entityId") != "https://sts.windows.net/tid/" {
			t.Errorf("metadata by URL: %s", r.raw)
		}
		// SAML members belong to SAML connections.
		oidc := s.api("POST", "/sso/connections", map[string]any{"kind": "oidc", "name": "OIDC", "issuer": "https://acme.okta.com", "clientId": "c"}).want(t, http.StatusCreated)
		s.api("PATCH", "/sso/connections/"+oidc.str("id"), map[string]any{"idpMetadataUrl": md.URL}).wantError(t, http.StatusBadRequest, "invalid")

		// Every change is in the audit log, the metadata and key as
		// changed, never their content.
		audit := s.api("GET", "/audit?action=sso.connection.", nil).want(t, http.StatusOK)
		if !strings.Contains(audit.raw, `"saml.spCertificate"`) || !strings.Contains(audit.raw, `"saml.metadataUrl"`) || strings.Contains(audit.raw, "IDPSSODescriptor") {
			t.Errorf("audit: %s", audit.raw)
		}
	})
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
