package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// RFC 7644 §3.12: every error is a SCIM error body (schemas, status as a
// string, the scimType where §3.12's table has one, a detail), for each
// kind of mistake a client can make.
func TestRFCErrors(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		id := s.do("POST", "/scim/v2/Users", rfcUserBody).want(t, http.StatusCreated).str("id")
		s.do("POST", "/scim/v2/Users", `{"userName":"taken"}`).want(t, http.StatusCreated)
		user := "/scim/v2/Users/" + id
		patch := func(ops string) string { return `{` + patchOpSchema + `,"Operations":` + ops + `}` }
		for _, tt := range []struct {
			name, method, path, body string
			hdr                      []string
			status                   int
			scimType                 string
		}{
			// The RFC's two examples.
			{name: "404, the RFC's example", method: "GET", path: "/scim/v2/Users/" + rfcBabs, status: 404},
			{name: "mutability, the RFC's example", method: "PATCH", path: user, body: patch(`[{"op":"replace","path":"id","value":"x"}]`), status: 400, scimType: "mutability"},
			{name: "invalidFilter", method: "GET", path: "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq`), status: 400, scimType: "invalidFilter"},
			{name: "invalidFilter, unknown attribute", method: "GET", path: "/scim/v2/Users?filter=" + url.QueryEscape(`shoeSize gt 9`), status: 400, scimType: "invalidFilter"},
			{name: "uniqueness", method: "PATCH", path: user, body: patch(`[{"op":"replace","path":"userName","value":"TAKEN"}]`), status: 409, scimType: "uniqueness"},
			{name: "invalidSyntax, not JSON", method: "PUT", path: user, body: `{"userName":`, status: 400, scimType: "invalidSyntax"},
			{name: "invalidSyntax, unknown op", method: "PATCH", path: user, body: patch(`[{"op":"merge","path":"title","value":"x"}]`), status: 400, scimType: "invalidSyntax"},
			{name: "invalidPath", method: "PATCH", path: user, body: patch(`[{"op":"replace","path":"shoeSize","value":9}]`), status: 400, scimType: "invalidPath"},
			{name: "noTarget", method: "PATCH", path: user, body: patch(`[{"op":"remove"}]`), status: 400, scimType: "noTarget"},
			{name: "invalidValue", method: "PATCH", path: user, body: patch(`[{"op":"replace","path":"active","value":"maybe"}]`), status: 400, scimType: "invalidValue"},
			{name: "mutability, removing userName", method: "PATCH", path: user, body: patch(`[{"op":"remove","path":"userName"}]`), status: 400, scimType: "mutability"},
			{name: "412, version mismatch", method: "PATCH", path: user, body: patch(`[{"op":"replace","path":"title","value":"x"}]`), hdr: []string{"If-Match", `W/"99"`}, status: 412},
			{name: "413, payload", method: "POST", path: "/scim/v2/Users", body: `{"userName":"big","title":"` + strings.Repeat("x", 2<<20) + `"}`, status: 413},
			{name: "405, read-only endpoint", method: "DELETE", path: "/scim/v2/Schemas", status: 405},
			{name: "404, no such endpoint", method: "GET", path: "/scim/v2/Devices", status: 404},
			{name: "404, below a resource", method: "GET", path: user + "/photos", status: 404},
			{name: "501, root search", method: "POST", path: "/scim/v2/.search", body: `{"filter":"userName pr"}`, status: 501},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var body any
				if tt.body != "" {
					body = tt.body
				}
				r := s.do(tt.method, tt.path, body, tt.hdr...).wantError(t, tt.status, tt.scimType)
				if r.header.Get("Content-Type") != "application/scim+json" {
					t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
				}
				if tt.status == 405 && r.header.Get("Allow") == "" {
					t.Error("405 without Allow")
				}
			})
		}
		// Refused requests changed nothing.
		if g := s.do("GET", user, nil).want(t, http.StatusOK); g.str("meta", "version") != `W/"1"` || g.str("title") != "" {
			t.Errorf("refused requests changed the user: %s", g.raw)
		}
		// 401 carries WWW-Authenticate (RFC 7644 §2).
		s.token = "not-a-token"
		if r := s.do("GET", "/scim/v2/Users", nil).wantError(t, http.StatusUnauthorized, ""); r.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
	})
}

// RFC 7644 §3.14 on a group: ETag and meta.version agree, If-None-Match
// gives 304, If-Match guards PUT, PATCH and DELETE with 412.
func TestRFCGroupVersions(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		c := s.do("POST", "/scim/v2/Groups", `{"displayName":"Tour Guides"}`).want(t, http.StatusCreated)
		path := "/scim/v2/Groups/" + c.str("id")
		v1 := c.header.Get("ETag")
		if v1 == "" || v1 != c.str("meta", "version") || c.header.Get("Content-Location") != c.str("meta", "location") {
			t.Fatalf("ETag %q, Content-Location %q: %s", v1, c.header.Get("Content-Location"), c.raw)
		}
		s.do("GET", path, nil, "If-None-Match", v1).want(t, http.StatusNotModified)
		patch := `{` + patchOpSchema + `,"Operations":[{"op":"replace","path":"displayName","value":"Guides"}]}`
		s.do("PATCH", path, patch, "If-Match", `W/"7"`).wantError(t, http.StatusPreconditionFailed, "")
		p := s.do("PATCH", path, patch, "If-Match", v1).want(t, http.StatusNoContent)
		v2 := p.header.Get("ETag")
		if v2 == "" || v2 == v1 {
			t.Errorf("ETag after PATCH %q (was %q)", v2, v1)
		}
		s.do("GET", path, nil, "If-None-Match", v1).want(t, http.StatusOK)
		s.do("PUT", path, `{"displayName":"X"}`, "If-Match", v1).wantError(t, http.StatusPreconditionFailed, "")
		put := s.do("PUT", path, `{"displayName":"Guides 2"}`, "If-Match", v2).want(t, http.StatusOK)
		s.do("DELETE", path, nil, "If-Match", v2).wantError(t, http.StatusPreconditionFailed, "")
		s.do("DELETE", path, nil, "If-Match", put.header.Get("ETag")).want(t, http.StatusNoContent)
	})
}
