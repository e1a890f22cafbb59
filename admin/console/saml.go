package console

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/directory"
)

// A SAML connection's form: the IdP's metadata by URL, pasted or uploaded
// (the form is multipart for the upload), the attribute and NameID
// options, and a new service provider key on request. The metadata is
// read and a key made before the connection is written, outside the
// directory's transaction, as the admin API does.

// samlForm is what a SAML connection's form sets, read before saving.
type samlForm struct {
	texts map[string]string
	// metadata is set when the form gives the IdP's metadata.
	metadata              bool
	metadataURL, document string
	fetched               *time.Time
	// keys holds a new key pair (Secret, SAML.SPCertificate), or nil.
	keys *directory.Connection
}

// samlFields are the text options of a SAML connection's form, by form
// name.
var samlFields = []string{"subjectAttribute", "emailAttribute", "userNameAttribute", "nameIdFormat"}

// readSAMLForm reads a SAML connection's form for the connection id;
// create makes a key pair whatever the form says, and needs metadata.
func (c *Console) readSAMLForm(ctx context.Context, r *http.Request, tenant int64, id string, create bool) (*samlForm, error) {
	if c.cfg.SAML == nil {
		return nil, &problem{Status: http.StatusServiceUnavailable, Title: "SAML can't be set up here", Field: "kind",
			Message: "This server can't set SAML connections up; ask your scimd operator."}
	}
	f := r.PostForm
	in := &samlForm{texts: map[string]string{}}
	for _, name := range samlFields {
		if f.Has(name) {
			in.texts[name] = strings.TrimSpace(f.Get(name))
		}
	}
	mdURL, doc := strings.TrimSpace(f.Get("metadataUrl")), f.Get("metadataXml")
	field := "metadataXml"
	if r.MultipartForm != nil {
		if fh := r.MultipartForm.File["metadataFile"]; len(fh) > 0 && fh[0].Size > 0 {
			file, err := fh[0].Open()
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(file)
			file.Close()
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(doc) != "" {
				return nil, &problem{Status: http.StatusBadRequest, Title: "Check the value", Field: "metadataFile",
					Message: "Give the identity provider's metadata once: paste it or upload its file, not both."}
			}
			doc, field = string(b), "metadataFile"
		}
	}
	switch {
	case mdURL != "" && strings.TrimSpace(doc) != "":
		return nil, &problem{Status: http.StatusBadRequest, Title: "Check the value", Field: "metadataUrl",
			Message: "Give the identity provider's metadata by URL or as a document, not both."}
	case mdURL != "" || strings.TrimSpace(doc) != "":
		// A URL kept as it was is not read again here: scimd refreshes it
		// when it is due.
		if mdURL == "" || !f.Has("metadataUrlWas") || mdURL != f.Get("metadataUrlWas") {
			if mdURL != "" {
				field = "metadataUrl"
			}
			loaded, err := c.cfg.SAML.LoadMetadata(ctx, mdURL, doc)
			if err != nil {
				return nil, &problem{Status: http.StatusBadRequest, Title: "The metadata can't be used", Field: field,
					Message: sentence("the identity provider's metadata can't be used: " + strings.TrimSuffix(err.Error(), "."))}
			}
			in.metadata, in.metadataURL, in.document = true, mdURL, loaded
			if mdURL != "" {
				now := time.Now().UTC()
				in.fetched = &now
			}
		}
	case create:
		return nil, &problem{Status: http.StatusBadRequest, Title: "Check the value", Field: "metadataUrl",
			Message: "Give the identity provider's metadata: its URL, or its XML pasted or uploaded."}
	}
	if create || f.Get("newKey") == "on" {
		in.keys = &directory.Connection{ID: id, TenantID: tenant, Kind: directory.KindSAML, SAML: &directory.SAMLConfig{}}
		if err := c.cfg.SAML.NewKeyPair(in.keys); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// apply sets in on conn, a SAML connection.
func (in *samlForm) apply(conn *directory.Connection) {
	if conn.SAML == nil {
		conn.SAML = &directory.SAMLConfig{}
	}
	s := conn.SAML
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
		conn.Secret, s.SPCertificate = in.keys.Secret, in.keys.SAML.SPCertificate
	}
}

// samlView is a SAML connection as its page shows it: scimd's side for
// the IdP's admin, and the IdP's side as its metadata says.
type samlView struct {
	admin.SAMLDescription
	// Expired and Expiring mark the IdP's certificates by index.
	Expired, Expiring map[int]bool
}

// expiringWithin is how early the page warns of an IdP certificate's end.
const expiringWithin = 30 * 24 * time.Hour

func (c *Console) samlView(t *directory.Tenant, conn *directory.Connection) *samlView {
	if c.cfg.SAML == nil || conn.Kind != directory.KindSAML {
		return nil
	}
	v := &samlView{SAMLDescription: c.cfg.SAML.Describe(t, conn), Expired: map[int]bool{}, Expiring: map[int]bool{}}
	now := time.Now()
	for i, cert := range v.IdPCertificates {
		switch {
		case !cert.NotAfter.After(now):
			v.Expired[i] = true
		case cert.NotAfter.Before(now.Add(expiringWithin)):
			v.Expiring[i] = true
		}
	}
	return v
}

// parseForm reads a console form, multipart (a file upload) or not.
func parseForm(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/form-data") {
		return r.ParseMultipartForm(maxForm)
	}
	return r.ParseForm()
}
