package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim"
)

// ada is a user as Okta provisions one.
func ada() map[string]any {
	return map[string]any{
		"userName": "ada@acme.example", "active": true, "title": "Engineer",
		"name":   map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"emails": []any{map[string]any{"value": "ada@acme.example", "type": "work", "primary": true}},
	}
}

func TestIdPFieldsAreReadOnly(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		s.api("POST", "/custom-fields", map[string]any{"name": "tier", "type": "text"}).want(t, http.StatusCreated)
		id := s.scimUser(t, ada())
		u := s.api("GET", "/users/"+id, nil).want(t, http.StatusOK)
		// Owners name every field: what the IdP sent is its; the rest,
		// custom fields included, the tenant's.
		for field, want := range map[string]string{
			"emails": "idp", "userName": "idp", "name.givenName": "idp", "title": "idp", "active": "idp",
			"extension": "local", "timezone": "local", "availability": "local", "role": "local",
			"custom.tier": "local", "phoneNumbers": "local", "name.middleName": "local",
		} {
			if got := u.str("owners", field); got != want {
				t.Errorf("owners[%s] = %q, want %q", field, got, want)
			}
		}
		if u.str("source") != "scim" || u.str("version") != "1" || u.header.Get("ETag") != `W/"1"` {
			t.Errorf("source %s version %s ETag %s", u.str("source"), u.str("version"), u.header.Get("ETag"))
		}

		// Each edit of an IdP-owned field is refused, naming the field
		// and the IdP, whatever else the edit holds.
		for _, tt := range []struct {
			name, method, path string
			body               any
			field              string
		}{
			{"title", "PATCH", "/users/" + id, map[string]any{"title": "CEO", "extension": "4242"}, "title"},
			{"name part", "PATCH", "/users/" + id, map[string]any{"name": map[string]any{"givenName": "Augusta"}}, "name.givenName"},
			{"userName", "PATCH", "/users/" + id, map[string]any{"userName": "eve@acme.example"}, "userName"},
			{"disable", "POST", "/users/" + id + "/disable", nil, "active"},
			{"delete an active IdP user", "DELETE", "/users/" + id, nil, "active"},
			{"add an email", "POST", "/users/" + id + "/identities", map[string]any{"kind": "email", "value": "ada@home.example"}, "emails"},
			{"remove the email", "DELETE", "/users/" + id + "/identities/" + text(u.identity(t, "ada@acme.example")["id"]), nil, "emails"},
		} {
			r := s.api(tt.method, tt.path, tt.body).wantError(t, http.StatusConflict, "read_only")
			if r.str("field") != tt.field || r.str("owner") != "idp" ||
				r.str("message") != tt.field+" is managed by your identity provider; change it there and it will sync" {
				t.Errorf("%s: %s", tt.name, r.raw)
			}
		}
		// Nothing was written: not the change, not its neighbours in the
		// same request, and no audit row claims success.
		after := s.api("GET", "/users/"+id, nil).want(t, http.StatusOK)
		if after.str("version") != "1" || after.str("title") != "Engineer" || after.str("extension") != "" {
			t.Errorf("refused edits wrote: %s", after.raw)
		}
		evs := s.events(t, id)
		if len(evs) != 8 {
			t.Fatalf("%d audit events, want the create and 7 refusals", len(evs))
		}
		for _, ev := range evs[:7] {
			if ev["outcome"] != "denied" || !strings.Contains(text(ev["reason"]), "managed by your identity provider") {
				t.Errorf("event after a refusal: %v", ev)
			}
		}
		if evs[7]["action"] != "user.create" || evs[7]["outcome"] != "success" {
			t.Errorf("first event: %v", evs[7])
		}
		// Once the IdP has deactivated its user, the tenant may delete it.
		s.scim("PATCH", "/Users/"+id, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "path": "active", "value": false}},
		}).want(t, http.StatusOK)
		s.api("DELETE", "/users/"+id, nil).want(t, http.StatusNoContent)
	})
}

