package scim_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
)

var barbara = map[string]any{
	"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
	"userName":   "bjensen@example.com",
	"externalId": "bjensen",
	"name":       map[string]any{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
	"emails": []any{
		map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
		map[string]any{"value": "babs@jensen.org", "type": "home"},
	},
	"phoneNumbers": []any{map[string]any{"value": "555-555-8377", "type": "work"}},
	"active":       true,
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"employeeNumber": "701984", "department": "Tour Operations"},
	"meta": map[string]any{"resourceType": "User", "created": "2011-08-01T18:29:49.793Z"},
	"id":   "ignored",
}

func TestUserLifecycle(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		c := s.do("POST", "/scim/v2/Users", barbara).want(t, 201)
		id := c.str("id")
		if c.header.Get("Location") != s.url+"/scim/v2/Users/"+id || c.str("meta", "location") != c.header.Get("Location") {
			t.Errorf("Location %q, meta.location %q", c.header.Get("Location"), c.str("meta", "location"))
		}
		if c.header.Get("ETag") != `W/"1"` || c.str("meta", "version") != `W/"1"` {
			t.Errorf("ETag %q version %q", c.header.Get("ETag"), c.str("meta", "version"))
		}
		if c.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "employeeNumber") != "701984" ||
			c.str("emails", "0", "value") != "bjensen@example.com" || c.str("name", "givenName") != "Barbara" || id == "ignored" {
			t.Errorf("created: %s", c.raw)
		}
		// userName is unique, case-insensitively.
		dup := map[string]any{"userName": "BJENSEN@example.com"}
		r := s.do("POST", "/scim/v2/Users", dup).wantError(t, 409, "uniqueness")
		if !strings.Contains(r.str("detail"), "BJENSEN@example.com is already used") {
			t.Errorf("detail %q", r.str("detail"))
		}
		// Get, conditional get.
		g := s.do("GET", "/scim/v2/Users/"+id, nil).want(t, 200)
		if g.str("userName") != "bjensen@example.com" {
			t.Errorf("get: %s", g.raw)
		}
		s.do("GET", "/scim/v2/Users/"+id, nil, "If-None-Match", `W/"1"`).want(t, 304)
		// Filters Okta and Entra send.
		for _, f := range []string{`userName eq "BJensen@example.com"`, `externalId eq "bjensen"`, `emails[type eq "work"].value eq "bjensen@example.com"`,
			`emails[type eq "work" and value co "@example.com"]`, `name.familyName sw "Jen" and active eq true`,
			`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, `id eq "` + id + `"`} {
			l := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil).want(t, 200)
			if l.str("totalResults") != "1" || len(l.list()) != 1 || l.list()[0]["id"] != id {
				t.Errorf("filter %s: %s", f, l.raw)
			}
		}
		l := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "nobody"`), nil).want(t, 200)
		if l.str("totalResults") != "0" || l.raw == "" || !strings.Contains(l.raw, `"Resources":[]`) {
			t.Errorf("empty list: %s", l.raw)
		}
		s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq`), nil).wantError(t, 400, "invalidFilter")
		s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(`bogus eq "x"`), nil).wantError(t, 400, "invalidFilter")
		// PUT replaces what the IdP owns; If-Match is checked.
		put := map[string]any{"userName": "bjensen@example.com", "name": map[string]any{"givenName": "Babs"}, "active": true,
			"emails": []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}}}
		s.do("PUT", "/scim/v2/Users/"+id, put, "If-Match", `W/"7"`).wantError(t, 412, "")
		p := s.do("PUT", "/scim/v2/Users/"+id, put, "If-Match", `W/"1"`).want(t, 200)
		if p.str("name", "givenName") != "Babs" || p.str("name", "familyName") != "" || p.str("externalId") != "" ||
			strings.Contains(p.raw, "babs@jensen.org") || p.str("phoneNumbers") != "" || p.str("meta", "version") != `W/"2"` {
			t.Errorf("after PUT: %s", p.raw)
		}
		// DELETE: 204, then 404 everywhere; userName free again.
		s.do("DELETE", "/scim/v2/Users/"+id, nil).want(t, 204)
		s.do("GET", "/scim/v2/Users/"+id, nil).wantError(t, 404, "")
		s.do("PUT", "/scim/v2/Users/"+id, put).wantError(t, 404, "")
		// A repeat by the same token is an IdP's retry: 204 again
		// (TestRetryAfterLostResponse); anyone else learns it is gone.
		s.do("DELETE", "/scim/v2/Users/"+id, nil).want(t, 204)
		s.do("POST", "/scim/v2/Users", barbara).want(t, 201)
	})
}

func TestUserListing(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		for i := range 7 {
			s.do("POST", "/scim/v2/Users", map[string]any{"userName": fmt.Sprintf("u%d@x.example", 7-i), "title": fmt.Sprint(i % 2)}).want(t, 201)
		}
		var seen []string
		for start := 1; start <= 7; start += 3 {
			l := s.do("GET", fmt.Sprintf("/scim/v2/Users?startIndex=%d&count=3", start), nil).want(t, 200)
			if l.str("totalResults") != "7" || l.str("startIndex") != fmt.Sprint(start) {
				t.Errorf("page at %d: %s", start, l.raw)
			}
			for _, u := range l.list() {
				seen = append(seen, u["userName"].(string))
			}
		}
		if strings.Join(seen, ",") != "u7@x.example,u6@x.example,u5@x.example,u4@x.example,u3@x.example,u2@x.example,u1@x.example" {
			t.Errorf("index pages: %v", seen)
		}
		// Sorted, by cursor (RFC 9865).
		var names []string
		cursor := ""
		for range 10 {
			l := s.do("GET", "/scim/v2/Users?sortBy=userName&count=2&cursor="+cursor, nil).want(t, 200)
			for _, u := range l.list() {
				names = append(names, u["userName"].(string))
			}
			cursor = l.str("nextCursor")
			if cursor == "" {
				break
			}
		}
		if strings.Join(names, ",") != "u1@x.example,u2@x.example,u3@x.example,u4@x.example,u5@x.example,u6@x.example,u7@x.example" {
			t.Errorf("cursor pages: %v", names)
		}
		s.do("GET", "/scim/v2/Users?cursor=garbage", nil).wantError(t, 400, "invalidCursor")
		// attributes and excludedAttributes.
		l := s.do("GET", "/scim/v2/Users?attributes=userName&count=1", nil).want(t, 200)
		u := l.list()[0]
		if len(u) != 3 || u["userName"] == nil || u["id"] == nil || u["schemas"] == nil {
			t.Errorf("attributes=userName gave %v", u)
		}
		l = s.do("GET", "/scim/v2/Users?excludedAttributes=meta,title&count=1", nil).want(t, 200)
		if u := l.list()[0]; u["meta"] != nil || u["title"] != nil || u["userName"] == nil {
			t.Errorf("excludedAttributes gave %v", u)
		}
		// count=0 answers the total alone.
		l = s.do("GET", "/scim/v2/Users?count=0", nil).want(t, 200)
		if l.str("totalResults") != "7" || len(l.list()) != 0 {
			t.Errorf("count=0: %s", l.raw)
		}
		// .search
		sr := s.do("POST", "/scim/v2/Users/.search", map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
			"filter": `title eq "1"`, "sortBy": "userName", "sortOrder": "descending", "attributes": []string{"userName"}}).want(t, 200)
		if sr.str("totalResults") != "3" || sr.list()[0]["userName"] != "u6@x.example" {
			t.Errorf(".search: %s", sr.raw)
		}
	})
}

func TestErrorsAndDiscovery(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		good := s.token
		s.token = ""
		r := s.do("GET", "/scim/v2/Users", nil).wantError(t, 401, "")
		if r.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		s.token = good + "x"
		s.do("GET", "/scim/v2/Users", nil).wantError(t, 401, "")
		s.token = good
		s.do("GET", "/scim/v2/Nope", nil).wantError(t, 404, "")
		s.do("POST", "/scim/v2/Schemas", map[string]any{}).wantError(t, 405, "")
		s.do("PUT", "/scim/v2/ServiceProviderConfig", map[string]any{}).wantError(t, 405, "")
		s.do("POST", "/scim/v2/Users", "{not json").wantError(t, 400, "invalidSyntax")
		s.do("POST", "/scim/v2/Users", `{"userName":"a","USERNAME":"b"}`).wantError(t, 400, "invalidSyntax")
		s.do("POST", "/scim/v2/Users", `{"userName":"a","active":"maybe"}`).wantError(t, 400, "invalidValue")
		s.do("POST", "/scim/v2/Users", `{"userName":"a","timezone":"Mars/Base"}`).wantError(t, 400, "invalidValue")
		s.do("POST", "/scim/v2/Users", `{"displayName":"no userName"}`).wantError(t, 400, "invalidValue")
		s.do("POST", "/scim/v2/Users", strings.Repeat(" ", 2<<20)).wantError(t, 413, "")
		s.do("POST", "/scim/v2/Users", "{}", "Content-Type", "text/plain").wantError(t, 415, "")
		// Entra's extras are accepted and ignored: null attributes, unknown schemas, meta.
		r = s.do("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User"],
			"externalId":"e1","userName":"Test_User@contoso.com","active":"True","displayName":null,"title":null,
			"emails":[{"primary":true,"type":"work","value":"Test_User@contoso.com"}],
			"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
			"roles":[{"primary":"False","type":"WindowsAzureActiveDirectoryRole","value":"Admin"}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"sales","manager":null}}`).want(t, 201)
		if r.str("active") != "true" || r.str("roles", "0", "value") != "Admin" {
			t.Errorf("Entra create: %s", r.raw)
		}
		spc := s.do("GET", "/scim/v2/ServiceProviderConfig", nil).want(t, 200)
		if spc.str("patch", "supported") != "true" || spc.str("bulk", "maxOperations") != "1000" || spc.str("filter", "maxResults") != "1000" {
			t.Errorf("ServiceProviderConfig: %s", spc.raw)
		}
		rt := s.do("GET", "/scim/v2/ResourceTypes", nil).want(t, 200)
		if rt.str("totalResults") != "2" {
			t.Errorf("ResourceTypes: %s", rt.raw)
		}
		s.do("GET", "/scim/v2/ResourceTypes/User", nil).want(t, 200)
		sc := s.do("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil).want(t, 200)
		if !strings.Contains(sc.raw, `"name":"userName"`) || !strings.Contains(sc.raw, `"uniqueness":"server"`) {
			t.Errorf("User schema: %s", sc.raw[:200])
		}
		s.do("GET", "/scim/v2/Schemas/urn:nope", nil).wantError(t, 404, "")
	})
}

