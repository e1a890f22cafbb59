package storetest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

// oidcConnection creates an enabled OIDC connection named name.
func (e *env) oidcConnection(t *testing.T, name string) *directory.Connection {
	t.Helper()
	c, err := e.svc.CreateConnection(e.ctx, cli, e.tenant.ID, &directory.Connection{
		Kind: directory.KindOIDC, Name: name, Enabled: true,
		OIDC: &directory.OIDCConfig{Issuer: "https://idp.example.com", ClientID: "scimd"},
	})
	if err != nil {
		t.Fatalf("create connection: %v", err)
	}
	return c
}

// signIn signs in as claims through conn, under a one-hour policy.
func (e *env) signIn(conn *directory.Connection, c directory.SignInClaims) (*directory.SignInResult, error) {
	c.ConnectionID = conn.ID
	return e.svc.SignIn(e.ctx, e.tenant.ID, c, directory.SessionPolicy{Idle: time.Hour, Absolute: 8 * time.Hour}, "req-1")
}

func wantRefused(t *testing.T, err error, reason directory.SignInReason, what string) *directory.SignInError {
	t.Helper()
	se, ok := errors.AsType[*directory.SignInError](err)
	if !ok || se.Reason != reason {
		t.Fatalf("%s: got %v, want a refusal %s", what, err, reason)
	}
	return se
}

