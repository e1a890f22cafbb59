package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

var _ = add("UserRoundTrip", func(t *testing.T, e *env) {
	if _, err := e.svc.DefineCustomField(e.ctx, cli, e.tenant.ID, &directory.CustomField{Name: "shoeSize", Type: directory.CustomNumber}); err != nil {
		t.Fatal(err)
	}
	mgr := e.user(t, idp, &directory.User{UserName: "boss@acme.example", DisplayName: "The Boss", Active: true})
	in := &directory.User{
		UserName: "ada@acme.example", ExternalID: "00u1", Active: true, Role: directory.RoleAgent,
		Name: directory.Name{Formatted: "Ada Lovelace", FamilyName: "Lovelace", GivenName: "Ada", MiddleName: "King",
			HonorificPrefix: "Ms.", HonorificSuffix: "III"},
		DisplayName: "Ada", NickName: "ada", ProfileURL: "https://acme.example/ada", Title: "Engineer", UserType: "Employee",
		PreferredLanguage: "en-GB", Locale: "en-GB", Timezone: "Europe/London", Extension: "1234",
		Availability: directory.Busy, Custom: map[string]any{"shoeSize": 38.5},
		Enterprise: directory.Enterprise{EmployeeNumber: "42", CostCenter: "cc", Organization: "Acme", Division: "R&D",
			Department: "Engines", ManagerID: mgr.ID},
		Identities: []directory.Identity{email("ada@acme.example", true), email("ada@home.example", false),
			phone("+44 20 7946 0000", "mobile")},
		Multi: directory.Multi{Addresses: []directory.Address{{StreetAddress: "1 Loop", Locality: "London", Country: "GB", Type: "work", Primary: true}},
			Roles: []directory.Value{{Value: "analyst"}}},
	}
	created := e.user(t, idp, in)
	got := e.reread(t, created.ID)
	if got.Version != 1 || got.Source != directory.SourceSCIM || got.TenantID != e.tenant.ID {
		t.Errorf("version %d source %s tenant %d", got.Version, got.Source, got.TenantID)
	}
	if got.Enterprise.ManagerName != "The Boss" {
		t.Errorf("manager name = %q", got.Enterprise.ManagerName)
	}
	// Times come back in UTC, to the microsecond, equal to what was written.
	if got.Created.Location() != time.UTC || !got.Created.Equal(created.Created) || got.Created.Nanosecond()%1000 != 0 {
		t.Errorf("created = %v, want %v in UTC", got.Created, created.Created)
	}
	got.Enterprise.ManagerName, got.Groups = "", nil
	created.Enterprise.ManagerName = ""
	if !reflect.DeepEqual(got, created) {
		t.Errorf("read back:\n got %+v\nwant %+v", got, created)
	}
	for _, f := range []string{directory.FieldUserName, directory.FieldEmails, directory.FieldGivenName, directory.FieldManager, directory.FieldExtension} {
		if !got.IdPOwned.Has(f) {
			t.Errorf("IdP-created user: %s not IdP-owned (%v)", f, got.IdPOwned)
		}
	}
	for _, id := range got.Identities {
		if !id.Verified {
			t.Errorf("identity %s from the IdP not verified", id.Value)
		}
	}
})

var _ = add("UserValidation", func(t *testing.T, e *env) {
	for _, tt := range []struct {
		name  string
		u     directory.User
		field string
	}{
		{"no userName", directory.User{UserName: "  "}, directory.FieldUserName},
		{"bad timezone", directory.User{UserName: "a", Timezone: "Mars/Olympus"}, directory.FieldTimezone},
		{"Local timezone", directory.User{UserName: "a", Timezone: "Local"}, directory.FieldTimezone},
		{"bad role", directory.User{UserName: "a", Role: "god"}, directory.FieldRole},
		{"bad availability", directory.User{UserName: "a", Availability: "asleep"}, directory.FieldAvailability},
		{"bad extension", directory.User{UserName: "a", Extension: "12a"}, directory.FieldExtension},
		{"bad email", directory.User{UserName: "a", Identities: []directory.Identity{email("not an email", true)}}, directory.FieldEmails},
		{"two primaries", directory.User{UserName: "a", Identities: []directory.Identity{email("a@x.example", true), email("b@x.example", true)}}, directory.FieldEmails},
		{"same email twice", directory.User{UserName: "a", Identities: []directory.Identity{email("a@x.example", true), email("A@x.example", false)}}, directory.FieldEmails},
		{"bad manager", directory.User{UserName: "a", Enterprise: directory.Enterprise{ManagerID: "nope"}}, directory.FieldManager},
		{"NUL in title", directory.User{UserName: "a", Title: "a\x00b"}, directory.FieldTitle},
		{"unknown custom field", directory.User{UserName: "a", Custom: map[string]any{"nope": "x"}}, "custom.nope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &tt.u)
			ve := wantErr[*directory.ValidationError](t, err, tt.name)
			if ve.Field != tt.field {
				t.Errorf("field = %q, want %q (%s)", ve.Field, tt.field, ve.Detail)
			}
		})
	}
	page, err := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Count: true})
	if err != nil || page.Total != 0 {
		t.Errorf("refused creates left %d users (%v)", page.Total, err)
	}
})