func TestGroups(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		a := s.do("POST", "/scim/v2/Users", map[string]any{"userName": "a@x.example", "displayName": "Ann"}).want(t, 201).str("id")
		b := s.do("POST", "/scim/v2/Users", map[string]any{"userName": "b@x.example"}).want(t, 201).str("id")
		g := s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": "Tour Guides", "externalId": "g1",
			"members": []any{map[string]any{"value": a, "display": "Ann"}}}).want(t, 201)
		id := g.str("id")
		if g.str("members", "0", "value") != a || g.str("members", "0", "display") != "Ann" || g.str("members", "0", "type") != "User" {
			t.Errorf("created group: %s", g.raw)
		}
		s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": "tour guides"}).wantError(t, 409, "uniqueness")
		s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": "X", "members": []any{map[string]any{"value": "nope"}}}).wantError(t, 400, "invalidValue")
		ex := s.do("GET", "/scim/v2/Groups/"+id+"?excludedAttributes=members", nil).want(t, 200)
		if ex.body["members"] != nil || ex.str("displayName") != "Tour Guides" {
			t.Errorf("excludedAttributes=members: %s", ex.raw)
		}
		l := s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "TOUR GUIDES"`)+"&excludedAttributes=members", nil).want(t, 200)
		if l.str("totalResults") != "1" {
			t.Errorf("group filter: %s", l.raw)
		}
		l = s.do("GET", "/scim/v2/Users/"+a, nil).want(t, 200)
		if l.str("groups", "0", "value") != id || l.str("groups", "0", "display") != "Tour Guides" {
			t.Errorf("user's groups: %s", l.raw)
		}
		p := s.do("PUT", "/scim/v2/Groups/"+id, map[string]any{"displayName": "Guides", "members": []any{map[string]any{"value": b}}}).want(t, 200)
		if p.str("displayName") != "Guides" || p.str("members", "0", "value") != b || p.str("members", "1") != "" {
			t.Errorf("after PUT: %s", p.raw)
		}
		l = s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`members[value eq "`+b+`"]`), nil).want(t, 200)
		if l.str("totalResults") != "1" {
			t.Errorf("filter by member: %s", l.raw)
		}
		s.do("DELETE", "/scim/v2/Groups/"+id, nil).want(t, 204)
		s.do("GET", "/scim/v2/Groups/"+id, nil).wantError(t, 404, "")
	})
}

func TestBulk(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		req := map[string]any{
			"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"},
			"Operations": []any{
				// A forward reference: the group names a user created after it.
				map[string]any{"method": "POST", "path": "/Groups", "bulkId": "g", "data": map[string]any{"displayName": "Bulk",
					"members": []any{map[string]any{"value": "bulkId:u"}}}},
				map[string]any{"method": "POST", "path": "/Users", "bulkId": "u", "data": map[string]any{"userName": "bulk@x.example"}},
				map[string]any{"method": "POST", "path": "/Users", "bulkId": "dup", "data": map[string]any{"userName": "bulk@x.example"}},
				map[string]any{"method": "PUT", "path": "/Users/bulkId:u", "data": map[string]any{"userName": "bulk@x.example", "title": "T"}},
				map[string]any{"method": "POST", "path": "/Groups", "bulkId": "c1", "data": map[string]any{"displayName": "C1", "members": []any{map[string]any{"value": "bulkId:c2"}}}},
				map[string]any{"method": "POST", "path": "/Groups", "bulkId": "c2", "data": map[string]any{"displayName": "C2", "members": []any{map[string]any{"value": "bulkId:c1"}}}},
			},
		}
		r := s.do("POST", "/scim/v2/Bulk", req).want(t, 200)
		ops, _ := r.body["Operations"].([]any)
		status := map[string]string{}
		for _, o := range ops {
			m := o.(map[string]any)
			key, _ := m["bulkId"].(string)
			if key == "" {
				key = m["method"].(string)
			}
			status[key] = m["status"].(string)
		}
		if status["u"] != "201" || status["g"] != "201" || status["dup"] != "409" || status["PUT"] != "200" || status["c1"] != "409" || status["c2"] != "409" {
			t.Errorf("bulk statuses %v: %s", status, r.raw)
		}
		l := s.do("GET", "/scim/v2/Groups?filter="+url.QueryEscape(`displayName eq "Bulk"`), nil).want(t, 200)
		if l.list()[0]["members"] == nil {
			t.Errorf("forward reference not resolved: %s", l.raw)
		}
		many := map[string]any{"Operations": make([]any, 1001)}
		for i := range 1001 {
			many["Operations"].([]any)[i] = map[string]any{"method": "DELETE", "path": "/Users/x"}
		}
		s.do("POST", "/scim/v2/Bulk", many).wantError(t, 413, "tooMany")
	})
}

func TestCustomFieldFilter(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		if _, err := s.svc.DefineCustomField(t.Context(), directory.CLI, s.tenant.ID, &directory.CustomField{Name: "shoeSize", Type: directory.CustomNumber}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.DefineCustomField(t.Context(), directory.CLI, s.tenant.ID, &directory.CustomField{Name: "team", Type: directory.CustomText}); err != nil {
			t.Fatal(err)
		}
		ext := "urn:ietf:params:scim:schemas:extension:scimd:2.0:User"
		s.do("POST", "/scim/v2/Users", map[string]any{"userName": "a", ext: map[string]any{"customFields": map[string]any{"shoeSize": "38", "team": "Red"}}}).want(t, 201)
		s.do("POST", "/scim/v2/Users", map[string]any{"userName": "b", ext: map[string]any{"customFields": map[string]any{"shoeSize": 44}}}).want(t, 201)
		for f, want := range map[string]string{
			ext + `:customFields.shoeSize gt 40`: "b",
			`customFields.shoeSize le 38`:        "a",
			`customFields.team eq "red"`:         "a",
			`not (customFields.team pr)`:         "b",
			ext + `:customFields.unknown eq "x"`: "",
		} {
			l := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil).want(t, 200)
			got := ""
			if res := l.list(); len(res) == 1 {
				got = res[0]["userName"].(string)
			}
			if got != want {
				t.Errorf("filter %s: got %q, want %q (%s)", f, got, want, l.raw)
			}
		}
		sch := s.do("GET", "/scim/v2/Schemas/"+ext, nil).want(t, 200)
		if !strings.Contains(sch.raw, `"name":"shoeSize"`) || !strings.Contains(sch.raw, `"type":"decimal"`) {
			t.Errorf("scimd schema does not list the tenant's custom fields: %s", sch.raw)
		}
	})
}
