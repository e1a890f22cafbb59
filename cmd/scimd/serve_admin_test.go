package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/scimd/scimd/admin"
)

// TestServeAdminAPI: serve mounts the admin API at /api/v1, answers it in
// JSON, and counts it by route.
func TestServeAdminAPI(t *testing.T) {
	b := sqliteBackend(t)
	db := b.db()
	ok(t, append([]string{"tenant", "create", "acme", "--seats", "3"}, db...)...)
	scimToken := lastLine(ok(t, append([]string{"token", "create", "--tenant", "acme"}, db...)...))
	adminToken := lastLine(ok(t, append([]string{"token", "create", "--tenant", "acme", "--scope", "admin"}, db...)...))
	s := startServer(t, nil, append([]string{"--addr", "127.0.0.1:0"}, db...)...)

	r := s.get(t, "/api/v1/seats", adminToken)
	var seats struct{ Seats, Used, Available int }
	if err := json.Unmarshal([]byte(r.body), &seats); err != nil || r.status != http.StatusOK || seats.Seats != 3 || seats.Available != 3 {
		t.Errorf("GET /api/v1/seats = %d %s", r.status, r.body)
	}
	for _, tt := range []struct {
		path, token string
		status      int
	}{
		{"/api/v1/seats", "", http.StatusUnauthorized},
		{"/api/v1/seats", scimToken, http.StatusForbidden},
		{"/api/v1/nowhere", adminToken, http.StatusNotFound},
	} {
		r := s.get(t, tt.path, tt.token)
		if r.status != tt.status || r.header.Get("Content-Type") != admin.MediaType || !strings.Contains(r.body, `"error"`) {
			t.Errorf("GET %s = %d %s %q", tt.path, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	if m := s.get(t, "/metrics", ""); !strings.Contains(m.body, `route="GET /api/v1/seats",status="200"} 1`) {
		t.Errorf("/metrics lacks the admin route:\n%s", m.body)
	}
}

func TestAdminPanicBody(t *testing.T) {
	b := admin.PanicBody()
	var body struct{ Error, Message string }
	if b.Prefix != "/api/v1/" || b.ContentType != admin.MediaType || json.Unmarshal([]byte(b.Body), &body) != nil || body.Error != "internal" {
		t.Errorf("panic body %+v", b)
	}
}