func TestLocalEditsSurviveTheIdP(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		s.api("POST", "/custom-fields", map[string]any{"name": "tier", "type": "select", "options": []string{"gold", "silver"}}).want(t, http.StatusCreated)
		id := s.scimUser(t, ada())
		r := s.api("PATCH", "/users/"+id, map[string]any{
			"extension": "4242", "timezone": "Europe/London", "availability": "busy", "custom": map[string]any{"tier": "gold"},
		}, "If-Match", `W/"1"`).want(t, http.StatusOK)
		if r.str("extension") != "4242" || r.str("version") != "2" || r.header.Get("ETag") != `W/"2"` || r.str("custom", "tier") != "gold" {
			t.Fatalf("local edit: %s", r.raw)
		}

		// The IdP replaces the user without the local fields...
		put := ada()
		put["schemas"] = []string{scim.UserSchema}
		put["title"] = "Principal Engineer"
		s.scim("PUT", "/Users/"+id, put).want(t, http.StatusOK)
		// ... and patches other fields.
		s.scim("PATCH", "/Users/"+id, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "path": "displayName", "value": "Ada L."}},
		}).want(t, http.StatusOK)

		u := s.api("GET", "/users/"+id, nil).want(t, http.StatusOK)
		if u.str("extension") != "4242" || u.str("timezone") != "Europe/London" || u.str("availability") != "busy" || u.str("custom", "tier") != "gold" {
			t.Errorf("the IdP's writes cleared local fields: %s", u.raw)
		}
		if u.str("title") != "Principal Engineer" || u.str("displayName") != "Ada L." {
			t.Errorf("the IdP's writes were lost: %s", u.raw)
		}
		for _, f := range []string{"extension", "timezone", "availability", "custom.tier"} {
			if u.str("owners", f) != "local" {
				t.Errorf("owners[%s] = %s after IdP writes", f, u.str("owners", f))
			}
		}
		if u.str("owners", "displayName") != "idp" {
			t.Errorf("displayName, which the IdP sent, is %s", u.str("owners", "displayName"))
		}
		// SCIM shows the local value too, in scimd's extension.
		sr := s.scim("GET", "/Users/"+id, nil).want(t, http.StatusOK)
		if sr.str(scim.ScimdUserSchema, "extension") != "4242" {
			t.Errorf("SCIM shows %s", sr.raw)
		}
		// And local edits keep working.
		s.api("PATCH", "/users/"+id, map[string]any{"extension": nil}).want(t, http.StatusOK)
	})
}

func TestConflictsNameTheField(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		s.localUser(t, map[string]any{"userName": "grace", "extension": "1234",
			"identities": []any{map[string]any{"kind": "email", "value": "grace@acme.example", "primary": true}}})
		other := s.localUser(t, map[string]any{"userName": "alan"})

		r := s.api("PATCH", "/users/"+other, map[string]any{"extension": "1234"}).wantError(t, http.StatusConflict, "conflict")
		if r.str("field") != "extension" || r.str("value") != "1234" || r.str("message") != "extension 1234 belongs to another user; free it there first" {
			t.Errorf("extension conflict: %s", r.raw)
		}
		r = s.api("POST", "/users/"+other+"/identities", map[string]any{"kind": "email", "value": "GRACE@acme.example"}).wantError(t, http.StatusConflict, "conflict")
		if r.str("field") != "emails" || !strings.Contains(strings.ToLower(r.str("message")), "grace@acme.example is already used by another user") {
			t.Errorf("email conflict: %s", r.raw)
		}
		r = s.api("POST", "/users", map[string]any{"userName": "Grace"}).wantError(t, http.StatusConflict, "conflict")
		if r.str("field") != "userName" || r.str("message") != "userName Grace is already used by another user" {
			t.Errorf("userName conflict: %s", r.raw)
		}
		r = s.api("POST", "/users", map[string]any{"userName": "x",
			"identities": []any{map[string]any{"kind": "email", "value": "grace@acme.example"}}}).wantError(t, http.StatusConflict, "conflict")
		if r.str("field") != "emails" || r.str("value") != "grace@acme.example" {
			t.Errorf("email conflict on create: %s", r.raw)
		}
		s.api("POST", "/teams", map[string]any{"displayName": "Support"}).want(t, http.StatusCreated)
		r = s.api("POST", "/teams", map[string]any{"displayName": "SUPPORT"}).wantError(t, http.StatusConflict, "conflict")
		if r.str("field") != "displayName" || r.str("message") != "displayName SUPPORT is already used by another team" {
			t.Errorf("team conflict: %s", r.raw)
		}
		sales := s.api("POST", "/teams", map[string]any{"displayName": "Sales"}).want(t, http.StatusCreated).str("id")
		s.api("PATCH", "/teams/"+sales, map[string]any{"displayName": "support"}).wantError(t, http.StatusConflict, "conflict")
		// A conflict writes nothing, not even the other fields asked for,
		// and is no audit event at all (it is a mistake, not an attempt
		// on a rule).
		s.api("PATCH", "/users/"+other, map[string]any{"extension": "1234", "timezone": "Europe/Paris"}).wantError(t, http.StatusConflict, "conflict")
		if u := s.api("GET", "/users/"+other, nil); u.str("timezone") != "" || u.str("version") != "1" {
			t.Errorf("refused edit wrote: %s", u.raw)
		}
		if evs := s.events(t, other); len(evs) != 1 {
			t.Errorf("%d audit events for a user only created", len(evs))
		}
	})
}

