// Package oidc is the OpenID Connect connector of scimd's sign-in: the
// authorization code flow with PKCE (S256), a state and a nonce bound to a
// pending sign-in kept in the database, the code exchanged with the
// client secret and the PKCE verifier, and the ID token verified by
// coreos/go-oidc (signature by the provider's JWKS, refetched when a new
// key id appears; issuer; audience; expiry; no "none" algorithm).
package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/sso"
)

// discoveryTTL is how long a provider's discovery document is trusted
// before it is read again. Keys are refetched on their own whenever a
// token names a key id not seen yet (key rotation).
const discoveryTTL = time.Hour

// Connector is the OIDC connector. It caches each issuer's discovery
// document and keys in memory; a replica that has not seen an issuer
// fetches them itself.
type Connector struct {
	box    secretbox.Keeper
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	providers map[string]*provider
}

type provider struct {
	p       *gooidc.Provider
	fetched time.Time
}

var _ sso.Connector = (*Connector)(nil)

// New returns the connector. box opens client secrets; client (nil for a
// default with a 10-second timeout) talks to providers; now is the clock
// tokens are checked against.
func New(box secretbox.Keeper, client *http.Client, now func() time.Time) *Connector {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &Connector{box: box, client: client, now: now, providers: map[string]*provider{}}
}

// Kind is directory.KindOIDC.
func (c *Connector) Kind() directory.ConnectionKind { return directory.KindOIDC }

// CallbackPath makes the redirect URI /t/{tenant}/sso/oidc/callback.
func (c *Connector) CallbackPath() string { return "callback" }

// provider returns the issuer's provider, from the cache while it is
// fresh.
func (c *Connector) provider(ctx context.Context, issuer string) (*gooidc.Provider, error) {
	c.mu.Lock()
	p, ok := c.providers[issuer]
	c.mu.Unlock()
	if ok && c.now().Sub(p.fetched) < discoveryTTL {
		return p.p, nil
	}
	dctx, cancel := context.WithTimeout(gooidc.ClientContext(ctx, c.client), 15*time.Second)
	defer cancel()
	np, err := gooidc.NewProvider(dctx, issuer)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.providers[issuer] = &provider{p: np, fetched: c.now()}
	c.mu.Unlock()
	return np, nil
}

// config is the OAuth 2.0 client of conn.
func (c *Connector) config(ctx context.Context, conn *directory.Connection, callback string) (*oauth2.Config, *gooidc.Provider, error) {
	o := conn.OIDC
	if o == nil {
		return nil, nil, sso.Refuse(sso.ReasonUnavailable, "the connection %s has no OIDC settings", conn.Name)
	}
	p, err := c.provider(ctx, o.Issuer)
	if err != nil {
		return nil, nil, sso.Refuse(sso.ReasonUnavailable, "scimd could not read the OpenID configuration of %s: %s", o.Issuer, oneLine(err.Error()))
	}
	secret := ""
	if conn.Secret != nil {
		plain, err := c.box.Open(conn.Secret, conn.SecretContext())
		if err != nil {
			return nil, nil, sso.Refuse(sso.ReasonUnavailable, "scimd could not read the client secret of %s (%s)", conn.Name, secretProblem(err))
		}
		secret = string(plain)
	}
	return &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(),
		RedirectURL: callback, Scopes: o.AllScopes(),
	}, p, nil
}

// Start sends the browser to the provider's authorization endpoint with a
// state, a nonce and a PKCE challenge (S256).
func (c *Connector) Start(ctx context.Context, req *sso.StartRequest) (string, error) {
	cfg, _, err := c.config(ctx, req.Connection, req.CallbackURL)
	if err != nil {
		return "", err
	}
	req.Pending.Nonce = directory.NewSecret()
	req.Pending.Verifier = oauth2.GenerateVerifier()
	return cfg.AuthCodeURL(req.State, gooidc.Nonce(req.Pending.Nonce), oauth2.S256ChallengeOption(req.Pending.Verifier)), nil
}

