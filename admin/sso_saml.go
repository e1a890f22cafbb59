package admin

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
)

// SAMLSetup is what the admin API needs of the SAML connector (sso/saml;
// cmd/scimd wires it): reading an IdP's metadata, making a connection's
// service provider key pair, and describing both sides.
type SAMLSetup interface {
	// LoadMetadata returns the IdP metadata document to keep: the one at
	// metadataURL, read now, when it is set, else doc; checked as sign-in
	// reads it. Its error is a sentence for the admin.
	LoadMetadata(ctx context.Context, metadataURL, doc string) (string, error)
	// NewKeyPair gives conn (its ID and TenantID set) a new service
	// provider key pair: the sealed key as conn.Secret, the certificate in
	// conn.SAML.
	NewKeyPair(conn *directory.Connection) error
	// Describe says what the IdP's admin registers for conn, and what
	// scimd knows of the IdP.
	Describe(t *directory.Tenant, conn *directory.Connection) SAMLDescription
}

// SAMLDescription is a SAML connection as an admin sees it.
type SAMLDescription struct {
	// EntityID, ACSURL and MetadataURL are scimd's service provider: what
	// the IdP's admin registers (the audience, the reply URL).
	EntityID, ACSURL, MetadataURL string
	// CertificateNotAfter is when scimd's certificate expires.
	CertificateNotAfter time.Time
	// The IdP, by its metadata; IdPProblem says why the metadata can't be
	// read, if so.
	IdPEntityID, IdPSSOURL string
	IdPValidUntil          time.Time
	IdPCertificates        []SAMLCertificate
	IdPProblem             string
}

// SAMLCertificate is one of the IdP's signing certificates.
type SAMLCertificate struct {
	Subject  string
	NotAfter time.Time
}

// samlJSON is a SAML connection's settings. "entityId", "acsUrl" and
// "metadataUrl" are scimd's, for the IdP; "idp" is the IdP's, for scimd.
// The service provider's private key is never shown.
type samlJSON struct {
	EntityID             string   `json:"entityId"`
	ACSURL               string   `json:"acsUrl"`
	MetadataURL          string   `json:"metadataUrl"`
	SPCertificateExpires string   `json:"spCertificateExpires,omitempty"`
	IdP                  *idpJSON `json:"idp"`
	SubjectAttribute     string   `json:"subjectAttribute"`
	EmailAttribute       string   `json:"emailAttribute"`
	UserNameAttribute    string   `json:"userNameAttribute"`
	NameIDFormat         string   `json:"nameIdFormat"`
}

type idpJSON struct {
	MetadataURL     string     `json:"metadataUrl,omitempty"`
	MetadataFetched string     `json:"metadataFetched,omitempty"`
	MetadataSet     bool       `json:"metadataSet"`
	EntityID        string     `json:"entityId,omitempty"`
	SSOURL          string     `json:"ssoUrl,omitempty"`
	ValidUntil      string     `json:"validUntil,omitempty"`
	Certificates    []certJSON `json:"certificates,omitempty"`
	Problem         string     `json:"problem,omitempty"`
}

type certJSON struct {
	Subject  string `json:"subject"`
	NotAfter string `json:"notAfter"`
}

func (h *handler) samlView(t *directory.Tenant, c *directory.Connection) *samlJSON {
	s := c.SAML
	out := &samlJSON{SubjectAttribute: s.SubjectAttribute, EmailAttribute: s.EmailAttribute,
		UserNameAttribute: s.UserNameAttribute, NameIDFormat: s.NameIDFormat,
		IdP: &idpJSON{MetadataURL: s.MetadataURL, MetadataSet: s.Metadata != ""}}
	if s.MetadataFetched != nil {
		out.IdP.MetadataFetched = timeJSON(*s.MetadataFetched)
	}
	if h.saml == nil || t == nil {
		return out
	}
	d := h.saml.Describe(t, c)
	out.EntityID, out.ACSURL, out.MetadataURL = d.EntityID, d.ACSURL, d.MetadataURL
	if !d.CertificateNotAfter.IsZero() {
		out.SPCertificateExpires = timeJSON(d.CertificateNotAfter)
	}
	out.IdP.EntityID, out.IdP.SSOURL, out.IdP.Problem = d.IdPEntityID, d.IdPSSOURL, d.IdPProblem
	if !d.IdPValidUntil.IsZero() {
		out.IdP.ValidUntil = timeJSON(d.IdPValidUntil)
	}
	for _, cert := range d.IdPCertificates {
		out.IdP.Certificates = append(out.IdP.Certificates, certJSON{Subject: cert.Subject, NotAfter: timeJSON(cert.NotAfter)})
	}
	return out
}

