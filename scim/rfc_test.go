package scim_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The examples of RFC 7644 (SCIM 2.0 protocol),
// https://www.rfc-editor.org/rfc/rfc7644, section by section, end to end
// on both stores. Ids in the RFC's requests are mapped to real ones.

// rfcUserBody is the User of §3.3.
const rfcUserBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","externalId":"bjensen",
	"name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara"}}`

// The RFC's ids.
const (
	rfcBabs  = "2819c223-7f76-453a-919d-413861904646"
	rfcMandy = "902c246b-6245-4190-8e05-00816be7344a"
	rfcJames = "08e1d05d-121c-4561-8b96-473d93df9210"
	rfcGroup = "e9e30dba-f08f-4109-8486-d5c6a331660a"
)

// §3.3 creating, §3.4.1 retrieving, §3.5.1 replacing with PUT, §3.6
// deleting, and §3.14 versions along the way.
func TestRFCUserResource(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		c := s.do("POST", "/scim/v2/Users", rfcUserBody).want(t, http.StatusCreated)
		wantLoose(t, map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "bjensen", "externalId": "bjensen",
			"name": map[string]any{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"}}, any(c.body))
		id := c.str("id")
		// "the URI of the created resource SHALL include, in the HTTP
		// "Location" header and the HTTP body ... "meta.location"".
		if loc := c.header.Get("Location"); loc == "" || loc != c.str("meta", "location") || !strings.HasSuffix(loc, "/Users/"+id) {
			t.Errorf("Location %q, meta.location %q", loc, c.str("meta", "location"))
		}
		if c.str("meta", "resourceType") != "User" || c.str("meta", "created") == "" || c.str("meta", "created") != c.str("meta", "lastModified") {
			t.Errorf("meta: %s", c.str("meta"))
		}
		// §3.14: the ETag is the version.
		if c.header.Get("ETag") == "" || c.header.Get("ETag") != c.str("meta", "version") {
			t.Errorf("ETag %q, meta.version %q", c.header.Get("ETag"), c.str("meta", "version"))
		}
		// §3.3: a duplicate userName is 409 uniqueness.
		s.do("POST", "/scim/v2/Users", rfcUserBody).wantError(t, http.StatusConflict, "uniqueness")

		// §3.4.1.
		g := s.do("GET", "/scim/v2/Users/"+id, nil).want(t, http.StatusOK)
		wantLoose(t, c.body, any(g.body))
		// RFC 7643 §3.1: meta.location "MUST be the same as the
		// Content-Location HTTP response header".
		if cl := g.header.Get("Content-Location"); cl != g.str("meta", "location") {
			t.Errorf("Content-Location %q, meta.location %q", cl, g.str("meta", "location"))
		}
		// §3.14: If-None-Match with the current version is 304, with no body.
		nm := s.do("GET", "/scim/v2/Users/"+id, nil, "If-None-Match", g.header.Get("ETag")).want(t, http.StatusNotModified)
		if nm.raw != "" || nm.header.Get("ETag") != g.header.Get("ETag") {
			t.Errorf("304: ETag %q, body %q", nm.header.Get("ETag"), nm.raw)
		}
		s.do("GET", "/scim/v2/Users/"+id, nil, "If-None-Match", `W/"e180ee84f0671b1"`).want(t, http.StatusOK)

		// §3.5.1, with the RFC's body and If-Match.
		put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"` + rfcBabs + `","userName":"bjensen","externalId":"bjensen",
			"name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara","middleName":"Jane"},"roles":[],
			"emails":[{"value":"bjensen@example.com"},{"value":"babs@jensen.org"}]}`
		s.do("PUT", "/scim/v2/Users/"+id, put, "If-Match", `W/"a330bc54f0671c9"`).wantError(t, http.StatusPreconditionFailed, "")
		p := s.do("PUT", "/scim/v2/Users/"+id, put, "If-Match", g.header.Get("ETag")).want(t, http.StatusOK)
		wantLoose(t, map[string]any{"id": id, "userName": "bjensen", "externalId": "bjensen", "roles": nil,
			"name":   map[string]any{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara", "middleName": "Jane"},
			"emails": []any{map[string]any{"value": "bjensen@example.com"}, map[string]any{"value": "babs@jensen.org"}}}, any(p.body))
		if p.str("id") != id || p.header.Get("ETag") == g.header.Get("ETag") || p.header.Get("ETag") != p.str("meta", "version") {
			t.Errorf("after PUT: id %s, ETag %q (was %q): %s", p.str("id"), p.header.Get("ETag"), g.header.Get("ETag"), p.raw)
		}
		if p.header.Get("Content-Location") != p.str("meta", "location") {
			t.Errorf("PUT Content-Location %q", p.header.Get("Content-Location"))
		}

		// §3.6, with §3.14's If-Match.
		s.do("DELETE", "/scim/v2/Users/"+id, nil, "If-Match", g.header.Get("ETag")).wantError(t, http.StatusPreconditionFailed, "")
		d := s.do("DELETE", "/scim/v2/Users/"+id, nil, "If-Match", p.header.Get("ETag")).want(t, http.StatusNoContent)
		if d.raw != "" {
			t.Errorf("DELETE body: %s", d.raw)
		}
		s.do("GET", "/scim/v2/Users/"+id, nil).wantError(t, http.StatusNotFound, "")
	})
}

