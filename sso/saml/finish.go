package saml

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/crewjam/saml"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/sso"
)

// maxForm bounds the form an IdP posts to the ACS URL: a response with an
// encrypted assertion, a signature and a certificate or two is tens of kB.
const maxForm = 256 << 10

// Finish reads the SAML response the IdP posted (HTTP-POST binding),
// takes the pending sign-in its RelayState names (once), and accepts the
// response only when inspect, scimd's expectations, crewjam's
// verification (the signature against the IdP's certificates, the issuer,
// the destination, InResponseTo, the times) and the same expectations on
// what crewjam verified all pass, and the assertion was not used before.
// A response that answers no request is an IdP-initiated sign-in: it is
// taken only when the tenant allows those, and must then name no request.
func (c *Connector) Finish(ctx context.Context, req *sso.FinishRequest) (*sso.Assertion, error) {
	r := req.HTTP
	if r.Method != http.MethodPost {
		return nil, sso.Refuse(sso.ReasonUnsolicited, "scimd takes SAML responses as a form the identity provider posts (HTTP-POST binding), not as a link")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "the identity provider's answer is not a form scimd can read, or is larger than %d kB", maxForm>>10)
	}
	relay, encoded := r.PostForm.Get("RelayState"), r.PostForm.Get("SAMLResponse")

	// The RelayState is taken before anything else: a pending sign-in is
	// single-use whatever happens next. One that scimd does not know may
	// be an IdP's own (Okta's "default RelayState") on an IdP-initiated
	// response, which is decided below.
	var (
		pending *directory.PendingSignIn
		conn    *directory.Connection
		taken   error
	)
	if relay != "" {
		var err error
		pending, conn, err = req.Take(relay)
		if se, ok := errors.AsType[*directory.SignInError](err); ok && se.Reason == directory.ReasonStateUnknown {
			taken = err
		} else if err != nil {
			return nil, err
		}
	}
	at := r.PathValue("connection")
	if conn == nil {
		conns, err := req.Connections()
		if err != nil {
			return nil, err
		}
		for _, cc := range conns {
			if strings.EqualFold(cc.ID, at) {
				conn = cc
			}
		}
		if conn == nil {
			if taken != nil {
				return nil, taken
			}
			return nil, &directory.SignInError{Reason: directory.ReasonConnectionDisabled,
				Detail: "the SAML connection at this address does not exist or is turned off; ask your administrator"}
		}
	} else if !strings.EqualFold(conn.ID, at) {
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "the answer for %s arrived at another connection's ACS URL", conn.Name)
	}

	if encoded == "" {
		return nil, sso.Refuse(sso.ReasonIdPError, "%s sent the browser back without a SAMLResponse", conn.Name)
	}
	// Some IdPs break the base64 into lines.
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "the SAMLResponse from %s is not base64", conn.Name)
	}
	key, _, err := keyPair(c.box, conn)
	if err != nil {
		return nil, sso.Refuse(sso.ReasonUnavailable, "scimd can't use the connection %s: %s", conn.Name, err)
	}
	resp, err := inspect(raw, key)
	if err != nil {
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "the response from %s was refused: %s", conn.Name, err)
	}
	if resp.Status != saml.StatusSuccess {
		return nil, statusRefusal(conn, resp)
	}

	requestID := ""
	switch {
	case pending != nil:
		requestID = pending.RequestID
	case taken != nil && (resp.InResponseTo != "" || answersRequest(resp.Assertion)):
		// An answer to a sign-in that is gone: used already, or
		// expired and swept.
		return nil, taken
	case !req.Tenant.Settings.SSO.IdPInitiated:
		return nil, sso.Refuse(sso.ReasonUnsolicited, "%s sent a sign-in that was not started at scimd (IdP-initiated, such as from the %s dashboard), and this tenant accepts only sign-ins started at its sign-in page; an owner can turn IdP-initiated sign-in on", conn.Name, conn.Name)
	}

	p, err := c.idp(ctx, conn)
	if err != nil {
		return nil, err
	}
	e := &expectation{conn: conn, idp: p.entity.EntityID, entityID: c.EntityID(req.Tenant, conn),
		acs: c.ACSURL(req.Tenant, conn), requestID: requestID, now: c.now()}
	// First on what the response says, to refuse with the precise
	// reason, then on what crewjam verified, so that nothing is taken on
	// unverified words.
	if se := e.check(resp, resp.Assertion); se != nil {
		return nil, se
	}
	verified, err := c.verify(ctx, req.Tenant, conn, p, raw, e)
	if err != nil {
		return nil, err
	}
	if verified.ID != resp.Assertion.ID {
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "the assertion from %s that verifies is not the one the response holds", conn.Name)
	}
	if se := e.check(resp, verified); se != nil {
		return nil, se
	}
	if err := c.svc.UseAssertion(ctx, req.Tenant.ID, conn, verified.ID, replayUntil(verified)); err != nil {
		return nil, err
	}
	return person(conn, verified)
}

