package saml

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/sso"
)

// Warning horizons of Check: an operator needs time to get a new
// certificate or new metadata from the IdP's admin before the old one
// lapses.
const (
	certWarning     = 30 * 24 * time.Hour
	metadataWarning = 7 * 24 * time.Hour
)

// Check reads conn's IdP metadata as sign-in will (from its URL, now,
// when it has one) and says exactly what is wrong: no metadata, metadata
// past its validUntil, no SSO URL, an IdP signing certificate that has
// expired or soon will (the classic SAML lockout: every sign-in fails
// from that second on), scimd's own key or certificate unusable. It
// changes nothing and never shows a key.
func (c *Connector) Check(ctx context.Context, t *directory.Tenant, conn *directory.Connection) []sso.Finding {
	var out []sso.Finding
	add := func(l sso.Level, format string, args ...any) {
		out = append(out, sso.Finding{Level: l, Message: fmt.Sprintf(format, args...)})
	}
	s := conn.SAML
	if conn.Kind != directory.KindSAML || s == nil {
		add(sso.Problem, "%s is not a SAML connection", conn.Name)
		return out
	}
	now := c.now()
	if !conn.Enabled {
		add(sso.Warning, "the connection is turned off: nobody can sign in through it")
	}

	// scimd's side.
	if _, cert, err := keyPair(c.box, conn); err != nil {
		add(sso.Problem, "scimd's service provider key: %s; make a new key pair with scimd sso set-saml --new-key, then give the IdP scimd's new metadata", err)
	} else {
		switch left := cert.NotAfter.Sub(now); {
		case left <= 0:
			add(sso.Problem, "scimd's service provider certificate expired on %s; IdPs that check signed requests refuse them: make a new key pair with scimd sso set-saml --new-key and give the IdP scimd's new metadata", day(cert.NotAfter))
		case left < certWarning:
			add(sso.Warning, "scimd's service provider certificate expires on %s; make a new key pair with scimd sso set-saml --new-key before then", day(cert.NotAfter))
		default:
			add(sso.OK, "scimd's service provider key opens with this server's key and matches its certificate (valid until %s)", day(cert.NotAfter))
		}
	}
	sp := c.ServiceProvider(t, conn)
	add(sso.OK, "the IdP must know scimd as entity id (audience) %s with the ACS (reply) URL %s; both are in scimd's metadata at %s", sp.EntityID, sp.ACSURL, sp.MetadataURL)

	// The IdP's side.
	doc := s.Metadata
	switch {
	case s.MetadataURL != "":
		fetched, err := fetchMetadata(ctx, c.client, s.MetadataURL)
		switch {
		case err != nil && doc != "":
			kept := "a copy"
			if s.MetadataFetched != nil {
				kept = "the copy read on " + day(*s.MetadataFetched)
			}
			add(sso.Problem, "the metadata URL: %s; sign-in uses %s until it is due", err, kept)
		case err != nil:
			add(sso.Problem, "the metadata URL: %s; sign-in can't work until scimd reads it", err)
			return out
		default:
			add(sso.OK, "read the IdP's metadata at %s", s.MetadataURL)
			doc = fetched
		}
	case doc == "":
		add(sso.Problem, "the connection has no metadata of its IdP yet; set it with scimd sso set-saml --metadata-url URL or --metadata-file FILE")
		return out
	}
	p, err := parseMetadata(doc)
	if err != nil {
		add(sso.Problem, "the IdP's metadata: %s", err)
		return out
	}
	add(sso.OK, "the IdP is %s; sign-in requests go to %s", p.entity.EntityID, ssoURL(p.entity))
	switch left := p.validUntil.Sub(now); {
	case p.validUntil.IsZero():
	case left <= 0:
		add(sso.Problem, "the IdP's metadata expired on %s (its validUntil), so sign-in refuses it; %s", day(p.validUntil), newMetadataHint(s))
	case left < metadataWarning && s.MetadataURL == "":
		add(sso.Warning, "the IdP's metadata expires on %s (its validUntil); upload its new metadata before then, or give scimd the metadata URL so it reads it again by itself", day(p.validUntil))
	}
	c.checkCertificates(p.certs, now, s, add)
	c.checkSubject(p, conn, add)
	return out
}