var _ = add("SSOConnections", func(t *testing.T, e *env) {
	c := e.oidcConnection(t, "Okta")
	if c.ID == "" || c.Created.Location() != time.UTC || c.OIDC.Subject() != "sub" {
		t.Fatalf("created %+v", c)
	}
	// Names are unique in the tenant in any case.
	_, err := e.svc.CreateConnection(e.ctx, cli, e.tenant.ID, &directory.Connection{Kind: directory.KindOIDC, Name: "OKTA",
		OIDC: &directory.OIDCConfig{Issuer: "https://x.example.com", ClientID: "x"}})
	ce := wantErr[*directory.ConflictError](t, err, "duplicate name")
	if ce.Field != "name" {
		t.Errorf("conflict %+v", ce)
	}
	for _, bad := range []*directory.OIDCConfig{
		{Issuer: "http://idp.example.com", ClientID: "x"}, // plain http off localhost
		{Issuer: "https://idp.example.com", ClientID: ""},
		{Issuer: "not a url", ClientID: "x"},
		{Issuer: "https://idp.example.com", ClientID: "x", SubjectClaim: "a b"},
	} {
		_, err := e.svc.CreateConnection(e.ctx, cli, e.tenant.ID, &directory.Connection{Kind: directory.KindOIDC, Name: "Bad", OIDC: bad})
		wantErr[*directory.ValidationError](t, err, "bad config")
	}
	// A secret is stored as given (sealed by the edge) and audited as
	// "set", never by value.
	sealed := []byte("sealed-bytes-not-the-secret")
	up, err := e.svc.UpdateConnection(e.ctx, cli, e.tenant.ID, c.ID, func(c *directory.Connection) error {
		c.Secret = sealed
		c.OIDC.SubjectClaim = "oid"
		c.OIDC.Scopes = []string{"email profile", "groups"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Connection(e.ctx, e.tenant.ID, c.ID)
	if err != nil || string(got.Secret) != string(sealed) || got.OIDC.Subject() != "oid" || !slices.Equal(got.OIDC.Scopes, []string{"email", "profile", "groups"}) || !got.Updated.Equal(up.Updated) {
		t.Fatalf("reread %+v %+v %v", got, got.OIDC, err)
	}
	evs := e.audit(t, c.ID)
	if len(evs) != 2 || evs[1].Action != "sso.connection.update" {
		t.Fatalf("events %+v", evs)
	}
	for _, ch := range evs[1].Changes {
		if ch.Field == "secret" && ch.After != "set" {
			t.Errorf("secret change %+v", ch)
		}
		if strings.Contains(stringOf(ch.After)+stringOf(ch.Before), "sealed") {
			t.Errorf("the audit log shows the secret: %+v", ch)
		}
	}
	// Only owners among signed-in users configure sign-in; the IdP never.
	for _, actor := range []directory.Actor{asUser(directory.RoleAdmin), idp} {
		_, err := e.svc.UpdateConnection(e.ctx, actor, e.tenant.ID, c.ID, func(c *directory.Connection) error { c.Name = "Evil"; return nil })
		ie := wantErr[*directory.InvariantError](t, err, "non-owner")
		if ie.Rule != directory.RuleOwnerProtected {
			t.Errorf("rule %s", ie.Rule)
		}
	}
	if _, err := e.svc.UpdateConnection(e.ctx, asUser(directory.RoleOwner), e.tenant.ID, c.ID, func(c *directory.Connection) error { c.Name = "Okta prod"; return nil }); err != nil {
		t.Errorf("owner: %v", err)
	}
	// Another tenant sees nothing.
	other, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	if _, err := e.svc.Connection(e.ctx, other.ID, c.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("other tenant reads it: %v", err)
	}
	wantIs(t, e.svc.DeleteConnection(e.ctx, cli, other.ID, c.ID), directory.ErrNotFound, "other tenant deletes")
	list, _ := e.svc.Connections(e.ctx, e.tenant.ID)
	if len(list) != 1 {
		t.Fatalf("connections %d", len(list))
	}
	if err := e.svc.DeleteConnection(e.ctx, cli, e.tenant.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.svc.Connections(e.ctx, e.tenant.ID); len(list) != 0 {
		t.Errorf("after delete: %d", len(list))
	}
	_, err = e.svc.Connection(e.ctx, e.tenant.ID, "not-a-uuid")
	wantIs(t, err, directory.ErrNotFound, "malformed id")
})

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

var _ = add("SSOSettingsAndEnforcement", func(t *testing.T, e *env) {
	s, err := e.svc.SetSSOSettings(e.ctx, cli, e.tenant.ID, func(s *directory.SSOSettings) error {
		s.LinkBy = []directory.LinkMethod{directory.LinkUserName, directory.LinkEmail, directory.LinkUserName}
		s.Enforced = true
		return nil
	})
	if err != nil || !slices.Equal(s.Links(), []directory.LinkMethod{directory.LinkUserName, directory.LinkEmail}) {
		t.Fatalf("settings %+v %v", s, err)
	}
	tn, _ := e.svc.Tenant(e.ctx, e.tenant.ID)
	if !tn.Settings.SSO.Enforced || len(tn.Settings.SSO.LinkBy) != 2 || tn.Settings.SSO.JIT || tn.Settings.SSO.NewUserRole() != directory.RoleAgent {
		t.Errorf("stored %+v", tn.Settings.SSO)
	}
	for _, fn := range []func(*directory.SSOSettings){
		func(s *directory.SSOSettings) { s.LinkBy = []directory.LinkMethod{"phone"} },
		func(s *directory.SSOSettings) { s.JITRole = directory.RoleAdmin },
		func(s *directory.SSOSettings) { s.JITRole = directory.RoleOwner },
	} {
		_, err := e.svc.SetSSOSettings(e.ctx, cli, e.tenant.ID, func(s *directory.SSOSettings) error { fn(s); return nil })
		wantErr[*directory.ValidationError](t, err, "bad settings")
	}
	_, err = e.svc.SetSSOSettings(e.ctx, asUser(directory.RoleAdmin), e.tenant.ID, func(s *directory.SSOSettings) error { s.Enforced = false; return nil })
	wantErr[*directory.InvariantError](t, err, "admin turns enforcement off")
	if evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "sso.settings"}); len(evs) != 2 || evs[0].Outcome != directory.OutcomeDenied {
		t.Errorf("settings events %+v", evs)
	}
	// With SSO enforced, passwords work for break-glass accounts only.
	staff := e.user(t, cli, &directory.User{UserName: "ada", Active: true, Role: directory.RoleOwner})
	glass := e.user(t, cli, &directory.User{UserName: "glass", Active: true, Role: directory.RoleOwner, BreakGlass: true})
	ie := wantErr[*directory.InvariantError](t, e.svc.PasswordAllowed(e.ctx, staff), "password while enforced")
	if ie.Rule != directory.RuleSSOEnforced {
		t.Errorf("rule %s", ie.Rule)
	}
	if err := e.svc.PasswordAllowed(e.ctx, glass); err != nil {
		t.Errorf("break-glass password: %v", err)
	}
	e.svc.SetSSOSettings(e.ctx, cli, e.tenant.ID, func(s *directory.SSOSettings) error { s.Enforced = false; return nil })
	if err := e.svc.PasswordAllowed(e.ctx, staff); err != nil {
		t.Errorf("password while not enforced: %v", err)
	}
})

var _ = add("SignInLinking", func(t *testing.T, e *env) {
	conn := e.oidcConnection(t, "Okta")
	ada := e.user(t, idp, &directory.User{UserName: "ada@acme.example", ExternalID: "00u-ada", Active: true,
		Identities: []directory.Identity{email("ada@acme.example", true)}})
	// By default, externalId: Okta's SCIM externalId is its user id.
	res, err := e.signIn(conn, directory.SignInClaims{Subject: "00u-ada", Email: "x@evil.example", UserName: "x"})
	if err != nil || res.User.ID != ada.ID || res.Method != directory.LinkExternalID || !strings.HasPrefix(res.Secret, "scimds_") {
		t.Fatalf("first sign-in = %+v, %v", res, err)
	}
	// The link is remembered: the person is never looked up another way,
	// even once the directory's externalId moves to someone else.
	e.update(t, idp, ada.ID, func(u *directory.User) { u.ExternalID = "changed" })
	e.user(t, idp, &directory.User{UserName: "eve@acme.example", ExternalID: "00u-ada", Active: true})
	res, err = e.signIn(conn, directory.SignInClaims{Subject: "00u-ada"})
	if err != nil || res.User.ID != ada.ID || res.Method != "" {
		t.Fatalf("linked sign-in = %+v, %v", res, err)
	}
	links, _ := e.store.LinksOfUser(e.ctx, e.tenant.ID, ada.ID)
	if len(links) != 1 || links[0].Subject != "00u-ada" || links[0].Method != directory.LinkExternalID || links[0].LastSignIn == nil {
		t.Fatalf("links %+v", links)
	}
	// userName and email match only when the tenant says so.
	bob := e.user(t, idp, &directory.User{UserName: "bob@acme.example", Active: true, Identities: []directory.Identity{email("bob@acme.example", true)}})
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-bob", UserName: "BOB@acme.example", Email: "bob@acme.example", EmailVerified: true})
	se := wantRefused(t, err, directory.ReasonUnknownUser, "userName not configured")
	if !strings.Contains(se.Detail, "no user of this tenant matches you") {
		t.Errorf("detail %q", se.Detail)
	}
	e.svc.SetSSOSettings(e.ctx, cli, e.tenant.ID, func(s *directory.SSOSettings) error {
		s.LinkBy = []directory.LinkMethod{directory.LinkExternalID, directory.LinkUserName, directory.LinkEmail}
		return nil
	})
	res, err = e.signIn(conn, directory.SignInClaims{Subject: "s-bob", UserName: "BOB@acme.example"})
	if err != nil || res.User.ID != bob.ID || res.Method != directory.LinkUserName {
		t.Fatalf("by userName = %+v, %v", res, err)
	}
	// A second account at the same provider can't take over a linked user.
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-bob-2", UserName: "bob@acme.example"})
	wantRefused(t, err, directory.ReasonAlreadyLinked, "second subject for bob")

	// Email: only when the provider says it is verified.
	cy := e.user(t, idp, &directory.User{UserName: "cy", Active: true, Identities: []directory.Identity{email("cy@acme.example", true)}})
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-cy", Email: "cy@acme.example", EmailVerified: false})
	wantRefused(t, err, directory.ReasonEmailUnverified, "unverified email")
	res, err = e.signIn(conn, directory.SignInClaims{Subject: "s-cy", Email: "CY@acme.example", EmailVerified: true})
	if err != nil || res.User.ID != cy.ID || res.Method != directory.LinkEmail {
		t.Fatalf("by email = %+v, %v", res, err)
	}
	// ... and never to an owner's or admin's account, nor a break-glass one.
	boss := e.user(t, cli, &directory.User{UserName: "boss", Active: true, Role: directory.RoleAdmin,
		Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "boss@acme.example", Primary: true, Verified: true}}})
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-boss", Email: "boss@acme.example", EmailVerified: true})
	se = wantRefused(t, err, directory.ReasonPrivilegedEmail, "email to an admin")
	if se.UserID != boss.ID {
		t.Errorf("refusal names %q", se.UserID)
	}
	glass := e.user(t, cli, &directory.User{UserName: "glass", Active: true, Role: directory.RoleOwner, BreakGlass: true, ExternalID: "s-glass"})
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-glass"})
	wantRefused(t, err, directory.ReasonBreakGlass, "break-glass by externalId")
	_ = glass

	// Disabled, deleted and unknown users are refused with their reason.
	dee := e.user(t, idp, &directory.User{UserName: "dee", ExternalID: "s-dee", Active: false})
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-dee"})
	wantRefused(t, err, directory.ReasonUserDisabled, "disabled")
	e.update(t, idp, dee.ID, func(u *directory.User) { u.Active = true })
	if _, err := e.signIn(conn, directory.SignInClaims{Subject: "s-dee"}); err != nil {
		t.Fatal(err)
	}
	e.update(t, idp, dee.ID, func(u *directory.User) { u.Active = false })
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-dee"})
	wantRefused(t, err, directory.ReasonUserDisabled, "disabled after linking")
	if err := e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, dee.ID, 0); err != nil {
		t.Fatal(err)
	}
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-dee"})
	wantRefused(t, err, directory.ReasonUserDeleted, "deleted after linking")
	fay := e.user(t, idp, &directory.User{UserName: "fay", ExternalID: "s-fay", Active: true})
	e.update(t, idp, fay.ID, func(u *directory.User) { u.Active = false })
	e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, fay.ID, 0)
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-fay"})
	wantRefused(t, err, directory.ReasonUserDeleted, "deleted before linking")
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-nobody", UserName: "nobody"})
	wantRefused(t, err, directory.ReasonUnknownUser, "unknown")
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "  "})
	wantRefused(t, err, directory.ReasonNoSubject, "no subject")

	// Every attempt is in the audit log, refusals with their reason.
	evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "session.signin"})
	var ok, denied int
	for _, ev := range evs {
		switch ev.Outcome {
		case directory.OutcomeSuccess:
			ok++
		case directory.OutcomeDenied:
			denied++
			if ev.Reason == "" {
				t.Errorf("denied without reason: %+v", ev)
			}
		}
	}
	if ok != 5 || denied != 11 {
		t.Errorf("sign-in events: %d success, %d denied", ok, denied)
	}
	if evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "session.signin", TargetID: boss.ID}); len(evs) != 1 || !strings.HasPrefix(evs[0].Reason, "privileged_email") {
		t.Errorf("boss's events %+v", evs)
	}

	// A turned-off connection signs nobody in.
	e.svc.UpdateConnection(e.ctx, cli, e.tenant.ID, conn.ID, func(c *directory.Connection) error { c.Enabled = false; return nil })
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "00u-ada"})
	wantRefused(t, err, directory.ReasonConnectionDisabled, "disabled connection")
})

