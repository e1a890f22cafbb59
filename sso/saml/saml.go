// Package saml is the SAML 2.0 connector of scimd's sign-in: scimd is a
// service provider, one per connection, with its own entity id, ACS URL
// and key pair (the key sealed in the database). It uses crewjam/saml's
// ServiceProvider to make AuthnRequests (HTTP-Redirect binding, signed
// with RSA-SHA256) and to verify responses (the XML signature, by
// goxmldsig, against the IdP's certificates from its metadata; the
// issuer; the status; decryption), and not its samlsp package, which
// keeps sessions and requests in cookies: here the request id lives in the
// pending sign-in row, so any replica finishes a sign-in.
//
// crewjam leaves gaps that this package closes, each refused with a reason
// the sign-in page and the audit log show: an assertion without an
// AudienceRestriction (crewjam accepts it); a replay (crewjam keeps no
// cache: UseAssertion keeps each assertion id in the database until its
// NotOnOrAfter plus the skew); an assertion without a Subject, Conditions
// or SubjectConfirmationData (crewjam dereferences them and panics: they
// are refused before crewjam sees them); a response that is not exactly
// one assertion (signature wrapping); the NameID format; a response
// without a Destination; an IdP-initiated response unless the tenant
// allows it. Times are checked against scimd's clock with a skew of
// MaxClockSkew.
package saml

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/sso"
)

// MaxClockSkew is how far scimd's clock and the IdP's may disagree:
// NotBefore may be this far ahead, NotOnOrAfter this far behind.
// (crewjam's own checks allow 180 s; scimd's, which run too, are the
// tighter.)
const MaxClockSkew = 90 * time.Second