var _ = add("UserNameUniqueCaseInsensitive", func(t *testing.T, e *env) {
	a := e.user(t, idp, &directory.User{UserName: "Ada@Acme.example"})
	_, err := e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "ada@ACME.example"})
	ce := wantErr[*directory.ConflictError](t, err, "same userName in other case")
	if ce.Field != directory.FieldUserName || ce.Value != "ada@ACME.example" {
		t.Errorf("conflict = %+v", ce)
	}
	if got := ce.Error(); got != "userName ada@ACME.example is already used by another user" {
		t.Errorf("detail = %q", got)
	}
	// Unicode folds the same way on every store.
	e.user(t, idp, &directory.User{UserName: "ÀDÉLE@acme.example"})
	_, err = e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "àdéle@acme.example"})
	wantErr[*directory.ConflictError](t, err, "same userName, accented, other case")
	// A deleted user does not block reuse.
	if err := e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	e.user(t, idp, &directory.User{UserName: "ada@acme.example"})
	// Another tenant is another namespace.
	other, err := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateUser(e.ctx, idp, other.ID, &directory.User{UserName: "ada@acme.example"}); err != nil {
		t.Errorf("same userName in another tenant: %v", err)
	}
})

var _ = add("EmailUniqueAmongLiveUsers", func(t *testing.T, e *env) {
	a := e.user(t, idp, &directory.User{UserName: "a", Identities: []directory.Identity{email("Shared@acme.example", true)}})
	_, err := e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: "b",
		Identities: []directory.Identity{email("other@acme.example", true), email("shared@ACME.example", false)}})
	ce := wantErr[*directory.ConflictError](t, err, "email of another user")
	if ce.Field != directory.FieldEmails || ce.Value != "shared@ACME.example" {
		t.Errorf("conflict = %+v", ce)
	}
	b := e.user(t, idp, &directory.User{UserName: "b", Identities: []directory.Identity{email("b@acme.example", true)}})
	_, err = e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, b.ID, 0, func(u *directory.User) error {
		u.SetIdentities(directory.KindEmail, []directory.Identity{email("SHARED@acme.example", true)})
		return nil
	})
	wantErr[*directory.ConflictError](t, err, "update to another user's email")
	if got := e.reread(t, b.ID); got.PrimaryEmail() != "b@acme.example" || got.Version != 1 {
		t.Errorf("refused update changed the user: %+v", got)
	}
	// Deleting frees the email.
	if err := e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	e.update(t, idp, b.ID, func(u *directory.User) {
		u.SetIdentities(directory.KindEmail, []directory.Identity{email("shared@acme.example", true)})
	})
})

var _ = add("ExtensionUnique", func(t *testing.T, e *env) {
	a := e.user(t, cli, &directory.User{UserName: "a", Extension: "100"})
	b := e.user(t, cli, &directory.User{UserName: "b"})
	_, err := e.svc.UpdateUser(e.ctx, admin, e.tenant.ID, b.ID, 0, func(u *directory.User) error { u.Extension = "100"; return nil })
	ce := wantErr[*directory.ConflictError](t, err, "extension of another user")
	if ce.Field != directory.FieldExtension || ce.Error() != "extension 100 belongs to another user; free it there first" {
		t.Errorf("conflict = %+v: %s", ce, ce.Error())
	}
	// Users without an extension don't collide with each other.
	e.user(t, cli, &directory.User{UserName: "c"})
	e.update(t, admin, a.ID, func(u *directory.User) { u.Extension = "" })
	e.update(t, admin, b.ID, func(u *directory.User) { u.Extension = "100" })
})

