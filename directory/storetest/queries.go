package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

// people is the population the query cases filter: every attribute kind,
// values with LIKE wildcards in them, missing values, and accents.
func (e *env) people(t *testing.T) map[string]*directory.User {
	t.Helper()
	in := []*directory.User{
		{UserName: "ada@acme.example", ExternalID: "00u1", DisplayName: "Ada Lovelace", Title: "Engineer", Active: true,
			Role: directory.RoleAdmin, Name: directory.Name{GivenName: "Ada", FamilyName: "Lovelace"},
			Enterprise: directory.Enterprise{Department: "R&D", EmployeeNumber: "1"},
			Identities: []directory.Identity{email("ada@acme.example", true), email("ada@home.example", false)}},
		{UserName: "bob@acme.example", ExternalID: "00u2", DisplayName: "Bob 100%_sure", Title: "engineer", Active: true,
			Name: directory.Name{GivenName: "Bob"}, Extension: "200",
			Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "bob@contoso.com", Type: "work", Primary: true}, phone("+1 555 0100", "mobile")}},
		{UserName: "cléo@acme.example", DisplayName: "CLÉO", Active: false, Role: directory.RoleCustomer,
			Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "CLEO@Contoso.com", Type: "home"}}},
		{UserName: "dan@acme.example", Title: "", Active: true, Role: directory.RoleCollaborator},
	}
	out := map[string]*directory.User{}
	for _, u := range in {
		c := e.user(t, idp, u)
		out[string([]rune(u.UserName)[:3])] = c
	}
	return out
}

func (e *env) find(t *testing.T, f directory.Expr) []string {
	t.Helper()
	page, err := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Filter: f, Limit: 100, Count: true})
	if err != nil {
		t.Fatalf("filter %#v: %v", f, err)
	}
	if page.Total != len(page.Users) {
		t.Errorf("filter %#v: total %d, %d rows", f, page.Total, len(page.Users))
	}
	var names []string
	for _, u := range page.Users {
		names = append(names, string([]rune(u.UserName)[:3]))
	}
	slices.Sort(names)
	return names
}

func cmp(a directory.Attr, op directory.Op, v any) directory.Cmp {
	return directory.Cmp{Attr: a, Op: op, Value: v}
}

func fold(a directory.Attr, op directory.Op, v any) directory.Cmp {
	return directory.Cmp{Attr: a, Op: op, Value: v, Fold: true}
}

