package storetest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

var _ = add("Tokens", func(t *testing.T, e *env) {
	tok, secret, err := e.svc.CreateToken(e.ctx, cli, e.tenant.ID, directory.ScopeSCIM, "Okta provisioning")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "scimd_") || len(secret) < 43 {
		t.Errorf("secret %q is too short", secret)
	}
	list, err := e.svc.Tokens(e.ctx, e.tenant.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("tokens = %+v %v", list, err)
	}
	if bytes.Contains(list[0].Hash, []byte(secret)) || !bytes.Equal(list[0].Hash, directory.HashToken(secret)) {
		t.Error("the store keeps something other than the secret's hash")
	}
	got, err := e.svc.Authenticate(e.ctx, secret)
	if err != nil || got.ID != tok.ID || got.TenantID != e.tenant.ID || got.Scope != directory.ScopeSCIM {
		t.Fatalf("authenticate = %+v %v", got, err)
	}
	for _, bad := range []string{"", "scimd_", secret + "x", strings.ToUpper(secret), "Bearer " + secret} {
		_, err := e.svc.Authenticate(e.ctx, bad)
		wantIs(t, err, directory.ErrNotFound, "authenticate "+bad)
	}
	// Use is noted in memory and written by a flush, never per request.
	if list, _ := e.store.Tokens(e.ctx, e.tenant.ID); list[0].LastUsed != nil {
		t.Error("authentication wrote last-used at once")
	}
	if list, _ := e.svc.Tokens(e.ctx, e.tenant.ID); list[0].LastUsed == nil {
		t.Error("pending use not shown")
	}
	if err := e.svc.FlushTokenUse(e.ctx); err != nil {
		t.Fatal(err)
	}
	list, _ = e.store.Tokens(e.ctx, e.tenant.ID)
	if list[0].LastUsed == nil || list[0].LastUsed.Location() != time.UTC {
		t.Errorf("last used after flush: %v", list[0].LastUsed)
	}
	// Another tenant can't revoke it; revoking ends it at once.
	other, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	wantIs(t, e.svc.RevokeToken(e.ctx, cli, other.ID, tok.ID), directory.ErrNotFound, "revoke from another tenant")
	if err := e.svc.RevokeToken(e.ctx, cli, e.tenant.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Authenticate(e.ctx, secret)
	wantIs(t, err, directory.ErrNotFound, "revoked token")
	wantIs(t, e.svc.RevokeToken(e.ctx, cli, e.tenant.ID, tok.ID), directory.ErrNotFound, "revoke twice")
	if _, _, err := e.svc.CreateToken(e.ctx, cli, e.tenant.ID, "root", ""); err == nil {
		t.Error("unknown scope accepted")
	}
	_, _, err = e.svc.CreateToken(e.ctx, cli, 999999, directory.ScopeAdmin, "")
	wantIs(t, err, directory.ErrNotFound, "token for a missing tenant")
	// Another replica trusts a token it has seen for at most a second
	// after it is revoked elsewhere.
	_, s4, _ := e.svc.CreateToken(e.ctx, cli, e.tenant.ID, directory.ScopeSCIM, "replica")
	replica := directory.NewService(e.store, e.clock.now)
	r4, err := replica.Authenticate(e.ctx, s4)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RevokeToken(e.ctx, cli, e.tenant.ID, r4.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(e.ctx, s4); err == nil {
		t.Error("the revoking process still accepts the token")
	}
	e.clock.advance(1100 * time.Millisecond)
	_, err = replica.Authenticate(e.ctx, s4)
	wantIs(t, err, directory.ErrNotFound, "revoked token on another replica after a second")
	// Several live tokens per tenant: rotation.
	_, s2, _ := e.svc.CreateToken(e.ctx, cli, e.tenant.ID, directory.ScopeAdmin, "")
	_, s3, _ := e.svc.CreateToken(e.ctx, cli, e.tenant.ID, directory.ScopeSCIM, "")
	for _, s := range []string{s2, s3} {
		if _, err := e.svc.Authenticate(e.ctx, s); err != nil {
			t.Errorf("rotated token: %v", err)
		}
	}
})

var _ = add("TenantsAndAudit", func(t *testing.T, e *env) {
	_, err := e.svc.CreateTenant(e.ctx, cli, "acme", "", 0)
	ce := wantErr[*directory.ConflictError](t, err, "slug taken")
	if ce.Error() != "tenant acme already exists" {
		t.Errorf("detail %q", ce.Error())
	}
	for _, bad := range []string{"", "Acme", "-x", "a b", strings.Repeat("a", 64)} {
		if _, err := e.svc.CreateTenant(e.ctx, cli, bad, "", 0); err == nil {
			t.Errorf("slug %q accepted", bad)
		}
	}
	g, err := e.svc.CreateTenant(e.ctx, cli, "globex", "Globex Corp", 10)
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.svc.Tenants(e.ctx)
	if err != nil || len(all) != 2 || all[1].Slug != "globex" || all[1].Seats != 10 || all[1].Name != "Globex Corp" {
		t.Errorf("tenants = %+v %v", all, err)
	}
	if got, err := e.svc.TenantBySlug(e.ctx, "globex"); err != nil || got.ID != g.ID || got.Created.Location() != time.UTC {
		t.Errorf("by slug = %+v %v", got, err)
	}
	_, err = e.svc.TenantBySlug(e.ctx, "initech")
	wantIs(t, err, directory.ErrNotFound, "missing tenant")

	u := e.user(t, idp, &directory.User{UserName: "a"})
	e.update(t, admin, u.ID, func(u *directory.User) { u.Extension = "1" })
	// A refused write leaves no trace but its denial.
	_, err = e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "A"})
	wantErr[*directory.ConflictError](t, err, "duplicate")
	evs, err := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "user."})
	if err != nil || len(evs) != 2 || evs[0].Action != "user.update" || evs[1].Action != "user.create" {
		t.Fatalf("user events = %+v %v", evs, err)
	}
	if evs[0].Actor.Kind != directory.ActorToken || evs[0].Actor.Scope != directory.ScopeAdmin || evs[0].Actor.ID != admin.ID {
		t.Errorf("actor = %+v", evs[0].Actor)
	}
	if c := evs[0].Changes; len(c) != 1 || c[0].Field != "extension" || c[0].After != "1" {
		t.Errorf("changes = %+v", c)
	}
	// Filters: by actor, exact action, time window, paging back.
	if evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{ActorID: admin.ID}); len(evs) != 1 {
		t.Errorf("by actor: %d", len(evs))
	}
	if evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "user.create"}); len(evs) != 1 {
		t.Errorf("by action: %d", len(evs))
	}
	all2, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{})
	if evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Since: all2[0].At}); len(evs) != 1 {
		t.Errorf("since the last: %d", len(evs))
	}
	if evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Until: all2[0].At}); len(evs) != len(all2)-1 {
		t.Errorf("until the last: %d", len(evs))
	}
	if evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Before: all2[0].ID, Limit: 1}); len(evs) != 1 || evs[0].ID != all2[1].ID {
		t.Errorf("page back: %+v", evs)
	}
	// Another tenant's events stay there.
	if evs, _ := e.svc.AuditEvents(e.ctx, g.ID, directory.AuditQuery{Action: "user."}); len(evs) != 0 {
		t.Errorf("another tenant sees %d user events", len(evs))
	}
	if err := e.store.LogProvisioning(e.ctx, []directory.ProvisioningEntry{{TenantID: e.tenant.ID, At: time.Now(), Method: "GET", Path: "/scim/v2/Users", Status: 200}}); err != nil {
		t.Errorf("provisioning log: %v", err)
	}
})
