package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/scimd/scimd/directory"
)

var _ = add("IdPOwnedFieldsAreReadOnlyLocally", func(t *testing.T, e *env) {
	u := e.user(t, idp, &directory.User{UserName: "ada@acme.example", Title: "Engineer", Active: true,
		Identities: []directory.Identity{email("ada@acme.example", true)}})
	for _, tt := range []struct {
		field string
		edit  func(*directory.User)
	}{
		{directory.FieldTitle, func(u *directory.User) { u.Title = "CEO" }},
		{directory.FieldUserName, func(u *directory.User) { u.UserName = "eve@acme.example" }},
		{directory.FieldEmails, func(u *directory.User) {
			u.SetIdentities(directory.KindEmail, []directory.Identity{email("eve@acme.example", true)})
		}},
		{directory.FieldActive, func(u *directory.User) { u.Active = false }},
	} {
		for _, a := range []directory.Actor{admin, cli, asUser(directory.RoleOwner)} {
			_, err := e.svc.UpdateUser(e.ctx, a, e.tenant.ID, u.ID, 0, func(u *directory.User) error { tt.edit(u); return nil })
			ro := wantErr[*directory.ReadOnlyError](t, err, "local edit of "+tt.field)
			if ro.Field != tt.field || ro.Owner != "idp" ||
				ro.Error() != tt.field+" is managed by your identity provider; change it there and it will sync" {
				t.Errorf("read-only error = %+v: %s", ro, ro.Error())
			}
		}
	}
	if got := e.reread(t, u.ID); got.Version != 1 || got.Title != "Engineer" {
		t.Errorf("refused edits wrote: version %d title %q", got.Version, got.Title)
	}
	// Refusals are audited as denied, never as success.
	evs := e.audit(t, u.ID)
	for _, ev := range evs[1:] {
		if ev.Outcome != directory.OutcomeDenied || !strings.Contains(ev.Reason, "identity provider") {
			t.Errorf("event after refusals: %+v", ev)
		}
	}
	// Local fields stay editable, and the IdP never clears them.
	local := e.update(t, admin, u.ID, func(u *directory.User) {
		u.Extension, u.Timezone, u.Availability = "4242", "Europe/Paris", directory.Away
	})
	if local.Source != directory.SourceSCIM || local.IdPOwned.Has(directory.FieldExtension) {
		t.Errorf("local edit changed ownership: %+v", local.IdPOwned)
	}
	after := e.update(t, idp, u.ID, func(u *directory.User) { u.Title = "CTO" })
	if after.Extension != "4242" || after.Timezone != "Europe/Paris" || after.Availability != directory.Away || after.Title != "CTO" {
		t.Errorf("IdP update touched local fields: %+v", after)
	}
	// The IdP may take a local field over; then it is read-only locally too.
	after = e.update(t, idp, u.ID, func(u *directory.User) { u.Timezone = "Asia/Tokyo" })
	_, err := e.svc.UpdateUser(e.ctx, admin, e.tenant.ID, u.ID, 0, func(u *directory.User) error { u.Timezone = "UTC"; return nil })
	wantErr[*directory.ReadOnlyError](t, err, "local edit after the IdP took timezone over")
	// A local user is entirely local.
	l := e.user(t, admin, &directory.User{UserName: "local", Title: "x"})
	if l.Source != directory.SourceLocal || len(l.IdPOwned) != 0 {
		t.Errorf("local user: source %s owned %v", l.Source, l.IdPOwned)
	}
	e.update(t, admin, l.ID, func(u *directory.User) { u.Title = "y"; u.UserName = "local2" })
	// Deleting an active IdP user is the IdP's job; once the IdP has
	// deactivated it, admins may.
	wantErr[*directory.ReadOnlyError](t, e.svc.DeleteUser(e.ctx, admin, e.tenant.ID, u.ID, 0), "local delete of an active IdP user")
	e.update(t, idp, u.ID, func(u *directory.User) { u.Active = false })
	if err := e.svc.DeleteUser(e.ctx, admin, e.tenant.ID, u.ID, 0); err != nil {
		t.Errorf("local delete of a deactivated IdP user: %v", err)
	}
})