var _ = add("Filters", func(t *testing.T, e *env) {
	p := e.people(t)
	tm, err := e.svc.CreateTeam(e.ctx, idp, e.tenant.ID, &directory.Team{DisplayName: "Ops"}, []string{p["ada"].ID, p["dan"].ID})
	if err != nil {
		t.Fatal(err)
	}
	work := func(where directory.Expr) directory.Any {
		return directory.Any{Kind: directory.KindEmail, Where: where}
	}
	mid := p["bob"].Created
	for _, tt := range []struct {
		name string
		f    directory.Expr
		want []string
	}{
		{"all", nil, []string{"ada", "bob", "clé", "dan"}},
		{"userName eq, folded", fold(directory.AttrUserName, directory.OpEq, "ADA@acme.EXAMPLE"), []string{"ada"}},
		{"userName eq, accented other case", fold(directory.AttrUserName, directory.OpEq, "CLÉO@ACME.EXAMPLE"), []string{"clé"}},
		{"externalId is case-exact", cmp(directory.AttrExternalID, directory.OpEq, "00U1"), nil},
		{"externalId eq", cmp(directory.AttrExternalID, directory.OpEq, "00u1"), []string{"ada"}},
		{"title eq exact", cmp(directory.AttrTitle, directory.OpEq, "engineer"), []string{"bob"}},
		{"title eq folded", fold(directory.AttrTitle, directory.OpEq, "ENGINEER"), []string{"ada", "bob"}},
		{"title ne includes missing", fold(directory.AttrTitle, directory.OpNe, "engineer"), []string{"clé", "dan"}},
		{"not title eq includes missing", directory.Not{X: fold(directory.AttrTitle, directory.OpEq, "engineer")}, []string{"clé", "dan"}},
		{"title pr", directory.Present{Attr: directory.AttrTitle}, []string{"ada", "bob"}},
		{"not title pr", directory.Not{X: directory.Present{Attr: directory.AttrTitle}}, []string{"clé", "dan"}},
		{"displayName co, exact", cmp(directory.AttrDisplayName, directory.OpCo, "Love"), []string{"ada"}},
		{"displayName co, exact, wrong case", cmp(directory.AttrDisplayName, directory.OpCo, "love"), nil},
		{"displayName co, folded", fold(directory.AttrDisplayName, directory.OpCo, "LOVE"), []string{"ada"}},
		{"co with % is literal", fold(directory.AttrDisplayName, directory.OpCo, "100%_"), []string{"bob"}},
		{"co with _ is literal", fold(directory.AttrDisplayName, directory.OpCo, "a_L"), nil},
		{"sw", fold(directory.AttrUserName, directory.OpSw, "B"), []string{"bob"}},
		{"ew", fold(directory.AttrUserName, directory.OpEw, "O@ACME.EXAMPLE"), []string{"clé"}},
		{"gt on text", fold(directory.AttrUserName, directory.OpGt, "bob@acme.example"), []string{"clé", "dan"}},
		{"active eq false", cmp(directory.AttrActive, directory.OpEq, false), []string{"clé"}},
		{"active ne true", cmp(directory.AttrActive, directory.OpNe, true), []string{"clé"}},
		{"role eq", cmp(directory.AttrRole, directory.OpEq, "customer"), []string{"clé"}},
		{"extension pr", directory.Present{Attr: directory.AttrExtension}, []string{"bob"}},
		{"and", directory.And{Left: cmp(directory.AttrActive, directory.OpEq, true), Right: fold(directory.AttrTitle, directory.OpEq, "engineer")}, []string{"ada", "bob"}},
		{"or", directory.Or{Left: cmp(directory.AttrRole, directory.OpEq, "admin"), Right: cmp(directory.AttrRole, directory.OpEq, "collaborator")}, []string{"ada", "dan"}},
		{"not and", directory.Not{X: directory.And{Left: cmp(directory.AttrActive, directory.OpEq, true), Right: directory.Present{Attr: directory.AttrTitle}}}, []string{"clé", "dan"}},
		{"email value eq, folded", work(fold(directory.AttrIdentityValue, directory.OpEq, "cleo@contoso.COM")), []string{"clé"}},
		{"emails[type eq work and value co contoso]", work(directory.And{Left: cmp(directory.AttrIdentityType, directory.OpEq, "work"),
			Right: fold(directory.AttrIdentityValue, directory.OpCo, "@contoso.com")}), []string{"bob"}},
		{"emails[type eq work].value eq", work(directory.And{Left: cmp(directory.AttrIdentityType, directory.OpEq, "work"),
			Right: fold(directory.AttrIdentityValue, directory.OpEq, "ada@home.example")}), []string{"ada"}},
		{"emails[primary eq true]", work(cmp(directory.AttrIdentityPrimary, directory.OpEq, true)), []string{"ada", "bob"}},
		{"emails pr", directory.Any{Kind: directory.KindEmail}, []string{"ada", "bob", "clé"}},
		{"not emails pr", directory.Not{X: directory.Any{Kind: directory.KindEmail}}, []string{"dan"}},
		{"phone eq", directory.Any{Kind: directory.KindPhone, Where: cmp(directory.AttrIdentityValue, directory.OpEq, "+1 555 0100")}, []string{"bob"}},
		{"id eq", cmp(directory.AttrID, directory.OpEq, p["dan"].ID), []string{"dan"}},
		{"id eq malformed", cmp(directory.AttrID, directory.OpEq, "nope"), nil},
		{"id ne malformed", cmp(directory.AttrID, directory.OpNe, "nope"), []string{"ada", "bob", "clé", "dan"}},
		{"groups.value eq", cmp(directory.AttrGroupID, directory.OpEq, tm.ID), []string{"ada", "dan"}},
		{"groups.display eq", fold(directory.AttrGroupName, directory.OpEq, "ops"), []string{"ada", "dan"}},
		{"not in group", directory.Not{X: cmp(directory.AttrGroupID, directory.OpEq, tm.ID)}, []string{"bob", "clé"}},
		{"created ge bob's", cmp(directory.AttrCreated, directory.OpGe, mid), []string{"bob", "clé", "dan"}},
		{"created lt bob's, given in another zone", cmp(directory.AttrCreated, directory.OpLt, mid.In(time.FixedZone("X", -5*3600))), []string{"ada"}},
		{"lastModified gt the future", cmp(directory.AttrUpdated, directory.OpGt, mid.Add(time.Hour)), nil},
		{"version eq", cmp(directory.AttrVersion, directory.OpEq, int64(1)), []string{"ada", "bob", "clé", "dan"}},
		{"department eq", cmp(directory.AttrDepartment, directory.OpEq, "R&D"), []string{"ada"}},
		{"false", directory.False{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.find(t, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Teams filter by name and member.
	page, err := e.svc.Teams(e.ctx, e.tenant.ID, directory.Query{Filter: directory.And{
		Left:  fold(directory.AttrDisplayName, directory.OpEq, "OPS"),
		Right: cmp(directory.AttrMemberID, directory.OpEq, p["dan"].ID)}, Limit: 10, Count: true})
	if err != nil || page.Total != 1 || len(page.Teams) != 1 {
		t.Errorf("team filter: %+v %v", page, err)
	}
	// Values that don't fit the attribute are refused, not run.
	for _, bad := range []directory.Expr{
		cmp(directory.AttrActive, directory.OpEq, "yes"),
		cmp(directory.AttrActive, directory.OpGt, true),
		cmp(directory.AttrCreated, directory.OpEq, "yesterday"),
		cmp(directory.AttrCreated, directory.OpCo, mid),
		cmp("nope", directory.OpEq, "x"),
		directory.Any{Kind: directory.KindEmail, Where: directory.Any{Kind: directory.KindEmail}},
	} {
		_, err := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Filter: bad, Limit: 1})
		wantErr[*directory.ValidationError](t, err, fmt.Sprintf("filter %#v", bad))
	}
})

var _ = add("Paging", func(t *testing.T, e *env) {
	const n = 23
	var ids []string
	for i := range n {
		// Names in an order unlike creation order, and in mixed case.
		name := fmt.Sprintf("%c%02d@acme.example", "aBcD"[i%4], n-i)
		ids = append(ids, e.user(t, idp, &directory.User{UserName: name, Active: i%3 != 0}).ID)
	}
	// Offset paging: stable id (creation) order, exact total.
	var seen []string
	for start := 0; start < n; start += 5 {
		page, err := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Offset: start, Limit: 5, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != n {
			t.Errorf("total %d", page.Total)
		}
		for _, u := range page.Users {
			seen = append(seen, u.ID)
		}
	}
	if !slices.Equal(seen, ids) {
		t.Errorf("offset pages are not creation order")
	}
	// Count only.
	if page, err := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Count: true}); err != nil || page.Total != n || len(page.Users) != 0 {
		t.Errorf("count only: %+v %v", page, err)
	}
	// Sorted by userName, folded, both ways, by cursor.
	for _, desc := range []bool{false, true} {
		var names []string
		q := directory.Query{SortBy: directory.AttrUserName, SortFold: true, SortDesc: desc, Limit: 4}
		for range n {
			page, err := e.svc.Users(e.ctx, e.tenant.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range page.Users {
				names = append(names, u.UserName)
			}
			if page.Next == nil {
				break
			}
			q.After = page.Next
		}
		if len(names) != n || !slices.IsSortedFunc(names, func(a, b string) int {
			c := compareFold(a, b)
			if desc {
				c = -c
			}
			return c
		}) {
			t.Errorf("desc=%v: %d names, order %v", desc, len(names), names)
		}
	}
	// Cursor paging by a non-unique key (active) and by time visits each
	// user once.
	for _, sort := range []directory.Attr{directory.AttrActive, directory.AttrCreated, directory.AttrTitle} {
		got := walk(t, e, directory.Query{SortBy: sort, Limit: 3})
		if len(got) != n || len(uniq(got)) != n {
			t.Errorf("sort by %s: %d rows, %d distinct", sort, len(got), len(uniq(got)))
		}
	}
	// A cursor walk under concurrent inserts still sees every user that
	// existed when it started, exactly once.
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 10 {
			if _, err := e.svc.CreateUser(e.ctx, idp, e.tenant.ID, &directory.User{UserName: fmt.Sprintf("late%d", i)}); err != nil {
				t.Error(err)
			}
		}
	})
	got := walk(t, e, directory.Query{Limit: 2})
	wg.Wait()
	if len(uniq(got)) != len(got) || !containsAll(got, ids) {
		t.Errorf("walk under inserts: %d rows, %d distinct", len(got), len(uniq(got)))
	}
	_, err := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Limit: 2, After: &directory.Cursor{ID: "garbage"}})
	wantErr[*directory.ValidationError](t, err, "garbage cursor")
	_, err = e.svc.Users(e.ctx, e.tenant.ID, directory.Query{SortBy: directory.AttrCreated, Limit: 2, After: &directory.Cursor{ID: ids[0], Value: true}})
	wantErr[*directory.ValidationError](t, err, "cursor of the wrong type")
	_, err = e.svc.Users(e.ctx, e.tenant.ID, directory.Query{SortBy: directory.AttrGroupID, Limit: 2})
	wantErr[*directory.ValidationError](t, err, "sort by a multi-valued attribute")
})