// samlMembers are the members of a SAML connection's body.
var samlMembers = []string{"idpMetadataUrl", "idpMetadata", "subjectAttribute", "emailAttribute", "userNameAttribute", "nameIdFormat", "newKey"}

// samlInput is what a request sets on a SAML connection, read before the
// connection is written: the IdP's metadata is fetched and a key pair
// made outside any transaction.
type samlInput struct {
	// metadata is set when the request gives the IdP's metadata: by
	// URL (kept, and read again when due) or as a document.
	metadata              bool
	metadataURL, document string
	fetched               *time.Time
	// keys holds a new key pair (Secret, SAML.SPCertificate), or nil.
	keys  *directory.Connection
	texts map[string]string
}

// readSAML reads the SAML members of doc for the connection id of
// tenant; create makes a key pair whatever doc says.
func (h *handler) readSAML(ctx context.Context, doc map[string]any, tenant int64, id string, create bool) (*samlInput, error) {
	in := &samlInput{texts: map[string]string{}}
	has := func(name string) bool { _, ok := doc[name]; return ok }
	if h.saml == nil && (create || has("idpMetadataUrl") || has("idpMetadata") || has("newKey")) {
		return nil, errorf(http.StatusServiceUnavailable, CodeInternal, "This server can't set SAML connections up; ask your scimd operator.")
	}
	for _, name := range []string{"subjectAttribute", "emailAttribute", "userNameAttribute", "nameIdFormat"} {
		if has(name) {
			v, err := str(doc, name)
			if err != nil {
				return nil, err
			}
			in.texts[name] = v
		}
	}
	mdURL, err := str(doc, "idpMetadataUrl")
	if err != nil {
		return nil, err
	}
	md, err := str(doc, "idpMetadata")
	if err != nil {
		return nil, err
	}
	switch {
	case mdURL != "" && md != "":
		return nil, invalidf("idpMetadata", "Give the IdP's metadata by idpMetadataUrl or as idpMetadata, not both.")
	case mdURL != "" || md != "":
		loaded, err := h.saml.LoadMetadata(ctx, mdURL, md)
		if err != nil {
			field := "idpMetadata"
			if mdURL != "" {
				field = "idpMetadataUrl"
			}
			return nil, invalidf(field, "The IdP's metadata can't be used: %s.", strings.TrimSuffix(err.Error(), "."))
		}
		in.metadata, in.metadataURL, in.document = true, mdURL, loaded
		if mdURL != "" {
			now := time.Now().UTC()
			in.fetched = &now
		}
	case has("idpMetadataUrl") || has("idpMetadata"):
		return nil, invalidf("idpMetadata", "The IdP's metadata can't be removed; give new metadata, or delete the connection.")
	}
	newKey := create
	if v, ok := doc["newKey"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return nil, invalidf("newKey", "newKey must be true or false.")
		}
		newKey = newKey || b
	}
	if newKey {
		in.keys = &directory.Connection{ID: id, TenantID: tenant, Kind: directory.KindSAML, SAML: &directory.SAMLConfig{}}
		if err := h.saml.NewKeyPair(in.keys); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// apply sets in on c, a SAML connection.
func (in *samlInput) apply(c *directory.Connection) {
	if c.SAML == nil {
		c.SAML = &directory.SAMLConfig{}
	}
	s := c.SAML
	for name, dst := range map[string]*string{"subjectAttribute": &s.SubjectAttribute, "emailAttribute": &s.EmailAttribute,
		"userNameAttribute": &s.UserNameAttribute, "nameIdFormat": &s.NameIDFormat} {
		if v, ok := in.texts[name]; ok {
			*dst = v
		}
	}
	if in.metadata {
		s.MetadataURL, s.Metadata, s.MetadataFetched = in.metadataURL, in.document, in.fetched
	}
	if in.keys != nil {
		c.Secret, s.SPCertificate = in.keys.Secret, in.keys.SAML.SPCertificate
	}
}