var _ = add("LastAdminStays", func(t *testing.T, e *env) {
	owner := e.user(t, cli, &directory.User{UserName: "owner", Role: directory.RoleOwner, Active: true})
	for _, tt := range []struct {
		name string
		do   func() error
	}{
		{"disable", func() error {
			_, err := e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, owner.ID, 0, func(u *directory.User) error { u.Active = false; return nil })
			return err
		}},
		{"demote", func() error {
			_, err := e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, owner.ID, 0, func(u *directory.User) error { u.Role = directory.RoleAgent; return nil })
			return err
		}},
		{"delete", func() error { return e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, owner.ID, 0) }},
	} {
		err := tt.do()
		ie := wantErr[*directory.InvariantError](t, err, tt.name+" the last admin")
		if ie.Rule != directory.RuleLastAdmin || !strings.Contains(ie.Detail, "last active owner or admin") {
			t.Errorf("%s: %+v", tt.name, ie)
		}
	}
	if got := e.reread(t, owner.ID); !got.Active || got.Role != directory.RoleOwner || got.Version != 1 {
		t.Errorf("refusals changed the owner: %+v", got)
	}
	denied := 0
	for _, ev := range e.audit(t, owner.ID) {
		if ev.Outcome == directory.OutcomeDenied && strings.Contains(ev.Reason, "last active owner") {
			denied++
		}
	}
	if denied != 3 {
		t.Errorf("%d denied events recorded, want 3", denied)
	}
	// With a second admin, the owner can go.
	e.user(t, idp, &directory.User{UserName: "admin2", Role: directory.RoleAdmin, Active: true})
	e.update(t, idp, owner.ID, func(u *directory.User) { u.Active = false })
	// A disabled admin doesn't count, so admin2 is now the last.
	page, _ := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Filter: directory.Cmp{Attr: directory.AttrUserName, Op: directory.OpEq, Value: "admin2"}, Limit: 1})
	_, err := e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, page.Users[0].ID, 0, func(u *directory.User) error { u.Role = directory.RoleCustomer; return nil })
	wantErr[*directory.InvariantError](t, err, "demote the last active admin")
})

var _ = add("OwnerProtected", func(t *testing.T, e *env) {
	owner := e.user(t, cli, &directory.User{UserName: "owner", Role: directory.RoleOwner, Active: true})
	agent := e.user(t, cli, &directory.User{UserName: "agent", Active: true})
	byAdmin := asUser(directory.RoleAdmin)
	_, err := e.svc.UpdateUser(e.ctx, byAdmin, e.tenant.ID, owner.ID, 0, func(u *directory.User) error { u.Extension = "1"; return nil })
	if ie := wantErr[*directory.InvariantError](t, err, "admin edits owner"); ie.Rule != directory.RuleOwnerProtected {
		t.Errorf("rule %s", ie.Rule)
	}
	_, err = e.svc.UpdateUser(e.ctx, byAdmin, e.tenant.ID, agent.ID, 0, func(u *directory.User) error { u.Role = directory.RoleOwner; return nil })
	wantErr[*directory.InvariantError](t, err, "admin makes an owner")
	_, err = e.svc.CreateUser(e.ctx, byAdmin, e.tenant.ID, &directory.User{UserName: "o2", Role: directory.RoleOwner})
	wantErr[*directory.InvariantError](t, err, "admin creates an owner")
	wantErr[*directory.InvariantError](t, e.svc.DeleteUser(e.ctx, byAdmin, e.tenant.ID, owner.ID, 0), "admin deletes owner")
	// The IdP never makes owners, but may write to one.
	_, err = e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "o3", Role: directory.RoleOwner})
	wantErr[*directory.InvariantError](t, err, "IdP creates an owner")
	_, err = e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, agent.ID, 0, func(u *directory.User) error { u.Role = directory.RoleOwner; return nil })
	wantErr[*directory.InvariantError](t, err, "IdP makes an owner")
	e.update(t, idp, owner.ID, func(u *directory.User) { u.Title = "Founder" })
	// An admin edits everyone else; an owner edits owners.
	e.update(t, byAdmin, agent.ID, func(u *directory.User) { u.Extension = "2" })
	e.update(t, asUser(directory.RoleOwner), owner.ID, func(u *directory.User) { u.Extension = "1" })
})

