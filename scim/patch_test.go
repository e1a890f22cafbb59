package scim_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func patchOp(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": list}
}

func op(o, path string, value any) map[string]any {
	m := map[string]any{"op": o}
	if path != "" {
		m["path"] = path
	}
	if value != nil {
		m["value"] = value
	}
	return m
}

func TestPatchUser(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		mgr := s.do("POST", "/scim/v2/Users", map[string]any{"userName": "boss@x.example", "displayName": "Boss"}).want(t, 201).str("id")
		id := s.do("POST", "/scim/v2/Users", barbara).want(t, 201).str("id")
		path := "/scim/v2/Users/" + id
		// Entra's default shapes.
		r := s.do("PATCH", path, patchOp(
			op("Replace", `emails[type eq "work"].value`, "updated@microsoft.com"),
			op("Replace", "name.familyName", "updatedFamilyName"),
			op("Add", "externalId", "e2"),
			op("Add", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", mgr),
			op("Replace", "active", "False"),
		)).want(t, 200)
		if r.str("emails", "0", "value") != "updated@microsoft.com" || r.str("name", "familyName") != "updatedFamilyName" ||
			r.str("name", "givenName") != "Barbara" || r.str("externalId") != "e2" || r.str("active") != "false" ||
			r.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "manager", "value") != mgr ||
			r.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "manager", "displayName") != "Boss" ||
			r.str("meta", "version") != `W/"2"` {
			t.Errorf("after Entra PATCH: %s", r.raw)
		}
		// The new email is findable; the old one is free.
		s.do("POST", "/scim/v2/Users", map[string]any{"userName": "other", "emails": []any{map[string]any{"value": "bjensen@example.com"}}}).want(t, 201)
		// aadOptscim062020: a path-less replace with dotted and URN keys;
		// "" clears, null clears, an id inside is ignored.
		r = s.do("PATCH", path, patchOp(op("replace", "", map[string]any{
			"name.givenName": "Babs",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "42",
			"title":    "",
			"nickName": nil,
			"id":       "not-the-id",
			"active":   true,
		}))).want(t, 200)
		if r.str("name", "givenName") != "Babs" || r.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "employeeNumber") != "42" ||
			r.str("id") != id || r.str("active") != "true" {
			t.Errorf("after path-less replace: %s", r.raw)
		}
		// Entra's manager shapes: an array of one, then removal.
		r = s.do("PATCH", path, patchOp(op("Add", "manager", []any{map[string]any{"$ref": nil, "value": mgr}}))).want(t, 200)
		r = s.do("PATCH", path, patchOp(op("Remove", "manager", nil))).want(t, 200)
		if strings.Contains(r.raw, "manager") {
			t.Errorf("manager not removed: %s", r.raw)
		}
		// Okta deactivates with a path-less replace.
		r = s.do("PATCH", path, patchOp(op("replace", "", map[string]any{"active": false}))).want(t, 200)
		if r.str("active") != "false" {
			t.Errorf("Okta deactivate: %s", r.raw)
		}
		// All operations apply or none do.
		before := s.do("GET", path, nil).want(t, 200)
		s.do("PATCH", path, patchOp(op("replace", "title", "CEO"), op("replace", "active", "maybe"))).wantError(t, 400, "invalidValue")
		s.do("PATCH", path, patchOp(op("replace", "title", "CEO"), op("replace", "bogus", "x"))).wantError(t, 400, "invalidPath")
		s.do("PATCH", path, patchOp(op("replace", "title", "CEO"), op("replace", "userName", "other"))).wantError(t, 409, "uniqueness")
		s.do("PATCH", path, patchOp(op("remove", "userName", nil))).wantError(t, 400, "mutability")
		s.do("PATCH", path, patchOp(op("replace", "id", "x"))).wantError(t, 400, "mutability")
		s.do("PATCH", path, patchOp(op("remove", "", nil))).wantError(t, 400, "noTarget")
		s.do("PATCH", path, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"explode","path":"title"}]}`).wantError(t, 400, "invalidSyntax")
		s.do("PATCH", path, patchOp(op("replace", "title", "CEO")), "If-Match", `W/"1"`).wantError(t, 412, "")
		after := s.do("GET", path, nil).want(t, 200)
		if after.raw != before.raw {
			t.Errorf("refused PATCHes changed the user:\n%s\n%s", before.raw, after.raw)
		}
		s.do("PATCH", "/scim/v2/Users/00000000-0000-7000-8000-000000000000", patchOp(op("replace", "title", "x"))).wantError(t, 404, "")
	})
}

func TestPatchGroupMembers(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		var u []string
		for i := range 4 {
			u = append(u, s.do("POST", "/scim/v2/Users", map[string]any{"userName": fmt.Sprintf("m%d@x.example", i)}).want(t, 201).str("id"))
		}
		g := s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": "G", "members": []any{map[string]any{"value": u[0]}}}).want(t, 201).str("id")
		path := "/scim/v2/Groups/" + g
		members := func() []string {
			r := s.do("GET", path, nil).want(t, 200)
			var out []string
			ms, _ := r.body["members"].([]any)
			for _, m := range ms {
				out = append(out, m.(map[string]any)["value"].(string))
			}
			slices.Sort(out)
			return out
		}
		sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
		// Okta: add with value+display, then remove by filter.
		r := s.do("PATCH", path, patchOp(op("add", "members", []any{map[string]any{"value": u[1], "display": "m1"}, map[string]any{"value": u[2]}})))
		r.want(t, 204)
		if r.header.Get("ETag") != `W/"2"` {
			t.Errorf("ETag after member PATCH: %q", r.header.Get("ETag"))
		}
		s.do("PATCH", path, patchOp(op("remove", `members[value eq "`+u[0]+`"]`, nil))).want(t, 204)
		if got := members(); !slices.Equal(got, sorted(u[1], u[2])) {
			t.Errorf("after Okta ops: %v", got)
		}
		// Entra: remove with a value list; rename in the same request.
		s.do("PATCH", path, patchOp(op("Remove", "members", []any{map[string]any{"value": u[1]}}), op("Replace", "displayName", "Renamed"))).want(t, 204)
		if got := members(); !slices.Equal(got, []string{u[2]}) {
			t.Errorf("after Entra remove: %v", got)
		}
		// Okta's fixture: remove, add, replace in one request, in order.
		s.do("PATCH", path, patchOp(op("remove", `members[value eq "`+u[2]+`"]`, nil), op("add", "members", []any{map[string]any{"value": u[3]}}),
			op("replace", "members", []any{map[string]any{"value": u[3]}, map[string]any{"value": u[0]}}))).want(t, 204)
		if got := members(); !slices.Equal(got, sorted(u[3], u[0])) {
			t.Errorf("after remove/add/replace: %v", got)
		}
		// Asking for the resource gets it.
		r = s.do("PATCH", path+"?excludedAttributes=members", patchOp(op("replace", "externalId", "ext"))).want(t, 200)
		if r.str("displayName") != "Renamed" || r.str("externalId") != "ext" || r.body["members"] != nil {
			t.Errorf("PATCH asking for the resource: %s", r.raw)
		}
		// Bad members change nothing.
		s.do("PATCH", path, patchOp(op("add", "members", []any{map[string]any{"value": u[1]}, map[string]any{"value": "00000000-0000-7000-8000-000000000000"}}))).wantError(t, 400, "invalidValue")
		s.do("PATCH", path, patchOp(op("remove", "members", nil))).want(t, 204)
		if got := members(); len(got) != 0 {
			t.Errorf("remove all left %v", got)
		}
	})
}

func TestConcurrentGroupPatches(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		const clients, each = 16, 5
		var u []string
		for i := range clients * each {
			u = append(u, s.do("POST", "/scim/v2/Users", map[string]any{"userName": fmt.Sprintf("c%03d@x.example", i)}).want(t, 201).str("id"))
		}
		g := s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": "Busy"}).want(t, 201).str("id")
		var wg sync.WaitGroup
		var want []string
		for c := range clients {
			mine := u[c*each : (c+1)*each]
			want = append(want, mine[:3]...)
			wg.Go(func() {
				for _, id := range mine {
					if r := s.do("PATCH", "/scim/v2/Groups/"+g, patchOp(op("add", "members", []any{map[string]any{"value": id}}))); r.status != 204 {
						t.Errorf("add: %d %s", r.status, r.raw)
					}
				}
				for _, id := range mine[3:] {
					if r := s.do("PATCH", "/scim/v2/Groups/"+g, patchOp(op("remove", `members[value eq "`+id+`"]`, nil))); r.status != 204 {
						t.Errorf("remove: %d %s", r.status, r.raw)
					}
				}
			})
		}
		wg.Wait()
		r := s.do("GET", "/scim/v2/Groups/"+g, nil).want(t, 200)
		var got []string
		for _, m := range r.body["members"].([]any) {
			got = append(got, m.(map[string]any)["value"].(string))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%d members, want %d", len(got), len(want))
		}
	})
}
