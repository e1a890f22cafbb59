package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/sso"
)

// Finding is one result of Check: a line an operator reads. Connectors
// share the type (sso.Finding).
type Finding = sso.Finding

// Level says how much a finding matters.
type Level = sso.Level

// The levels.
const (
	OK      = sso.OK
	Warning = sso.Warning // sign-in may work, but something is off
	Problem = sso.Problem // sign-in can't work until it is fixed
)

// discovery is the part of a discovery document (OpenID Connect
// Discovery 1.0 §3) that scimd relies on.
type discovery struct {
	Issuer              string   `json:"issuer"`
	AuthURL             string   `json:"authorization_endpoint"`
	TokenURL            string   `json:"token_endpoint"`
	JWKSURL             string   `json:"jwks_uri"`
	ResponseTypes       []string `json:"response_types_supported"`
	SigningAlgs         []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethod []string `json:"code_challenge_methods_supported"`
	ScopesSupported     []string `json:"scopes_supported"`
	ClaimsSupported     []string `json:"claims_supported"`
}

// verifiable are the signature algorithms go-oidc verifies.
var verifiable = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"}

// Check fetches conn's discovery document and keys, as sign-in will, and
// says exactly what is wrong: the provider unreachable, an issuer that
// differs from the configured one, endpoints or keys missing, a client
// secret that does not open. It never shows the secret.
func (c *Connector) Check(ctx context.Context, conn *directory.Connection) []Finding {
	var out []Finding
	add := func(l Level, format string, args ...any) {
		out = append(out, Finding{Level: l, Message: fmt.Sprintf(format, args...)})
	}
	o := conn.OIDC
	if o == nil {
		add(Problem, "%s is not an OIDC connection", conn.Name)
		return out
	}
	if !conn.Enabled {
		add(Warning, "the connection is turned off: nobody can sign in through it")
	}
	switch {
	case conn.Secret == nil:
		add(Problem, "no client secret is set; set it with scimd sso set-oidc --client-secret-file")
	default:
		if _, err := c.box.Open(conn.Secret, conn.SecretContext()); err != nil {
			add(Problem, "the client secret can't be read: %s", secretProblem(err))
		} else {
			add(OK, "the client secret is set and opens with this server's key")
		}
	}
	wellKnown := strings.TrimSuffix(o.Issuer, "/") + "/.well-known/openid-configuration"
	var d discovery
	if err := c.getJSON(ctx, wellKnown, &d); err != nil {
		add(Problem, "the discovery document %s: %s", wellKnown, err)
		return out
	}
	add(OK, "read the discovery document at %s", wellKnown)
	if d.Issuer != o.Issuer {
		add(Problem, "the discovery document names the issuer %q, but the connection says %q; ID tokens will carry %q, so set --issuer to exactly that", d.Issuer, o.Issuer, d.Issuer)
	} else {
		add(OK, "the issuer matches: %s", d.Issuer)
	}
	for _, e := range []struct{ name, v string }{{"authorization_endpoint", d.AuthURL}, {"token_endpoint", d.TokenURL}, {"jwks_uri", d.JWKSURL}} {
		if e.v == "" {
			add(Problem, "the discovery document has no %s", e.name)
		}
	}
	if len(d.ResponseTypes) > 0 && !slices.Contains(d.ResponseTypes, "code") {
		add(Problem, "the provider does not offer the authorization code flow (response type code), which scimd uses")
	}
	if len(d.CodeChallengeMethod) > 0 && !slices.Contains(d.CodeChallengeMethod, "S256") {
		add(Problem, "the provider does not accept PKCE with S256, which scimd sends")
	} else if len(d.CodeChallengeMethod) == 0 {
		add(Warning, "the discovery document does not say whether PKCE (S256) is supported; scimd sends it anyway")
	}
	algs := slices.DeleteFunc(slices.Clone(d.SigningAlgs), func(a string) bool { return !slices.Contains(verifiable, a) })
	if len(d.SigningAlgs) > 0 && len(algs) == 0 {
		add(Problem, "the provider signs ID tokens with %s, none of which scimd accepts (it accepts %s)", strings.Join(d.SigningAlgs, ", "), strings.Join(verifiable, ", "))
	}
	if strings.Contains(o.Issuer, "login.microsoftonline.com") && o.Subject() != directory.ClaimOID {
		add(Warning, "this is Entra ID, whose sub differs for every application; use --subject-claim oid, the user's object id, which the SCIM externalId can carry too")
	}
	if d.JWKSURL != "" {
		var keys struct {
			Keys []struct {
				Kty string `json:"kty"`
				Use string `json:"use"`
				Kid string `json:"kid"`
			} `json:"keys"`
		}
		if err := c.getJSON(ctx, d.JWKSURL, &keys); err != nil {
			add(Problem, "the provider's keys at %s: %s", d.JWKSURL, err)
		} else {
			n := 0
			for _, k := range keys.Keys {
				if k.Use == "" || k.Use == "sig" {
					n++
				}
			}
			if n == 0 {
				add(Problem, "the provider publishes no signing keys at %s, so no ID token can be verified", d.JWKSURL)
			} else {
				add(OK, "the provider publishes %d signing key(s)", n)
			}
		}
	}
	return out
}

// getJSON reads the JSON document at u into v, with errors an operator
// understands.
func (c *Connector) getJSON(ctx context.Context, u string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("not a URL: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("unreachable: %s", oneLine(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("the answer could not be read: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("answered HTTP %d, not 200", resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("the answer is not the JSON expected (%s)", oneLine(err.Error()))
	}
	return nil
}