var _ = add("IdentityRules", func(t *testing.T, e *env) {
	u := e.user(t, admin, &directory.User{UserName: "cust", Role: directory.RoleCustomer,
		Identities: []directory.Identity{email("only@cust.example", true),
			{Kind: directory.KindPhone, Value: "+15551234567", Type: "mobile", Registered: true, Verified: true}}})
	// The only email, primary, can't be removed.
	_, err := e.svc.UpdateUser(e.ctx, admin, e.tenant.ID, u.ID, 0, func(u *directory.User) error {
		u.SetIdentities(directory.KindEmail, nil)
		return nil
	})
	if ie := wantErr[*directory.InvariantError](t, err, "remove the only primary email"); ie.Rule != directory.RulePrimaryIdentity {
		t.Errorf("rule %s", ie.Rule)
	}
	// Add a second email: it can't become primary until verified.
	u = e.update(t, admin, u.ID, func(u *directory.User) {
		u.Identities = append(u.Identities, email("new@cust.example", false))
	})
	_, err = e.svc.UpdateUser(e.ctx, admin, e.tenant.ID, u.ID, 0, func(u *directory.User) error {
		for i := range u.Identities {
			if u.Identities[i].Kind == directory.KindEmail {
				u.Identities[i].Primary = u.Identities[i].Value == "new@cust.example"
			}
		}
		return nil
	})
	if ie := wantErr[*directory.InvariantError](t, err, "unverified primary"); ie.Rule != directory.RuleVerifiedPrimary {
		t.Errorf("rule %s", ie.Rule)
	}
	// Verify, make primary, remove the old one: the flow admins know.
	u = e.update(t, admin, u.ID, func(u *directory.User) {
		for i := range u.Identities {
			if u.Identities[i].Value == "new@cust.example" {
				u.Identities[i].Verified = true
			}
		}
	})
	u = e.update(t, admin, u.ID, func(u *directory.User) {
		for i := range u.Identities {
			if u.Identities[i].Kind == directory.KindEmail {
				u.Identities[i].Primary = u.Identities[i].Value == "new@cust.example"
			}
		}
	})
	u = e.update(t, admin, u.ID, func(u *directory.User) {
		u.SetIdentities(directory.KindEmail, []directory.Identity{{Value: "new@cust.example", Type: "work", Primary: true, Verified: true}})
	})
	if got := e.reread(t, u.ID); got.PrimaryEmail() != "new@cust.example" || len(got.IdentitiesOf(directory.KindEmail)) != 1 {
		t.Errorf("after the flow: %+v", got.Identities)
	}
	// The registered mobile number can't be edited, by anyone.
	for _, a := range []directory.Actor{admin, cli, idp} {
		_, err = e.svc.UpdateUser(e.ctx, a, e.tenant.ID, u.ID, 0, func(u *directory.User) error {
			for i := range u.Identities {
				if u.Identities[i].Registered {
					u.Identities[i].Value = "+15550000000"
				}
			}
			return nil
		})
		ie := wantErr[*directory.InvariantError](t, err, "edit the registered mobile")
		if ie.Rule != directory.RuleRegisteredMobile || !strings.Contains(ie.Detail, "create a new user") {
			t.Errorf("registered mobile: %+v", ie)
		}
	}
})

var _ = add("Seats", func(t *testing.T, e *env) {
	if _, err := e.svc.SetSeats(e.ctx, cli, e.tenant.ID, 2); err != nil {
		t.Fatal(err)
	}
	a := e.user(t, idp, &directory.User{UserName: "a", Active: true})
	e.user(t, idp, &directory.User{UserName: "b", Active: true, Role: directory.RoleAdmin})
	// Customers and inactive staff take no seat.
	e.user(t, idp, &directory.User{UserName: "cust", Active: true, Role: directory.RoleCustomer})
	off := e.user(t, idp, &directory.User{UserName: "off", Active: false})
	_, err := e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "c", Active: true})
	ie := wantErr[*directory.InvariantError](t, err, "third staff member on 2 seats")
	if ie.Rule != directory.RuleSeats || !strings.Contains(ie.Detail, "all 2 seats") {
		t.Errorf("seats error: %+v", ie)
	}
	_, err = e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, off.ID, 0, func(u *directory.User) error { u.Active = true; return nil })
	wantErr[*directory.InvariantError](t, err, "enabling staff over the seats")
	if usage, err := e.svc.Seats(e.ctx, e.tenant.ID); err != nil || usage != (directory.SeatUsage{Seats: 2, Used: 2, Available: 0}) {
		t.Errorf("usage = %+v, %v", usage, err)
	}
	// Disabling frees a seat; deleting too.
	e.update(t, idp, a.ID, func(u *directory.User) { u.Active = false })
	e.update(t, idp, off.ID, func(u *directory.User) { u.Active = true })
	if err := e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, off.ID, 0); err != nil {
		t.Fatal(err)
	}
	e.user(t, idp, &directory.User{UserName: "c", Active: true})
	// The limit can't go below what is used; unlimited lifts it.
	_, err = e.svc.SetSeats(e.ctx, cli, e.tenant.ID, 1)
	wantErr[*directory.InvariantError](t, err, "seats below use")
	if _, err := e.svc.SetSeats(e.ctx, cli, e.tenant.ID, 0); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"d", "e", "f"} {
		e.user(t, idp, &directory.User{UserName: n, Active: true})
	}
	// Limiting again counts who is there.
	if _, err := e.svc.SetSeats(e.ctx, cli, e.tenant.ID, 5); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "g", Active: true})
	wantErr[*directory.InvariantError](t, err, "sixth staff member on 5 seats")
	if _, err := e.svc.SetSeats(e.ctx, cli, e.tenant.ID, -1); err == nil {
		t.Error("negative seats accepted")
	}
})

