package directory

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Connections returns the tenant's sign-in connections, by name.
func (s *Service) Connections(ctx context.Context, tenant int64) ([]*Connection, error) {
	return s.store.Connections(ctx, tenant)
}

// Connection returns one of the tenant's connections. It returns
// ErrNotFound.
func (s *Service) Connection(ctx context.Context, tenant int64, id string) (*Connection, error) {
	return s.store.Connection(ctx, tenant, id)
}

// checkSSOAdmin refuses a signed-in user who is not an owner: whoever
// configures sign-in decides who becomes whom (a connection to an IdP of
// one's own could sign in as any user it names), so among users only
// owners may. Admin tokens and the CLI are the tenant's operators.
func checkSSOAdmin(actor Actor) error {
	if actor.Kind == ActorUser && actor.Role != RoleOwner {
		return &InvariantError{Rule: RuleOwnerProtected, Field: "sso",
			Detail: "only an owner can change how the tenant signs in"}
	}
	if actor.IdP() {
		return &InvariantError{Rule: RuleOwnerProtected, Field: "sso",
			Detail: "the identity provider can't change how the tenant signs in"}
	}
	return nil
}

// CreateConnection adds a sign-in connection to the tenant. c.ID may be
// set (a new UUID) so that the caller can seal c.Secret to it; otherwise
// one is made. It returns ValidationError, ConflictError on the name, and
// InvariantError when the actor may not configure sign-in.
func (s *Service) CreateConnection(ctx context.Context, actor Actor, tenant int64, c *Connection) (*Connection, error) {
	c = c.clone()
	if c.ID == "" {
		c.ID = NewID()
	} else if id, ok := CanonicalID(c.ID); ok {
		c.ID = id
	} else {
		return nil, invalid("id", "a connection id must be a UUID")
	}
	c.TenantID = tenant
	c.Created = s.clock()
	c.Updated = c.Created
	if err := normalizeConnection(c); err != nil {
		return nil, err
	}
	if err := checkSSOAdmin(actor); err != nil {
		return nil, s.refused(ctx, actor, tenant, "sso.connection.create", "connection", c.ID, err)
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertConnection(ctx, c); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "sso.connection.create", "connection", c.ID, c.Name, diffConnections(nil, c)))
	})
	if err != nil {
		return nil, conflictName(err, c.Name)
	}
	return c, nil
}

// UpdateConnection loads a connection, calls update on a copy and saves
// it, in one transaction. Disabling a connection ends the sessions begun
// through it. It returns ErrNotFound, ValidationError, ConflictError,
// InvariantError, or what update returns.
func (s *Service) UpdateConnection(ctx context.Context, actor Actor, tenant int64, id string, update func(*Connection) error) (*Connection, error) {
	if err := checkSSOAdmin(actor); err != nil {
		return nil, s.refused(ctx, actor, tenant, "sso.connection.update", "connection", id, err)
	}
	var out *Connection
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.ConnectionForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		next := before.clone()
		if err := update(next); err != nil {
			return err
		}
		next.ID, next.TenantID, next.Kind, next.Created = before.ID, before.TenantID, before.Kind, before.Created
		if err := normalizeConnection(next); err != nil {
			return err
		}
		changes := diffConnections(before, next)
		if len(changes) == 0 {
			out = before
			return nil
		}
		next.Updated = s.clock()
		if err := tx.UpdateConnection(ctx, next); err != nil {
			return err
		}
		if before.Enabled && !next.Enabled {
			n, err := tx.EndConnectionSessions(ctx, tenant, id, next.Updated, "connection disabled")
			if err != nil {
				return err
			}
			if n > 0 {
				changes = append(changes, Change{Field: "sessionsEnded", After: n})
			}
		}
		out = next
		return tx.InsertAudit(ctx, s.event(actor, tenant, "sso.connection.update", "connection", id, next.Name, changes))
	})
	if err != nil {
		return nil, conflictName(err, "")
	}
	return out, nil
}

// DeleteConnection removes a connection, its links and pending sign-ins,
// and ends the sessions begun through it. It returns ErrNotFound and
// InvariantError.
func (s *Service) DeleteConnection(ctx context.Context, actor Actor, tenant int64, id string) error {
	if err := checkSSOAdmin(actor); err != nil {
		return s.refused(ctx, actor, tenant, "sso.connection.delete", "connection", id, err)
	}
	return s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.ConnectionForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		now := s.clock()
		n, err := tx.EndConnectionSessions(ctx, tenant, c.ID, now, "connection deleted")
		if err != nil {
			return err
		}
		if err := tx.DeleteConnection(ctx, tenant, c.ID); err != nil {
			return err
		}
		changes := []Change{{Field: "deleted", After: now}}
		if n > 0 {
			changes = append(changes, Change{Field: "sessionsEnded", After: n})
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "sso.connection.delete", "connection", c.ID, c.Name, changes))
	})
}