var _ = add("MalformedIDsAreNotFound", func(t *testing.T, e *env) {
	for _, id := range []string{"", "nope", "123", "00000000-0000-0000-0000-00000000000g", "'; DROP TABLE users; --", "0195d3a0-0000-7000-8000-000000000000x"} {
		_, err := e.svc.User(e.ctx, e.tenant.ID, id, false)
		wantIs(t, err, directory.ErrNotFound, "User("+id+")")
		_, err = e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, id, 0, func(*directory.User) error { return nil })
		wantIs(t, err, directory.ErrNotFound, "UpdateUser("+id+")")
		wantIs(t, e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, id, 0), directory.ErrNotFound, "DeleteUser("+id+")")
		_, err = e.svc.Team(e.ctx, e.tenant.ID, id, true)
		wantIs(t, err, directory.ErrNotFound, "Team("+id+")")
		wantIs(t, e.svc.RevokeToken(e.ctx, cli, e.tenant.ID, id), directory.ErrNotFound, "RevokeToken("+id+")")
	}
	// An upper-case id is the same id.
	u := e.user(t, idp, &directory.User{UserName: "a"})
	if _, err := e.svc.User(e.ctx, e.tenant.ID, upper(u.ID), false); err != nil {
		t.Errorf("upper-case id: %v", err)
	}
	// Another tenant's id is not found, and naming it as a manager shows
	// nothing of it.
	other, _ := e.svc.CreateTenant(e.ctx, cli, "globex", "", 0)
	_, err := e.svc.User(e.ctx, other.ID, u.ID, false)
	wantIs(t, err, directory.ErrNotFound, "user of another tenant")
	named := e.update(t, idp, u.ID, func(x *directory.User) { x.DisplayName = "Secret Name" })
	theirs, err := e.svc.CreateUser(e.ctx, idp, other.ID, &directory.User{UserName: "spy", Enterprise: directory.Enterprise{ManagerID: named.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.User(e.ctx, other.ID, theirs.ID, false); theirs.Enterprise.ManagerName != "" || got.Enterprise.ManagerName != "" {
		t.Errorf("another tenant's manager name leaked: %q, %q", theirs.Enterprise.ManagerName, got.Enterprise.ManagerName)
	}
})

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 32
		}
	}
	return string(b)
}

var _ = add("UpdateVersionsAndNoOps", func(t *testing.T, e *env) {
	u := e.user(t, idp, &directory.User{UserName: "a", Title: "x"})
	same := e.update(t, idp, u.ID, func(u *directory.User) { u.Title = "x" })
	if same.Version != 1 {
		t.Errorf("no-op update moved version to %d", same.Version)
	}
	if n := len(e.audit(t, u.ID)); n != 1 {
		t.Errorf("no-op update wrote audit: %d events", n)
	}
	v2 := e.update(t, idp, u.ID, func(u *directory.User) { u.Title = "y" })
	if v2.Version != 2 || !v2.Updated.After(u.Updated) {
		t.Errorf("version %d updated %v", v2.Version, v2.Updated)
	}
	_, err := e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, u.ID, 1, func(u *directory.User) error { u.Title = "z"; return nil })
	wantIs(t, err, directory.ErrPrecondition, "stale If-Match")
	if _, err := e.svc.UpdateUser(e.ctx, idp, e.tenant.ID, u.ID, 2, func(u *directory.User) error { u.Title = "z"; return nil }); err != nil {
		t.Errorf("current If-Match: %v", err)
	}
	wantIs(t, e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, u.ID, 2), directory.ErrPrecondition, "stale If-Match on delete")
	evs := e.audit(t, u.ID)
	if len(evs) != 3 || evs[1].Action != "user.update" || evs[1].Changes[0].Field != directory.FieldTitle ||
		evs[1].Changes[0].Before != "x" || evs[1].Changes[0].After != "y" {
		t.Errorf("audit = %+v", evs)
	}
})

var _ = add("DeleteKeepsTombstone", func(t *testing.T, e *env) {
	u := e.user(t, idp, &directory.User{UserName: "gone", Active: true, Extension: "7",
		Identities: []directory.Identity{email("gone@acme.example", true)}})
	tm, err := e.svc.CreateTeam(e.ctx, idp, e.tenant.ID, &directory.Team{DisplayName: "T"}, []string{u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, u.ID, 0); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.User(e.ctx, e.tenant.ID, u.ID, false)
	wantIs(t, err, directory.ErrNotFound, "deleted user")
	wantIs(t, e.svc.DeleteUser(e.ctx, idp, e.tenant.ID, u.ID, 0), directory.ErrNotFound, "deleted twice")
	page, err := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Limit: 10, Count: true})
	if err != nil || page.Total != 0 || len(page.Users) != 0 {
		t.Errorf("deleted user listed: %+v %v", page, err)
	}
	page, err = e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Limit: 10, IncludeDeleted: true})
	if err != nil || len(page.Users) != 1 || page.Users[0].Deleted == nil || page.Users[0].PrimaryEmail() != "gone@acme.example" {
		t.Fatalf("tombstone: %+v %v", page, err)
	}
	team, err := e.svc.Team(e.ctx, e.tenant.ID, tm.ID, true)
	if err != nil || len(team.Members) != 0 || team.Version != 2 {
		t.Errorf("team after member deleted: %+v %v", team, err)
	}
	evs := e.audit(t, u.ID)
	if last := evs[len(evs)-1]; last.Action != "user.delete" {
		t.Errorf("last event %s", last.Action)
	}
})
