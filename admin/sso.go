package admin

import (
	"net/http"

	"github.com/scimd/scimd/directory"
)

// ssoSettingsJSON is how the tenant signs in.
type ssoSettingsJSON struct {
	Enforced     bool     `json:"enforced"`
	IdPInitiated bool     `json:"idpInitiated"`
	LinkBy       []string `json:"linkBy"`
	JIT          bool     `json:"jit"`
	JITRole      string   `json:"jitRole"`
}

func ssoSettingsView(s directory.SSOSettings) *ssoSettingsJSON {
	out := &ssoSettingsJSON{Enforced: s.Enforced, IdPInitiated: s.IdPInitiated, JIT: s.JIT, JITRole: string(s.NewUserRole())}
	for _, m := range s.Links() {
		out.LinkBy = append(out.LinkBy, string(m))
	}
	return out
}

// oidcJSON is an OIDC connection's settings. The client secret is
// write-only: clientSecretSet says whether one is stored.
type oidcJSON struct {
	Issuer          string   `json:"issuer"`
	ClientID        string   `json:"clientId"`
	ClientSecretSet bool     `json:"clientSecretSet"`
	Scopes          []string `json:"scopes"`
	SubjectClaim    string   `json:"subjectClaim"`
	EmailClaim      string   `json:"emailClaim"`
	UserNameClaim   string   `json:"userNameClaim"`
}

// connectionJSON is a sign-in connection.
type connectionJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Enabled     bool      `json:"enabled"`
	RedirectURI string    `json:"redirectUri,omitempty"`
	OIDC        *oidcJSON `json:"oidc,omitempty"`
	SAML        *samlJSON `json:"saml,omitempty"`
	Created     string    `json:"created"`
	Updated     string    `json:"updated"`
}

func (h *handler) connectionView(t *directory.Tenant, c *directory.Connection) *connectionJSON {
	out := &connectionJSON{ID: c.ID, Kind: string(c.Kind), Name: c.Name, Enabled: c.Enabled,
		Created: timeJSON(c.Created), Updated: timeJSON(c.Updated)}
	if h.redirectURI != nil && t != nil {
		out.RedirectURI = h.redirectURI(t, c)
	}
	if c.SAML != nil {
		out.SAML = h.samlView(t, c)
	}
	if o := c.OIDC; o != nil {
		out.OIDC = &oidcJSON{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecretSet: c.Secret != nil,
			Scopes: o.AllScopes(), SubjectClaim: o.Subject(), EmailClaim: o.Email(), UserNameClaim: o.UserName()}
	}
	return out
}