var _ = add("SignInJIT", func(t *testing.T, e *env) {
	conn := e.oidcConnection(t, "Okta")
	claims := directory.SignInClaims{Subject: "s-new", UserName: "new@acme.example", Email: "new@acme.example", EmailVerified: true, GivenName: "New"}
	_, err := e.signIn(conn, claims)
	wantRefused(t, err, directory.ReasonUnknownUser, "JIT off by default")
	e.svc.SetSSOSettings(e.ctx, cli, e.tenant.ID, func(s *directory.SSOSettings) error {
		s.JIT, s.JITRole = true, directory.RoleCollaborator
		return nil
	})
	res, err := e.signIn(conn, claims)
	if err != nil || res.Method != directory.MethodJIT {
		t.Fatalf("JIT = %+v, %v", res, err)
	}
	u := e.reread(t, res.User.ID)
	if u.Source != directory.SourceSCIM || u.Role != directory.RoleCollaborator || !u.Active || u.ExternalID != "s-new" ||
		!u.IdPOwned.Has(directory.FieldUserName) || u.PrimaryEmail() != "new@acme.example" || !u.Identities[0].Verified || u.Name.GivenName != "New" {
		t.Errorf("JIT user %+v", u)
	}
	// Once made, the person signs in through the link.
	if res, err := e.signIn(conn, claims); err != nil || res.User.ID != u.ID || res.Method != "" {
		t.Fatalf("second = %+v, %v", res, err)
	}
	// JIT respects seats.
	e.svc.SetSeats(e.ctx, cli, e.tenant.ID, 1)
	_, err = e.signIn(conn, directory.SignInClaims{Subject: "s-newer", UserName: "newer"})
	se := wantRefused(t, err, directory.ReasonJITRefused, "over the seats")
	if !strings.Contains(se.Detail, "seats") {
		t.Errorf("detail %q", se.Detail)
	}
	if n, _ := e.svc.Seats(e.ctx, e.tenant.ID); n.Used != 1 {
		t.Errorf("seats used %d", n.Used)
	}
})