// §3.4.2.2, the filter examples, on users made to tell them apart. Every
// example applies except the last, which also filters on ims, which
// scimd does not store (400 invalidFilter naming it).
func TestRFCFilters(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		ids := map[string]string{}
		for name, body := range map[string]string{
			"bjensen": `{"userName":"bjensen","name":{"familyName":"Jensen"},"title":"Tour Guide","userType":"Employee",
				"emails":[{"value":"bjensen@example.com","type":"work"}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984"}}`,
			"jomalley": `{"userName":"jomalley","name":{"familyName":"O'Malley"},"userType":"Intern","emails":[{"value":"j@example.org","type":"home"}]}`,
			"Jsmith":   `{"userName":"Jsmith","title":"Manager","userType":"Contractor","emails":[{"value":"js@other.net","type":"work"}]}`,
			"alice":    `{"userName":"alice","userType":"Employee","emails":[{"value":"alice@example.org","type":"work"}]}`,
		} {
			ids[s.do("POST", "/scim/v2/Users", body).want(t, http.StatusCreated).str("id")] = name
		}
		for _, tt := range []struct {
			name   string
			filter string
			want   []string // userNames, or nil for 400 invalidFilter
		}{
			{name: "eq", filter: `userName eq "bjensen"`, want: []string{"bjensen"}},
			{name: "co with a quote", filter: `name.familyName co "O'Malley"`, want: []string{"jomalley"}},
			{name: "sw, case-insensitive", filter: `userName sw "J"`, want: []string{"Jsmith", "jomalley"}},
			{name: "sw with the schema URN", filter: `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, want: []string{"Jsmith", "jomalley"}},
			{name: "pr", filter: `title pr`, want: []string{"Jsmith", "bjensen"}},
			{name: "gt", filter: `meta.lastModified gt "2011-05-13T04:42:34Z"`, want: []string{"Jsmith", "alice", "bjensen", "jomalley"}},
			{name: "ge", filter: `meta.lastModified ge "2011-05-13T04:42:34Z"`, want: []string{"Jsmith", "alice", "bjensen", "jomalley"}},
			{name: "lt", filter: `meta.lastModified lt "2011-05-13T04:42:34Z"`, want: []string{}},
			{name: "le", filter: `meta.lastModified le "2011-05-13T04:42:34Z"`, want: []string{}},
			{name: "and", filter: `title pr and userType eq "Employee"`, want: []string{"bjensen"}},
			{name: "or", filter: `title pr or userType eq "Intern"`, want: []string{"Jsmith", "bjensen", "jomalley"}},
			{name: "schemas eq extension", filter: `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, want: []string{"bjensen"}},
			{name: "grouping", filter: `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, want: []string{"alice", "bjensen"}},
			{name: "not", filter: `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`, want: []string{"Jsmith"}},
			{name: "sub-attribute", filter: `userType eq "Employee" and (emails.type eq "work")`, want: []string{"alice", "bjensen"}},
			{name: "value path", filter: `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`, want: []string{"bjensen"}},
			{name: "value paths on ims", filter: `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := s.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(tt.filter), nil)
				if tt.want == nil {
					r.wantError(t, http.StatusBadRequest, "invalidFilter")
					return
				}
				r.want(t, http.StatusOK)
				got := []string{}
				for _, u := range r.list() {
					got = append(got, ids[u["id"].(string)])
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.want) {
					t.Errorf("%s: %v, want %v", tt.filter, got, tt.want)
				}
			})
		}
		// §3.4.2.3 sorting, §3.4.2.4 paging, §3.4.2.5 attributes.
		r := s.do("GET", "/scim/v2/Users?sortBy=userName&sortOrder=descending&startIndex=1&count=10&attributes=userName", nil).want(t, http.StatusOK)
		var names []string
		for _, u := range r.list() {
			names = append(names, u["userName"].(string))
			if len(u) != 3 {
				t.Errorf("attributes=userName returned %v", u)
			}
		}
		if strings.Join(names, ",") != "Jsmith,jomalley,bjensen,alice" || r.str("startIndex") != "1" || r.str("itemsPerPage") != "4" {
			t.Errorf("sorted page: %s", r.raw)
		}
		// §3.4.3, the search example at /Users/.search.
		sr := s.do("POST", "/scim/v2/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
			"attributes":["displayName","userName"],"filter":"userName sw \"j\"","startIndex":1,"count":10}`).want(t, http.StatusOK)
		if sr.str("totalResults") != "2" || len(sr.list()) != 2 {
			t.Errorf(".search: %s", sr.raw)
		}
		// §3.4.3 lets a server search at the root; scimd does not, and
		// says so with §3.12's 501 instead of a 405 naming POST as allowed.
		s.do("POST", "/scim/v2/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"j\""}`).
			wantError(t, http.StatusNotImplemented, "")
	})
}

