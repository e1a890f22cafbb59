package sso

import (
	"context"
	"fmt"
	"net/http"

	"github.com/scimd/scimd/directory"
)

// Assertion is who an identity provider says signed in, once a connector
// has verified its answer (a signature, an issuer, an audience, a nonce or
// an InResponseTo, a validity window). The core does the rest: linking to
// a directory user, the session, the audit log.
type Assertion struct {
	Connection *directory.Connection
	// Subject is the provider's immutable id for the person: OIDC's sub
	// (or the claim the connection names, such as Entra's oid), SAML's
	// persistent NameID.
	Subject string
	// ExternalID is the value the externalId link method compares with a
	// user's externalId: the subject, unless the provider sends another.
	ExternalID    string
	Email         string
	EmailVerified bool
	UserName      string
	DisplayName   string
	GivenName     string
	FamilyName    string
	// Attributes holds what else the provider sent, by name, for
	// connectors and mappings to come. The core does not read it.
	Attributes map[string][]string
}

// Connector turns one kind of identity provider's protocol into
// Assertions: OIDC (sso/oidc), SAML (sso/saml). The core routes
// /t/{tenant}/sso/{kind}/start to Start and
// /t/{tenant}/sso/{kind}/{CallbackPath} to Finish, keeps the pending
// sign-in in the database between them, and does everything after
// Finish.
type Connector interface {
	// Kind is the kind of connection the connector serves.
	Kind() directory.ConnectionKind
	// CallbackPath is the rest of the URL the provider sends the browser
	// back to, after /t/{tenant}/sso/{kind}/, such as "callback" (OIDC).
	// It may end in the wildcard {connection} (SAML's "acs/{connection}")
	// when each connection needs a callback URL of its own, as a SAML IdP
	// knows each service provider by its ACS URL: the core puts the
	// connection's id there, and Finish reads it with
	// HTTP.PathValue("connection"). Both GET and POST reach Finish.
	CallbackPath() string
	// Start begins a sign-in: it fills in the connector's parts of
	// req.Pending (a nonce, a PKCE verifier, a request id), which the core
	// then stores, and returns the provider URL to send the browser to.
	Start(ctx context.Context, req *StartRequest) (string, error)
	// Finish verifies the provider's answer and returns who signed in. It
	// takes the pending sign-in with req.Take (once: a second take of the
	// same state fails). A refusal is a *directory.SignInError (see
	// Refuse); other errors are failures on scimd's side.
	Finish(ctx context.Context, req *FinishRequest) (*Assertion, error)
}

// Router is a Connector with more routes under /t/{tenant}/sso/{kind}/,
// such as SAML's metadata. Routes maps "METHOD name" (e.g. "GET
// metadata/{connection}") to a handler; Tenant(r) gives the handler its
// tenant, and the name's wildcards are the request's path values.
type Router interface {
	Routes() map[string]http.HandlerFunc
}

// FormPoster is a Connector whose provider sends the browser back with a
// cross-site form POST (SAML's HTTP-POST binding). A browser sends no
// SameSite=Lax cookie with such a POST, so the core sets the cookie that
// binds a pending sign-in to its browser with SameSite=None (and Secure)
// for it.
type FormPoster interface {
	FormPost() bool
}

// StartRequest is a sign-in about to go to the provider.
type StartRequest struct {
	Tenant     *directory.Tenant
	Connection *directory.Connection
	// Pending is the sign-in the core will store: the connector sets
	// Nonce, Verifier or RequestID.
	Pending *directory.PendingSignIn
	// State is the value to send the provider and get back (OIDC state,
	// SAML RelayState).
	State string
	// CallbackURL is the absolute URL the provider sends the browser back
	// to (the OIDC redirect URI, the SAML ACS URL).
	CallbackURL string
}

// FinishRequest is the provider's answer arriving.
type FinishRequest struct {
	HTTP        *http.Request
	Tenant      *directory.Tenant
	CallbackURL string
	// Take takes the pending sign-in that state names, once, checking that
	// this browser started it and that its connection is of this kind and
	// on; it returns the sign-in and its connection, or a refusal.
	Take func(state string) (*directory.PendingSignIn, *directory.Connection, error)
	// Connections returns the tenant's enabled connections of this kind,
	// for an answer that no pending sign-in names (IdP-initiated SAML,
	// when the tenant allows it).
	Connections func() ([]*directory.Connection, error)
}

// Reasons the connectors refuse a sign-in for. The directory's own
// (directory.ReasonUnknownUser, ...) come from linking.
const (
	ReasonBrowserMismatch directory.SignInReason = "browser_mismatch" // finished in another browser than it started in
	ReasonIdPError        directory.SignInReason = "idp_error"        // the provider answered with an error
	ReasonExchangeFailed  directory.SignInReason = "exchange_failed"  // the provider refused the code (replayed, expired, wrong verifier)
	ReasonTokenInvalid    directory.SignInReason = "token_invalid"    // signature, issuer, audience or algorithm wrong
	ReasonTokenExpired    directory.SignInReason = "token_expired"
	ReasonNotYetValid     directory.SignInReason = "token_not_yet_valid" // issued for later: a clock is off
	ReasonNonceMismatch   directory.SignInReason = "nonce_mismatch"
	ReasonUnavailable     directory.SignInReason = "connection_unavailable" // discovery, keys or the secret can't be had
	ReasonUnsolicited     directory.SignInReason = "unsolicited"            // an answer nobody asked for
)

// Refuse returns a refusal for the person signing in: what happened, in a
// sentence for them (and the audit log). It must name no secret.
func Refuse(reason directory.SignInReason, format string, args ...any) *directory.SignInError {
	return &directory.SignInError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}
