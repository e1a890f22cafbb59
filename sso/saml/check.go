package saml

import (
	"time"

	"github.com/crewjam/saml"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/sso"
)

// bearer is the one subject confirmation method of the Web Browser SSO
// profile (SAML 2.0 profiles, section 4.1.4.2).
const bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

// expectation is what one response must say to be accepted.
type expectation struct {
	conn *directory.Connection
	// idp is the IdP's entity id, which must issue the response.
	idp string
	// entityID is the audience, acs the Destination and Recipient.
	entityID, acs string
	// requestID is what InResponseTo must be: the AuthnRequest's ID, or
	// "" for an IdP-initiated response, which must then name no request.
	requestID string
	now       time.Time
}

// check applies scimd's own rules to a response and its assertion: first
// to what inspect read, to refuse with a precise reason, then again to
// what crewjam verified, so that nothing is accepted on unverified words.
// It returns nil or a refusal.
func (e *expectation) check(r *response, a *saml.Assertion) *directory.SignInError {
	name := e.conn.Name
	if r.Destination == "" {
		return sso.Refuse(sso.ReasonTokenInvalid, "the response from %s names no Destination; scimd requires it (SAML bindings 3.5.5.2)", name)
	}
	if r.Destination != e.acs {
		return sso.Refuse(sso.ReasonTokenInvalid, "the response from %s was sent to %s, not to this connection's ACS URL %s", name, printable(r.Destination, 200), e.acs)
	}
	if r.Issuer != "" && r.Issuer != e.idp {
		return sso.Refuse(sso.ReasonTokenInvalid, "the response was issued by %s, not by the IdP of %s (%s)", printable(r.Issuer, 200), name, e.idp)
	}
	if r.InResponseTo != e.requestID {
		return e.notForUs(r.InResponseTo)
	}
	if a.Issuer.Value != e.idp {
		return sso.Refuse(sso.ReasonTokenInvalid, "the assertion was issued by %s, not by the IdP of %s (%s)", printable(a.Issuer.Value, 200), name, e.idp)
	}
	if a.Subject == nil || a.Conditions == nil {
		return sso.Refuse(sso.ReasonTokenInvalid, "the assertion from %s has no Subject or no Conditions", name)
	}
	if se := checkAudience(a, e.entityID); se != nil {
		return se
	}
	if a.IssueInstant.IsZero() {
		return sso.Refuse(sso.ReasonTokenInvalid, "the assertion from %s has no IssueInstant", name)
	}
	if a.IssueInstant.After(e.now.Add(MaxClockSkew)) {
		return sso.Refuse(sso.ReasonNotYetValid, "the assertion from %s was issued at %s, in the future (is a clock off?)", name, stamp(a.IssueInstant))
	}
	// crewjam's MaxIssueDelay: how long after it is issued an assertion
	// may arrive.
	if a.IssueInstant.Add(saml.MaxIssueDelay).Before(e.now) {
		return sso.Refuse(sso.ReasonTokenExpired, "the assertion from %s was issued at %s, more than %s ago", name, stamp(a.IssueInstant), saml.MaxIssueDelay)
	}
	c := a.Conditions
	if !c.NotBefore.IsZero() && c.NotBefore.After(e.now.Add(MaxClockSkew)) {
		return sso.Refuse(sso.ReasonNotYetValid, "the assertion from %s is valid only from %s (is a clock off?)", name, stamp(c.NotBefore))
	}
	if !c.NotOnOrAfter.IsZero() && !e.now.Before(c.NotOnOrAfter.Add(MaxClockSkew)) {
		return sso.Refuse(sso.ReasonTokenExpired, "the assertion from %s expired at %s", name, stamp(c.NotOnOrAfter))
	}
	scs := a.Subject.SubjectConfirmations
	if len(scs) == 0 {
		return sso.Refuse(sso.ReasonTokenInvalid, "the assertion from %s has no SubjectConfirmation, so it does not say where it may be presented", name)
	}
	for _, sc := range scs {
		d := sc.SubjectConfirmationData
		switch {
		case sc.Method != bearer:
			return sso.Refuse(sso.ReasonTokenInvalid, "the assertion from %s confirms its subject by %s; scimd takes bearer assertions only", name, printable(sc.Method, 100))
		case d == nil:
			return sso.Refuse(sso.ReasonTokenInvalid, "the assertion from %s has no SubjectConfirmationData", name)
		case d.Recipient != e.acs:
			return sso.Refuse(sso.ReasonTokenInvalid, "the assertion from %s is for the recipient %s, not this connection's ACS URL %s", name, printable(d.Recipient, 200), e.acs)
		case d.InResponseTo != e.requestID:
			return e.notForUs(d.InResponseTo)
		case d.NotOnOrAfter.IsZero():
			return sso.Refuse(sso.ReasonTokenInvalid, "the assertion from %s does not say until when it may be presented (no NotOnOrAfter)", name)
		case !e.now.Before(d.NotOnOrAfter.Add(MaxClockSkew)):
			return sso.Refuse(sso.ReasonTokenExpired, "the assertion from %s could be presented until %s", name, stamp(d.NotOnOrAfter))
		case !d.NotBefore.IsZero() && d.NotBefore.After(e.now.Add(MaxClockSkew)):
			return sso.Refuse(sso.ReasonNotYetValid, "the assertion from %s may be presented only from %s (is a clock off?)", name, stamp(d.NotBefore))
		}
	}
	return nil
}

// notForUs refuses an answer to another request, or to none.
func (e *expectation) notForUs(got string) *directory.SignInError {
	if e.requestID == "" {
		return sso.Refuse(sso.ReasonNonceMismatch, "the response from %s answers a request (%s), but no sign-in started here is waiting for it", e.conn.Name, printable(got, 80))
	}
	if got == "" {
		return sso.Refuse(sso.ReasonNonceMismatch, "the response from %s does not say it answers this sign-in's request (no InResponseTo)", e.conn.Name)
	}
	return sso.Refuse(sso.ReasonNonceMismatch, "the response from %s answers another request (%s) than this sign-in's", e.conn.Name, printable(got, 80))
}

// checkAudience requires the assertion to be addressed to scimd's service
// provider: at least one AudienceRestriction (crewjam accepts none), and
// entityID in every one (SAML 2.0 core, section 2.5.1.4: each restriction
// must be met).
func checkAudience(a *saml.Assertion, entityID string) *directory.SignInError {
	if a.Conditions == nil || len(a.Conditions.AudienceRestrictions) == 0 {
		return sso.Refuse(sso.ReasonTokenInvalid, "the assertion has no AudienceRestriction, so it does not say which service provider it is for; scimd requires one naming %s", entityID)
	}
	for _, ar := range a.Conditions.AudienceRestrictions {
		if ar.Audience.Value != entityID {
			return sso.Refuse(sso.ReasonTokenInvalid, "the assertion is for the audience %s, not scimd's %s", printable(ar.Audience.Value, 200), entityID)
		}
	}
	return nil
}

// replayUntil is how long the assertion's id must be kept: past every
// NotOnOrAfter it carries (and the time it may take to arrive), plus the
// skew.
func replayUntil(a *saml.Assertion) time.Time {
	until := a.IssueInstant.Add(saml.MaxIssueDelay)
	if t := a.Conditions.NotOnOrAfter; t.After(until) {
		until = t
	}
	for _, sc := range a.Subject.SubjectConfirmations {
		if sc.SubjectConfirmationData != nil && sc.SubjectConfirmationData.NotOnOrAfter.After(until) {
			until = sc.SubjectConfirmationData.NotOnOrAfter
		}
	}
	return until.Add(MaxClockSkew)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
