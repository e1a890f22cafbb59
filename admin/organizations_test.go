package admin_test

import (
	"net/http"
	"testing"
)

func TestOrganizations(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		r := s.api("POST", "/organizations", map[string]any{"name": "Initech", "domains": []string{"Initech.example"}}).want(t, http.StatusCreated)
		org := r.str("id")
		if r.str("domains") != `["initech.example"]` || r.header.Get("Location") != "/api/v1/organizations/"+org {
			t.Errorf("created: %s", r.raw)
		}
		s.api("POST", "/organizations", map[string]any{"name": "Globex", "domains": []string{"globex.example"}}).want(t, http.StatusCreated)
		r = s.api("POST", "/organizations", map[string]any{"name": "Other", "domains": []string{"initech.example"}}).wantError(t, http.StatusConflict, "conflict")
		if r.str("field") != "domains" || r.str("value") != "initech.example" {
			t.Errorf("domain conflict: %s", r.raw)
		}
		// A new customer at a domain joins its organization.
		cust := s.api("POST", "/users", map[string]any{"userName": "peter", "role": "customer",
			"identities": []any{map[string]any{"kind": "email", "value": "peter@initech.example", "primary": true}}}).want(t, http.StatusCreated)
		if cust.str("organizationId") != org {
			t.Errorf("customer placed in %q", cust.str("organizationId"))
		}
		// Rename and set domains; the new domain places the next customer.
		r = s.api("PATCH", "/organizations/"+org, map[string]any{"name": "Initech Corp", "domains": []string{"initech.example", "initrode.example"}}).want(t, http.StatusOK)
		if r.str("name") != "Initech Corp" || r.str("domains") != `["initech.example","initrode.example"]` {
			t.Errorf("patched: %s", r.raw)
		}
		if c := s.api("POST", "/users", map[string]any{"userName": "milton", "role": "customer",
			"identities": []any{map[string]any{"kind": "email", "value": "milton@initrode.example"}}}); c.str("organizationId") != org {
			t.Errorf("customer of a new domain placed in %q", c.str("organizationId"))
		}
		s.api("PATCH", "/organizations/"+org, map[string]any{"name": "globex"}).wantError(t, http.StatusConflict, "conflict")
		s.api("PATCH", "/organizations/"+org, map[string]any{"domains": []string{"not a domain"}}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("PATCH", "/organizations/"+org, map[string]any{"owner": "x"}).wantError(t, http.StatusBadRequest, "invalid")
		if got := s.api("GET", "/organizations/"+org, nil).want(t, http.StatusOK); got.str("name") != "Initech Corp" {
			t.Errorf("refused edits wrote: %s", got.raw)
		}
		list := s.api("GET", "/organizations", nil).want(t, http.StatusOK).list("organizations")
		if len(list) != 2 || list[0]["name"] != "Globex" {
			t.Errorf("list: %v", list)
		}
		// Moving a customer by hand, then deleting the organization: the
		// customer stays, in none.
		peter := cust.str("id")
		s.api("DELETE", "/organizations/"+org, nil).want(t, http.StatusNoContent)
		s.api("GET", "/organizations/"+org, nil).wantError(t, http.StatusNotFound, "not_found")
		if u := s.api("GET", "/users/"+peter, nil).want(t, http.StatusOK); u.str("organizationId") != "" || u.str("version") != "2" {
			t.Errorf("customer after its organization was deleted: %s", u.raw)
		}
		s.api("PATCH", "/users/"+peter, map[string]any{"organizationId": org}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("DELETE", "/organizations/"+org, nil).wantError(t, http.StatusNotFound, "not_found")
	})
}

func TestCustomFields(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		r := s.api("POST", "/custom-fields", map[string]any{"name": "tier", "type": "select", "options": []string{"gold", "silver"}}).want(t, http.StatusCreated)
		if r.str("options") != `["gold","silver"]` {
			t.Errorf("created: %s", r.raw)
		}
		s.api("POST", "/custom-fields", map[string]any{"name": "vip", "type": "bool"}).want(t, http.StatusCreated)
		s.api("POST", "/custom-fields", map[string]any{"name": "TIER", "type": "text"}).wantError(t, http.StatusConflict, "conflict")
		s.api("POST", "/custom-fields", map[string]any{"name": "x", "type": "color"}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("POST", "/custom-fields", map[string]any{"name": "1x", "type": "text"}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("POST", "/custom-fields", map[string]any{"name": "s", "type": "select"}).wantError(t, http.StatusBadRequest, "invalid")
		list := s.api("GET", "/custom-fields", nil).want(t, http.StatusOK).list("customFields")
		if len(list) != 2 || list[0]["name"] != "tier" || list[1]["type"] != "bool" {
			t.Errorf("list: %v", list)
		}
		id := s.localUser(t, map[string]any{"userName": "u", "custom": map[string]any{"tier": "Gold", "vip": true}})
		u := s.api("GET", "/users/"+id, nil)
		if u.str("custom", "tier") != "gold" || u.str("custom", "vip") != "true" {
			t.Errorf("custom values: %s", u.raw)
		}
		r = s.api("PATCH", "/users/"+id, map[string]any{"custom": map[string]any{"tier": "bronze"}}).wantError(t, http.StatusBadRequest, "invalid")
		if r.str("field") != "custom.tier" || r.str("message") != "custom.tier must be one of gold, silver, not \"bronze\"" {
			t.Errorf("bad option: %s", r.raw)
		}
		// Deleting a definition deletes its values.
		s.api("DELETE", "/custom-fields/TIER", nil).want(t, http.StatusNoContent)
		s.api("DELETE", "/custom-fields/tier", nil).wantError(t, http.StatusNotFound, "not_found")
		u = s.api("GET", "/users/"+id, nil)
		if u.str("custom") != `{"vip":true}` || u.str("version") != "2" {
			t.Errorf("after the definition was deleted: %s", u.raw)
		}
		if _, ok := u.get("owners").(map[string]any)["custom.tier"]; ok {
			t.Errorf("owners still lists the deleted field")
		}
		s.api("PATCH", "/users/"+id, map[string]any{"custom": map[string]any{"vip": false}}).want(t, http.StatusOK)
	})
}

func TestSeatsUnlimited(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		s.localUser(t, map[string]any{"userName": "a"})
		r := s.api("GET", "/seats", nil).want(t, http.StatusOK)
		if r.raw != `{"seats":null,"used":1,"available":null,"unlimited":true}`+"\n" {
			t.Errorf("seats: %s", r.raw)
		}
	})
}