func TestLastAdminStays(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		owner := s.localUser(t, map[string]any{"userName": "owner", "role": "owner"})
		for _, tt := range []struct {
			name, method, path string
			body               any
			verb               string
		}{
			{"disable", "POST", "/disable", nil, "disabled"},
			{"deactivate", "PATCH", "", map[string]any{"active": false}, "disabled"},
			{"demote", "PUT", "/role", map[string]any{"role": "agent"}, "demoted"},
			{"demote by PATCH", "PATCH", "", map[string]any{"role": "customer"}, "demoted"},
			{"delete", "DELETE", "", nil, "deleted"},
		} {
			r := s.api(tt.method, "/users/"+owner+tt.path, tt.body).wantError(t, http.StatusConflict, "invariant")
			if r.str("rule") != "last_admin" || r.str("field") != "role" ||
				r.str("message") != "owner is the tenant's last active owner or admin and can't be "+tt.verb+"; make another user an admin first" {
				t.Errorf("%s: %s", tt.name, r.raw)
			}
		}
		if u := s.api("GET", "/users/"+owner, nil).want(t, http.StatusOK); u.str("version") != "1" || u.str("active") != "true" {
			t.Errorf("refusals wrote: %s", u.raw)
		}
		// With another admin, the owner may go.
		s.localUser(t, map[string]any{"userName": "second", "role": "admin"})
		s.api("POST", "/users/"+owner+"/disable", nil).want(t, http.StatusOK)
	})
}

func TestSCIMDeprovisioningOfTheLastAdmin(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		doc := ada()
		doc["schemas"] = []string{scim.UserSchema, scim.ScimdUserSchema}
		doc[scim.ScimdUserSchema] = map[string]any{"role": "admin"}
		id := s.scimUser(t, doc)
		// Okta deactivates by PATCH, Entra too; some delete.
		r := s.scim("PATCH", "/Users/"+id, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}},
		})
		if r.status != http.StatusConflict || !strings.Contains(r.str("detail"), "last active owner or admin") || !strings.Contains(r.str("detail"), "rule: last_admin") {
			t.Errorf("SCIM deactivation of the last admin: %d %s", r.status, r.raw)
		}
		r = s.scim("DELETE", "/Users/"+id, nil)
		if r.status != http.StatusConflict || !strings.Contains(r.str("detail"), "rule: last_admin") {
			t.Errorf("SCIM delete of the last admin: %d %s", r.status, r.raw)
		}
		u := s.api("GET", "/users/"+id, nil).want(t, http.StatusOK)
		if u.str("active") != "true" || u.str("version") != "1" {
			t.Errorf("refused deprovisioning wrote: %s", u.raw)
		}
		// The audit log has both attempts, denied, by the IdP's token.
		evs := s.events(t, id)
		if len(evs) != 3 {
			t.Fatalf("%d events: %v", len(evs), evs)
		}
		for i, action := range []string{"user.delete", "user.update"} {
			ev := evs[i]
			actor, _ := ev["actor"].(map[string]any)
			if ev["action"] != action || ev["outcome"] != "denied" || actor["kind"] != "token" || actor["scope"] != "scim" ||
				!strings.Contains(text(ev["reason"]), "last active owner or admin") {
				t.Errorf("event %d: %v", i, ev)
			}
		}
		// The same question through the filters an admin uses.
		denied := s.api("GET", "/audit?action=user.&target="+id+"&limit=10", nil).want(t, http.StatusOK).list("events")
		if len(denied) != 3 {
			t.Errorf("action prefix filter: %d events", len(denied))
		}
	})
}

