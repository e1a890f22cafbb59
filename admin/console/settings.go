package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/scimd/scimd/directory"
)

// settingsSections are the settings pages, in the order the navigation
// lists them; Section is the page's path.
var settingsSections = []navItem{
	{"settings/tokens", "SCIM tokens", "settings/tokens"},
	{"settings/sso", "Sign-in", "settings/sso"},
	{"settings/break-glass", "Break-glass accounts", "settings/break-glass"},
	{"settings/alert-webhook", "Alert webhook", "settings/alert-webhook"},
}

type tokensData struct {
	Live, Revoked []*directory.Token
	// New is a token just made: its secret, shown this once.
	New *newToken
	// The create form's values after a refused create.
	Description, Scope string
}

type newToken struct {
	Token   *directory.Token
	Secret  string
	Rotated bool
}

// tokens lists the tenant's tokens: the live ones with when each was last
// used, then the revoked.
func (c *Console) tokens(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showTokens(w, r, p, &tokensData{Scope: string(directory.ScopeSCIM)})
}

func (c *Console) showTokens(w http.ResponseWriter, r *http.Request, p *page, d *tokensData) error {
	ts, err := c.svc.Tokens(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Revoked == nil {
			d.Live = append(d.Live, t)
		} else {
			d.Revoked = append(d.Revoked, t)
		}
	}
	p.Title, p.Section, p.Data = "SCIM tokens", "settings/tokens", d
	return c.render(w, p, "tokens")
}

// createToken makes a token and shows its secret once, in the answer to
// the POST itself: it is never stored, and no later page can show it.
func (c *Console) createToken(w http.ResponseWriter, r *http.Request, p *page) error {
	d := &tokensData{Description: strings.TrimSpace(r.PostForm.Get("description")), Scope: r.PostForm.Get("scope")}
	t, secret, err := c.svc.CreateToken(r.Context(), actor(r, p), p.Tenant.ID, directory.Scope(d.Scope), d.Description)
	if err != nil {
		return refused(p, err, func() error { return c.showTokens(w, r, p, d) })
	}
	return c.showTokens(w, r, p, &tokensData{Scope: string(directory.ScopeSCIM), New: &newToken{Token: t, Secret: secret}})
}

// rotateToken replaces a token with a new one, shown once; the old one
// stops working at once.
func (c *Console) rotateToken(w http.ResponseWriter, r *http.Request, p *page) error {
	t, secret, err := c.svc.RotateToken(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("id"))
	if err != nil {
		return refused(p, err, func() error { return c.showTokens(w, r, p, &tokensData{}) })
	}
	return c.showTokens(w, r, p, &tokensData{Scope: string(directory.ScopeSCIM), New: &newToken{Token: t, Secret: secret, Rotated: true}})
}

func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := c.svc.RevokeToken(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("id")); err != nil {
		return refused(p, err, func() error { return c.showTokens(w, r, p, &tokensData{}) })
	}
	return c.seeOther(w, r, p, "settings/tokens", "token-revoked")
}

type ssoData struct {
	Settings    directory.SSOSettings
	LinkBy      map[string]bool
	JITRoles    []directory.Role
	Connections []*connectionRow
	// Kinds are the kinds of connection this server can sign in with.
	Kinds []directory.ConnectionKind
	// CanEdit: only owners change how the tenant signs in.
	CanEdit bool
	// New is the create form's values: what was typed, after a refused
	// create.
	New *directory.Connection
}

type connectionRow struct {
	*directory.Connection
	CallbackURL string
	MetadataURL string
}

func (c *Console) connectionRow(t *directory.Tenant, conn *directory.Connection) *connectionRow {
	row := &connectionRow{Connection: conn}
	if c.cfg.CallbackURL != nil {
		row.CallbackURL = c.cfg.CallbackURL(t, conn)
	}
	if c.cfg.MetadataURL != nil {
		row.MetadataURL = c.cfg.MetadataURL(t, conn)
	}
	return row
}

// sso shows how the tenant signs in: the settings (enforcement, linking,
// accounts made at first sign-in) and the connections.
func (c *Console) sso(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showSSO(w, r, p, nil)
}