// §3.5.2, the PATCH examples of §3.5.2.1 (add), §3.5.2.2 (remove) and
// §3.5.2.3 (replace), on a group and a user. Group PATCH answers 204
// (§3.5.2: "the server either MUST return a 200 OK response code and
// the entire resource ... or MAY return HTTP status code 204").
func TestRFCPatch(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		d := newDocRun(s)
		d.seed(t,
			idpSeed{"Users", rfcBabs, `{"userName":"bjensen","displayName":"Babs Jensen"}`},
			idpSeed{"Users", rfcMandy, `{"userName":"mpepperidge","displayName":"Mandy Pepperidge"}`},
			idpSeed{"Users", rfcJames, `{"userName":"jsmith","displayName":"James Smith"}`},
			idpSeed{"Groups", rfcGroup, `{"displayName":"Tour Guides","members":[{"value":"` + rfcMandy + `"}]}`},
			idpSeed{"Users", "doc-user", `{"userName":"b","nickName":"B","emails":[{"value":"bjensen@example.com","type":"work"}],
				"addresses":[{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood"},{"type":"home","locality":"Hollywood"}]}`})
		members := func(want ...string) func(*testing.T, *response) { return membersAre(s, d, rfcGroup, want...) }
		group := "/Groups/" + rfcGroup
		patch := func(ops string) string { return `{` + patchOpSchema + `,"Operations":` + ops + `}` }
		d.steps(t,
			docStep{name: "3.5.2.1 add a member", method: "PATCH", path: group, status: http.StatusNoContent, check: members(rfcMandy, rfcBabs),
				body: patch(`[{"op":"add","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/` + rfcBabs + `","value":"` + rfcBabs + `"}]}]`)},
			docStep{name: "3.5.2.2 remove one member", method: "PATCH", path: group, status: http.StatusNoContent, check: members(rfcMandy),
				body: patch(`[{"op":"remove","path":"members[value eq \"` + rfcBabs + `\"]"}]`)},
			docStep{name: "3.5.2.2 remove all members", method: "PATCH", path: group, status: http.StatusNoContent, check: members(),
				body: patch(`[{"op":"remove","path":"members"}]`)},
			docStep{name: "3.5.2.2 remove all, then add", method: "PATCH", path: group, status: http.StatusNoContent, check: members(rfcBabs, rfcJames),
				body: patch(`[{"op":"remove","path":"members"},{"op":"add","path":"members","value":[
					{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/` + rfcBabs + `","value":"` + rfcBabs + `"},
					{"display":"James Smith","$ref":"https://example.com/v2/Users/` + rfcJames + `","value":"` + rfcJames + `"}]}]`)},
			docStep{name: "3.5.2.3 replace all members", method: "PATCH", path: group, status: http.StatusNoContent, check: members(rfcMandy, rfcJames),
				body: patch(`[{"op":"replace","path":"members","value":[{"display":"Mandy Pepperidge","value":"` + rfcMandy + `"},
					{"display":"James Smith","value":"` + rfcJames + `"}]}]`)},
			docStep{name: "group with its members", method: "GET", path: group, status: http.StatusOK,
				want: `{"displayName":"Tour Guides","members":[{"value":"` + rfcMandy + `","display":"Mandy Pepperidge","type":"User"},
					{"value":"` + rfcJames + `","display":"James Smith","type":"User"}]}`},
			docStep{name: "3.5.2.1 add without a path", method: "PATCH", path: "/Users/doc-user", status: http.StatusOK,
				body: patch(`[{"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]`),
				want: `{"nickName":"Babs","emails":[{"value":"bjensen@example.com","type":"work"},{"value":"babs@jensen.org","type":"home"}]}`},
			docStep{name: "3.5.2.3 replace a work address", method: "PATCH", path: "/Users/doc-user", status: http.StatusOK,
				body: patch(`[{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza",
					"locality":"Hollywood","region":"CA","postalCode":"91608","country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true}}]`),
				want: `{"addresses":[{"type":"work","streetAddress":"911 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608",
					"country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true},{"type":"home","locality":"Hollywood"}]}`},
			docStep{name: "3.5.2.3 replace a street address", method: "PATCH", path: "/Users/doc-user", status: http.StatusOK,
				body: patch(`[{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}]`),
				want: `{"addresses":[{"type":"work","streetAddress":"1010 Broadway Ave","locality":"Hollywood"},{"type":"home","locality":"Hollywood"}]}`},
			docStep{name: "3.5.2.3 replace without a path", method: "PATCH", path: "/Users/doc-user", status: http.StatusOK,
				body: patch(`[{"op":"replace","value":{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},
					{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]`),
				want: `{"nickName":"Babs","emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]}`},
			docStep{name: "3.5.2.2 remove an attribute", method: "PATCH", path: "/Users/doc-user", status: http.StatusOK,
				body: patch(`[{"op":"remove","path":"nickName"}]`), want: `{"nickName":null}`},
			// §3.5.2: the resource asked for with attributes comes back 200.
			docStep{name: "group PATCH asking for the resource", method: "PATCH", path: group + "?attributes=displayName", status: http.StatusOK,
				body: patch(`[{"op":"replace","path":"displayName","value":"Guides"}]`), want: `{"displayName":"Guides","members":null}`},
		)
	})
}
