package storetest

import (
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

var _ = add("TokenRotation", func(t *testing.T, e *env) {
	old, oldSecret, err := e.svc.CreateToken(e.ctx, cli, e.tenant.ID, directory.ScopeSCIM, "Okta")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(e.ctx, oldSecret); err != nil {
		t.Fatal(err) // cached now: rotation must end it anyway
	}
	other, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	_, _, err = e.svc.RotateToken(e.ctx, cli, other.ID, old.ID)
	wantIs(t, err, directory.ErrNotFound, "rotate from another tenant")

	tok, secret, err := e.svc.RotateToken(e.ctx, cli, e.tenant.ID, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID == old.ID || secret == oldSecret || tok.Scope != directory.ScopeSCIM || tok.Description != "Okta" {
		t.Errorf("rotated = %+v", tok)
	}
	_, err = e.svc.Authenticate(e.ctx, oldSecret)
	wantIs(t, err, directory.ErrNotFound, "the old secret after rotation")
	if got, err := e.svc.Authenticate(e.ctx, secret); err != nil || got.ID != tok.ID {
		t.Errorf("the new secret: %+v %v", got, err)
	}
	_, _, err = e.svc.RotateToken(e.ctx, cli, e.tenant.ID, old.ID)
	wantIs(t, err, directory.ErrNotFound, "rotate a revoked token")
	evs, _ := e.svc.AuditEvents(e.ctx, e.tenant.ID, directory.AuditQuery{Action: "token.rotate"})
	if len(evs) != 1 || evs[0].TargetID != tok.ID || len(evs[0].Changes) == 0 || evs[0].Changes[0].Before != old.ID {
		t.Errorf("audit: %+v", evs)
	}
})

var _ = add("ProvisioningLog", func(t *testing.T, e *env) {
	other, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	entry := func(tenant int64, method, path, resource string, status int, detail string) directory.ProvisioningEntry {
		at = at.Add(time.Second)
		return directory.ProvisioningEntry{TenantID: tenant, At: at, TokenID: "t1", RequestID: "r", Method: method, Path: path,
			ResourceID: resource, Status: status, Detail: detail, Duration: 1500 * time.Microsecond}
	}
	err := e.svc.LogProvisioning(e.ctx, []directory.ProvisioningEntry{
		entry(e.tenant.ID, "POST", "/scim/v2/Users", "u1", 201, ""),
		entry(e.tenant.ID, "POST", "/scim/v2/Users", "", 409, "userName ada is already used by another user"),
		entry(e.tenant.ID, "PATCH", "/scim/v2/Groups/g1", "g1", 200, ""),
		entry(e.tenant.ID, "GET", "/scim/v2/Users_like", "", 404, "x"), // not under /Users
		entry(e.tenant.ID, "PUT", "/scim/v2/Users/u1", "u1", 400, "emails: \"x\" is not an email address"),
		entry(other.ID, "POST", "/scim/v2/Users", "", 500, "theirs"),
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.svc.ProvisioningLog(e.ctx, e.tenant.ID, directory.ProvisioningQuery{})
	if err != nil || len(all) != 5 {
		t.Fatalf("all: %d %v", len(all), err)
	}
	if all[0].Method != "PUT" || all[0].Status != 400 || all[0].Duration != 1500*time.Microsecond || !all[0].At.Equal(at.Add(-time.Second)) {
		t.Errorf("newest = %+v", all[0])
	}
	count := func(name string, q directory.ProvisioningQuery, want int) []*directory.ProvisioningEntry {
		t.Helper()
		got, err := e.svc.ProvisioningLog(e.ctx, e.tenant.ID, q)
		if err != nil || len(got) != want {
			t.Errorf("%s: %d entries (%v), want %d", name, len(got), err, want)
		}
		return got
	}
	failed := count("failed", directory.ProvisioningQuery{Outcome: directory.ProvisioningFailed}, 3)
	if len(failed) == 3 && failed[2].Detail != "userName ada is already used by another user" {
		t.Errorf("failed detail = %q", failed[2].Detail)
	}
	count("succeeded", directory.ProvisioningQuery{Outcome: directory.ProvisioningSucceeded}, 2)
	count("users", directory.ProvisioningQuery{Path: "/scim/v2/Users"}, 3)
	count("failed users", directory.ProvisioningQuery{Path: "/scim/v2/Users/", Outcome: directory.ProvisioningFailed}, 2)
	count("groups", directory.ProvisioningQuery{Path: "/scim/v2/Groups"}, 1)
	count("one user", directory.ProvisioningQuery{ResourceID: "u1"}, 2)
	count("since", directory.ProvisioningQuery{Since: all[1].At}, 2)
	page := count("page", directory.ProvisioningQuery{Limit: 2}, 2)
	if len(page) == 2 {
		rest := count("next page", directory.ProvisioningQuery{Limit: 2, Before: page[1].ID}, 2)
		if len(rest) == 2 && rest[0].ID >= page[1].ID {
			t.Errorf("pages overlap: %d after %d", rest[0].ID, page[1].ID)
		}
	}
	if _, err := e.svc.ProvisioningLog(e.ctx, e.tenant.ID, directory.ProvisioningQuery{Outcome: "maybe"}); err == nil {
		t.Error("unknown outcome accepted")
	}
})
