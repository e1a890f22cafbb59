package admin_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

func TestAuditLog(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		start := time.Now().UTC().Add(-time.Second)
		var ids []string
		for _, n := range []string{"a", "b", "c", "d", "e"} {
			ids = append(ids, s.localUser(t, map[string]any{"userName": n}))
		}
		s.api("PATCH", "/users/"+ids[0], map[string]any{"title": "x"}).want(t, http.StatusOK)

		r := s.api("GET", "/audit?limit=3", nil).want(t, http.StatusOK)
		evs := r.list("events")
		if len(evs) != 3 || evs[0]["action"] != "user.update" || r.str("nextBefore") == "" {
			t.Fatalf("first page: %s", r.raw)
		}
		first := evs[0]
		actor, _ := first["actor"].(map[string]any)
		target, _ := first["target"].(map[string]any)
		if actor["kind"] != "token" || actor["scope"] != "admin" || target["kind"] != "user" || target["id"] != ids[0] ||
			target["name"] != "a" || first["outcome"] != "success" || r.str("events", "0", "changes", "0", "field") != "title" {
			t.Errorf("event: %v", first)
		}
		if _, err := time.Parse(time.RFC3339Nano, first["at"].(string)); err != nil {
			t.Errorf("at: %v", err)
		}
		// Pages follow nextBefore, newest first, to the tenant's first
		// event; tokens made in setup and the tenant are there too.
		seen := len(evs)
		before := r.str("nextBefore")
		for range 10 {
			r := s.api("GET", "/audit?limit=3&before="+before, nil).want(t, http.StatusOK)
			seen += len(r.list("events"))
			if before = r.str("nextBefore"); before == "" {
				break
			}
		}
		if seen != 9 { // tenant, two tokens, five creates, one update
			t.Errorf("%d events in all, want 9", seen)
		}
		for _, tt := range []struct {
			query string
			want  int
		}{
			{"action=user.create", 5},
			{"action=user.", 6},
			{"action=token.create", 2},
			{"target=" + ids[0], 2},
			{"actor=" + s.api("GET", "/audit?action=user.update", nil).str("events", "0", "actor", "id"), 6},
			{"since=" + url.QueryEscape(start.Format(time.RFC3339Nano)), 9},
			{"until=" + url.QueryEscape(start.Format(time.RFC3339)), 0},
		} {
			got := s.api("GET", "/audit?"+tt.query, nil).want(t, http.StatusOK).list("events")
			if len(got) != tt.want {
				t.Errorf("%s: %d events, want %d", tt.query, len(got), tt.want)
			}
		}
		for _, q := range []string{"since=yesterday", "before=x", "before=-1", "limit=all"} {
			r := s.api("GET", "/audit?"+q, nil).wantError(t, http.StatusBadRequest, "invalid")
			if _, err := strconv.Atoi(r.str("field")); err == nil || r.str("field") == "" {
				t.Errorf("%s: field %q", q, r.str("field"))
			}
		}
	})
}