func TestOwnerIsProtectedFromAdmins(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		owner := s.localUser(t, map[string]any{"userName": "owner", "role": "owner"})
		adm := s.localUser(t, map[string]any{"userName": "admin", "role": "admin"})
		agent := s.localUser(t, map[string]any{"userName": "agent"})

		// A signed-in admin administers, but not the owner's account.
		r := s.as(adm, "PATCH", "/users/"+owner, map[string]any{"extension": "1"}).wantError(t, http.StatusConflict, "invariant")
		if r.str("rule") != "owner_protected" || r.str("message") != "only an owner can change an owner's account" {
			t.Errorf("admin edits owner: %s", r.raw)
		}
		s.as(adm, "PUT", "/users/"+agent+"/role", map[string]any{"role": "owner"}).wantError(t, http.StatusConflict, "invariant")
		s.as(adm, "DELETE", "/users/"+owner, nil).wantError(t, http.StatusConflict, "invariant")
		s.as(adm, "PATCH", "/users/"+agent, map[string]any{"extension": "2"}).want(t, http.StatusOK)
		s.as(owner, "PATCH", "/users/"+owner, map[string]any{"extension": "1"}).want(t, http.StatusOK)
		// The audit log names the signed-in user and role as the actor.
		ev := s.events(t, agent)[0]
		if actor, _ := ev["actor"].(map[string]any); actor["kind"] != "user" || actor["id"] != adm || actor["role"] != "admin" {
			t.Errorf("actor of a session's edit: %v", ev["actor"])
		}
		// Staff who don't administer are kept out; a role change applies
		// on the very next request.
		s.as(agent, "GET", "/users", nil).wantError(t, http.StatusForbidden, "forbidden")
		s.api("PUT", "/users/"+adm+"/role", map[string]any{"role": "agent"}).want(t, http.StatusOK)
		s.as(adm, "GET", "/users", nil).wantError(t, http.StatusForbidden, "forbidden")
		s.api("PUT", "/users/"+agent+"/role", map[string]any{"role": "admin"}).want(t, http.StatusOK)
		s.as(agent, "GET", "/users", nil).want(t, http.StatusOK)
	})
}

func TestIdentityFlow(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		id := s.localUser(t, map[string]any{"userName": "cust", "role": "customer", "identities": []any{
			map[string]any{"kind": "email", "value": "old@cust.example", "type": "work", "primary": true},
			map[string]any{"kind": "phone", "value": "+15551234567", "type": "mobile", "registered": true, "verified": true},
		}})
		r := s.api("POST", "/users/"+id+"/identities", map[string]any{"kind": "email", "value": "new@cust.example", "type": "work"}).want(t, http.StatusCreated)
		added := r.identity(t, "new@cust.example")
		if added["verified"] != false || added["primary"] != false || text(added["id"]) == "" {
			t.Errorf("added %v", added)
		}
		newID, oldID := text(added["id"]), text(r.identity(t, "old@cust.example")["id"])
		mobile := text(r.identity(t, "+15551234567")["id"])

		r = s.api("POST", "/users/"+id+"/identities/"+newID+"/primary", nil).wantError(t, http.StatusConflict, "invariant")
		if r.str("rule") != "verified_primary" || r.str("field") != "emails" || r.str("message") != "new@cust.example is not verified; verify it before making it primary" {
			t.Errorf("unverified primary: %s", r.raw)
		}
		s.api("POST", "/users/"+id+"/identities/"+newID+"/verify", nil).want(t, http.StatusOK)
		r = s.api("POST", "/users/"+id+"/identities/"+newID+"/primary", nil).want(t, http.StatusOK)
		if r.identity(t, "new@cust.example")["primary"] != true || r.identity(t, "old@cust.example")["primary"] != false {
			t.Errorf("after make primary: %s", r.raw)
		}
		r = s.api("DELETE", "/users/"+id+"/identities/"+oldID, nil, "If-Match", r.header.Get("ETag")).want(t, http.StatusOK)
		if len(r.list("identities")) != 2 {
			t.Errorf("after remove: %s", r.raw)
		}
		r = s.api("DELETE", "/users/"+id+"/identities/"+newID, nil).wantError(t, http.StatusConflict, "invariant")
		if r.str("rule") != "primary_identity" || r.str("field") != "emails" {
			t.Errorf("remove the only primary: %s", r.raw)
		}
		// The registered mobile number: neither removed nor edited, and the
		// answer says how to replace the user.
		r = s.api("DELETE", "/users/"+id+"/identities/"+mobile, nil).wantError(t, http.StatusConflict, "invariant")
		if r.str("rule") != "registered_mobile" || r.str("field") != "phoneNumbers" ||
			!strings.Contains(r.str("message"), "create a new user with the new number, move this user's settings to it, and disable this one") {
			t.Errorf("remove the registered mobile: %s", r.raw)
		}
		r = s.api("PATCH", "/users/"+id, map[string]any{"phoneNumbers": []any{}}).wantError(t, http.StatusBadRequest, "invalid")
		if r.str("field") != "phoneNumbers" {
			t.Errorf("phoneNumbers by PATCH: %s", r.raw)
		}
		s.api("PATCH", "/users/"+id, map[string]any{"identities": []any{}}).wantError(t, http.StatusBadRequest, "invalid")
		// Unknown identities and kinds.
		s.api("POST", "/users/"+id+"/identities/"+oldID+"/verify", nil).wantError(t, http.StatusNotFound, "not_found")
		s.api("POST", "/users/"+id+"/identities/nope/verify", nil).wantError(t, http.StatusNotFound, "not_found")
		s.api("POST", "/users/"+id+"/identities", map[string]any{"kind": "fax", "value": "1"}).wantError(t, http.StatusBadRequest, "invalid")
		s.api("POST", "/users/"+id+"/identities", map[string]any{"kind": "email", "value": "not an email"}).wantError(t, http.StatusBadRequest, "invalid")
		// A stale If-Match is refused.
		s.api("POST", "/users/"+id+"/identities/"+newID+"/verify", nil, "If-Match", `W/"1"`).wantError(t, http.StatusPreconditionFailed, "precondition_failed")
		evs := s.events(t, id)
		var actions []string
		for _, ev := range evs {
			actions = append(actions, text(ev["action"])+"/"+text(ev["outcome"]))
		}
		want := "user.identity.remove/denied user.identity.remove/denied user.identity.remove/success user.identity.primary/success " +
			"user.identity.verify/success user.identity.primary/denied user.identity.add/success user.create/success"
		if strings.Join(actions, " ") != want {
			t.Errorf("audit:\n got %s\nwant %s", strings.Join(actions, " "), want)
		}
	})
}