var _ = add("PendingSignInSingleUse", func(t *testing.T, e *env) {
	conn := e.oidcConnection(t, "Okta")
	begin := func(state string) {
		t.Helper()
		p := &directory.PendingSignIn{TenantID: e.tenant.ID, ConnectionID: conn.ID, Nonce: "n-" + state, Verifier: "v-" + state, ReturnTo: "/t/acme/"}
		if err := e.svc.BeginSignIn(e.ctx, p, state, "browser-"+state); err != nil {
			t.Fatal(err)
		}
	}
	begin("state-1")
	// Two replicas finish the same sign-in at once: one wins.
	var wg sync.WaitGroup
	results := make([]error, 8)
	pendings := make([]*directory.PendingSignIn, 8)
	for i := range results {
		wg.Go(func() { pendings[i], results[i] = e.svc.TakeSignIn(e.ctx, e.tenant.ID, "state-1") })
	}
	wg.Wait()
	won := 0
	for i, err := range results {
		if err == nil {
			won++
			p := pendings[i]
			if p.Nonce != "n-state-1" || p.Verifier != "v-state-1" || p.ConnectionID != conn.ID || p.ReturnTo != "/t/acme/" ||
				string(p.BrowserHash) != string(directory.HashSecret("browser-state-1")) {
				t.Errorf("pending %+v", p)
			}
			continue
		}
		wantRefused(t, err, directory.ReasonStateUnknown, "the loser")
	}
	if won != 1 {
		t.Fatalf("%d finishers won", won)
	}
	// The state itself is not kept.
	begin("state-2")
	// Another tenant can't take it.
	other, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	_, err := e.svc.TakeSignIn(e.ctx, other.ID, "state-2")
	wantRefused(t, err, directory.ReasonStateUnknown, "other tenant")
	// Expired after ten minutes: refused, and gone.
	e.clock.advance(directory.PendingTTL + time.Second)
	_, err = e.svc.TakeSignIn(e.ctx, e.tenant.ID, "state-2")
	wantRefused(t, err, directory.ReasonStateExpired, "expired")
	_, err = e.svc.TakeSignIn(e.ctx, e.tenant.ID, "state-2")
	wantRefused(t, err, directory.ReasonStateUnknown, "expired, again")
	// The sweep removes what nobody came back for.
	begin("state-3")
	e.clock.advance(directory.PendingTTL + time.Second)
	if n, err := e.svc.SweepSignIns(e.ctx); err != nil || n != 1 {
		t.Errorf("sweep = %d, %v", n, err)
	}
	_, err = e.svc.TakeSignIn(e.ctx, e.tenant.ID, "")
	wantRefused(t, err, directory.ReasonStateUnknown, "empty state")
})

