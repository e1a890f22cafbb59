package saml

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// This file is a small SAML identity provider for the tests: a key and
// its certificate, the metadata that publishes them, and responses built
// and signed (goxmldsig, RSA-SHA256, exclusive c14n, as IdPs sign) the
// way a test says, so that every hostile response is made here, from
// code, and none is a file whose making is lost.

// testKey is the IdP's key in the tests; otherKey signs what a forger
// signs.
var testKey, otherKey = mustKey(), mustKey()

func mustKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// selfSigned is a certificate for key, valid from notBefore to notAfter.
func selfSigned(t testing.TB, key *rsa.PrivateKey, cn string, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// testIdP is an identity provider: its entity id and SSO URL, the key it
// signs with and the certificate it publishes.
type testIdP struct {
	entityID, ssoURL string
	key              *rsa.PrivateKey
	cert             *x509.Certificate
}

func newTestIdP(t testing.TB) *testIdP {
	now := time.Now()
	return &testIdP{entityID: "https://idp.example.com/saml", ssoURL: "https://idp.example.com/sso",
		key: testKey, cert: selfSigned(t, testKey, "idp.example.com", now.Add(-time.Hour), now.Add(365*24*time.Hour))}
}

// metadataOptions shape the IdP's metadata.
type metadataOptions struct {
	validUntil    time.Time
	cacheDuration time.Duration
	certs         []*x509.Certificate // instead of the IdP's own
	nameIDFormats []saml.NameIDFormat
	noRedirect    bool // no HTTP-Redirect SingleSignOnService
}

// metadata is the IdP's metadata document.
func (p *testIdP) metadata(o metadataOptions) string {
	certs := o.certs
	if certs == nil {
		certs = []*x509.Certificate{p.cert}
	}
	var keys []saml.KeyDescriptor
	for _, c := range certs {
		keys = append(keys, saml.KeyDescriptor{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
			X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(c.Raw)}}}}})
	}
	binding := saml.HTTPRedirectBinding
	if o.noRedirect {
		binding = saml.HTTPPostBinding
	}
	ed := saml.EntityDescriptor{EntityID: p.entityID, ValidUntil: o.validUntil, CacheDuration: o.cacheDuration,
		IDPSSODescriptors: []saml.IDPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{
				RoleDescriptor: saml.RoleDescriptor{ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol", KeyDescriptors: keys},
				NameIDFormats:  o.nameIDFormats,
			},
			SingleSignOnServices: []saml.Endpoint{{Binding: binding, Location: p.ssoURL}},
		}}}
	b, err := xml.MarshalIndent(ed, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sp is what the IdP knows of scimd's service provider, and the request
// it answers.
type sp struct {
	entityID, acs string
	requestID     string // "" for an IdP-initiated response
}

// assertion is a good assertion for subject, answering to s: tests
// change it before it is signed.
func (p *testIdP) assertion(s sp, subject string) *saml.Assertion {
	now := time.Now().UTC()
	return &saml.Assertion{
		ID: fmt.Sprintf("_a%x", randomBytes(16)), IssueInstant: now, Version: "2.0",
		Issuer: saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: p.entityID},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: string(saml.PersistentNameIDFormat), Value: subject},
			SubjectConfirmations: []saml.SubjectConfirmation{{Method: bearer, SubjectConfirmationData: &saml.SubjectConfirmationData{
				InResponseTo: s.requestID, Recipient: s.acs, NotOnOrAfter: now.Add(5 * time.Minute)}}},
		},
		Conditions: &saml.Conditions{NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(5 * time.Minute),
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: s.entityID}}}},
		AuthnStatements: []saml.AuthnStatement{{AuthnInstant: now, SessionIndex: "s1",
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}}}},
		AttributeStatements: []saml.AttributeStatement{{Attributes: []saml.Attribute{
			{Name: "email", NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic", Values: []saml.AttributeValue{{Type: "xs:string", Value: "ada@acme.example"}}},
		}}},
	}
}

// signed is a's element signed with key (the IdP's, or a forger's), its
// certificate in the signature's KeyInfo as IdPs put it.
func signed(a *saml.Assertion, key *rsa.PrivateKey, cert *x509.Certificate) *etree.Element {
	a.Signature = nil
	a.Signature = signature(a.Element(), key, cert)
	return a.Element()
}

// signature is an enveloped signature of el.
func signature(el *etree.Element, key *rsa.PrivateKey, cert *x509.Certificate) *etree.Element {
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		panic(err)
	}
	out, err := ctx.SignEnveloped(el)
	if err != nil {
		panic(err)
	}
	return out.ChildElements()[len(out.ChildElements())-1]
}

// response is a successful Response to s, for xmlOf to fill.
func (p *testIdP) response(s sp) *saml.Response {
	return &saml.Response{ID: fmt.Sprintf("_r%x", randomBytes(16)), InResponseTo: s.requestID, Version: "2.0",
		IssueInstant: time.Now().UTC(), Destination: s.acs,
		Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: p.entityID},
		Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}}}
}

// xmlOf is r holding assertions, signed by key when key is not nil, as
// the bytes an IdP posts (before base64).
func xmlOf(r *saml.Response, key *rsa.PrivateKey, cert *x509.Certificate, assertions ...*etree.Element) []byte {
	build := func() *etree.Element {
		el := r.Element()
		for _, a := range assertions {
			el.AddChild(a.Copy())
		}
		return el
	}
	if key != nil {
		r.Signature = nil
		r.Signature = signature(build(), key, cert)
	}
	doc := etree.NewDocument()
	doc.SetRoot(build())
	b, err := doc.WriteToBytes()
	if err != nil {
		panic(err)
	}
	return b
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