func (c *Console) showSSO(w http.ResponseWriter, r *http.Request, p *page, typed *directory.Connection) error {
	t, err := c.svc.Tenant(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	conns, err := c.svc.Connections(r.Context(), t.ID)
	if err != nil {
		return err
	}
	d := &ssoData{Settings: t.Settings.SSO, LinkBy: map[string]bool{}, CanEdit: p.Me.Role == directory.RoleOwner,
		JITRoles: []directory.Role{directory.RoleAgent, directory.RoleCollaborator, directory.RoleCustomer}, New: typed}
	if d.New == nil {
		d.New = &directory.Connection{Kind: directory.KindOIDC, Enabled: true, OIDC: &directory.OIDCConfig{}}
	}
	for _, m := range t.Settings.SSO.Links() {
		d.LinkBy[string(m)] = true
	}
	for _, conn := range conns {
		d.Connections = append(d.Connections, c.connectionRow(t, conn))
	}
	for _, k := range []directory.ConnectionKind{directory.KindOIDC, directory.KindSAML} {
		// A kind with no connector has no callback URL: it can't be made.
		if c.cfg.CallbackURL != nil && c.cfg.CallbackURL(t, &directory.Connection{Kind: k}) != "" {
			d.Kinds = append(d.Kinds, k)
		}
	}
	p.Title, p.Section, p.Data = "Sign-in", "settings/sso", d
	return c.render(w, p, "sso")
}

// setSSO saves the sign-in settings: enforcement, how a first sign-in
// finds its user, and accounts made at first sign-in.
func (c *Console) setSSO(w http.ResponseWriter, r *http.Request, p *page) error {
	f := r.PostForm
	_, err := c.svc.SetSSOSettings(r.Context(), actor(r, p), p.Tenant.ID, func(s *directory.SSOSettings) error {
		s.Enforced = f.Get("enforced") == "on"
		s.IdPInitiated = f.Get("idpInitiated") == "on"
		s.JIT = f.Get("jit") == "on"
		s.JITRole = directory.Role(f.Get("jitRole"))
		s.LinkBy = nil
		for _, m := range []directory.LinkMethod{directory.LinkExternalID, directory.LinkUserName, directory.LinkEmail} {
			if f.Get("link-"+string(m)) == "on" {
				s.LinkBy = append(s.LinkBy, m)
			}
		}
		return nil
	})
	if err != nil {
		return refused(p, err, func() error { return c.showSSO(w, r, p, nil) })
	}
	return c.seeOther(w, r, p, "settings/sso", "sso-saved")
}

// createConnection adds a connection from the form: its kind, its name
// and the kind's settings.
func (c *Console) createConnection(w http.ResponseWriter, r *http.Request, p *page) error {
	conn := &directory.Connection{ID: directory.NewID(), TenantID: p.Tenant.ID, Kind: directory.ConnectionKind(r.PostForm.Get("kind"))}
	err := c.applyConnectionForm(r.PostForm, conn)
	if err == nil && conn.Kind == directory.KindSAML {
		var in *samlForm
		if in, err = c.readSAMLForm(r.Context(), r, p.Tenant.ID, conn.ID, true); err == nil {
			in.apply(conn)
		}
	}
	var created *directory.Connection
	if err == nil {
		created, err = c.svc.CreateConnection(r.Context(), actor(r, p), p.Tenant.ID, conn)
	}
	if err != nil {
		return refused(p, err, func() error { return c.showSSO(w, r, p, conn) })
	}
	return c.seeOther(w, r, p, "settings/sso/connections/"+created.ID, "connection-created")
}

// applyConnectionForm sets conn from a connection's form. An empty client
// secret keeps the one stored; a new one is sealed with the server's key,
// bound to the connection, before the directory sees it.
func (c *Console) applyConnectionForm(f url.Values, conn *directory.Connection) error {
	conn.Name = strings.TrimSpace(f.Get("name"))
	conn.Enabled = f.Get("enabled") == "on"
	switch conn.Kind {
	case directory.KindOIDC:
		o := conn.OIDC
		if o == nil {
			o = &directory.OIDCConfig{}
			conn.OIDC = o
		}
		o.Issuer, o.ClientID = strings.TrimSpace(f.Get("issuer")), strings.TrimSpace(f.Get("clientId"))
		if f.Has("scopes") {
			o.Scopes = strings.Fields(f.Get("scopes"))
			o.SubjectClaim, o.EmailClaim = strings.TrimSpace(f.Get("subjectClaim")), strings.TrimSpace(f.Get("emailClaim"))
			o.UserNameClaim = strings.TrimSpace(f.Get("userNameClaim"))
		}
		if secret := f.Get("clientSecret"); secret != "" {
			if c.cfg.Secrets == nil {
				return &problem{Status: http.StatusServiceUnavailable, Title: "Secrets can't be kept", Field: "clientSecret",
					Message: "This server has no key to keep secrets with; ask your scimd operator to set SCIMD_SECRET_KEY."}
			}
			sealed, err := c.cfg.Secrets.Seal([]byte(secret), conn.SecretContext())
			if err != nil {
				return err
			}
			conn.Secret = sealed
		}
	case directory.KindSAML:
		// Its own fields are read before the transaction (readSAMLForm).
		if conn.SAML == nil {
			conn.SAML = &directory.SAMLConfig{}
		}
	default:
		return &problem{Status: http.StatusBadRequest, Title: "Choose a kind", Field: "kind", Message: "A connection is OIDC or SAML."}
	}
	return nil
}

type connectionData struct {
	Conn *connectionRow
	SAML *samlView
	// NameIDFormats are the NameID formats a SAML connection may ask for.
	NameIDFormats []string
	CanEdit       bool
	CanTest       bool
	Findings      []Finding
	// Scopes are the OIDC scopes as the form shows them.
	Scopes string
}

func (c *Console) connection(w http.ResponseWriter, r *http.Request, p *page) error {
	p.Flash = flash(r)
	return c.showConnection(w, r, p, nil, nil)
}

// showConnection renders a connection's page; typed, when a save was
// refused, holds what the admin typed.
func (c *Console) showConnection(w http.ResponseWriter, r *http.Request, p *page, typed *directory.Connection, findings []Finding) error {
	conn, err := c.svc.Connection(r.Context(), p.Tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if typed != nil {
		conn = typed
	}
	d := &connectionData{Conn: c.connectionRow(p.Tenant, conn), CanEdit: p.Me.Role == directory.RoleOwner,
		CanTest: c.cfg.Check != nil, Findings: findings, SAML: c.samlView(p.Tenant, conn), NameIDFormats: directory.NameIDFormats}
	if conn.OIDC != nil {
		d.Scopes = strings.Join(conn.OIDC.Scopes, " ")
	}
	p.Title, p.Section, p.Data = conn.Name, "settings/sso", d
	return c.render(w, p, "connection")
}

// updateConnection saves a connection's form.
func (c *Console) updateConnection(w http.ResponseWriter, r *http.Request, p *page) error {
	var typed *directory.Connection
	cur, err := c.svc.Connection(r.Context(), p.Tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	var in *samlForm
	if cur.Kind == directory.KindSAML {
		if in, err = c.readSAMLForm(r.Context(), r, p.Tenant.ID, cur.ID, false); err != nil {
			return refused(p, err, func() error { return c.showConnection(w, r, p, nil, nil) })
		}
	}
	_, err = c.svc.UpdateConnection(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("id"), func(conn *directory.Connection) error {
		typed = conn
		if err := c.applyConnectionForm(r.PostForm, conn); err != nil {
			return err
		}
		if in != nil && conn.Kind == directory.KindSAML {
			in.apply(conn)
		}
		return nil
	})
	if err != nil {
		return refused(p, err, func() error { return c.showConnection(w, r, p, typed, nil) })
	}
	return c.seeOther(w, r, p, "settings/sso/connections/"+r.PathValue("id"), "connection-saved")
}

// testConnection checks a connection as sign-in will use it and shows what
// it found.
func (c *Console) testConnection(w http.ResponseWriter, r *http.Request, p *page) error {
	conn, err := c.svc.Connection(r.Context(), p.Tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if c.cfg.Check == nil {
		return &problem{Status: http.StatusNotFound, Title: "No test for this connection", Message: "This server can't test " + string(conn.Kind) + " connections."}
	}
	t, err := c.svc.Tenant(r.Context(), p.Tenant.ID)
	if err != nil {
		return err
	}
	return c.showConnection(w, r, p, nil, c.cfg.Check(r.Context(), t, conn))
}

func (c *Console) deleteConnection(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := c.svc.DeleteConnection(r.Context(), actor(r, p), p.Tenant.ID, r.PathValue("id")); err != nil {
		return refused(p, err, func() error { return c.showConnection(w, r, p, nil, nil) })
	}
	return c.seeOther(w, r, p, "settings/sso", "connection-deleted")
}
