package admin_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/scimd/scimd/scim"
)

func TestTeams(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		var users []string
		for _, n := range []string{"u1", "u2", "u3", "u4", "u5"} {
			users = append(users, s.localUser(t, map[string]any{"userName": n}))
		}
		r := s.api("POST", "/teams", map[string]any{"displayName": "Support", "members": users[:3]}).want(t, http.StatusCreated)
		id := r.str("id")
		if r.str("memberCount") != "3" || r.str("source") != "local" || r.str("owners", "members") != "local" || r.header.Get("Location") != "/api/v1/teams/"+id {
			t.Errorf("created: %s", r.raw)
		}
		s.api("POST", "/teams", map[string]any{"displayName": "Billing"}).want(t, http.StatusCreated)

		// One member at a time, and in batches; adding twice is no error.
		s.api("PUT", "/teams/"+id+"/members/"+users[3], nil).want(t, http.StatusOK)
		s.api("PUT", "/teams/"+id+"/members/"+users[3], nil).want(t, http.StatusOK)
		s.api("DELETE", "/teams/"+id+"/members/"+users[0], nil).want(t, http.StatusOK)
		r = s.api("POST", "/teams/"+id+"/members", map[string]any{"add": []string{users[4]}, "remove": []string{users[1]}}).want(t, http.StatusOK)
		if r.str("memberCount") != "3" {
			t.Errorf("after changes: %s", r.raw)
		}
		s.api("PUT", "/teams/"+id+"/members/0195d3a0-0000-7000-8000-000000000000", nil).wantError(t, http.StatusBadRequest, "invalid")

		// Members page by cursor.
		var members []string
		cursor := ""
		for range 5 {
			r := s.api("GET", "/teams/"+id+"/members?count=2&cursor="+cursor, nil).want(t, http.StatusOK)
			if r.str("total") != "3" {
				t.Errorf("total %s", r.str("total"))
			}
			for _, m := range r.list("members") {
				members = append(members, m["id"].(string))
			}
			if cursor = r.str("nextCursor"); cursor == "" {
				break
			}
		}
		want := []string{users[2], users[3], users[4]}
		slices.Sort(want)
		if !slices.Equal(members, want) {
			t.Errorf("members %v, want %v", members, want)
		}
		// A user answer lists its teams.
		if u := s.api("GET", "/users/"+users[2], nil); u.str("teams", "0", "displayName") != "Support" {
			t.Errorf("user's teams: %s", u.raw)
		}

		r = s.api("GET", "/teams?search=port", nil).want(t, http.StatusOK)
		if len(r.list("teams")) != 1 || r.str("teams", "0", "displayName") != "Support" || r.str("total") != "1" {
			t.Errorf("search: %s", r.raw)
		}
		r = s.api("GET", "/teams", nil).want(t, http.StatusOK)
		if r.str("teams", "0", "displayName") != "Billing" || r.str("total") != "2" {
			t.Errorf("list: %s", r.raw)
		}

		r = s.api("GET", "/teams/"+id, nil).want(t, http.StatusOK)
		r = s.api("PATCH", "/teams/"+id, map[string]any{"displayName": "Tier 1"}, "If-Match", r.header.Get("ETag")).want(t, http.StatusOK)
		if r.str("displayName") != "Tier 1" {
			t.Errorf("renamed: %s", r.raw)
		}
		s.api("PATCH", "/teams/"+id, map[string]any{"displayName": "x"}, "If-Match", `W/"1"`).wantError(t, http.StatusPreconditionFailed, "precondition_failed")
		s.api("PATCH", "/teams/"+id, map[string]any{"displayName": ""}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("PATCH", "/teams/"+id, map[string]any{"members": []string{}}).wantError(t, http.StatusBadRequest, "invalid")

		s.api("DELETE", "/teams/"+id, nil).want(t, http.StatusNoContent)
		s.api("GET", "/teams/"+id, nil).wantError(t, http.StatusNotFound, "not_found")
		s.api("GET", "/teams/"+id+"/members", nil).wantError(t, http.StatusNotFound, "not_found")
		if u := s.api("GET", "/users/"+users[2], nil); u.str("teams") != "[]" {
			t.Errorf("teams of a member of a deleted team: %s", u.raw)
		}
	})
}

func TestIdPTeamsAreReadOnly(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		u := s.localUser(t, map[string]any{"userName": "u"})
		// Okta creates the group, then pushes members: still its team.
		r := s.scim("POST", "/Groups", map[string]any{"schemas": []string{scim.GroupSchema}, "displayName": "Engineering"})
		if r.status != http.StatusCreated {
			t.Fatalf("SCIM group: %s", r.raw)
		}
		id := r.str("id")
		got := s.api("GET", "/teams/"+id, nil).want(t, http.StatusOK)
		if got.str("source") != "scim" || got.str("owners", "displayName") != "idp" || got.str("owners", "members") != "idp" {
			t.Errorf("IdP team: %s", got.raw)
		}
		for _, tt := range []struct {
			method, path string
			body         any
			field        string
		}{
			{"PATCH", "/teams/" + id, map[string]any{"displayName": "Mine"}, "displayName"},
			{"PUT", "/teams/" + id + "/members/" + u, nil, "members"},
			{"POST", "/teams/" + id + "/members", map[string]any{"remove": []string{u}}, "members"},
			{"DELETE", "/teams/" + id, nil, "team"},
		} {
			r := s.api(tt.method, tt.path, tt.body).wantError(t, http.StatusConflict, "read_only")
			if r.str("field") != tt.field || r.str("owner") != "idp" {
				t.Errorf("%s %s: %s", tt.method, tt.path, r.raw)
			}
		}
		if got := s.api("GET", "/teams/"+id, nil); got.str("version") != "1" || got.str("memberCount") != "0" {
			t.Errorf("refused changes wrote: %s", got.raw)
		}
	})
}