func walk(t *testing.T, e *env, q directory.Query) []string {
	t.Helper()
	var out []string
	for range 1000 {
		page, err := e.svc.Users(e.ctx, e.tenant.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			out = append(out, u.ID)
		}
		if page.Next == nil {
			return out
		}
		q.After = page.Next
	}
	t.Fatal("cursor walk does not end")
	return nil
}

func uniq(s []string) []string {
	s = sorted(s)
	return slices.Compact(s)
}

func containsAll(have, want []string) bool {
	h := sorted(have)
	for _, w := range want {
		if _, ok := slices.BinarySearch(h, w); !ok {
			return false
		}
	}
	return true
}

func compareFold(a, b string) int {
	return cmpStrings(lower(a), lower(b))
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var _ = add("CustomFieldFilters", func(t *testing.T, e *env) {
	for _, f := range []*directory.CustomField{
		{Name: "tier", Type: directory.CustomOptions, Options: []string{"gold", "silver"}},
		{Name: "shoeSize", Type: directory.CustomNumber},
		{Name: "vip", Type: directory.CustomBool},
	} {
		if _, err := e.svc.DefineCustomField(e.ctx, cli, e.tenant.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	e.user(t, idp, &directory.User{UserName: "ada", Custom: map[string]any{"tier": "gold", "shoeSize": 38.5, "vip": true}})
	e.user(t, idp, &directory.User{UserName: "bob", Custom: map[string]any{"tier": "silver", "shoeSize": 44.0, "vip": false}})
	e.user(t, idp, &directory.User{UserName: "cle"})
	for _, tt := range []struct {
		name string
		f    directory.Expr
		want []string
	}{
		{"text eq", cmp(directory.CustomAttr("tier"), directory.OpEq, "gold"), []string{"ada"}},
		{"text eq folded", fold(directory.CustomAttr("tier"), directory.OpEq, "SILVER"), []string{"bob"}},
		{"text ne includes missing", cmp(directory.CustomAttr("tier"), directory.OpNe, "gold"), []string{"bob", "cle"}},
		{"number gt", cmp(directory.CustomAttr("shoeSize"), directory.OpGt, 40.0), []string{"bob"}},
		{"number le", cmp(directory.CustomAttr("shoeSize"), directory.OpLe, 38.5), []string{"ada"}},
		{"number as text matches nothing", cmp(directory.CustomAttr("shoeSize"), directory.OpEq, "38.5"), nil},
		{"bool eq", cmp(directory.CustomAttr("vip"), directory.OpEq, true), []string{"ada"}},
		{"bool eq false", cmp(directory.CustomAttr("vip"), directory.OpEq, false), []string{"bob"}},
		{"pr", directory.Present{Attr: directory.CustomAttr("tier")}, []string{"ada", "bob"}},
		{"unknown field", cmp(directory.CustomAttr("nope"), directory.OpEq, "x"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.find(t, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	_, err := e.svc.Users(e.ctx, e.tenant.ID, directory.Query{Filter: cmp(directory.CustomAttr("a.b'c"), directory.OpEq, "x"), Limit: 1})
	wantErr[*directory.ValidationError](t, err, "custom field name with a quote")
})
