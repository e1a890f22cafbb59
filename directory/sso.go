package directory

import (
	"slices"
	"strconv"
	"time"
)

// ConnectionKind says how a connection signs people in.
type ConnectionKind string

// The connection kinds.
const (
	KindOIDC ConnectionKind = "oidc" // OpenID Connect, authorization code flow with PKCE
	KindSAML ConnectionKind = "saml" // SAML 2.0, scimd as the service provider
)

// Valid reports whether k is a known kind.
func (k ConnectionKind) Valid() bool { return k == KindOIDC || k == KindSAML }

// Connection is one way a tenant's staff sign in: an identity provider
// the tenant trusts. Its Config is the kind's: OIDC for KindOIDC, SAML for
// KindSAML.
type Connection struct {
	ID       string
	TenantID int64
	Kind     ConnectionKind
	// Name is unique in the tenant (case-insensitive); the sign-in page
	// shows it ("Sign in with Okta").
	Name    string
	Enabled bool
	OIDC    *OIDCConfig
	SAML    *SAMLConfig
	// Secret is the kind's secret (the OIDC client secret, the SAML service
	// provider's private key), sealed by the edge that received it
	// (internal/secretbox) with SecretContext. The directory never sees it
	// in clear, and no answer or log ever shows it; nil when none is set.
	Secret  []byte
	Created time.Time
	Updated time.Time
}

// SecretContext is what a connection's secret is sealed to: its tenant and
// id, so a sealed secret copied to another connection's row does not open.
func (c *Connection) SecretContext() string {
	return "sso-connection tenant=" + strconv.FormatInt(c.TenantID, 10) + " id=" + c.ID
}

// Claim names used by default.
const (
	ClaimSub               = "sub"
	ClaimOID               = "oid" // Entra ID's object id: the same for the user in every app
	ClaimEmail             = "email"
	ClaimPreferredUsername = "preferred_username"
)

// OIDCConfig is an OpenID Connect provider as a tenant configures it.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL exactly as its discovery
	// document and ID tokens state it.
	Issuer   string   `json:"issuer"`
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes,omitempty"` // "openid" is always asked for
	// SubjectClaim is the claim that holds the person's immutable id at
	// the provider: "sub" (the default), or Entra's "oid", since Entra's
	// sub differs per application.
	SubjectClaim string `json:"subjectClaim,omitempty"`
	// EmailClaim and UserNameClaim name the claims read as the email
	// (default "email") and the userName (default "preferred_username").
	EmailClaim    string `json:"emailClaim,omitempty"`
	UserNameClaim string `json:"userNameClaim,omitempty"`
}

// Subject returns the subject claim's name, "sub" by default.
func (c *OIDCConfig) Subject() string { return orDefault(c.SubjectClaim, ClaimSub) }

// Email returns the email claim's name.
func (c *OIDCConfig) Email() string { return orDefault(c.EmailClaim, ClaimEmail) }

// UserName returns the userName claim's name.
func (c *OIDCConfig) UserName() string { return orDefault(c.UserNameClaim, ClaimPreferredUsername) }

