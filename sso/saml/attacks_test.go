package saml

import (
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/scimd/scimd/directory"
)

// TestHostileResponses: responses a hostile network, a forger or a
// misconfigured IdP could send, each refused with its reason (and a page
// that is not a crash). Each names, in want, the words of the one check
// that catches it, so that the test fails when that check is gone: where
// crewjam refuses too, its message differs.
func TestHostileResponses(t *testing.T) {
	idp := newTestIdP(t)
	forger := selfSigned(t, otherKey, "forger", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	type build func(s *stack, x sp) []byte
	// sign is a good response to x whose assertion change alters before
	// the IdP signs it.
	sign := func(change func(a *saml.Assertion, x sp)) build {
		return func(s *stack, x sp) []byte {
			a := s.idp.assertion(x, "00u-ada")
			change(a, x)
			return xmlOf(s.idp.response(x), nil, nil, signed(a, s.idp.key, s.idp.cert))
		}
	}
	tests := []struct {
		name   string
		build  build
		status int
		want   string // the audit reason: reason: detail
	}{
		{"unsigned assertion", func(s *stack, x sp) []byte {
			return xmlOf(s.idp.response(x), nil, nil, s.idp.assertion(x, "00u-ada").Element())
		}, http.StatusBadGateway, "token_invalid: the response from Okta does not verify: signature element not present"},
		{"signed by another key", func(s *stack, x sp) []byte {
			return xmlOf(s.idp.response(x), nil, nil, signed(s.idp.assertion(x, "00u-ada"), otherKey, forger))
		}, http.StatusBadGateway, "token_invalid: the response from Okta does not verify: cannot validate signature"},
		{"signed by another key, naming the IdP's certificate", func(s *stack, x sp) []byte {
			return xmlOf(s.idp.response(x), nil, nil, signed(s.idp.assertion(x, "00u-ada"), otherKey, s.idp.cert))
		}, http.StatusBadGateway, "token_invalid: the response from Okta does not verify: cannot validate signature"},
		{"response signed by another key", func(s *stack, x sp) []byte {
			return xmlOf(s.idp.response(x), otherKey, forger, s.idp.assertion(x, "00u-ada").Element())
		}, http.StatusBadGateway, "token_invalid: the response from Okta does not verify: cannot validate signature"},
		{"changed after signing", func(s *stack, x sp) []byte {
			el := signed(s.idp.assertion(x, "00u-mallory"), s.idp.key, s.idp.cert)
			el.FindElement(".//NameID").SetText("00u-ada")
			return xmlOf(s.idp.response(x), nil, nil, el)
		}, http.StatusBadGateway, "token_invalid: the response from Okta does not verify: cannot validate signature"},
		// Signature wrapping: the signed assertion stays in the document,
		// for the signature check to find, next to or around one that
		// is not signed.
		{"injected second assertion", func(s *stack, x sp) []byte {
			good := signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert)
			evil := s.idp.assertion(x, "00u-mallory").Element()
			return xmlOf(s.idp.response(x), nil, nil, evil, good)
		}, http.StatusBadGateway, "token_invalid: the response from Okta was refused: the response holds 2 assertions"},
		{"signed assertion moved into Extensions", func(s *stack, x sp) []byte {
			good := signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert)
			evil := s.idp.assertion(x, "00u-mallory")
			evil.ID = good.SelectAttrValue("ID", "")
			r := etree.NewDocument()
			r.ReadFromBytes(xmlOf(s.idp.response(x), nil, nil, evil.Element()))
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(good)
			r.Root().InsertChildAt(1, ext)
			b, _ := r.WriteToBytes()
			return b
		}, http.StatusBadGateway, "token_invalid: the response from Okta was refused: the response holds 2 assertions"},
		{"signed assertion inside an unsigned one", func(s *stack, x sp) []byte {
			good := signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert)
			evil := s.idp.assertion(x, "00u-mallory").Element()
			advice := etree.NewElement("saml:Advice")
			advice.AddChild(good)
			evil.InsertChildAt(1, advice)
			return xmlOf(s.idp.response(x), nil, nil, evil)
		}, http.StatusBadGateway, "token_invalid: the response from Okta was refused: the response holds 2 assertions"},
		{"signed assertion in a wrapper", func(s *stack, x sp) []byte {
			good := signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert)
			wrapper := etree.NewElement("samlp:Extensions")
			wrapper.AddChild(good)
			return xmlOf(s.idp.response(x), nil, nil, wrapper)
		}, http.StatusBadGateway, "token_invalid: the response from Okta was refused: the response's assertion is not where SAML puts it"},
		{"wrong audience", sign(func(a *saml.Assertion, x sp) {
			a.Conditions.AudienceRestrictions[0].Audience.Value = "https://other-app.example.com/saml"
		}), http.StatusBadGateway, "token_invalid: the assertion is for the audience https://other-app.example.com/saml"},
		{"no AudienceRestriction", sign(func(a *saml.Assertion, x sp) {
			a.Conditions.AudienceRestrictions = nil
		}), http.StatusBadGateway, "token_invalid: the assertion has no AudienceRestriction"},
		// 120 s is past scimd's skew (90 s), within crewjam's (180 s).
		{"expired", sign(func(a *saml.Assertion, x sp) {
			a.Conditions.NotOnOrAfter = time.Now().Add(-2 * time.Minute)
		}), http.StatusBadGateway, "token_expired: the assertion from Okta expired at"},
		{"confirmation expired", sign(func(a *saml.Assertion, x sp) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = time.Now().Add(-2 * time.Minute)
		}), http.StatusBadGateway, "token_expired: the assertion from Okta could be presented until"},
		{"not yet valid", sign(func(a *saml.Assertion, x sp) {
			a.Conditions.NotBefore = time.Now().Add(2 * time.Minute)
		}), http.StatusBadGateway, "token_not_yet_valid: the assertion from Okta is valid only from"},
		{"issued long ago", sign(func(a *saml.Assertion, x sp) {
			a.IssueInstant = time.Now().Add(-10 * time.Minute)
		}), http.StatusBadGateway, "token_expired: the assertion from Okta was issued at"},
		{"wrong Destination", func(s *stack, x sp) []byte {
			r := s.idp.response(x)
			r.Destination = "https://other-app.example.com/acs"
			return xmlOf(r, nil, nil, signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert))
		}, http.StatusBadGateway, "token_invalid: the response from Okta was sent to https://other-app.example.com/acs"},
		{"no Destination", func(s *stack, x sp) []byte {
			r := s.idp.response(x)
			r.Destination = ""
			return xmlOf(r, nil, nil, signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert))
		}, http.StatusBadGateway, "token_invalid: the response from Okta names no Destination"},
		{"wrong Recipient", sign(func(a *saml.Assertion, x sp) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other-app.example.com/acs"
		}), http.StatusBadGateway, "token_invalid: the assertion from Okta is for the recipient https://other-app.example.com/acs"},
		{"InResponseTo of another request", func(s *stack, x sp) []byte {
			x.requestID = "id-of-another-sign-in"
			return xmlOf(s.idp.response(x), nil, nil, signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert))
		}, http.StatusBadRequest, "nonce_mismatch: the response from Okta answers another request (id-of-another-sign-in)"},
		{"assertion answering another request", sign(func(a *saml.Assertion, x sp) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo = "id-of-another-sign-in"
		}), http.StatusBadRequest, "nonce_mismatch: the response from Okta answers another request (id-of-another-sign-in)"},
		{"issued by another IdP", sign(func(a *saml.Assertion, x sp) {
			a.Issuer.Value = "https://evil.example.com/saml"
		}), http.StatusBadGateway, "token_invalid: the assertion was issued by https://evil.example.com/saml"},
		// crewjam reads these without looking and would crash.
		{"signed, without Subject", sign(func(a *saml.Assertion, x sp) {
			a.Subject = nil
		}), http.StatusBadGateway, "token_invalid: the response from Okta was refused: the assertion has no Subject"},
		{"signed, without Conditions", sign(func(a *saml.Assertion, x sp) {
			a.Conditions = nil
		}), http.StatusBadGateway, "token_invalid: the response from Okta was refused: the assertion has no Conditions"},
		{"signed, without SubjectConfirmationData", sign(func(a *saml.Assertion, x sp) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData = nil
		}), http.StatusBadGateway, "token_invalid: the response from Okta was refused: the assertion's SubjectConfirmation has no SubjectConfirmationData"},
		{"not a bearer assertion", sign(func(a *saml.Assertion, x sp) {
			a.Subject.SubjectConfirmations[0].Method = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
		}), http.StatusBadGateway, "token_invalid: the assertion from Okta confirms its subject by urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"},
		{"transient NameID", sign(func(a *saml.Assertion, x sp) {
			a.Subject.NameID.Format = string(saml.TransientNameIDFormat)
		}), http.StatusBadGateway, "no_subject: the assertion from Okta identifies the person by a transient NameID"},
		{"X.509 subject NameID", sign(func(a *saml.Assertion, x sp) {
			a.Subject.NameID.Format = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
		}), http.StatusBadGateway, "no_subject: the assertion from Okta identifies the person by a NameID of format urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"},
		{"the IdP refused", func(s *stack, x sp) []byte {
			r := s.idp.response(x)
			r.Status = saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusResponder, StatusCode: &saml.StatusCode{Value: saml.StatusAuthnFailed}},
				StatusMessage: &saml.StatusMessage{Value: "User is not assigned to this application"}}
			return xmlOf(r, nil, nil)
		}, http.StatusBadGateway, "idp_error: Okta did not sign you in (Responder/AuthnFailed: User is not assigned to this application)"},
		{"not XML", func(*stack, sp) []byte { return []byte("<Response") }, http.StatusBadGateway, "token_invalid: the response from Okta was refused: the response is not well-formed XML"},
		{"not a Response", func(*stack, sp) []byte {
			return []byte(`<AuthnRequest xmlns="urn:oasis:names:tc:SAML:2.0:protocol"/>`)
		}, http.StatusBadGateway, "token_invalid: the response from Okta was refused: the answer is a AuthnRequest, not a SAML Response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStack(t, idp, metadataOptions{})
			b := s.browser()
			req := s.start(b)
			p := s.post(b, tt.build(s, s.sp(req.ID)), req.relayState)
			if p.status != tt.status || strings.Contains(p.body, "Something went wrong") {
				t.Errorf("answered %d:\n%s", p.status, p.body)
			}
			if got := s.lastSignIn(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("audit reason\n got %s\nwant %s…", got, tt.want)
			}
			// Nobody is signed in, and the sign-in was used up.
			if resp, err := b.c.Get(s.url + "/t/acme/"); read(t, resp, err).signedIn() {
				t.Error("signed in")
			}
			if p := s.post(b, s.goodResponse(req), req.relayState); p.signedIn() {
				t.Error("the refused sign-in could be finished afterwards")
			}
		})
	}
}

