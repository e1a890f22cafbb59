package saml

import (
	"context"
	"crypto/x509"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/directory"
)

// What the CLI and the admin API use to set a SAML connection up.

// IdP is an identity provider as its metadata describes it, for an
// operator or an admin to see.
type IdP struct {
	EntityID string
	// SSOURL is where scimd sends AuthnRequests (HTTP-Redirect).
	SSOURL string
	// ValidUntil is the metadata's earliest validUntil; zero when it says
	// none.
	ValidUntil time.Time
	// Certificates are the certificates the IdP signs with.
	Certificates []*x509.Certificate
	// NameIDFormats are the formats the IdP says it can send.
	NameIDFormats []string
}

// ReadMetadata checks an IdP metadata document as sign-in will read it
// and describes the IdP. Its errors are sentences for an operator.
func ReadMetadata(doc string) (*IdP, error) {
	p, err := parseMetadata(doc)
	if err != nil {
		return nil, err
	}
	return p.describe(), nil
}

func (p *idp) describe() *IdP {
	out := &IdP{EntityID: p.entity.EntityID, SSOURL: ssoURL(p.entity), ValidUntil: p.validUntil, Certificates: p.certs}
	for _, d := range p.entity.IDPSSODescriptors {
		for _, f := range d.NameIDFormats {
			out.NameIDFormats = append(out.NameIDFormats, string(f))
		}
	}
	return out
}

// LoadMetadata returns the IdP metadata document to keep with a
// connection: the one at metadataURL, read now, when it is set, or else
// doc; checked either way, so a connection is never saved with metadata
// sign-in can't use. Its errors are sentences for an operator.
func (c *Connector) LoadMetadata(ctx context.Context, metadataURL, doc string) (string, *IdP, error) {
	if metadataURL != "" {
		u, err := url.Parse(metadataURL)
		if err != nil || u.Host == "" || u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
			return "", nil, errors.New("the metadata URL must be an https:// URL (plain http only on localhost): scimd trusts the IdP's keys from it")
		}
		if doc, err = fetchMetadata(ctx, c.client, metadataURL); err != nil {
			return "", nil, err
		}
	}
	if strings.TrimSpace(doc) == "" {
		return "", nil, errors.New("the metadata is empty")
	}
	p, err := ReadMetadata(doc)
	if err != nil {
		return "", nil, err
	}
	return doc, p, nil
}

// NewKeyPair gives conn, a SAML connection whose ID and TenantID are set,
// a new service provider key pair (see the function NewKeyPair).
func (c *Connector) NewKeyPair(conn *directory.Connection) error {
	return NewKeyPair(c.box, conn, c.now())
}

// ServiceProvider is what an IdP's admin registers for a connection:
// scimd's entity id (Okta's "Audience URI", Entra's "Identifier"), its ACS
// URL (Okta's "Single sign-on URL", Entra's "Reply URL") and the URL of
// its metadata, which holds both and scimd's certificate.
type ServiceProvider struct {
	EntityID    string
	ACSURL      string
	MetadataURL string
	// CertificateNotAfter is when scimd's certificate for the connection
	// expires; zero when it has none.
	CertificateNotAfter time.Time
}

// ServiceProvider describes scimd's service provider for conn.
func (c *Connector) ServiceProvider(t *directory.Tenant, conn *directory.Connection) ServiceProvider {
	sp := ServiceProvider{EntityID: c.EntityID(t, conn), ACSURL: c.ACSURL(t, conn), MetadataURL: c.MetadataURL(t, conn)}
	if cert, err := spCertificate(conn); err == nil {
		sp.CertificateNotAfter = cert.NotAfter
	}
	return sp
}

// Admin is the connector as the admin API sets SAML connections up with
// it.
func (c *Connector) Admin() admin.SAMLSetup { return adminSetup{c} }

type adminSetup struct{ c *Connector }

func (a adminSetup) LoadMetadata(ctx context.Context, metadataURL, doc string) (string, error) {
	doc, _, err := a.c.LoadMetadata(ctx, metadataURL, doc)
	return doc, err
}

func (a adminSetup) NewKeyPair(conn *directory.Connection) error { return a.c.NewKeyPair(conn) }

func (a adminSetup) Describe(t *directory.Tenant, conn *directory.Connection) admin.SAMLDescription {
	sp := a.c.ServiceProvider(t, conn)
	out := admin.SAMLDescription{EntityID: sp.EntityID, ACSURL: sp.ACSURL, MetadataURL: sp.MetadataURL, CertificateNotAfter: sp.CertificateNotAfter}
	if conn.SAML == nil || conn.SAML.Metadata == "" {
		return out
	}
	p, err := ReadMetadata(conn.SAML.Metadata)
	if err != nil {
		out.IdPProblem = err.Error()
		return out
	}
	out.IdPEntityID, out.IdPSSOURL, out.IdPValidUntil = p.EntityID, p.SSOURL, p.ValidUntil
	for _, cert := range p.Certificates {
		out.IdPCertificates = append(out.IdPCertificates, admin.SAMLCertificate{Subject: certName(cert), NotAfter: cert.NotAfter})
	}
	return out
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}