// Finish takes the pending sign-in the state names (once), exchanges the
// code with its PKCE verifier, verifies the ID token and its nonce, and
// reads the connection's claims.
func (c *Connector) Finish(ctx context.Context, req *sso.FinishRequest) (*sso.Assertion, error) {
	if req.HTTP.Method != http.MethodGet {
		return nil, sso.Refuse(sso.ReasonUnsolicited, "scimd expects the identity provider's answer as a link (GET), not a form")
	}
	q := req.HTTP.URL.Query()
	// The state is taken before anything else, even an error answer: it
	// is single-use whatever happens next.
	p, conn, err := req.Take(q.Get("state"))
	if err != nil {
		return nil, err
	}
	if e := q.Get("error"); e != "" {
		detail := printable(e, 64)
		if d := q.Get("error_description"); d != "" {
			detail += ": " + printable(d, 200)
		}
		return nil, sso.Refuse(sso.ReasonIdPError, "%s answered with an error (%s)", conn.Name, detail)
	}
	code := q.Get("code")
	if code == "" {
		return nil, sso.Refuse(sso.ReasonIdPError, "%s sent scimd back without a sign-in code", conn.Name)
	}
	cfg, prov, err := c.config(ctx, conn, req.CallbackURL)
	if err != nil {
		return nil, err
	}
	xctx, cancel := context.WithTimeout(gooidc.ClientContext(ctx, c.client), 15*time.Second)
	defer cancel()
	tok, err := cfg.Exchange(xctx, code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		why := "it could not be reached"
		if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
			why = "it answered " + printable(re.ErrorCode, 64)
			if re.ErrorCode == "" {
				why = fmt.Sprintf("it answered HTTP %d", re.Response.StatusCode)
			}
		}
		return nil, sso.Refuse(sso.ReasonExchangeFailed, "%s did not accept the sign-in code (%s): a code works once, for a few minutes, for the sign-in that asked for it", conn.Name, why)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "%s sent no ID token; is the openid scope allowed for scimd's app?", conn.Name)
	}
	v := prov.Verifier(&gooidc.Config{ClientID: conn.OIDC.ClientID, Now: c.now})
	idt, err := v.Verify(xctx, raw)
	if err != nil {
		if _, ok := errors.AsType[*gooidc.TokenExpiredError](err); ok {
			return nil, sso.Refuse(sso.ReasonTokenExpired, "the ID token from %s has expired (is this server's clock right?)", conn.Name)
		}
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "the ID token from %s does not verify: %s", conn.Name, printable(err.Error(), 300))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.Nonce)) != 1 {
		return nil, sso.Refuse(sso.ReasonNonceMismatch, "the ID token from %s was issued for another sign-in (its nonce does not match)", conn.Name)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "the ID token from %s has unreadable claims", conn.Name)
	}
	// With more than one audience, the token must say it was issued to
	// scimd (OpenID Connect Core 3.1.3.7, step 4 and 5).
	if len(idt.Audience) > 1 {
		if azp, _ := claims["azp"].(string); azp != conn.OIDC.ClientID {
			return nil, sso.Refuse(sso.ReasonTokenInvalid, "the ID token from %s was issued to another client (azp %q)", conn.Name, printable(azp, 64))
		}
	}
	o := conn.OIDC
	a := &sso.Assertion{
		Connection:    conn,
		Subject:       claimString(claims, o.Subject()),
		Email:         claimString(claims, o.Email()),
		EmailVerified: claimBool(claims, "email_verified"),
		UserName:      claimString(claims, o.UserName()),
		DisplayName:   claimString(claims, "name"),
		GivenName:     claimString(claims, "given_name"),
		FamilyName:    claimString(claims, "family_name"),
	}
	if a.Subject == "" {
		return nil, &directory.SignInError{Reason: directory.ReasonNoSubject,
			Detail: fmt.Sprintf("the ID token from %s has no %s claim, which this connection takes as the person's id; ask your administrator to check the connection's subject claim", conn.Name, o.Subject())}
	}
	return a, nil
}

// claimString reads a claim as text: a string, or a number as it is
// written.
func claimString(claims map[string]any, name string) string {
	switch v := claims[name].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%f", v), "0"), ".")
	}
	return ""
}

// claimBool reads a boolean claim; some providers send "true" as text.
func claimBool(claims map[string]any, name string) bool {
	switch v := claims[name].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// printable keeps what a provider sent fit for a page and a log: printable
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

func secretProblem(err error) string {
	switch {
	case errors.Is(err, secretbox.ErrWrongKey):
		return "it was sealed with another SCIMD_SECRET_KEY than this server's"
	case errors.Is(err, secretbox.ErrCorrupt):
		return "it does not open; set it again"
	}
	return "this server's secret key is unavailable: " + oneLine(err.Error())
}
