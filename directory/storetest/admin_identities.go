package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
)

var _ = add("AdminIdentityFlow", func(t *testing.T, e *env) {
	u := e.user(t, admin, &directory.User{UserName: "cust", Role: directory.RoleCustomer,
		Identities: []directory.Identity{email("old@cust.example", true),
			{Kind: directory.KindPhone, Value: "+15551234567", Type: "mobile", Registered: true, Verified: true}}})
	old := u.IdentitiesOf(directory.KindEmail)[0]
	mobile := u.IdentitiesOf(directory.KindPhone)[0]

	// Added: unverified and not primary, whatever is asked.
	u, added, err := e.svc.AddIdentity(e.ctx, admin, e.tenant.ID, u.ID, u.Version, directory.Identity{
		Kind: directory.KindEmail, Value: " new@cust.example ", Type: "work", Primary: true, Verified: true, Registered: true})
	if err != nil {
		t.Fatal(err)
	}
	if added.ID == "" || added.Value != "new@cust.example" || added.Primary || added.Verified || added.Registered {
		t.Errorf("added %+v", added)
	}
	// The same value twice, a malformed one, an unknown kind: refused.
	for _, bad := range []directory.Identity{
		{Kind: directory.KindEmail, Value: "NEW@cust.example"},
		{Kind: directory.KindEmail, Value: "not an email"},
		{Kind: "fax", Value: "1"},
	} {
		_, _, err := e.svc.AddIdentity(e.ctx, admin, e.tenant.ID, u.ID, 0, bad)
		wantErr[*directory.ValidationError](t, err, "add "+bad.Value)
	}
	// An email another user has is a conflict naming it.
	e.user(t, admin, &directory.User{UserName: "other", Identities: []directory.Identity{email("taken@cust.example", true)}})
	_, _, err = e.svc.AddIdentity(e.ctx, admin, e.tenant.ID, u.ID, 0, directory.Identity{Kind: directory.KindEmail, Value: "Taken@cust.example"})
	if ce := wantErr[*directory.ConflictError](t, err, "email of another user"); ce.Field != directory.FieldEmails || !strings.Contains(ce.Detail(), "aken@cust.example") {
		t.Errorf("conflict %+v: %s", ce, ce.Detail())
	}

	// Not primary until verified.
	_, err = e.svc.MakePrimary(e.ctx, admin, e.tenant.ID, u.ID, added.ID, 0)
	if ie := wantErr[*directory.InvariantError](t, err, "unverified primary"); ie.Rule != directory.RuleVerifiedPrimary {
		t.Errorf("rule %s", ie.Rule)
	}
	u, err = e.svc.VerifyIdentity(e.ctx, admin, e.tenant.ID, u.ID, added.ID, u.Version)
	if err != nil {
		t.Fatal(err)
	}
	u, err = e.svc.MakePrimary(e.ctx, admin, e.tenant.ID, u.ID, added.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if u.PrimaryEmail() != "new@cust.example" {
		t.Errorf("primary is %s", u.PrimaryEmail())
	}
	for _, id := range u.IdentitiesOf(directory.KindEmail) {
		if id.Primary != (id.ID == added.ID) {
			t.Errorf("after make primary: %+v", id)
		}
	}
	u, err = e.svc.RemoveIdentity(e.ctx, admin, e.tenant.ID, u.ID, old.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The only email, primary, stays; the registered mobile stays.
	_, err = e.svc.RemoveIdentity(e.ctx, admin, e.tenant.ID, u.ID, added.ID, 0)
	if ie := wantErr[*directory.InvariantError](t, err, "remove the only primary"); ie.Rule != directory.RulePrimaryIdentity {
		t.Errorf("rule %s", ie.Rule)
	}
	_, err = e.svc.RemoveIdentity(e.ctx, admin, e.tenant.ID, u.ID, mobile.ID, 0)
	if ie := wantErr[*directory.InvariantError](t, err, "remove the registered mobile"); ie.Rule != directory.RuleRegisteredMobile {
		t.Errorf("rule %s", ie.Rule)
	}
	// Missing identities and users are not found; a stale version is a
	// precondition failure.
	for _, id := range []string{old.ID, "not-an-id"} {
		_, err = e.svc.VerifyIdentity(e.ctx, admin, e.tenant.ID, u.ID, id, 0)
		wantIs(t, err, directory.ErrNotFound, "verify identity "+id)
	}
	_, err = e.svc.VerifyIdentity(e.ctx, admin, e.tenant.ID, "0195d3a0-0000-7000-8000-000000000000", added.ID, 0)
	wantIs(t, err, directory.ErrNotFound, "identity of a missing user")
	_, err = e.svc.VerifyIdentity(e.ctx, admin, e.tenant.ID, u.ID, added.ID, u.Version-1)
	wantIs(t, err, directory.ErrPrecondition, "stale version")

	got := e.reread(t, u.ID)
	if emails := got.IdentitiesOf(directory.KindEmail); len(emails) != 1 || emails[0].ID != added.ID || !emails[0].Primary || !emails[0].Verified {
		t.Errorf("emails at the end: %+v", emails)
	}
	var actions []string
	for _, ev := range e.audit(t, u.ID) {
		actions = append(actions, ev.Action+"/"+ev.Outcome)
	}
	want := []string{"user.create/success", "user.identity.add/success",
		"user.identity.primary/denied", "user.identity.verify/success", "user.identity.primary/success",
		"user.identity.remove/success", "user.identity.remove/denied", "user.identity.remove/denied"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit:\n got %v\nwant %v", actions, want)
	}
})

var _ = add("AdminIdentitiesOfIdPUsers", func(t *testing.T, e *env) {
	u := e.user(t, idp, &directory.User{UserName: "ada@acme.example", Active: true,
		Identities: []directory.Identity{email("ada@acme.example", true)}})
	id := u.Identities[0].ID
	_, _, err := e.svc.AddIdentity(e.ctx, admin, e.tenant.ID, u.ID, 0, directory.Identity{Kind: directory.KindEmail, Value: "ada@home.example"})
	if ro := wantErr[*directory.ReadOnlyError](t, err, "add an email to an IdP user"); ro.Field != directory.FieldEmails {
		t.Errorf("field %s", ro.Field)
	}
	_, err = e.svc.RemoveIdentity(e.ctx, admin, e.tenant.ID, u.ID, id, 0)
	wantErr[*directory.ReadOnlyError](t, err, "remove an IdP user's email")
	// A kind the IdP never sent stays the tenant's.
	u, added, err := e.svc.AddIdentity(e.ctx, admin, e.tenant.ID, u.ID, 0, directory.Identity{Kind: directory.KindPhone, Value: "+15550001111", Type: "work"})
	if err != nil {
		t.Fatal(err)
	}
	// ... and an IdP PUT without phone numbers leaves it.
	after := e.update(t, idp, u.ID, func(u *directory.User) { u.Title = "Engineer" })
	if phones := after.IdentitiesOf(directory.KindPhone); len(phones) != 1 || phones[0].ID != added.ID {
		t.Errorf("phones after an IdP write: %+v", phones)
	}
	if got := e.reread(t, u.ID); got.Version != after.Version {
		t.Errorf("version %d", got.Version)
	}
})

var _ = add("AdminIdPTeamMembersReadOnly", func(t *testing.T, e *env) {
	u := e.users(t, 2, "m")
	// Created by the IdP without members, as Okta does before it pushes
	// them: the membership is still the IdP's.
	tm, err := e.svc.CreateTeam(e.ctx, idp, e.tenant.ID, &directory.Team{DisplayName: "Pushed"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*directory.MemberChange{{Add: []string{u[0]}}, {Remove: []string{u[0]}}} {
		_, err = e.svc.UpdateTeam(e.ctx, admin, e.tenant.ID, tm.ID, 0, nil, c)
		if ro := wantErr[*directory.ReadOnlyError](t, err, "local member change of an IdP team"); ro.Field != directory.FieldMembers {
			t.Errorf("field %s", ro.Field)
		}
	}
	_, err = e.svc.UpdateTeam(e.ctx, admin, e.tenant.ID, tm.ID, 0, func(t *directory.Team) error { t.DisplayName = "Mine"; return nil }, nil)
	wantErr[*directory.ReadOnlyError](t, err, "local rename of an IdP team")
	if err := e.svc.DeleteTeam(e.ctx, admin, e.tenant.ID, tm.ID, 0); err == nil {
		t.Error("local delete of an IdP team accepted")
	}
	if got, _ := e.svc.Team(e.ctx, e.tenant.ID, tm.ID, true); got.Version != 1 || len(got.Members) != 0 {
		t.Errorf("refused changes wrote: %+v", got)
	}
	// The IdP itself changes it freely.
	if _, err := e.svc.UpdateTeam(e.ctx, idp, e.tenant.ID, tm.ID, 0, nil, &directory.MemberChange{Add: u}); err != nil {
		t.Fatal(err)
	}
	// A local team is the tenant's.
	local, err := e.svc.CreateTeam(e.ctx, admin, e.tenant.ID, &directory.Team{DisplayName: "Local"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdateTeam(e.ctx, cli, e.tenant.ID, local.ID, 0, nil, &directory.MemberChange{Add: u[:1]}); err != nil {
		t.Fatal(err)
	}
})

var _ = add("AdminTeamMembersPaged", func(t *testing.T, e *env) {
	u := e.users(t, 7, "p")
	tm, err := e.svc.CreateTeam(e.ctx, admin, e.tenant.ID, &directory.Team{DisplayName: "Big"}, u)
	if err != nil {
		t.Fatal(err)
	}
	empty, _ := e.svc.CreateTeam(e.ctx, admin, e.tenant.ID, &directory.Team{DisplayName: "Empty"}, nil)
	var seen []string
	q := directory.MemberQuery{Limit: 3, Count: true}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		page, err := e.svc.TeamMembers(e.ctx, e.tenant.ID, tm.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 7 {
			t.Errorf("total %d", page.Total)
		}
		for _, m := range page.Members {
			if !strings.HasPrefix(m.UserName, "p") {
				t.Errorf("member %+v", m)
			}
			seen = append(seen, m.UserID)
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	if !slices.Equal(seen, sorted(u)) {
		t.Errorf("paged members %v, want %v", seen, sorted(u))
	}
	page, err := e.svc.TeamMembers(e.ctx, e.tenant.ID, empty.ID, directory.MemberQuery{Limit: 10, Count: true})
	if err != nil || len(page.Members) != 0 || page.Total != 0 || page.Next != "" {
		t.Errorf("empty team: %+v %v", page, err)
	}
	// Only the count.
	if page, _ := e.svc.TeamMembers(e.ctx, e.tenant.ID, tm.ID, directory.MemberQuery{Count: true}); page.Total != 7 || len(page.Members) != 0 {
		t.Errorf("count only: %+v", page)
	}
	_, err = e.svc.TeamMembers(e.ctx, e.tenant.ID, tm.ID, directory.MemberQuery{Limit: 3, After: "bogus"})
	wantErr[*directory.ValidationError](t, err, "bad cursor")
	if err := e.svc.DeleteTeam(e.ctx, admin, e.tenant.ID, tm.ID, 0); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{tm.ID, "not-an-id"} {
		_, err = e.svc.TeamMembers(e.ctx, e.tenant.ID, id, directory.MemberQuery{Limit: 3})
		wantIs(t, err, directory.ErrNotFound, "members of team "+id)
	}
})
