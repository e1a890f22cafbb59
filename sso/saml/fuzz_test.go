package saml

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/sso"
)

// FuzzACS posts what the fuzzer makes as the SAMLResponse parameter of
// the ACS URL, IdP-initiated sign-in on so that every check runs: Finish
// must not panic, and must answer anything but a real assertion with a
// refusal (a page that says why), never an error of scimd's own (a 500).
// The XML is what is fuzzed; the parameter carries it in base64, as the
// HTTP-POST binding does. Every input that parses costs a signature
// check, so bound the minimizing of new inputs, or the default minute
// each stalls the search:
//
//	go test -run '^$' -fuzz FuzzACS -fuzzminimizetime 10x ./sso/saml
func FuzzACS(f *testing.F) {
	seeds, finish := acsHarness(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := finish(t, doc)
		if err != nil {
			if _, ok := errors.AsType[*directory.SignInError](err); !ok {
				t.Fatalf("an error that is not a refusal: %v", err)
			}
			return
		}
		if a.Subject == "" || a.Connection == nil {
			t.Fatalf("accepted %+v", a)
		}
	})
}

// acsHarness is a connector with a connection to a test IdP, and seeds:
// responses good and bad. finish posts a response to the ACS URL.
func acsHarness(f testing.TB) (seeds [][]byte, finish func(t *testing.T, doc []byte) (*sso.Assertion, error)) {
	st, err := sqlite.Open(f.Context(), testdb.SQLite(f))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := st.Migrate(f.Context()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := directory.NewService(st, nil)
	box, _ := secretbox.New(bytes.Repeat([]byte{9}, secretbox.KeySize))
	c := New(Config{Service: svc, Secrets: box, BaseURL: "https://id.example.com"})
	tn, err := svc.CreateTenant(f.Context(), directory.CLI, "acme", "", 0)
	if err != nil {
		f.Fatal(err)
	}
	if tn.Settings.SSO, err = func() (directory.SSOSettings, error) {
		s, err := svc.SetSSOSettings(f.Context(), directory.CLI, tn.ID, func(s *directory.SSOSettings) error { s.IdPInitiated = true; return nil })
		return *s, err
	}(); err != nil {
		f.Fatal(err)
	}
	idp := newTestIdP(f)
	conn := &directory.Connection{ID: directory.NewID(), TenantID: tn.ID, Kind: directory.KindSAML, Name: "Okta", Enabled: true,
		SAML: &directory.SAMLConfig{Metadata: idp.metadata(metadataOptions{})}}
	if err := NewKeyPair(box, conn, time.Now()); err != nil {
		f.Fatal(err)
	}
	if conn, err = svc.CreateConnection(f.Context(), directory.CLI, tn.ID, conn); err != nil {
		f.Fatal(err)
	}
	x := sp{entityID: c.EntityID(tn, conn), acs: c.ACSURL(tn, conn)}

	add := func(b []byte) { seeds = append(seeds, b) }
	good := idp.assertion(x, "00u-ada")
	add(xmlOf(idp.response(x), nil, nil, signed(good, idp.key, idp.cert)))
	add(xmlOf(idp.response(x), idp.key, idp.cert, idp.assertion(x, "00u-ada").Element()))
	add(xmlOf(idp.response(x), nil, nil, idp.assertion(x, "00u-ada").Element()))
	noSubject := idp.assertion(x, "00u-ada")
	noSubject.Subject = nil
	add(xmlOf(idp.response(x), nil, nil, signed(noSubject, idp.key, idp.cert)))
	noConditions := idp.assertion(x, "00u-ada")
	noConditions.Conditions = nil
	add(xmlOf(idp.response(x), nil, nil, signed(noConditions, idp.key, idp.cert)))
	add(xmlOf(idp.response(x), nil, nil, idp.assertion(x, "x").Element(), signed(idp.assertion(x, "00u-ada"), idp.key, idp.cert)))
	add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`))
	add([]byte("<"))
	add([]byte{})

	acs, _ := url.Parse(x.acs)
	return seeds, func(t *testing.T, doc []byte) (*sso.Assertion, error) {
		form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(doc)}}
		r := httptest.NewRequestWithContext(t.Context(), "POST", acs.Path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetPathValue("connection", conn.ID)
		return c.Finish(t.Context(), &sso.FinishRequest{HTTP: r, Tenant: tn, CallbackURL: x.acs,
			Take: func(string) (*directory.PendingSignIn, *directory.Connection, error) {
				return nil, nil, &directory.SignInError{Reason: directory.ReasonStateUnknown}
			},
			Connections: func() ([]*directory.Connection, error) { return []*directory.Connection{conn}, nil },
		})
	}
}
