package storetest

import (
	"testing"

	"github.com/scimd/scimd/directory"
)

var _ = add("AdminRenameTenant", func(t *testing.T, e *env) {
	if _, err := e.svc.SetSeats(e.ctx, cli, e.tenant.ID, 3); err != nil {
		t.Fatal(err)
	}
	e.user(t, idp, &directory.User{UserName: "a", Active: true})
	got, err := e.svc.RenameTenant(e.ctx, cli, e.tenant.ID, "  Acme Corporation ")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme Corporation" || got.Slug != "acme" || got.Seats != 3 {
		t.Errorf("renamed: %+v", got)
	}
	// The seats already used are kept: the limit still holds.
	e.user(t, idp, &directory.User{UserName: "b", Active: true})
	e.user(t, idp, &directory.User{UserName: "c", Active: true})
	_, err = e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "d", Active: true})
	wantErr[*directory.InvariantError](t, err, "fourth staff member on 3 seats after a rename")
	for _, bad := range []string{"", "  ", "a\x00b"} {
		_, err := e.svc.RenameTenant(e.ctx, cli, e.tenant.ID, bad)
		wantErr[*directory.ValidationError](t, err, "rename to "+bad)
	}
	_, err = e.svc.RenameTenant(e.ctx, cli, 9999, "x")
	wantIs(t, err, directory.ErrNotFound, "rename a missing tenant")
	tn, _ := e.svc.Tenant(e.ctx, e.tenant.ID)
	if tn.Name != "Acme Corporation" {
		t.Errorf("read back %q", tn.Name)
	}
})

var _ = add("AdminAuditEventsAfter", func(t *testing.T, e *env) {
	var ids []string
	for _, n := range []string{"a", "b", "c"} {
		ids = append(ids, e.user(t, admin, &directory.User{UserName: n}).ID)
	}
	e.update(t, cli, ids[0], func(u *directory.User) { u.Title = "x" })
	all, err := e.svc.AuditEventsAfter(e.ctx, e.tenant.ID, 0, directory.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// tenant.create, three user.create, one user.update: oldest first.
	if len(all) != 5 || all[0].Action != "tenant.create" || all[4].Action != "user.update" {
		t.Fatalf("events: %d", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Errorf("not oldest first: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	// Pages resume after the last id.
	page, _ := e.svc.AuditEventsAfter(e.ctx, e.tenant.ID, all[1].ID, directory.AuditQuery{Limit: 2})
	if len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
		t.Errorf("page after %d: %+v", all[1].ID, page)
	}
	for _, tt := range []struct {
		name string
		q    directory.AuditQuery
		want int
	}{
		{"action", directory.AuditQuery{Action: "user.create"}, 3},
		{"action prefix", directory.AuditQuery{Action: "user."}, 4},
		{"target", directory.AuditQuery{TargetID: ids[0]}, 2},
		{"actor", directory.AuditQuery{ActorID: admin.ID}, 3},
		{"since", directory.AuditQuery{Since: all[3].At}, 2},
		{"until", directory.AuditQuery{Until: all[1].At}, 1},
	} {
		got, err := e.svc.AuditEventsAfter(e.ctx, e.tenant.ID, 0, tt.q)
		if err != nil || len(got) != tt.want {
			t.Errorf("%s: %d events, %v; want %d", tt.name, len(got), err, tt.want)
		}
	}
	other, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	if got, _ := e.svc.AuditEventsAfter(e.ctx, other.ID, 0, directory.AuditQuery{}); len(got) != 1 {
		t.Errorf("another tenant sees %d events, want its own 1", len(got))
	}
})
