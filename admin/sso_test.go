package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
)

// TestSSOConnections: connections are configured through the API; the
// client secret is write-only, sealed before it is stored, and never
// answered back or logged in the audit log.
func TestSSOConnections(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		const secret = "client-secret-do-not-show"
		r := s.api("POST", "/sso/connections", map[string]any{"kind": "oidc", "name": "Okta",
			"issuer": "https://acme.okta.com", "clientId": "0oa123", "clientSecret": secret, "scopes": []string{"email", "profile", "groups"}}).want(t, http.StatusCreated)
		id := r.str("id")
		if r.str("oidc", "clientSecretSet") != "true" || r.str("oidc", "subjectClaim") != "sub" || r.str("enabled") != "true" ||
			r.str("redirectUri") != "https://id.example.com/t/acme/sso/oidc/callback" || r.str("oidc", "scopes") != `["openid","email","profile","groups"]` ||
			r.header.Get("Location") != "/api/v1/sso/connections/"+id {
			t.Errorf("created: %s", r.raw)
		}
		stored, err := s.svc.Connection(t.Context(), s.tenant.ID, id)
		if err != nil || strings.Contains(string(stored.Secret), secret) {
			t.Fatalf("stored %v %v", stored, err)
		}
		if plain, err := s.secrets.Open(stored.Secret, stored.SecretContext()); err != nil || string(plain) != secret {
			t.Errorf("sealed secret opens to %q, %v", plain, err)
		}
		// Entra: oid as the subject; the secret stays when not sent.
		r = s.api("PATCH", "/sso/connections/"+id, map[string]any{"subjectClaim": "oid", "name": "Entra"}).want(t, http.StatusOK)
		if r.str("oidc", "subjectClaim") != "oid" || r.str("name") != "Entra" || r.str("oidc", "clientSecretSet") != "true" {
			t.Errorf("patched: %s", r.raw)
		}
		s.api("PATCH", "/sso/connections/"+id, map[string]any{"kind": "saml"}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("PATCH", "/sso/connections/"+id, map[string]any{"issuer": "http://evil.example"}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("PATCH", "/sso/connections/"+id, map[string]any{"clientSecrt": "x"}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("POST", "/sso/connections", map[string]any{"kind": "oidc", "name": "ENTRA", "issuer": "https://x.example", "clientId": "c"}).wantError(t, http.StatusConflict, "conflict")
		for _, path := range []string{"/sso", "/sso/connections", "/sso/connections/" + id} {
			if got := s.api("GET", path, nil).want(t, http.StatusOK); strings.Contains(got.raw, secret) || strings.Contains(got.raw, "clientSecret\"") {
				t.Errorf("GET %s shows the secret: %s", path, got.raw)
			}
		}
		audit := s.api("GET", "/audit?action=sso.", nil).want(t, http.StatusOK)
		if strings.Contains(audit.raw, secret) || !strings.Contains(audit.raw, `"secret"`) {
			t.Errorf("audit: %s", audit.raw)
		}
		// A secret can be removed.
		if r := s.api("PATCH", "/sso/connections/"+id, map[string]any{"clientSecret": nil}).want(t, http.StatusOK); r.str("oidc", "clientSecretSet") != "false" {
			t.Errorf("removed: %s", r.raw)
		}
		s.api("DELETE", "/sso/connections/"+id, nil).want(t, http.StatusNoContent)
		s.api("GET", "/sso/connections/"+id, nil).wantError(t, http.StatusNotFound, "not_found")
	})
}

// TestSSOSettingsAPI: settings by the API; only owners among signed-in
// users may change how the tenant signs in.
func TestSSOSettingsAPI(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		r := s.api("GET", "/sso", nil).want(t, http.StatusOK)
		if r.str("settings", "enforced") != "false" || r.str("settings", "linkBy") != `["externalId"]` || r.str("settings", "jit") != "false" || r.str("connections") != "[]" {
			t.Errorf("defaults: %s", r.raw)
		}
		r = s.api("PATCH", "/sso/settings", map[string]any{"enforced": true, "linkBy": []string{"userName", "email"}, "jitRole": "customer"}).want(t, http.StatusOK)
		if r.str("enforced") != "true" || r.str("linkBy") != `["userName","email"]` || r.str("jitRole") != "customer" {
			t.Errorf("patched: %s", r.raw)
		}
		s.api("PATCH", "/sso/settings", map[string]any{"linkBy": []string{"phone"}}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("PATCH", "/sso/settings", map[string]any{"jitRole": "admin"}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("PATCH", "/sso/settings", map[string]any{"enforced": "yes"}).wantError(t, http.StatusBadRequest, "invalid")

		admin, _ := s.svc.CreateUser(t.Context(), directory.CLI, s.tenant.ID, &directory.User{UserName: "adm", Active: true, Role: directory.RoleAdmin})
		owner, _ := s.svc.CreateUser(t.Context(), directory.CLI, s.tenant.ID, &directory.User{UserName: "own", Active: true, Role: directory.RoleOwner})
		r = s.as(admin.ID, "PATCH", "/sso/settings", map[string]any{"enforced": false}).wantError(t, http.StatusConflict, "invariant")
		if r.str("rule") != directory.RuleOwnerProtected {
			t.Errorf("rule: %s", r.raw)
		}
		s.as(admin.ID, "POST", "/sso/connections", map[string]any{"kind": "oidc", "name": "Mine", "issuer": "https://evil.example", "clientId": "c"}).wantError(t, http.StatusConflict, "invariant")
		s.as(admin.ID, "GET", "/sso", nil).want(t, http.StatusOK)
		if r := s.as(owner.ID, "PATCH", "/sso/settings", map[string]any{"enforced": false}).want(t, http.StatusOK); r.str("enforced") != "false" {
			t.Errorf("owner: %s", r.raw)
		}
	})
}