var _ = add("CustomFieldsAndOrganizations", func(t *testing.T, e *env) {
	for _, f := range []*directory.CustomField{
		{Name: "tier", Type: directory.CustomOptions, Options: []string{"gold", "silver"}},
		{Name: "vip", Type: directory.CustomBool},
		{Name: "since", Type: directory.CustomDate},
	} {
		if _, err := e.svc.DefineCustomField(e.ctx, cli, e.tenant.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.DefineCustomField(e.ctx, cli, e.tenant.ID, &directory.CustomField{Name: "TIER", Type: directory.CustomText})
	wantErr[*directory.ConflictError](t, err, "custom field defined twice")
	_, err = e.svc.DefineCustomField(e.ctx, cli, e.tenant.ID, &directory.CustomField{Name: "1bad", Type: directory.CustomText})
	wantErr[*directory.ValidationError](t, err, "bad custom field name")
	fields, err := e.svc.CustomFields(e.ctx, e.tenant.ID)
	if err != nil || len(fields) != 3 || fields[2].Name != "vip" || len(fields[1].Options) != 2 {
		t.Errorf("fields = %+v %v", fields, err)
	}
	for _, bad := range []map[string]any{{"tier": "bronze"}, {"vip": "yes"}, {"since": "yesterday"}, {"vip": 3.0}} {
		_, err := e.svc.CreateUser(e.ctx, admin, e.tenant.ID, &directory.User{UserName: "x", Custom: bad})
		wantErr[*directory.ValidationError](t, err, "bad custom value")
	}
	org, err := e.svc.CreateOrganization(e.ctx, cli, e.tenant.ID, &directory.Organization{Name: "Initech", Domains: []string{"Initech.example"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateOrganization(e.ctx, cli, e.tenant.ID, &directory.Organization{Name: "Other", Domains: []string{"initech.example"}})
	wantErr[*directory.ConflictError](t, err, "domain of another organization")
	c := e.user(t, admin, &directory.User{UserName: "peter", Role: directory.RoleCustomer,
		Custom:     map[string]any{"tier": "gold", "vip": true, "since": "2026-01-31"},
		Identities: []directory.Identity{email("peter@INITECH.example", true)}})
	if c.OrganizationID != org.ID {
		t.Errorf("customer not placed in the organization of its domain: %q", c.OrganizationID)
	}
	got := e.reread(t, c.ID)
	if got.Custom["tier"] != "gold" || got.Custom["vip"] != true || got.OrganizationID != org.ID {
		t.Errorf("read back %+v", got)
	}
	// Names match in any case; text turns into the field's type.
	got = e.update(t, idp, c.ID, func(u *directory.User) {
		u.Custom = map[string]any{"TIER": "Silver", "Vip": "False", "since": "2026-02-01"}
	})
	if want := map[string]any{"tier": "silver", "vip": false, "since": "2026-02-01"}; !reflect.DeepEqual(got.Custom, want) {
		t.Errorf("custom after text values: %v, want %v", got.Custom, want)
	}
	orgs, err := e.svc.Organizations(e.ctx, e.tenant.ID)
	if err != nil || len(orgs) != 1 || orgs[0].Domains[0] != "initech.example" {
		t.Errorf("orgs = %+v %v", orgs, err)
	}
})

var _ = add("SeatLimitSetUnderLoad", func(t *testing.T, e *env) {
	// Writers create staff while the limit goes from unlimited to exactly
	// what they will reach: the count the limit starts from must include
	// every create, so that the next one is refused.
	const writers, each = 8, 6
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			<-start
			for i := range each {
				if _, err := e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: fmt.Sprintf("w%d-%d", w, i), Active: true}); err != nil {
					t.Errorf("create: %v", err)
				}
			}
		})
	}
	wg.Go(func() {
		<-start
		if _, err := e.svc.SetSeats(e.ctx, cli, e.tenant.ID, writers*each); err != nil {
			t.Errorf("set seats: %v", err)
		}
	})
	close(start)
	wg.Wait()
	tn, err := e.store.Tenant(e.ctx, e.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tn.SeatsUsed != writers*each {
		t.Errorf("seats used %d, want %d: a create escaped the count", tn.SeatsUsed, writers*each)
	}
	_, err = e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "one-too-many", Active: true})
	wantErr[*directory.InvariantError](t, err, "a create over the limit")
})