// checkCertificates reports the IdP's signing certificates: all expired
// is the lockout, one expiring soon is the warning that prevents it.
func (c *Connector) checkCertificates(certs []*x509.Certificate, now time.Time, s *directory.SAMLConfig, add func(sso.Level, string, ...any)) {
	valid, last := (&idp{certs: certs}).certStatus(now)
	if valid == 0 && last != nil {
		add(sso.Problem, "the IdP's signing certificate (%s) expired on %s: nobody can sign in through this connection (the classic SAML lockout); have the IdP sign with a new certificate and %s; owners can sign in with break-glass meanwhile",
			certName(last), day(last.NotAfter), newMetadataHint(s))
		return
	}
	if valid == 0 {
		add(sso.Problem, "no signing certificate of the IdP is valid yet (the first from %s)", day(certs[0].NotBefore))
		return
	}
	for _, cert := range certs {
		switch left := cert.NotAfter.Sub(now); {
		case left <= 0:
			add(sso.Warning, "the IdP's signing certificate %s expired on %s; it has another that is valid", certName(cert), day(cert.NotAfter))
		case now.Before(cert.NotBefore):
			add(sso.OK, "the IdP's next signing certificate %s is valid from %s", certName(cert), day(cert.NotBefore))
		case left < certWarning:
			add(sso.Warning, "the IdP's signing certificate %s expires on %s, in %d days: before then, have the IdP sign with a new certificate and %s, or every sign-in fails from that day",
				certName(cert), day(cert.NotAfter), int(left.Hours()/24), newMetadataHint(s))
		default:
			add(sso.OK, "the IdP's signing certificate %s is valid until %s", certName(cert), day(cert.NotAfter))
		}
	}
}

// checkSubject warns when the IdP is unlikely to send what the connection
// takes as the person's id.
func (c *Connector) checkSubject(p *idp, conn *directory.Connection, add func(sso.Level, string, ...any)) {
	s := conn.SAML
	entra := strings.Contains(p.entity.EntityID, "sts.windows.net") || strings.Contains(p.entity.EntityID, "login.microsoftonline.com")
	switch {
	case entra && s.SubjectAttribute != directory.AttrEntraObjectID:
		add(sso.Warning, "this is Entra ID: use --subject-attribute %s, the user's object id, which is the same in every app and which the SCIM externalId can carry", directory.AttrEntraObjectID)
	case s.SubjectAttribute != "":
		add(sso.OK, "the person's id is the attribute %s", s.SubjectAttribute)
	case s.NameIDFormat == directory.NameIDTransient:
		add(sso.Warning, "the connection takes a transient NameID as the person's id, which changes at every sign-in: each sign-in links anew; prefer persistent, or a subject attribute")
	default:
		var offered []string
		for _, d := range p.entity.IDPSSODescriptors {
			for _, f := range d.NameIDFormats {
				offered = append(offered, string(f))
			}
		}
		accepted := acceptedFormats(s.NameIDFormat)
		if len(offered) > 0 && !slices.ContainsFunc(accepted, func(f saml.NameIDFormat) bool { return slices.Contains(offered, string(f)) }) {
			add(sso.Warning, "the IdP's metadata offers NameID formats %s, none of which this connection takes as the person's id; set the IdP to send a persistent NameID, or name a subject attribute", strings.Join(offered, ", "))
		} else {
			add(sso.OK, "the person's id is the NameID (%s)", formatName(s.NameIDFormat))
		}
	}
}

func formatName(short string) string {
	if short == "" {
		return "persistent, emailAddress or unspecified"
	}
	return short
}

func certName(c *x509.Certificate) string {
	name := c.Subject.CommonName
	if name == "" {
		name = c.Subject.String()
	}
	if name == "" {
		name = "serial " + c.SerialNumber.String()
	}
	return printable(name, 80)
}

// newMetadataHint says how new metadata reaches scimd.
func newMetadataHint(s *directory.SAMLConfig) string {
	if s.MetadataURL != "" {
		return "scimd reads the new metadata from " + s.MetadataURL + " by itself (scimd sso set-saml --metadata-url reads it now)"
	}
	return "give scimd the IdP's new metadata with scimd sso set-saml --metadata-file"
}