// Config is what the connector needs.
type Config struct {
	// Service keeps the connections (refreshed IdP metadata) and the
	// replay cache.
	Service *directory.Service
	// Secrets opens the service providers' keys.
	Secrets secretbox.Keeper
	// BaseURL is scimd's public URL; entity ids and ACS URLs derive from
	// it.
	BaseURL string
	// Client reads IdP metadata; nil for one with a 15-second timeout.
	Client *http.Client
	// Now is the clock assertions are checked against; nil for time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Connector is the SAML connector. It keeps nothing between requests:
// the IdP metadata it reads again when due is saved to the connection, so
// every replica uses the same.
type Connector struct {
	svc    *directory.Service
	box    secretbox.Keeper
	base   string
	client *http.Client
	now    func() time.Time
	log    *slog.Logger
}

var (
	_ sso.Connector  = (*Connector)(nil)
	_ sso.Router     = (*Connector)(nil)
	_ sso.FormPoster = (*Connector)(nil)
)

// New returns the connector.
func New(cfg Config) *Connector {
	c := &Connector{svc: cfg.Service, box: cfg.Secrets, base: strings.TrimRight(cfg.BaseURL, "/"),
		client: cfg.Client, now: cfg.Now, log: cfg.Log}
	if c.client == nil {
		c.client = &http.Client{Timeout: fetchTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Kind is directory.KindSAML.
func (c *Connector) Kind() directory.ConnectionKind { return directory.KindSAML }

// CallbackPath makes the ACS URL /t/{tenant}/sso/saml/acs/{connection}:
// an IdP registers each service provider by its entity id and ACS URL,
// and a tenant may have several SAML connections.
func (c *Connector) CallbackPath() string { return "acs/{connection}" }

// FormPost is true: the IdP posts the response back (HTTP-POST binding).
func (c *Connector) FormPost() bool { return true }

// Routes serves the service provider's metadata, for the IdP's admin.
func (c *Connector) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{"GET metadata/{connection}": c.serveMetadata}
}

// MetadataURL is where scimd serves conn's service provider metadata. It
// is also the service provider's entity id (the IdP's "Audience URI" or
// "Identifier"), as is the custom for SAML.
func (c *Connector) MetadataURL(t *directory.Tenant, conn *directory.Connection) string {
	return sso.CallbackURL(c.base, t.Slug, directory.KindSAML, "metadata/"+conn.ID)
}

// EntityID is conn's service provider entity id: its MetadataURL.
func (c *Connector) EntityID(t *directory.Tenant, conn *directory.Connection) string {
	return c.MetadataURL(t, conn)
}

// ACSURL is conn's Assertion Consumer Service URL (HTTP-POST): the IdP's
// "Single sign-on URL" or "Reply URL".
func (c *Connector) ACSURL(t *directory.Tenant, conn *directory.Connection) string {
	return sso.CallbackURL(c.base, t.Slug, directory.KindSAML, sso.ConnectionPath(c.CallbackPath(), conn.ID))
}

// serviceProvider is crewjam's ServiceProvider for conn, with the IdP p.
// Its AuthnRequests are signed with RSA-SHA256 (crewjam signs nothing, or
// what it is told); IdP-initiated responses are not crewjam's to allow
// (Finish decides, and then expects no InResponseTo at all); the audience
// check is scimd's.
func (c *Connector) serviceProvider(t *directory.Tenant, conn *directory.Connection, p *idp) (*saml.ServiceProvider, error) {
	key, cert, err := keyPair(c.box, conn)
	if err != nil {
		return nil, sso.Refuse(sso.ReasonUnavailable, "scimd can't use the connection %s: %s", conn.Name, err)
	}
	entityID := c.EntityID(t, conn)
	meta, _ := url.Parse(c.MetadataURL(t, conn))
	acs, _ := url.Parse(c.ACSURL(t, conn))
	sp := &saml.ServiceProvider{
		EntityID:          entityID,
		Key:               key,
		Certificate:       cert,
		MetadataURL:       *meta,
		AcsURL:            *acs,
		AuthnNameIDFormat: requestedFormat(conn.SAML.NameIDFormat),
		SignatureMethod:   dsig.RSASHA256SignatureMethod,
		HTTPClient:        c.client,
		// Valid as long as its certificate: an IdP that imported the
		// metadata once should not find it lapsed.
		MetadataValidDuration: time.Until(cert.NotAfter),
		ValidateAudienceRestriction: func(a *saml.Assertion) error {
			if se := checkAudience(a, entityID); se != nil {
				return se
			}
			return nil
		},
	}
	if p != nil {
		sp.IDPMetadata = p.entity
	}
	return sp, nil
}

// serveMetadata answers conn's service provider metadata: the entity id,
// the ACS URL (HTTP-POST), the certificate scimd signs requests with (and
// an IdP may encrypt to), the NameID format it asks for.
func (c *Connector) serveMetadata(w http.ResponseWriter, r *http.Request) {
	t := sso.Tenant(r)
	conn, err := c.svc.Connection(r.Context(), t.ID, r.PathValue("connection"))
	if err == nil && conn.Kind != directory.KindSAML {
		err = directory.ErrNotFound
	}
	if errors.Is(err, directory.ErrNotFound) {
		http.Error(w, "scimd has no SAML connection at this address", http.StatusNotFound)
		return
	}
	if err != nil {
		c.log.ErrorContext(r.Context(), "can't read a SAML connection", "tenant", t.Slug, "err", err)
		http.Error(w, "scimd could not read this connection", http.StatusInternalServerError)
		return
	}
	ed, err := c.SPMetadata(t, conn)
	if err != nil {
		c.log.ErrorContext(r.Context(), "can't make SAML service provider metadata", "tenant", t.Slug, "connection", conn.ID, "err", err)
		http.Error(w, "scimd could not make this connection's metadata; ask your scimd operator to run scimd sso test", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Content-Disposition", `inline; filename="scimd-`+t.Slug+`-saml-metadata.xml"`)
	w.Write(ed)
}

// SPMetadata is conn's service provider metadata document.
func (c *Connector) SPMetadata(t *directory.Tenant, conn *directory.Connection) ([]byte, error) {
	cert, err := spCertificate(conn)
	if err != nil {
		return nil, err
	}
	meta, _ := url.Parse(c.MetadataURL(t, conn))
	acs, _ := url.Parse(c.ACSURL(t, conn))
	sp := &saml.ServiceProvider{EntityID: c.EntityID(t, conn), Certificate: cert, MetadataURL: *meta, AcsURL: *acs,
		AuthnNameIDFormat: requestedFormat(conn.SAML.NameIDFormat), SignatureMethod: dsig.RSASHA256SignatureMethod,
		MetadataValidDuration: time.Until(cert.NotAfter)}
	ed := sp.Metadata()
	for i := range ed.SPSSODescriptors {
		d := &ed.SPSSODescriptors[i]
		// scimd takes responses by HTTP-POST only; crewjam also lists
		// the artifact binding, which scimd does not resolve.
		d.AssertionConsumerServices = d.AssertionConsumerServices[:1]
		d.NameIDFormats = []saml.NameIDFormat{formatURN(conn.SAML.NameIDFormat)}
	}
	out, err := xml.MarshalIndent(ed, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

// Start sends the browser to the IdP with a signed AuthnRequest
// (HTTP-Redirect binding, RSA-SHA256), whose ID the core keeps in the
// pending sign-in, and the state as RelayState.
func (c *Connector) Start(ctx context.Context, req *sso.StartRequest) (string, error) {
	conn := req.Connection
	p, err := c.idp(ctx, conn)
	if err != nil {
		return "", err
	}
	sp, err := c.serviceProvider(req.Tenant, conn, p)
	if err != nil {
		return "", err
	}
	authn, err := sp.MakeAuthenticationRequest(ssoURL(p.entity), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", fmt.Errorf("saml: authentication request: %w", err)
	}
	u, err := authn.Redirect(req.State, sp)
	if err != nil {
		return "", fmt.Errorf("saml: sign authentication request: %w", err)
	}
	req.Pending.RequestID = authn.ID
	return u.String(), nil
}

// idp returns conn's IdP from the metadata kept with it, read again from
// its URL when due (and saved, for every replica). It refuses while the
// IdP can't be trusted: no metadata yet, metadata past its validUntil,
// every signing certificate expired (the classic SAML lockout).
func (c *Connector) idp(ctx context.Context, conn *directory.Connection) (*idp, error) {
	return c.idpRefreshed(ctx, conn, false)
}

// idpRefreshed is idp, reading the metadata URL again now when force is
// set and the last read is more than a minute old.
func (c *Connector) idpRefreshed(ctx context.Context, conn *directory.Connection, force bool) (*idp, error) {
	s := conn.SAML
	if s == nil || s.Metadata == "" && s.MetadataURL == "" {
		return nil, sso.Refuse(sso.ReasonUnavailable, "the connection %s is not finished: it has no metadata of its identity provider yet; ask your administrator", conn.Name)
	}
	now := c.now()
	var p *idp
	var perr error
	if s.Metadata != "" {
		p, perr = parseMetadata(s.Metadata)
	}
	due := p == nil || s.MetadataFetched == nil || !now.Before(p.refreshAt(*s.MetadataFetched)) ||
		force && now.Sub(*s.MetadataFetched) > time.Minute
	if s.MetadataURL != "" && due {
		np, err := c.refresh(ctx, conn)
		switch {
		case err == nil:
			p, perr = np, nil
		case p != nil:
			c.log.WarnContext(ctx, "can't refresh a SAML IdP's metadata; using the copy kept", "connection", conn.ID, "url", s.MetadataURL, "err", err)
		default:
			return nil, sso.Refuse(sso.ReasonUnavailable, "scimd could not read the metadata of %s: %s", conn.Name, err)
		}
	}
	if perr != nil {
		return nil, sso.Refuse(sso.ReasonUnavailable, "scimd can't use the metadata of %s: %s; upload it again", conn.Name, perr)
	}
	if p.expired(now) {
		return nil, sso.Refuse(sso.ReasonUnavailable, "the metadata of %s expired on %s (its validUntil)%s", conn.Name, day(p.validUntil), uploadHint(s))
	}
	if valid, last := p.certStatus(now); valid == 0 {
		if last != nil {
			return nil, &directory.SignInError{Reason: directory.ReasonIdPCertExpired, Detail: lockout(conn.Name, last.NotAfter)}
		}
		return nil, sso.Refuse(sso.ReasonUnavailable, "no signing certificate of %s is valid yet", conn.Name)
	}
	return p, nil
}

// refresh reads conn's metadata URL, checks the document and saves it.
func (c *Connector) refresh(ctx context.Context, conn *directory.Connection) (*idp, error) {
	doc, err := fetchMetadata(ctx, c.client, conn.SAML.MetadataURL)
	if err != nil {
		return nil, err
	}
	p, err := parseMetadata(doc)
	if err != nil {
		return nil, err
	}
	saved, err := c.svc.RefreshSAMLMetadata(ctx, conn.TenantID, conn.ID, conn.SAML.MetadataURL, doc, c.now())
	if err != nil {
		return nil, fmt.Errorf("the metadata could not be saved: %w", err)
	}
	*conn = *saved
	return p, nil
}

// lockout says that the IdP's signing certificate has expired: the
// classic SAML lockout, until new metadata reaches scimd.
func lockout(name string, at time.Time) string {
	return fmt.Sprintf("the signing certificate of %s expired on %s, so scimd can't trust any answer from it", name, day(at))
}

func uploadHint(s *directory.SAMLConfig) string {
	if s.MetadataURL != "" {
		return ", and reading it again from " + s.MetadataURL + " did not give a newer one"
	}
	return "; upload its new metadata"
}

// formatURN is the URN of a NameID format's short name ("" is
// unspecified).
func formatURN(short string) saml.NameIDFormat {
	switch short {
	case directory.NameIDPersistent:
		return saml.PersistentNameIDFormat
	case directory.NameIDEmailAddress:
		return saml.EmailAddressNameIDFormat
	case directory.NameIDTransient:
		return saml.TransientNameIDFormat
	}
	return saml.UnspecifiedNameIDFormat
}

// requestedFormat is what an AuthnRequest's NameIDPolicy asks for: the
// connection's format, or, when it accepts several, none in particular
// (unspecified), so that the IdP sends what it is set up to send.
func requestedFormat(short string) saml.NameIDFormat { return formatURN(short) }

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

// printable keeps what an IdP sent fit for a page and a log: printable
// characters, at most n bytes.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, s)
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

func oneLine(s string) string { return printable(strings.Join(strings.Fields(s), " "), 300) }
