package saml

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	dsig "github.com/russellhaering/goxmldsig"
)

// TestSignIn: the service provider's whole flow: a signed AuthnRequest
// (RSA-SHA256, over the HTTP-Redirect binding's query, as SAML bindings
// 3.4.4.1 says) naming scimd's entity id and ACS URL; the IdP's signed
// response accepted once; a session.
func TestSignIn(t *testing.T) {
	s := newStack(t, newTestIdP(t), metadataOptions{})
	b := s.browser()
	req := s.start(b)
	x := s.sp("")
	if req.Issuer == nil || req.Issuer.Value != x.entityID || req.AssertionConsumerServiceURL != x.acs ||
		req.Destination != s.idp.ssoURL || req.ProtocolBinding != "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" ||
		!strings.HasPrefix(req.ID, "id-") || len(req.relayState) < 43 {
		t.Errorf("AuthnRequest %+v", req.AuthnRequest)
	}
	// The redirect is signed with RSA-SHA256 (crewjam's default would be
	// SHA-1), by the key whose certificate scimd's metadata publishes.
	if got := req.query.Get("SigAlg"); got != dsig.RSASHA256SignatureMethod {
		t.Errorf("SigAlg %q", got)
	}
	signedPart, _, _ := strings.Cut(req.rawQuery, "&Signature=")
	sig, err := base64.StdEncoding.DecodeString(req.query.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := spCertificate(s.conn)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(signedPart))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("the AuthnRequest's signature does not verify with scimd's certificate: %v", err)
	}

	p := s.post(b, s.goodResponse(req), req.relayState)
	if !p.signedIn() {
		t.Fatalf("sign-in ended at %d %s:\n%s", p.status, p.url, p.body)
	}
	if got := s.lastSignIn(); got != "(success)" {
		t.Errorf("audit: %s", got)
	}
}

// TestMetadataEndpoint: scimd's metadata, for the IdP's admin, names the
// entity id, the ACS URL (HTTP-POST only) and scimd's certificate.
func TestMetadataEndpoint(t *testing.T) {
	s := newStack(t, newTestIdP(t), metadataOptions{})
	resp, err := http.Get(s.c.MetadataURL(s.tenant, s.conn))
	p := read(t, resp, err)
	cert, _ := spCertificate(s.conn)
	x := s.sp("")
	if p.status != http.StatusOK || resp.Header.Get("Content-Type") != "application/samlmetadata+xml" ||
		!strings.Contains(p.body, `entityID="`+x.entityID+`"`) || !strings.Contains(p.body, `Location="`+x.acs+`"`) ||
		strings.Count(p.body, "AssertionConsumerService ") != 1 || !strings.Contains(p.body, base64.StdEncoding.EncodeToString(cert.Raw)) ||
		strings.Contains(p.body, "PRIVATE") {
		t.Errorf("metadata %d:\n%s", p.status, p.body)
	}
	resp, err = http.Get(s.url + "/t/acme/sso/saml/metadata/" + url.PathEscape("00000000-0000-0000-0000-000000000000"))
	if p := read(t, resp, err); p.status != http.StatusNotFound {
		t.Errorf("unknown connection: %d", p.status)
	}
}