// verify has crewjam check the response: the signature (of the response
// or of the assertion) against the IdP's certificates, and its own
// conditions. A signature that does not verify may be made with the
// IdP's next key, published in metadata scimd has not read again yet: the
// metadata is read once more (at most every minute) and, if its
// certificates changed, the response checked again.
func (c *Connector) verify(ctx context.Context, t *directory.Tenant, conn *directory.Connection, p *idp, raw []byte, e *expectation) (*saml.Assertion, error) {
	acs, err := url.Parse(e.acs)
	if err != nil {
		return nil, err
	}
	parse := func(p *idp) (*saml.Assertion, error) {
		sp, err := c.serviceProvider(t, conn, p)
		if err != nil {
			return nil, err
		}
		return sp.ParseXMLResponse(raw, []string{e.requestID}, *acs)
	}
	a, err := parse(p)
	if err != nil && conn.SAML.MetadataURL != "" && strings.Contains(reason(err), "signature") {
		if np, rerr := c.idpRefreshed(ctx, conn, true); rerr == nil && !sameCerts(np, p) {
			a, err = parse(np)
		}
	}
	if err != nil {
		if se, ok := errors.AsType[*directory.SignInError](err); ok {
			return nil, se
		}
		return nil, sso.Refuse(sso.ReasonTokenInvalid, "the response from %s does not verify: %s", conn.Name, reason(err))
	}
	return a, nil
}

// reason is what crewjam found wrong: its InvalidResponseError says only
// "Authentication failed" and keeps the reason apart.
func reason(err error) string {
	if ire, ok := errors.AsType[*saml.InvalidResponseError](err); ok && ire.PrivateErr != nil {
		err = ire.PrivateErr
	}
	return oneLine(err.Error())
}

// sameCerts reports whether two readings of the metadata trust the same
// certificates.
func sameCerts(a, b *idp) bool {
	if len(a.certs) != len(b.certs) {
		return false
	}
	for i := range a.certs {
		if !bytes.Equal(a.certs[i].Raw, b.certs[i].Raw) {
			return false
		}
	}
	return true
}

// answersRequest reports whether an assertion says it answers a request.
func answersRequest(a *saml.Assertion) bool {
	for _, sc := range a.Subject.SubjectConfirmations {
		if sc.SubjectConfirmationData != nil && sc.SubjectConfirmationData.InResponseTo != "" {
			return true
		}
	}
	return false
}

// statusRefusal says why the IdP did not sign the person in, by the
// status codes of SAML 2.0 core 3.2.2.2 and the IdP's own message.
func statusRefusal(conn *directory.Connection, r *response) *directory.SignInError {
	short := func(s string) string { return strings.TrimPrefix(s, "urn:oasis:names:tc:SAML:2.0:status:") }
	what := short(r.Status)
	if what == "" {
		what = "no status"
	}
	if r.SubStatus != "" {
		what += "/" + short(r.SubStatus)
	}
	if r.Message != "" {
		what += ": " + r.Message
	}
	return sso.Refuse(sso.ReasonIdPError, "%s did not sign you in (%s)", conn.Name, printable(what, 200))
}