// SetSSOSettings calls update on a copy of the tenant's sign-in settings
// and saves them. It returns ErrNotFound, ValidationError, InvariantError,
// or what update returns.
func (s *Service) SetSSOSettings(ctx context.Context, actor Actor, tenant int64, update func(*SSOSettings) error) (*SSOSettings, error) {
	if err := checkSSOAdmin(actor); err != nil {
		return nil, s.refused(ctx, actor, tenant, "sso.settings", "tenant", fmt.Sprint(tenant), err)
	}
	var out *SSOSettings
	err := s.store.Write(ctx, func(tx Tx) error {
		t, err := tx.LockTenant(ctx, tenant)
		if err != nil {
			return err
		}
		before := t.Settings.SSO
		next := before
		next.LinkBy = slices.Clone(before.LinkBy)
		if err := update(&next); err != nil {
			return err
		}
		if err := normalizeSSOSettings(&next); err != nil {
			return err
		}
		out = &next
		changes := diffSSOSettings(before, next)
		if len(changes) == 0 {
			return nil
		}
		t.Settings.SSO = next
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "sso.settings", "tenant", fmt.Sprint(tenant), t.Slug, changes))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PasswordAllowed says whether u may sign in with a local password: not
// while the tenant enforces SSO, unless u is a break-glass account. It
// returns an InvariantError with RuleSSOEnforced, or ErrNotFound for the
// tenant. Every password sign-in asks it first.
func (s *Service) PasswordAllowed(ctx context.Context, u *User) error {
	t, err := s.store.Tenant(ctx, u.TenantID)
	if err != nil {
		return err
	}
	if t.Settings.SSO.Enforced && !u.BreakGlass {
		return &InvariantError{Rule: RuleSSOEnforced, Field: FieldPassword,
			Detail: "this tenant signs in through its identity provider; passwords work only for break-glass accounts"}
	}
	return nil
}

func (c *Connection) clone() *Connection {
	out := *c
	if c.OIDC != nil {
		o := *c.OIDC
		o.Scopes = slices.Clone(o.Scopes)
		out.OIDC = &o
	}
	if c.SAML != nil {
		sm := *c.SAML
		if sm.MetadataFetched != nil {
			t := *sm.MetadataFetched
			sm.MetadataFetched = &t
		}
		out.SAML = &sm
	}
	out.Secret = slices.Clone(c.Secret)
	return &out
}

// claimPattern bounds claim names to what providers use.
func validClaim(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for _, r := range name {
		if !(r == '_' || r == '-' || r == '.' || r == ':' || r == '/' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// normalizeConnection trims and checks c on its own.
func normalizeConnection(c *Connection) error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return invalid("name", "a connection needs a name, such as Okta; the sign-in page shows it")
	}
	if err := checkText("name", c.Name); err != nil {
		return err
	}
	if len(c.Name) > 100 {
		return invalid("name", "a connection's name is at most 100 characters")
	}
	if !c.Kind.Valid() {
		return invalid("kind", "connection kind %q is not oidc or saml", c.Kind)
	}
	switch c.Kind {
	case KindOIDC:
		c.SAML = nil
		if c.OIDC == nil {
			return invalid("oidc", "an OIDC connection needs its issuer and client id")
		}
		return normalizeOIDC(c.OIDC)
	case KindSAML:
		c.OIDC = nil
		if c.SAML == nil {
			c.SAML = &SAMLConfig{}
		}
		if err := normalizeSAML(c.SAML); err != nil {
			return err
		}
		// Turned on, it would be on the sign-in page and fail for
		// everyone.
		if c.Enabled && c.SAML.Metadata == "" && c.SAML.MetadataURL == "" {
			return invalid("enabled", "a SAML connection can be turned on once it has its identity provider's metadata")
		}
	}
	return nil
}

// maxMetadata bounds an IdP's metadata document: Entra's is about 20 kB,
// an aggregate of a whole federation is megabytes and not what a tenant
// connects to.
const maxMetadata = 512 << 10

func normalizeSAML(c *SAMLConfig) error {
	c.MetadataURL = strings.TrimSpace(c.MetadataURL)
	c.Metadata = strings.TrimSpace(c.Metadata)
	if c.MetadataURL != "" {
		u, err := url.Parse(c.MetadataURL)
		if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || len(c.MetadataURL) > maxText {
			return invalid("metadataUrl", "the metadata URL must be the URL where the IdP publishes its SAML metadata")
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
			return invalid("metadataUrl", "the metadata URL must be an https:// URL (plain http only on localhost): it is what scimd trusts the IdP's keys from")
		}
		if err := checkText("metadataUrl", c.MetadataURL); err != nil {
			return err
		}
	} else {
		c.MetadataFetched = nil
	}
	if len(c.Metadata) > maxMetadata {
		return invalid("metadata", "the IdP's metadata is larger than %d kB; give the metadata of the one IdP entity scimd connects to", maxMetadata>>10)
	}
	if c.MetadataFetched != nil {
		t := c.MetadataFetched.UTC()
		c.MetadataFetched = &t
	}
	for _, a := range []struct {
		field string
		v     *string
	}{
		{"subjectAttribute", &c.SubjectAttribute},
		{"emailAttribute", &c.EmailAttribute},
		{"userNameAttribute", &c.UserNameAttribute},
	} {
		*a.v = strings.TrimSpace(*a.v)
		if *a.v != "" && !validClaim(*a.v) {
			return invalid(a.field, "%s %q is not an attribute name", a.field, truncateText(*a.v, 60))
		}
	}
	c.NameIDFormat = strings.TrimSpace(c.NameIDFormat)
	if c.NameIDFormat != "" {
		i := slices.IndexFunc(NameIDFormats, func(f string) bool { return strings.EqualFold(f, c.NameIDFormat) })
		if i < 0 {
			return invalid("nameIdFormat", "NameID format %q is not one of %s", truncateText(c.NameIDFormat, 40), strings.Join(NameIDFormats, ", "))
		}
		c.NameIDFormat = NameIDFormats[i]
	}
	if len(c.SPCertificate) > 16<<10 {
		return invalid("spCertificate", "the service provider's certificate is too large")
	}
	return nil
}

func normalizeOIDC(o *OIDCConfig) error {
	o.Issuer = strings.TrimSpace(o.Issuer)
	o.ClientID = strings.TrimSpace(o.ClientID)
	u, err := url.Parse(o.Issuer)
	if o.Issuer == "" || err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return invalid("issuer", "the issuer must be the provider's issuer URL, such as https://acme.okta.com")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return invalid("issuer", "the issuer must be an https:// URL (plain http only on localhost)")
	}
	if err := checkText("issuer", o.Issuer); err != nil {
		return err
	}
	if o.ClientID == "" {
		return invalid("clientId", "an OIDC connection needs the client id the provider gave scimd's app")
	}
	if err := checkText("clientId", o.ClientID); err != nil {
		return err
	}
	var scopes []string
	for _, sc := range o.Scopes {
		for _, f := range strings.Fields(sc) {
			if !validClaim(f) {
				return invalid("scopes", "scope %q is not a valid scope", truncateText(f, 40))
			}
			if !slices.Contains(scopes, f) {
				scopes = append(scopes, f)
			}
		}
	}
	o.Scopes = scopes
	for _, c := range []struct {
		field string
		v     *string
		def   string
	}{
		{"subjectClaim", &o.SubjectClaim, ClaimSub},
		{"emailClaim", &o.EmailClaim, ClaimEmail},
		{"userNameClaim", &o.UserNameClaim, ClaimPreferredUsername},
	} {
		*c.v = strings.TrimSpace(*c.v)
		if *c.v == c.def {
			*c.v = ""
		}
		if *c.v != "" && !validClaim(*c.v) {
			return invalid(c.field, "%s %q is not a claim name", c.field, truncateText(*c.v, 40))
		}
	}
	return nil
}

func normalizeSSOSettings(s *SSOSettings) error {
	var links []LinkMethod
	for _, m := range s.LinkBy {
		if !m.Valid() {
			return invalid("linkBy", "%q is not a way to link: use externalId, userName or email", truncateText(string(m), 40))
		}
		if !slices.Contains(links, m) {
			links = append(links, m)
		}
	}
	if slices.Equal(links, DefaultLinkBy) {
		links = nil
	}
	s.LinkBy = links
	if s.JITRole == RoleAgent {
		s.JITRole = ""
	}
	if s.JITRole != "" {
		if !s.JITRole.Valid() {
			return invalid("jitRole", "role %q does not exist", truncateText(string(s.JITRole), 40))
		}
		if s.JITRole.Administers() {
			return invalid("jitRole", "users made at sign-in can't be owners or admins; grant those roles in scimd")
		}
	}
	return nil
}

func diffConnections(a, b *Connection) []Change {
	var out []Change
	add := func(field string, before, after any, same bool) {
		if !same {
			out = append(out, Change{Field: field, Before: before, After: after})
		}
	}
	if a == nil {
		a = &Connection{}
		out = append(out, Change{Field: "kind", After: b.Kind})
	}
	add("name", a.Name, b.Name, a.Name == b.Name)
	add("enabled", a.Enabled, b.Enabled, a.Enabled == b.Enabled && a.Name != "")
	ao, bo := a.OIDC, b.OIDC
	if ao == nil {
		ao = &OIDCConfig{}
	}
	if bo == nil {
		bo = &OIDCConfig{}
	}
	add("oidc.issuer", ao.Issuer, bo.Issuer, ao.Issuer == bo.Issuer)
	add("oidc.clientId", ao.ClientID, bo.ClientID, ao.ClientID == bo.ClientID)
	add("oidc.scopes", ao.Scopes, bo.Scopes, slices.Equal(ao.Scopes, bo.Scopes))
	add("oidc.subjectClaim", ao.SubjectClaim, bo.SubjectClaim, ao.SubjectClaim == bo.SubjectClaim)
	add("oidc.emailClaim", ao.EmailClaim, bo.EmailClaim, ao.EmailClaim == bo.EmailClaim)
	add("oidc.userNameClaim", ao.UserNameClaim, bo.UserNameClaim, ao.UserNameClaim == bo.UserNameClaim)
	as, bs := a.SAML, b.SAML
	if as == nil {
		as = &SAMLConfig{}
	}
	if bs == nil {
		bs = &SAMLConfig{}
	}
	add("saml.metadataUrl", as.MetadataURL, bs.MetadataURL, as.MetadataURL == bs.MetadataURL)
	// The metadata is a document: the log says it changed, not how.
	add("saml.metadata", nil, "set", as.Metadata == bs.Metadata)
	add("saml.subjectAttribute", as.SubjectAttribute, bs.SubjectAttribute, as.SubjectAttribute == bs.SubjectAttribute)
	add("saml.emailAttribute", as.EmailAttribute, bs.EmailAttribute, as.EmailAttribute == bs.EmailAttribute)
	add("saml.userNameAttribute", as.UserNameAttribute, bs.UserNameAttribute, as.UserNameAttribute == bs.UserNameAttribute)
	add("saml.nameIdFormat", as.NameIDFormat, bs.NameIDFormat, as.NameIDFormat == bs.NameIDFormat)
	add("saml.spCertificate", nil, "set", as.SPCertificate == bs.SPCertificate)
	// A secret shows only as set or removed, never its value, sealed or
	// not.
	if !slices.Equal(a.Secret, b.Secret) {
		c := Change{Field: "secret", After: "set"}
		if b.Secret == nil {
			c = Change{Field: "secret", Before: "set", After: "removed"}
		}
		out = append(out, c)
	}
	return out
}

func diffSSOSettings(a, b SSOSettings) []Change {
	var out []Change
	if a.Enforced != b.Enforced {
		out = append(out, Change{Field: "enforced", Before: a.Enforced, After: b.Enforced})
	}
	if a.IdPInitiated != b.IdPInitiated {
		out = append(out, Change{Field: "idpInitiated", Before: a.IdPInitiated, After: b.IdPInitiated})
	}
	if !slices.Equal(a.Links(), b.Links()) {
		out = append(out, Change{Field: "linkBy", Before: a.Links(), After: b.Links()})
	}
	if a.JIT != b.JIT {
		out = append(out, Change{Field: "jit", Before: a.JIT, After: b.JIT})
	}
	if a.NewUserRole() != b.NewUserRole() {
		out = append(out, Change{Field: "jitRole", Before: a.NewUserRole(), After: b.NewUserRole()})
	}
	return out
}

// conflictName fills in the name a ConflictError on a connection names.
func conflictName(err error, name string) error {
	if ce, ok := errors.AsType[*ConflictError](err); ok && ce.Value == "" && name != "" {
		ce.Value = name
	}
	return err
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1" || strings.HasPrefix(host, "127.")
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
