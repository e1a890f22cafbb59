package storetest

import (
	"slices"
	"testing"

	"github.com/scimd/scimd/directory"
)

var _ = add("AdminOrganizations", func(t *testing.T, e *env) {
	org, err := e.svc.CreateOrganization(e.ctx, admin, e.tenant.ID, &directory.Organization{Name: "Initech", Domains: []string{"initech.example"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.svc.CreateOrganization(e.ctx, admin, e.tenant.ID, &directory.Organization{Name: "Globex", Domains: []string{"globex.example"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Organization(e.ctx, e.tenant.ID, org.ID)
	if err != nil || got.Name != "Initech" || !slices.Equal(got.Domains, []string{"initech.example"}) {
		t.Fatalf("organization = %+v, %v", got, err)
	}
	for _, id := range []string{"0195d3a0-0000-7000-8000-000000000000", "not-an-id"} {
		_, err := e.svc.Organization(e.ctx, e.tenant.ID, id)
		wantIs(t, err, directory.ErrNotFound, "organization "+id)
	}

	// Rename and set domains: new customers are placed by the new ones.
	renamed, err := e.svc.UpdateOrganization(e.ctx, admin, e.tenant.ID, org.ID, func(o *directory.Organization) error {
		o.Name, o.Domains = "Initech Corp", []string{"INITECH.example", "initrode.example", "initech.example"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if renamed.Name != "Initech Corp" || !slices.Equal(renamed.Domains, []string{"initech.example", "initrode.example"}) || !renamed.Updated.After(org.Updated) {
		t.Errorf("after update: %+v", renamed)
	}
	if got, _ := e.svc.Organization(e.ctx, e.tenant.ID, org.ID); !slices.Equal(got.Domains, renamed.Domains) || got.Name != "Initech Corp" {
		t.Errorf("read back %+v", got)
	}
	c := e.user(t, admin, &directory.User{UserName: "milton", Role: directory.RoleCustomer,
		Identities: []directory.Identity{email("milton@initrode.example", true)}})
	if c.OrganizationID != org.ID {
		t.Errorf("customer of a new domain placed in %q, want %s", c.OrganizationID, org.ID)
	}
	// A name or domain another organization has is a conflict that names
	// it, and nothing changes.
	_, err = e.svc.UpdateOrganization(e.ctx, admin, e.tenant.ID, org.ID, func(o *directory.Organization) error { o.Name = "GLOBEX"; return nil })
	if ce := wantErr[*directory.ConflictError](t, err, "name of another organization"); ce.Field != directory.FieldOrgName || ce.Value != "GLOBEX" {
		t.Errorf("conflict %+v", ce)
	}
	_, err = e.svc.UpdateOrganization(e.ctx, admin, e.tenant.ID, org.ID, func(o *directory.Organization) error {
		o.Domains = append(o.Domains, "globex.example")
		return nil
	})
	if ce := wantErr[*directory.ConflictError](t, err, "domain of another organization"); ce.Field != directory.FieldOrgDomains || ce.Value != "globex.example" {
		t.Errorf("conflict %+v", ce)
	}
	_, err = e.svc.UpdateOrganization(e.ctx, admin, e.tenant.ID, org.ID, func(o *directory.Organization) error { o.Domains = []string{"not a domain"}; return nil })
	wantErr[*directory.ValidationError](t, err, "malformed domain")
	if got, _ := e.svc.Organization(e.ctx, e.tenant.ID, org.ID); got.Name != "Initech Corp" || len(got.Domains) != 2 {
		t.Errorf("refused updates wrote: %+v", got)
	}
	_, err = e.svc.UpdateOrganization(e.ctx, admin, e.tenant.ID, "0195d3a0-0000-7000-8000-000000000000", func(*directory.Organization) error { return nil })
	wantIs(t, err, directory.ErrNotFound, "update a missing organization")

	// A user is placed only in an organization the tenant has.
	_, err = e.svc.UpdateUser(e.ctx, admin, e.tenant.ID, c.ID, 0, func(u *directory.User) error {
		u.OrganizationID = "0195d3a0-0000-7000-8000-000000000000"
		return nil
	})
	if ve := wantErr[*directory.ValidationError](t, err, "missing organization"); ve.Field != directory.FieldOrganizationID {
		t.Errorf("field %s", ve.Field)
	}
	moved := e.update(t, admin, c.ID, func(u *directory.User) { u.OrganizationID = other.ID })
	if moved.OrganizationID != other.ID {
		t.Errorf("moved to %q", moved.OrganizationID)
	}
	e.update(t, admin, c.ID, func(u *directory.User) { u.OrganizationID = org.ID })

	// Deleting takes its customers out (their version moves) and frees its
	// domains; the customers stay.
	before := e.reread(t, c.ID)
	if err := e.svc.DeleteOrganization(e.ctx, admin, e.tenant.ID, org.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Organization(e.ctx, e.tenant.ID, org.ID)
	wantIs(t, err, directory.ErrNotFound, "deleted organization")
	wantIs(t, e.svc.DeleteOrganization(e.ctx, admin, e.tenant.ID, org.ID), directory.ErrNotFound, "delete twice")
	after := e.reread(t, c.ID)
	if after.OrganizationID != "" || after.Version != before.Version+1 {
		t.Errorf("customer after delete: organization %q version %d (was %d)", after.OrganizationID, after.Version, before.Version)
	}
	if _, err := e.svc.CreateOrganization(e.ctx, admin, e.tenant.ID, &directory.Organization{Name: "Initech", Domains: []string{"initech.example"}}); err != nil {
		t.Errorf("name and domain of a deleted organization: %v", err)
	}
	orgs, _ := e.svc.Organizations(e.ctx, e.tenant.ID)
	if len(orgs) != 2 {
		t.Errorf("%d organizations, want 2", len(orgs))
	}
	evs := e.audit(t, org.ID)
	var actions []string
	for _, ev := range evs {
		actions = append(actions, ev.Action)
	}
	if !slices.Equal(actions, []string{"organization.create", "organization.update", "organization.delete"}) {
		t.Errorf("audit: %v", actions)
	}
	if last := evs[len(evs)-1]; len(last.Changes) != 3 || last.Changes[2].Field != "customers" {
		t.Errorf("delete event: %+v", last)
	}
	// Another tenant sees none of it.
	globex, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	_, err = e.svc.Organization(e.ctx, globex.ID, other.ID)
	wantIs(t, err, directory.ErrNotFound, "organization of another tenant")
	wantIs(t, e.svc.DeleteOrganization(e.ctx, admin, globex.ID, other.ID), directory.ErrNotFound, "delete from another tenant")
})

var _ = add("AdminDeleteCustomField", func(t *testing.T, e *env) {
	for _, f := range []*directory.CustomField{
		{Name: "Tier", Type: directory.CustomOptions, Options: []string{"gold", "silver"}},
		{Name: "vip", Type: directory.CustomBool},
	} {
		if _, err := e.svc.DefineCustomField(e.ctx, admin, e.tenant.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	a := e.user(t, admin, &directory.User{UserName: "a", Custom: map[string]any{"tier": "gold", "vip": true}})
	b := e.user(t, admin, &directory.User{UserName: "b", Custom: map[string]any{"vip": false}})
	gone := e.user(t, admin, &directory.User{UserName: "gone", Custom: map[string]any{"tier": "silver"}})
	if err := e.svc.DeleteUser(e.ctx, admin, e.tenant.ID, gone.ID, 0); err != nil {
		t.Fatal(err)
	}
	// Matched in any case; values go with the definition.
	if err := e.svc.DeleteCustomField(e.ctx, admin, e.tenant.ID, "TIER"); err != nil {
		t.Fatal(err)
	}
	wantIs(t, e.svc.DeleteCustomField(e.ctx, admin, e.tenant.ID, "tier"), directory.ErrNotFound, "delete twice")
	got := e.reread(t, a.ID)
	if len(got.Custom) != 1 || got.Custom["vip"] != true || got.Version != a.Version+1 {
		t.Errorf("a after delete: custom %v version %d", got.Custom, got.Version)
	}
	if got := e.reread(t, b.ID); got.Version != b.Version {
		t.Errorf("a user without the field moved to version %d", got.Version)
	}
	// The user stays writable: no value is left without a definition.
	e.update(t, admin, a.ID, func(u *directory.User) { u.Title = "x"; u.Custom["vip"] = false })
	_, err := e.svc.UpdateUser(e.ctx, admin, e.tenant.ID, a.ID, 0, func(u *directory.User) error {
		u.Custom["tier"] = "gold"
		return nil
	})
	wantErr[*directory.ValidationError](t, err, "value of a deleted field")
	fields, _ := e.svc.CustomFields(e.ctx, e.tenant.ID)
	if len(fields) != 1 || fields[0].Name != "vip" {
		t.Errorf("fields = %+v", fields)
	}
	// A boolean field's values go too (false included).
	if err := e.svc.DeleteCustomField(e.ctx, admin, e.tenant.ID, "vip"); err != nil {
		t.Fatal(err)
	}
	if got := e.reread(t, b.ID); len(got.Custom) != 0 || got.Version != b.Version+1 {
		t.Errorf("b after deleting vip: custom %v version %d", got.Custom, got.Version)
	}
	evs := e.audit(t, "Tier")
	if last := evs[len(evs)-1]; last.Action != "customfield.delete" || len(last.Changes) != 2 || last.Changes[1].Before != float64(1) {
		t.Errorf("delete event: %+v", last)
	}
	// Redefined, it starts empty.
	if _, err := e.svc.DefineCustomField(e.ctx, admin, e.tenant.ID, &directory.CustomField{Name: "tier", Type: directory.CustomText}); err != nil {
		t.Fatal(err)
	}
	if got := e.reread(t, a.ID); got.Custom["tier"] != nil {
		t.Errorf("old value came back: %v", got.Custom)
	}
})
