package admin_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestUserLifecycle(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		s.api("POST", "/custom-fields", map[string]any{"name": "shoeSize", "type": "number"}).want(t, http.StatusCreated)
		r := s.api("POST", "/users", map[string]any{
			"userName": "grace@acme.example", "displayName": "Grace", "title": "Admiral", "role": "agent",
			"name":      map[string]any{"givenName": "Grace", "familyName": "Hopper"},
			"extension": "1906", "timezone": "America/New_York", "locale": "en-US", "availability": "available",
			"department": "Navy", "custom": map[string]any{"shoeSize": 7.5},
			"identities": []any{map[string]any{"kind": "email", "value": "grace@acme.example", "primary": true, "verified": true}},
		}).want(t, http.StatusCreated)
		id := r.str("id")
		if r.header.Get("Location") != "/api/v1/users/"+id || r.header.Get("ETag") != `W/"1"` {
			t.Errorf("Location %q ETag %q", r.header.Get("Location"), r.header.Get("ETag"))
		}
		for path, want := range map[string]string{
			"source": "local", "active": "true", "name/familyName": "Hopper", "custom/shoeSize": "7.5",
			"department": "Navy", "availability": "available", "teams": "[]", "owners/emails": "local",
			"owners/custom.shoeSize": "local", "owners/title": "local", "identities/0/verified": "true",
		} {
			if got := r.str(strings.Split(path, "/")...); got != want {
				t.Errorf("%s = %s, want %s", path, got, want)
			}
		}
		// Every field has an owner.
		if owners, _ := r.get("owners").(map[string]any); len(owners) < 39 {
			t.Errorf("owners lists %d fields", len(owners))
		}

		// A merge: set, clear with null, leave the rest.
		r = s.api("PATCH", "/users/"+id, map[string]any{
			"title": nil, "name": map[string]any{"middleName": "Murray"}, "custom": map[string]any{"shoeSize": nil},
			"availability": "away",
		}, "If-Match", `W/"1"`).want(t, http.StatusOK)
		if r.str("title") != "" || r.str("name", "middleName") != "Murray" || r.str("name", "givenName") != "Grace" ||
			r.str("custom") != "{}" || r.str("availability") != "away" || r.str("extension") != "1906" || r.str("version") != "2" {
			t.Errorf("after PATCH: %s", r.raw)
		}
		s.api("PATCH", "/users/"+id, map[string]any{"title": "x"}, "If-Match", `W/"1"`).wantError(t, http.StatusPreconditionFailed, "precondition_failed")
		s.api("PATCH", "/users/"+id, map[string]any{"title": "x"}, "If-Match", `"garbage"`).wantError(t, http.StatusPreconditionFailed, "precondition_failed")

		// Malformed edits name the field.
		for _, tt := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"extention": "1"}, "extention"},
			{map[string]any{"title": 3}, "title"},
			{map[string]any{"active": "maybe"}, "active"},
			{map[string]any{"role": "god"}, "role"},
			{map[string]any{"timezone": "Mars/Olympus"}, "timezone"},
			{map[string]any{"extension": "12ab"}, "extension"},
			{map[string]any{"custom": map[string]any{"shoeSize": "big"}}, "custom.shoeSize"},
			{map[string]any{"custom": map[string]any{"hat": "big"}}, "custom.hat"},
			{map[string]any{"name": "Grace"}, "name"},
			{map[string]any{"version": 9}, "version"},
			{map[string]any{"organizationId": "0195d3a0-0000-7000-8000-000000000000"}, "organizationId"},
		} {
			r := s.api("PATCH", "/users/"+id, tt.body).wantError(t, http.StatusBadRequest, "invalid")
			if r.str("field") != tt.field {
				t.Errorf("%v: field %q, want %q: %s", tt.body, r.str("field"), tt.field, r.raw)
			}
		}

		s.api("POST", "/users/"+id+"/disable", nil).want(t, http.StatusOK)
		r = s.api("GET", "/users/"+id, nil).want(t, http.StatusOK)
		if r.str("active") != "false" {
			t.Errorf("after disable: %s", r.raw)
		}
		s.api("POST", "/users/"+id+"/enable", "").want(t, http.StatusOK)
		s.api("POST", "/users/"+id+"/enable", map[string]any{"why": "x"}).wantError(t, http.StatusBadRequest, "invalid")
		r = s.api("PUT", "/users/"+id+"/role", map[string]any{"role": "collaborator"}).want(t, http.StatusOK)
		if r.str("role") != "collaborator" {
			t.Errorf("after role: %s", r.raw)
		}
		s.api("PUT", "/users/"+id+"/role", map[string]any{}).wantError(t, http.StatusBadRequest, "invalid")

		var actions []string
		for _, ev := range s.events(t, id) {
			actions = append(actions, ev["action"].(string))
		}
		if want := []string{"user.update", "user.enable", "user.disable", "user.update", "user.create"}; !slices.Equal(actions, want) {
			t.Errorf("audit %v, want %v", actions, want)
		}

		s.api("DELETE", "/users/"+id, nil, "If-Match", `W/"1"`).wantError(t, http.StatusPreconditionFailed, "precondition_failed")
		s.api("DELETE", "/users/"+id, nil).want(t, http.StatusNoContent)
		s.api("GET", "/users/"+id, nil).wantError(t, http.StatusNotFound, "not_found")
		s.api("PATCH", "/users/"+id, map[string]any{"title": "x"}).wantError(t, http.StatusNotFound, "not_found")
		s.api("GET", "/users/not-an-id", nil).wantError(t, http.StatusNotFound, "not_found")
		// Its userName, email and extension are free again.
		s.localUser(t, map[string]any{"userName": "grace@acme.example", "extension": "1906",
			"identities": []any{map[string]any{"kind": "email", "value": "grace@acme.example"}}})

		s.api("POST", "/users", map[string]any{}).wantError(t, http.StatusBadRequest, "invalid")
		r = s.api("POST", "/users", map[string]any{"userName": "x", "identities": []any{map[string]any{"kind": "email", "value": "x@acme.example", "registered": true}}})
		r.wantError(t, http.StatusBadRequest, "invalid")
	})
}