func TestSeatsHold(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		if _, err := s.svc.SetSeats(t.Context(), directory.CLI, s.tenant.ID, 2); err != nil {
			t.Fatal(err)
		}
		s.localUser(t, map[string]any{"userName": "a"})
		s.scimUser(t, map[string]any{"userName": "b"})
		r := s.api("GET", "/seats", nil).want(t, http.StatusOK)
		if r.str("seats") != "2" || r.str("used") != "2" || r.str("available") != "0" || r.str("unlimited") != "false" {
			t.Errorf("seats: %s", r.raw)
		}
		const full = "all 2 seats of this tenant are taken; free a seat (disable a staff member) or add seats first"
		r = s.api("POST", "/users", map[string]any{"userName": "c"}).wantError(t, http.StatusConflict, "invariant")
		if r.str("rule") != "seats" || r.str("message") != full {
			t.Errorf("create over the seats: %s", r.raw)
		}
		// Customers and disabled staff take none; enabling takes one.
		s.localUser(t, map[string]any{"userName": "cust", "role": "customer"})
		off := s.localUser(t, map[string]any{"userName": "off", "active": false})
		r = s.api("POST", "/users/"+off+"/enable", nil).wantError(t, http.StatusConflict, "invariant")
		if r.str("message") != full {
			t.Errorf("enable over the seats: %s", r.raw)
		}
		// Making a customer staff takes one too.
		cust := s.api("GET", "/users?filter="+url.QueryEscape(`userName eq "cust"`), nil).want(t, http.StatusOK).str("users", "0", "id")
		s.api("PUT", "/users/"+cust+"/role", map[string]any{"role": "agent"}).wantError(t, http.StatusConflict, "invariant")
		// Through SCIM: the same sentence, as a SCIM error.
		sr := s.scim("POST", "/Users", map[string]any{"schemas": []string{scim.UserSchema}, "userName": "d"})
		if sr.status != http.StatusConflict || !strings.Contains(sr.str("detail"), full) {
			t.Errorf("SCIM create over the seats: %d %s", sr.status, sr.raw)
		}
		if r := s.api("GET", "/seats", nil); r.str("used") != "2" {
			t.Errorf("refusals took seats: %s", r.raw)
		}
	})
}
