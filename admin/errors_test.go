package admin_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim"
)

func TestAuthentication(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		for _, tt := range []struct {
			name, auth string
			status     int
			code       string
		}{
			{"no credentials", "", http.StatusUnauthorized, "unauthenticated"},
			{"not bearer", "Basic YTpi", http.StatusUnauthorized, "unauthenticated"},
			{"unknown token", "Bearer scimd_nope", http.StatusUnauthorized, "unauthenticated"},
			{"SCIM token", "Bearer " + s.scimToken, http.StatusForbidden, "forbidden"},
		} {
			r := s.do(tt.auth, "", "GET", "/api/v1/users", nil).wantError(t, tt.status, tt.code)
			if tt.status == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
			}
		}
		// Unknown paths too answer only the authenticated.
		s.do("", "", "GET", "/api/v1/nowhere", nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
		// The admin token is refused at SCIM.
		r := s.do("Bearer "+s.adminToken, "", "GET", "/scim/v2/Users", nil)
		if r.status != http.StatusForbidden || r.header.Get("Content-Type") != scim.MediaType {
			t.Errorf("admin token at SCIM: %d %s", r.status, r.raw)
		}
		// A revoked token stops at once.
		tok, secret, err := s.svc.CreateToken(t.Context(), directory.CLI, s.tenant.ID, directory.ScopeAdmin, "temp")
		if err != nil {
			t.Fatal(err)
		}
		s.do("Bearer "+secret, "", "GET", "/api/v1/seats", nil).want(t, http.StatusOK)
		if err := s.svc.RevokeToken(t.Context(), directory.CLI, s.tenant.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		s.do("Bearer "+secret, "", "GET", "/api/v1/seats", nil).wantError(t, http.StatusUnauthorized, "unauthenticated")
		// The tenant is the token's: another tenant's admin sees none of
		// this one's users.
		other, err := s.svc.CreateTenant(t.Context(), directory.CLI, "globex", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		_, otherSecret, _ := s.svc.CreateToken(t.Context(), directory.CLI, other.ID, directory.ScopeAdmin, "")
		id := s.localUser(t, map[string]any{"userName": "mine"})
		s.do("Bearer "+otherSecret, "", "GET", "/api/v1/users/"+id, nil).wantError(t, http.StatusNotFound, "not_found")
		s.do("Bearer "+otherSecret, "application/json", "PATCH", "/api/v1/users/"+id, `{"title":"x"}`).wantError(t, http.StatusNotFound, "not_found")
		if r := s.do("Bearer "+otherSecret, "", "GET", "/api/v1/users", nil).want(t, http.StatusOK); r.str("total") != "0" {
			t.Errorf("other tenant lists %s users", r.str("total"))
		}
	})
}

func TestMalformedRequests(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		id := s.localUser(t, map[string]any{"userName": "u"})
		big := `{"title": "` + strings.Repeat("x", 1<<20) + `"}`
		for _, tt := range []struct {
			name, method, path, contentType, body string
			status                                int
			code                                  string
		}{
			{"too large", "PATCH", "/users/" + id, "application/json", big, http.StatusRequestEntityTooLarge, "too_large"},
			{"not JSON", "PATCH", "/users/" + id, "application/json", `{"title":`, http.StatusBadRequest, "invalid"},
			{"not an object", "PATCH", "/users/" + id, "application/json", `["title"]`, http.StatusBadRequest, "invalid"},
			{"two values", "PATCH", "/users/" + id, "application/json", `{} {}`, http.StatusBadRequest, "invalid"},
			{"null", "POST", "/users", "application/json", `null`, http.StatusBadRequest, "invalid"},
			{"not UTF-8", "PATCH", "/users/" + id, "application/json", "{\"title\": \"\xff\"}", http.StatusBadRequest, "invalid"},
			{"form", "POST", "/users", "application/x-www-form-urlencoded", "userName=x", http.StatusUnsupportedMediaType, "unsupported_media"},
			{"unknown path", "GET", "/nowhere", "", "", http.StatusNotFound, "not_found"},
			{"below a user", "GET", "/users/" + id + "/x", "", "", http.StatusNotFound, "not_found"},
		} {
			var body any
			if tt.body != "" {
				body = []byte(tt.body)
			}
			r := s.do("Bearer "+s.adminToken, tt.contentType, tt.method, "/api/v1"+tt.path, body)
			if r.status != tt.status || r.str("error") != tt.code || r.str("message") == "" {
				t.Errorf("%s: %d %s, want %d %s", tt.name, r.status, r.raw, tt.status, tt.code)
			}
		}
		r := s.api("PUT", "/users", nil).wantError(t, http.StatusMethodNotAllowed, "method_not_allowed")
		if r.header.Get("Allow") != "GET, POST" {
			t.Errorf("Allow %q", r.header.Get("Allow"))
		}
		if r := s.api("POST", "/users/"+id, nil).wantError(t, http.StatusMethodNotAllowed, "method_not_allowed"); r.header.Get("Allow") != "GET, PATCH, DELETE" {
			t.Errorf("Allow %q", r.header.Get("Allow"))
		}
		if u := s.api("GET", "/users/"+id, nil); u.str("version") != "1" {
			t.Errorf("malformed requests wrote: %s", u.raw)
		}
	})
}

// TestInternalErrorsAreNotSent: a failure on the server's side answers a
// generic 500 and logs the error, which never reaches the client.
func TestInternalErrorsAreNotSent(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		s.store.Close() // every query now fails
		r := s.api("GET", "/users", nil).wantError(t, http.StatusInternalServerError, "internal")
		if strings.Contains(strings.ToLower(r.raw), "closed") || !strings.Contains(r.str("message"), "server log") {
			t.Errorf("500 body: %s", r.raw)
		}
		if log := s.log.String(); !strings.Contains(log, "admin API request failed") || !bytes.Contains([]byte(strings.ToLower(log)), []byte("closed")) {
			t.Errorf("the error was not logged:\n%s", log)
		}
	})
}