func TestListUsers(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		names := []string{"dora", "alan", "Carol", "bob", "eve"}
		for i, n := range names {
			role := "agent"
			if i%2 == 1 {
				role = "customer"
			}
			s.localUser(t, map[string]any{"userName": n, "role": role, "title": "t" + n})
		}
		s.scimUser(t, map[string]any{"userName": "idp-user", "emails": []any{map[string]any{"value": "idp@acme.example", "primary": true}}})

		get := func(query string) *response {
			t.Helper()
			return s.api("GET", "/users?"+query, nil).want(t, http.StatusOK)
		}
		userNames := func(r *response) []string {
			var out []string
			for _, u := range r.list("users") {
				out = append(out, u["userName"].(string))
			}
			return out
		}
		r := get("sortBy=userName&count=2&startIndex=2")
		if got := userNames(r); !slices.Equal(got, []string{"bob", "Carol"}) || r.str("total") != "6" || r.str("startIndex") != "2" {
			t.Errorf("page 2 by userName: %v %s", got, r.raw)
		}
		if got := userNames(get("filter=" + url.QueryEscape(`role eq "customer"`) + "&sortBy=userName&sortOrder=descending")); !slices.Equal(got, []string{"bob", "alan"}) {
			t.Errorf("customers, descending: %v", got)
		}
		if got := userNames(get("filter=" + url.QueryEscape(`emails co "idp@"`))); !slices.Equal(got, []string{"idp-user"}) {
			t.Errorf("by email: %v", got)
		}
		// Every answer says who owns what.
		if r := get("filter=" + url.QueryEscape(`userName eq "idp-user"`)); r.str("users", "0", "owners", "emails") != "idp" || r.str("users", "0", "source") != "scim" {
			t.Errorf("IdP user in a list: %s", r.raw)
		}
		// Cursor paging walks everyone once.
		var all []string
		cursor := ""
		for range 10 {
			r := get("sortBy=userName&count=4&cursor=" + url.QueryEscape(cursor))
			all = append(all, userNames(r)...)
			if cursor = r.str("nextCursor"); cursor == "" {
				break
			}
		}
		if want := []string{"alan", "bob", "Carol", "dora", "eve", "idp-user"}; !slices.Equal(all, want) {
			t.Errorf("cursor paging: %v", all)
		}
		for _, tt := range []struct{ query, field string }{
			{"filter=" + url.QueryEscape(`userName eq`), "filter"},
			{"filter=" + url.QueryEscape(`shoe eq 1`), "filter"},
			{"sortBy=emails", "sortBy"},
			{"sortOrder=up", "sortOrder"},
			{"count=many", "count"},
			{"cursor=bogus", "cursor"},
		} {
			r := s.api("GET", "/users?"+tt.query, nil).wantError(t, http.StatusBadRequest, "invalid")
			if r.str("field") != tt.field {
				t.Errorf("%s: field %q", tt.query, r.str("field"))
			}
		}
	})
}
