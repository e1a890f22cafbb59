package storetest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

// samlConnection creates an enabled SAML connection named name.
func (e *env) samlConnection(t *testing.T, name string) *directory.Connection {
	t.Helper()
	c, err := e.svc.CreateConnection(e.ctx, cli, e.tenant.ID, &directory.Connection{
		Kind: directory.KindSAML, Name: name, Enabled: true,
		SAML: &directory.SAMLConfig{MetadataURL: "https://idp.example.com/metadata", Metadata: "<EntityDescriptor/>"},
	})
	if err != nil {
		t.Fatalf("create connection: %v", err)
	}
	return c
}

var _ = add("SAMLConnections", func(t *testing.T, e *env) {
	fetched := time.Date(2026, 3, 1, 10, 0, 0, 0, tokyo)
	c, err := e.svc.CreateConnection(e.ctx, cli, e.tenant.ID, &directory.Connection{
		Kind: directory.KindSAML, Name: "Entra", Enabled: true, Secret: []byte("sealed-key"),
		SAML: &directory.SAMLConfig{
			MetadataURL: " https://login.microsoftonline.com/t/federationmetadata.xml ", Metadata: "<EntityDescriptor>first</EntityDescriptor>",
			MetadataFetched: &fetched, SubjectAttribute: directory.AttrEntraObjectID, NameIDFormat: "EMAILADDRESS",
			SPCertificate: "MIIB",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Connection(e.ctx, e.tenant.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	s := got.SAML
	if s == nil || got.OIDC != nil || s.MetadataURL != "https://login.microsoftonline.com/t/federationmetadata.xml" || s.NameIDFormat != directory.NameIDEmailAddress ||
		s.SubjectAttribute != directory.AttrEntraObjectID || s.SPCertificate != "MIIB" || string(got.Secret) != "sealed-key" ||
		s.MetadataFetched == nil || !s.MetadataFetched.Equal(fetched) || s.MetadataFetched.Location() != time.UTC {
		t.Fatalf("reread %+v %+v", got, s)
	}
	for name, bad := range map[string]*directory.SAMLConfig{
		"plain http":        {MetadataURL: "http://idp.example.com/metadata"},
		"not a URL":         {MetadataURL: "metadata.xml"},
		"unknown format":    {NameIDFormat: "x509SubjectName"},
		"attribute spaces":  {SubjectAttribute: "object id"},
		"metadata too long": {Metadata: strings.Repeat("x", 600<<10)},
	} {
		_, err := e.svc.CreateConnection(e.ctx, cli, e.tenant.ID, &directory.Connection{Kind: directory.KindSAML, Name: "Bad", SAML: bad})
		if _, ok := errors.AsType[*directory.ValidationError](err); !ok {
			t.Errorf("%s: got %v, want a ValidationError", name, err)
		}
	}
	// On, it would be on the sign-in page: not before the IdP is known.
	_, err = e.svc.CreateConnection(e.ctx, cli, e.tenant.ID, &directory.Connection{Kind: directory.KindSAML, Name: "Early", Enabled: true})
	if ve, ok := errors.AsType[*directory.ValidationError](err); !ok || ve.Field != "enabled" {
		t.Errorf("on without metadata: %v", err)
	}
	// http on this machine is fine (a test IdP, a sidecar).
	if _, err := e.svc.CreateConnection(e.ctx, cli, e.tenant.ID, &directory.Connection{Kind: directory.KindSAML, Name: "Local",
		SAML: &directory.SAMLConfig{MetadataURL: "http://127.0.0.1:8080/metadata"}}); err != nil {
		t.Errorf("loopback http: %v", err)
	}
	// The log says the metadata changed, never what it holds.
	if _, err := e.svc.UpdateConnection(e.ctx, cli, e.tenant.ID, c.ID, func(c *directory.Connection) error {
		c.SAML.Metadata = "<EntityDescriptor>second</EntityDescriptor>"
		c.SAML.NameIDFormat = ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	evs := e.audit(t, c.ID)
	if len(evs) != 2 {
		t.Fatalf("events %+v", evs)
	}
	fields := map[string]bool{}
	for _, ch := range evs[1].Changes {
		fields[ch.Field] = true
		if strings.Contains(stringOf(ch.After)+stringOf(ch.Before), "second") {
			t.Errorf("the audit log shows the document: %+v", ch)
		}
	}
	if !fields["saml.metadata"] || !fields["saml.nameIdFormat"] || len(fields) != 2 {
		t.Errorf("changes %+v", evs[1].Changes)
	}
})

var _ = add("SAMLMetadataRefresh", func(t *testing.T, e *env) {
	c := e.samlConnection(t, "Okta")
	before := c.Updated
	at := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	// The same document again: kept, the fetch time moves, the log stays
	// quiet.
	got, err := e.svc.RefreshSAMLMetadata(e.ctx, e.tenant.ID, c.ID, c.SAML.MetadataURL, c.SAML.Metadata, at)
	if err != nil || got.SAML.MetadataFetched == nil || !got.SAML.MetadataFetched.Equal(at) {
		t.Fatalf("refresh: %+v %v", got, err)
	}
	if n := len(e.audit(t, c.ID)); n != 1 {
		t.Errorf("%d events after an unchanged refresh", n)
	}
	// A new document is saved and logged as scimd's doing.
	got, err = e.svc.RefreshSAMLMetadata(e.ctx, e.tenant.ID, c.ID, c.SAML.MetadataURL, "<EntityDescriptor>rotated</EntityDescriptor>", at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	reread, _ := e.svc.Connection(e.ctx, e.tenant.ID, c.ID)
	if reread.SAML.Metadata != "<EntityDescriptor>rotated</EntityDescriptor>" || !reread.SAML.MetadataFetched.Equal(at.Add(time.Hour)) || !reread.Updated.Equal(before) {
		t.Errorf("reread %+v, updated %v (was %v)", reread.SAML, reread.Updated, before)
	}
	evs := e.audit(t, c.ID)
	if len(evs) != 2 || evs[1].Action != "sso.connection.metadata" || evs[1].Actor.Kind != directory.ActorSystem {
		t.Fatalf("events %+v", evs)
	}
	// An admin changed the URL meanwhile: the old URL's document is not
	// saved over the new setting.
	if _, err := e.svc.UpdateConnection(e.ctx, cli, e.tenant.ID, c.ID, func(c *directory.Connection) error {
		c.SAML.MetadataURL = "https://other.example.com/metadata"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err = e.svc.RefreshSAMLMetadata(e.ctx, e.tenant.ID, c.ID, "https://idp.example.com/metadata", "<stale/>", at.Add(2*time.Hour))
	if err != nil || got.SAML.Metadata == "<stale/>" {
		t.Errorf("refresh after a URL change: %+v %v", got.SAML, err)
	}
	_, err = e.svc.RefreshSAMLMetadata(e.ctx, e.tenant.ID, directory.NewID(), "https://idp.example.com/metadata", "<x/>", at)
	wantIs(t, err, directory.ErrNotFound, "unknown connection")
})

var _ = add("SAMLReplayCache", func(t *testing.T, e *env) {
	c := e.samlConnection(t, "Okta")
	other := e.samlConnection(t, "Entra")
	until := e.clock.now().Add(5 * time.Minute)
	if err := e.svc.UseAssertion(e.ctx, e.tenant.ID, c, "_a1", until); err != nil {
		t.Fatalf("first use: %v", err)
	}
	wantRefused(t, e.svc.UseAssertion(e.ctx, e.tenant.ID, c, "_a1", until), directory.ReasonReplayed, "second use")
	// IDs are an IdP's own: the same id from another connection's IdP is
	// another assertion.
	if err := e.svc.UseAssertion(e.ctx, e.tenant.ID, other, "_a1", until); err != nil {
		t.Errorf("same id at another connection: %v", err)
	}
	wantRefused(t, e.svc.UseAssertion(e.ctx, e.tenant.ID, c, "", until), directory.ReasonReplayed, "empty id")
	wantRefused(t, e.svc.UseAssertion(e.ctx, e.tenant.ID, c, strings.Repeat("x", 300), until), directory.ReasonReplayed, "long id")

	// Single use under concurrency: of many replicas given the same
	// assertion at once, one accepts it.
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = e.svc.UseAssertion(e.ctx, e.tenant.ID, c, "_race", until) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch se, refused := errors.AsType[*directory.SignInError](err); {
		case err == nil:
			ok++
		case !refused || se.Reason != directory.ReasonReplayed:
			t.Errorf("concurrent use: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent uses accepted the same assertion", ok, n)
	}

	// Past its window the id is swept, and (were the assertion still
	// acceptable, which the connector's time checks prevent) usable.
	e.clock.advance(6 * time.Minute)
	swept, err := e.svc.SweepSignIns(e.ctx)
	if err != nil || swept < 3 {
		t.Errorf("swept %d, %v", swept, err)
	}
	if err := e.svc.UseAssertion(e.ctx, e.tenant.ID, c, "_a1", e.clock.now().Add(time.Minute)); err != nil {
		t.Errorf("after the window: %v", err)
	}
	// An expired row that the sweep has not reached yet is taken over.
	if err := e.svc.UseAssertion(e.ctx, e.tenant.ID, c, "_late", e.clock.now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	e.clock.advance(2 * time.Minute)
	if err := e.svc.UseAssertion(e.ctx, e.tenant.ID, c, "_late", e.clock.now().Add(time.Minute)); err != nil {
		t.Errorf("expired, not swept: %v", err)
	}
	// Deleting the connection takes its ids with it.
	if err := e.svc.DeleteConnection(e.ctx, cli, e.tenant.ID, c.ID); err != nil {
		t.Fatal(err)
	}
})