// TestReplay: a response is accepted once. IdP-initiated, where no
// pending sign-in is used up, the replay cache alone refuses it again; an
// SP-initiated one finds its sign-in gone.
func TestReplay(t *testing.T) {
	s := newStack(t, newTestIdP(t), metadataOptions{})
	s.allowIdPInitiated(true)
	x := s.sp("")
	resp := xmlOf(s.idp.response(x), nil, nil, signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert))
	if p := s.post(s.browser(), resp, ""); !p.signedIn() {
		t.Fatalf("first use: %d %s", p.status, p.body)
	}
	p := s.post(s.browser(), resp, "")
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "used already") {
		t.Errorf("replay: %d %s", p.status, p.body)
	}
	if got := s.lastSignIn(); !strings.HasPrefix(got, "replayed: ") {
		t.Errorf("audit: %s", got)
	}

	b := s.browser()
	req := s.start(b)
	good := s.goodResponse(req)
	if p := s.post(b, good, req.relayState); !p.signedIn() {
		t.Fatalf("SP-initiated: %d %s", p.status, p.body)
	}
	if p := s.post(b, good, req.relayState); p.status != http.StatusBadRequest || p.signedIn() {
		t.Errorf("SP-initiated replay: %d %s", p.status, p.body)
	}
	if got := s.lastSignIn(); !strings.HasPrefix(got, "state_unknown: ") {
		t.Errorf("audit: %s", got)
	}
}