// getSSO answers the tenant's sign-in settings and connections at once.
func (h *handler) getSSO(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Tenant(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	conns, err := h.svc.Connections(r.Context(), t.ID)
	if err != nil {
		return err
	}
	out := struct {
		Settings    *ssoSettingsJSON  `json:"settings"`
		Connections []*connectionJSON `json:"connections"`
	}{ssoSettingsView(t.Settings.SSO), make([]*connectionJSON, len(conns))}
	for i, c := range conns {
		out.Connections[i] = h.connectionView(t, c)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// patchSSOSettings changes the members given: {"enforced": true,
// "linkBy": ["externalId", "userName"], "jit": false, "jitRole": "agent",
// "idpInitiated": false}.
func (h *handler) patchSSOSettings(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, "enforced", "idpInitiated", "linkBy", "jit", "jitRole"); err != nil {
		return err
	}
	flags := map[string]*bool{}
	for _, name := range []string{"enforced", "idpInitiated", "jit"} {
		if v, ok := doc[name]; ok {
			b, isBool := v.(bool)
			if !isBool {
				return invalidf(name, "%s must be true or false.", name)
			}
			flags[name] = &b
		}
	}
	links, err := strList(doc, "linkBy")
	if err != nil {
		return err
	}
	_, setLinks := doc["linkBy"]
	role, err := str(doc, "jitRole")
	if err != nil {
		return err
	}
	_, setRole := doc["jitRole"]
	s, err := h.svc.SetSSOSettings(r.Context(), actorOf(r), tenantOf(r), func(s *directory.SSOSettings) error {
		if b := flags["enforced"]; b != nil {
			s.Enforced = *b
		}
		if b := flags["idpInitiated"]; b != nil {
			s.IdPInitiated = *b
		}
		if b := flags["jit"]; b != nil {
			s.JIT = *b
		}
		if setLinks {
			s.LinkBy = nil
			for _, l := range links {
				s.LinkBy = append(s.LinkBy, directory.LinkMethod(l))
			}
		}
		if setRole {
			s.JITRole = directory.Role(role)
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ssoSettingsView(*s))
	return nil
}

func (h *handler) listConnections(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.Tenant(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	conns, err := h.svc.Connections(r.Context(), t.ID)
	if err != nil {
		return err
	}
	out := struct {
		Connections []*connectionJSON `json:"connections"`
	}{make([]*connectionJSON, len(conns))}
	for i, c := range conns {
		out.Connections[i] = h.connectionView(t, c)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) getConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.Connection(r.Context(), tenantOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	t, err := h.svc.Tenant(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.connectionView(t, c))
	return nil
}

// connectionMembers are what a connection's body may hold.
var connectionMembers = append([]string{"kind", "name", "enabled", "issuer", "clientId", "clientSecret", "scopes", "subjectClaim", "emailClaim", "userNameClaim"}, samlMembers...)

// applyConnection sets on c the members doc holds (a JSON merge), sealing
// a client secret with the server's key; saml holds the SAML members, read
// beforehand (nil for an OIDC connection).
func (h *handler) applyConnection(doc map[string]any, c *directory.Connection, saml *samlInput) error {
	for _, name := range []string{"name"} {
		if _, ok := doc[name]; ok {
			v, err := str(doc, name)
			if err != nil {
				return err
			}
			c.Name = v
		}
	}
	if v, ok := doc["enabled"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return invalidf("enabled", "enabled must be true or false.")
		}
		c.Enabled = b
	}
	oidcMembers := map[string]*string{}
	if c.Kind == directory.KindOIDC {
		if c.OIDC == nil {
			c.OIDC = &directory.OIDCConfig{}
		}
		oidcMembers = map[string]*string{"issuer": &c.OIDC.Issuer, "clientId": &c.OIDC.ClientID,
			"subjectClaim": &c.OIDC.SubjectClaim, "emailClaim": &c.OIDC.EmailClaim, "userNameClaim": &c.OIDC.UserNameClaim}
	}
	for _, name := range []string{"issuer", "clientId", "subjectClaim", "emailClaim", "userNameClaim", "scopes", "clientSecret"} {
		if _, ok := doc[name]; ok && c.Kind != directory.KindOIDC {
			return invalidf(name, "%s belongs to OIDC connections; this one is %s.", name, c.Kind)
		}
	}
	for _, name := range samlMembers {
		if _, ok := doc[name]; ok && c.Kind != directory.KindSAML {
			return invalidf(name, "%s belongs to SAML connections; this one is %s.", name, c.Kind)
		}
	}
	if saml != nil && c.Kind == directory.KindSAML {
		saml.apply(c)
	}
	for name, dst := range oidcMembers {
		if _, ok := doc[name]; ok {
			v, err := str(doc, name)
			if err != nil {
				return err
			}
			*dst = v
		}
	}
	if _, ok := doc["scopes"]; ok {
		scopes, err := strList(doc, "scopes")
		if err != nil {
			return err
		}
		c.OIDC.Scopes = scopes
	}
	if v, ok := doc["clientSecret"]; ok {
		switch secret := v.(type) {
		case nil:
			c.Secret = nil
		case string:
			if secret == "" {
				return invalidf("clientSecret", "clientSecret is empty; send null to remove it.")
			}
			if h.secrets == nil {
				return errorf(http.StatusServiceUnavailable, CodeInternal, "This server has no key to keep secrets with; ask your scimd operator to set SCIMD_SECRET_KEY.")
			}
			sealed, err := h.secrets.Seal([]byte(secret), c.SecretContext())
			if err != nil {
				return err
			}
			c.Secret = sealed
		default:
			return invalidf("clientSecret", "clientSecret must be text.")
		}
	}
	return nil
}

// createConnection adds one: {"kind": "oidc", "name": "Okta", "issuer":
// "https://acme.okta.com", "clientId": "...", "clientSecret": "...",
// "enabled": true}. The secret is never answered back. A SAML connection
// ({"kind": "saml", "name": "Entra", "idpMetadataUrl": "https://..."})
// gets its service provider key pair now, and its answer says what to
// register at the IdP (saml.entityId, saml.acsUrl); made without the
// IdP's metadata, which the IdP may give only once it knows those, it is
// turned off until the metadata comes.
func (h *handler) createConnection(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, connectionMembers...); err != nil {
		return err
	}
	kind, err := str(doc, "kind")
	if err != nil {
		return err
	}
	c := &directory.Connection{ID: directory.NewID(), TenantID: tenantOf(r), Kind: directory.ConnectionKind(kind), Enabled: true}
	if !c.Kind.Valid() {
		return invalidf("kind", "kind must be oidc or saml.")
	}
	var saml *samlInput
	if c.Kind == directory.KindSAML {
		if saml, err = h.readSAML(r.Context(), doc, c.TenantID, c.ID, true); err != nil {
			return err
		}
		if _, ok := doc["enabled"]; !ok {
			c.Enabled = saml.metadata
		}
	}
	if err := h.applyConnection(doc, c, saml); err != nil {
		return err
	}
	created, err := h.svc.CreateConnection(r.Context(), actorOf(r), tenantOf(r), c)
	if err != nil {
		return err
	}
	t, err := h.svc.Tenant(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/sso/connections/"+created.ID)
	writeJSON(w, http.StatusCreated, h.connectionView(t, created))
	return nil
}

// patchConnection changes the members given; "clientSecret": "..." sets a
// new secret, null removes it, and leaving it out keeps it. For SAML,
// "idpMetadataUrl" or "idpMetadata" replace the IdP's metadata (read and
// checked now), and "newKey": true makes scimd a new key pair, whose
// certificate the IdP must then be given.
func (h *handler) patchConnection(w http.ResponseWriter, r *http.Request) error {
	doc, err := readObject(w, r)
	if err != nil {
		return err
	}
	if err := fields(doc, connectionMembers...); err != nil {
		return err
	}
	if _, ok := doc["kind"]; ok {
		return invalidf("kind", "A connection's kind can't change; make a new connection.")
	}
	// A SAML connection's metadata is read, and its key pair made, before
	// the transaction that writes them.
	cur, err := h.svc.Connection(r.Context(), tenantOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	var saml *samlInput
	if cur.Kind == directory.KindSAML {
		if saml, err = h.readSAML(r.Context(), doc, cur.TenantID, cur.ID, false); err != nil {
			return err
		}
	}
	c, err := h.svc.UpdateConnection(r.Context(), actorOf(r), tenantOf(r), cur.ID, func(c *directory.Connection) error {
		return h.applyConnection(doc, c, saml)
	})
	if err != nil {
		return err
	}
	t, err := h.svc.Tenant(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h.connectionView(t, c))
	return nil
}

// deleteConnection removes a connection, its links and the sessions begun
// through it.
func (h *handler) deleteConnection(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteConnection(r.Context(), actorOf(r), tenantOf(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