// AllScopes returns the scopes to ask for: "openid" first, then Scopes, or
// "openid email profile" when none are configured.
func (c *OIDCConfig) AllScopes() []string {
	scopes := c.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	out := []string{"openid"}
	for _, s := range scopes {
		if s != "openid" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// SAMLConfig is a SAML identity provider as a tenant configures it, and
// scimd's service provider for it. The service provider's private key is
// the connection's Secret; its certificate, which is public, is here.
type SAMLConfig struct {
	// MetadataURL is where the IdP publishes its metadata, or "" when the
	// metadata was given as a file. scimd reads it again when the copy it
	// has is due (its validUntil or cacheDuration, or a day).
	MetadataURL string `json:"metadataUrl,omitempty"`
	// Metadata is the IdP's metadata document: the one given as a file, or
	// the last one read from MetadataURL. "" until the IdP is known.
	Metadata string `json:"metadata,omitempty"`
	// MetadataFetched is when Metadata was read from MetadataURL.
	MetadataFetched *time.Time `json:"metadataFetched,omitempty"`
	// SubjectAttribute names the attribute that holds the person's
	// immutable id, such as Entra's
	// http://schemas.microsoft.com/identity/claims/objectidentifier; ""
	// takes the NameID.
	SubjectAttribute string `json:"subjectAttribute,omitempty"`
	// EmailAttribute and UserNameAttribute name the attributes read as the
	// email and the userName; "" tries the names Okta, Entra and others
	// use (see the SAML connector).
	EmailAttribute    string `json:"emailAttribute,omitempty"`
	UserNameAttribute string `json:"userNameAttribute,omitempty"`
	// NameIDFormat is the NameID format asked for and accepted, when the
	// NameID is the subject: "" accepts persistent, emailAddress and
	// unspecified; one of those accepts only it; "transient" must be
	// chosen to be accepted, since a transient NameID changes at every
	// sign-in and can't be linked to.
	NameIDFormat string `json:"nameIdFormat,omitempty"`
	// SPCertificate is scimd's certificate for this connection, base64 of
	// its DER: what the IdP checks scimd's signed requests with.
	SPCertificate string `json:"spCertificate,omitempty"`
}

// SAML attribute defaults.
const (
	// AttrEntraObjectID is Entra ID's object id claim in SAML: the same
	// for the user in every app, and what its SCIM externalId can carry.
	AttrEntraObjectID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
)

// The NameID formats a SAML connection may be set to, by their short
// names (SAML 2.0 core, section 8.3).
const (
	NameIDPersistent   = "persistent"
	NameIDEmailAddress = "emailAddress"
	NameIDUnspecified  = "unspecified"
	NameIDTransient    = "transient"
)

// NameIDFormats are the short names NameIDFormat takes, besides "".
var NameIDFormats = []string{NameIDPersistent, NameIDEmailAddress, NameIDUnspecified, NameIDTransient}

// LinkMethod is a way to find, on first sign-in, the directory user that a
// person signing in is: after that first time, the link (connection,
// subject) is the only way.
type LinkMethod string

// The link methods.
const (
	// LinkExternalID matches the user whose externalId is the subject:
	// Okta's SCIM externalId is its user id, which is its OIDC sub.
	LinkExternalID LinkMethod = "externalId"
	// LinkUserName matches the user whose userName is the provider's
	// userName claim, case-insensitively.
	LinkUserName LinkMethod = "userName"
	// LinkEmail matches the user with a verified email that the provider
	// says is verified. It never adopts an owner, an admin or a
	// break-glass account.
	LinkEmail LinkMethod = "email"
)

// Valid reports whether m is a known method.
func (m LinkMethod) Valid() bool {
	return m == LinkExternalID || m == LinkUserName || m == LinkEmail
}

// DefaultLinkBy is how first sign-ins link when a tenant chose nothing:
// by externalId only, the one value an identity provider sets and no user
// can choose.
var DefaultLinkBy = []LinkMethod{LinkExternalID}

// SSOSettings are a tenant's sign-in choices. The zero value is the
// default: not enforced, no IdP-initiated SAML, linking by externalId, no
// just-in-time creation.
type SSOSettings struct {
	// Enforced turns local passwords off for everyone but break-glass
	// accounts.
	Enforced bool `json:"enforced,omitempty"`
	// IdPInitiated accepts SAML responses the tenant's IdP sends unasked.
	IdPInitiated bool `json:"idpInitiated,omitempty"`
	// LinkBy lists, in order, how a first sign-in finds its user; nil
	// means DefaultLinkBy.
	LinkBy []LinkMethod `json:"linkBy,omitempty"`
	// JIT creates a user, owned by the identity provider, for a person
	// who signs in and matches nobody.
	JIT bool `json:"jit,omitempty"`
	// JITRole is the role of a user made just in time: RoleAgent by
	// default; never owner or admin.
	JITRole Role `json:"jitRole,omitempty"`
}

// Links returns the link methods in force.
func (s SSOSettings) Links() []LinkMethod {
	if len(s.LinkBy) == 0 {
		return DefaultLinkBy
	}
	return s.LinkBy
}

// NewUserRole returns the role of a user made just in time.
func (s SSOSettings) NewUserRole() Role { return Role(orDefault(string(s.JITRole), string(RoleAgent))) }

// Link ties a person at an identity provider (the connection and the
// provider's immutable subject) to a directory user. It is made on the
// person's first sign-in and is, from then on, the only way that person is
// found.
type Link struct {
	TenantID     int64
	ConnectionID string
	Subject      string
	UserID       string
	// Method is how the first sign-in found the user.
	Method     LinkMethod
	Created    time.Time
	LastSignIn *time.Time
}

// PendingSignIn is a sign-in that was sent to an identity provider and has
// not come back yet. It lives in the database, so that any replica can
// finish it, for at most PendingTTL, and is deleted when it is used.
type PendingSignIn struct {
	// Hash is the SHA-256 of the state (OIDC) or RelayState (SAML) sent to
	// the provider: the state itself is never kept.
	Hash         []byte
	TenantID     int64
	ConnectionID string
	// BrowserHash is the SHA-256 of the value of a cookie set in the
	// browser that started the sign-in, so that only that browser can
	// finish it (a sign-in started by an attacker can't be finished in a
	// victim's browser).
	BrowserHash []byte
	// Nonce is the OIDC nonce the ID token must carry.
	Nonce string
	// Verifier is the PKCE code verifier (RFC 7636).
	Verifier string
	// RequestID is the SAML AuthnRequest's ID, which the response's
	// InResponseTo must match.
	RequestID string
	// ReturnTo is the path under /t/{tenant}/ to go to after signing in.
	ReturnTo string
	Created  time.Time
	Expires  time.Time
}

// PendingTTL is how long a sign-in may take at the identity provider.
const PendingTTL = 10 * time.Minute

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