// TestIdPInitiated: a response nobody asked for is refused unless the
// tenant turns IdP-initiated sign-in on; then it is taken, with or
// without a RelayState of the IdP's own, but must still name no request.
func TestIdPInitiated(t *testing.T) {
	s := newStack(t, newTestIdP(t), metadataOptions{})
	unsolicited := func() []byte {
		x := s.sp("")
		return xmlOf(s.idp.response(x), nil, nil, signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert))
	}
	p := s.post(s.browser(), unsolicited(), "")
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "not asked for") {
		t.Errorf("off: %d %s", p.status, p.body)
	}
	if got := s.lastSignIn(); !strings.HasPrefix(got, "unsolicited: Okta sent a sign-in that was not started at scimd") {
		t.Errorf("audit: %s", got)
	}
	// With a RelayState scimd does not know (Okta's default RelayState).
	if p := s.post(s.browser(), unsolicited(), "/dashboard"); p.status != http.StatusForbidden {
		t.Errorf("off, with a RelayState: %d %s", p.status, p.body)
	}

	s.allowIdPInitiated(true)
	if p := s.post(s.browser(), unsolicited(), ""); !p.signedIn() {
		t.Errorf("on: %d %s", p.status, p.body)
	}
	if p := s.post(s.browser(), unsolicited(), "/dashboard"); !p.signedIn() {
		t.Errorf("on, with a RelayState: %d %s", p.status, p.body)
	}
	// An answer to a request, with no sign-in waiting for it, is not
	// IdP-initiated.
	x := s.sp("id-from-elsewhere")
	p = s.post(s.browser(), xmlOf(s.idp.response(x), nil, nil, signed(s.idp.assertion(x, "00u-ada"), s.idp.key, s.idp.cert)), "")
	if p.signedIn() || p.status != http.StatusBadRequest {
		t.Errorf("answer without a sign-in: %d %s", p.status, p.body)
	}
	if got := s.lastSignIn(); !strings.HasPrefix(got, "nonce_mismatch: the response from Okta answers a request (id-from-elsewhere), but no sign-in started here is waiting for it") {
		t.Errorf("audit: %s", got)
	}
	// A turned-off connection takes nothing.
	if _, err := s.svc.UpdateConnection(t.Context(), directory.CLI, s.tenant.ID, s.conn.ID, func(c *directory.Connection) error { c.Enabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if p := s.post(s.browser(), unsolicited(), ""); p.signedIn() || p.status != http.StatusForbidden {
		t.Errorf("connection off: %d %s", p.status, p.body)
	}
}

// TestResponseSignedOnly: a response the IdP signed as a whole carries an
// assertion that is not signed on its own (crewjam's rule, and SAML's).
func TestResponseSignedOnly(t *testing.T) {
	s := newStack(t, newTestIdP(t), metadataOptions{})
	b := s.browser()
	req := s.start(b)
	x := s.sp(req.ID)
	if p := s.post(b, xmlOf(s.idp.response(x), s.idp.key, s.idp.cert, s.idp.assertion(x, "00u-ada").Element()), req.relayState); !p.signedIn() {
		t.Errorf("%d %s", p.status, p.body)
	}
}

// TestExpiredIdPCertificate: when every signing certificate of the IdP
// has expired, nobody can sign in (the classic lockout): the page says
// so, at the start and at the ACS URL, and the audit log has the reason.
func TestExpiredIdPCertificate(t *testing.T) {
	idp := newTestIdP(t)
	expired := selfSigned(t, idp.key, "idp.example.com", time.Now().Add(-400*24*time.Hour), time.Now().Add(-24*time.Hour))
	s := newStack(t, idp, metadataOptions{certs: []*x509.Certificate{expired}})
	b := s.browser()
	resp, err := b.c.Get(s.url + "/t/acme/sso/saml/start?connection=" + s.conn.ID)
	p := read(t, resp, err)
	if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "signing certificate has expired") || !strings.Contains(p.body, "break-glass") {
		t.Errorf("start: %d %s", p.status, p.body)
	}
	if got := s.lastSignIn(); !strings.HasPrefix(got, "idp_certificate_expired: the signing certificate of Okta expired on") {
		t.Errorf("audit: %s", got)
	}
	s.allowIdPInitiated(true)
	x := s.sp("")
	idp.cert = expired
	p = s.post(b, xmlOf(idp.response(x), nil, nil, signed(idp.assertion(x, "00u-ada"), idp.key, expired)), "")
	if p.status != http.StatusServiceUnavailable || !strings.Contains(p.body, "signing certificate has expired") {
		t.Errorf("acs: %d %s", p.status, p.body)
	}
}