var _ = add("Sessions", func(t *testing.T, e *env) {
	conn := e.oidcConnection(t, "Okta")
	ada := e.user(t, idp, &directory.User{UserName: "ada", ExternalID: "s-ada", Active: true, Role: directory.RoleAgent})
	e.user(t, cli, &directory.User{UserName: "root", Active: true, Role: directory.RoleOwner})
	pol := directory.SessionPolicy{Idle: time.Hour, Absolute: 8 * time.Hour}
	res, err := e.signIn(conn, directory.SignInClaims{Subject: "s-ada"})
	if err != nil {
		t.Fatal(err)
	}
	s, u, err := e.svc.Session(e.ctx, e.tenant.ID, res.Secret, pol)
	if err != nil || s.ID != res.Session.ID || u.ID != ada.ID || u.Role != directory.RoleAgent || s.Kind != directory.SessionSSO || s.ConnectionID != conn.ID {
		t.Fatalf("session = %+v %+v %v", s, u, err)
	}
	// Only the secret's hash is kept.
	stored, _ := e.store.SessionByHash(e.ctx, directory.HashSecret(res.Secret))
	if stored == nil || strings.Contains(string(stored.Hash), res.Secret) {
		t.Fatal("session not found by hash")
	}
	// The role is read on every lookup.
	e.update(t, idp, ada.ID, func(u *directory.User) { u.Role = directory.RoleAdmin })
	if _, u, err := e.svc.Session(e.ctx, e.tenant.ID, res.Secret, pol); err != nil || u.Role != directory.RoleAdmin {
		t.Fatalf("after promotion: %+v %v", u, err)
	}
	// Wrong tenant, wrong secret.
	other, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	for _, tc := range []struct {
		tenant int64
		secret string
	}{{other.ID, res.Secret}, {e.tenant.ID, res.Secret + "x"}, {e.tenant.ID, ""}, {e.tenant.ID, "scimd_" + res.Secret[7:]}} {
		_, _, err := e.svc.Session(e.ctx, tc.tenant, tc.secret, pol)
		wantIs(t, err, directory.ErrNotFound, "bad lookup")
	}
	// Use moves the idle expiry on; idleness ends it.
	e.clock.advance(50 * time.Minute)
	if _, _, err := e.svc.Session(e.ctx, e.tenant.ID, res.Secret, pol); err != nil {
		t.Fatalf("after 50 minutes: %v", err)
	}
	e.clock.advance(50 * time.Minute)
	if _, _, err := e.svc.Session(e.ctx, e.tenant.ID, res.Secret, pol); err != nil {
		t.Fatalf("100 minutes in, used 50 minutes ago: %v", err)
	}
	e.clock.advance(61 * time.Minute)
	_, _, err = e.svc.Session(e.ctx, e.tenant.ID, res.Secret, pol)
	wantIs(t, err, directory.ErrNotFound, "idle")
	// The absolute limit holds however busy the session.
	res2, _ := e.signIn(conn, directory.SignInClaims{Subject: "s-ada"})
	for range 9 {
		e.clock.advance(55 * time.Minute)
		if _, _, err := e.svc.Session(e.ctx, e.tenant.ID, res2.Secret, pol); err != nil {
			break
		}
	}
	_, _, err = e.svc.Session(e.ctx, e.tenant.ID, res2.Secret, pol)
	wantIs(t, err, directory.ErrNotFound, "past the absolute limit")

	// Disabling the user ends the session at once, and deleting too.
	res3, _ := e.signIn(conn, directory.SignInClaims{Subject: "s-ada"})
	e.update(t, idp, ada.ID, func(u *directory.User) { u.Active = false })
	_, _, err = e.svc.Session(e.ctx, e.tenant.ID, res3.Secret, pol)
	wantIs(t, err, directory.ErrNotFound, "disabled user")
	if s, _ := e.store.SessionByHash(e.ctx, directory.HashSecret(res3.Secret)); s.Ended == nil || s.EndReason != "user disabled" {
		t.Errorf("session of a disabled user: %+v", s)
	}
	e.update(t, idp, ada.ID, func(u *directory.User) { u.Active = true })
	_, _, err = e.svc.Session(e.ctx, e.tenant.ID, res3.Secret, pol)
	wantIs(t, err, directory.ErrNotFound, "re-enabling does not revive a session")
	res4, _ := e.signIn(conn, directory.SignInClaims{Subject: "s-ada"})
	e.update(t, idp, ada.ID, func(u *directory.User) { u.Active = false })
	e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, ada.ID, 0)
	_, _, err = e.svc.Session(e.ctx, e.tenant.ID, res4.Secret, pol)
	wantIs(t, err, directory.ErrNotFound, "deleted user")

	// Sign-out ends it, once.
	bo := e.user(t, idp, &directory.User{UserName: "bo", ExternalID: "s-bo", Active: true})
	res5, _ := e.signIn(conn, directory.SignInClaims{Subject: "s-bo"})
	if err := e.svc.SignOut(e.ctx, e.tenant.ID, res5.Secret, "req"); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Session(e.ctx, e.tenant.ID, res5.Secret, pol)
	wantIs(t, err, directory.ErrNotFound, "signed out")
	if err := e.svc.SignOut(e.ctx, e.tenant.ID, res5.Secret, "req"); err != nil {
		t.Errorf("second sign-out: %v", err)
	}
	if evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "session.signout", TargetID: bo.ID}); len(evs) != 1 {
		t.Errorf("sign-out events %d", len(evs))
	}
	// Disabling the connection ends the sessions begun through it.
	res6, _ := e.signIn(conn, directory.SignInClaims{Subject: "s-bo"})
	if _, err := e.svc.UpdateConnection(e.ctx, cli, e.tenant.ID, conn.ID, func(c *directory.Connection) error { c.Enabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.Session(e.ctx, e.tenant.ID, res6.Secret, pol)
	wantIs(t, err, directory.ErrNotFound, "connection disabled")
	// Sessions past their end are swept after a day.
	e.clock.advance(25 * time.Hour)
	if n, err := e.svc.SweepSignIns(e.ctx); err != nil || n < 6 {
		t.Errorf("sweep = %d, %v", n, err)
	}
	if _, err := e.store.SessionByHash(e.ctx, directory.HashSecret(res6.Secret)); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("swept session still there: %v", err)
	}
})
