package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The checks of Microsoft's SCIM validation suite, as its test list
// describes them: "SCIM Provisioning Validation — Test Overview" (25
// tests), AzureAD/SCIMReferenceCode,
// Microsoft.SCIM.LogicAppValidationTemplate/StandardLogicApp/SCIM-Validation-Test-Overview.md
// (https://github.com/AzureAD/SCIMReferenceCode), with the request shapes
// of the SCIM Validator (https://scimvalidator.microsoft.com/, "Tutorial:
// Validate a SCIM endpoint",
// https://learn.microsoft.com/en-us/entra/identity/app-provisioning/scim-validator-tutorial)
// as Microsoft Q&A threads quote them: the creation body and "Response
// from a GET and filter request on a disabled User should have attribute
// active" (https://learn.microsoft.com/en-us/answers/questions/2238842),
// and path-less replaces with dotted keys
// (https://learn.microsoft.com/en-us/answers/questions/1665068).
// Tests that need Entra itself (provisioning logs, provision on demand,
// OAuth and federated credentials) are out of scope; their SCIM requests
// are the ones below.

const validatorUser = `{"active":true,"displayName":"XKWLCONOGMVT","emails":[{"type":"work","value":"dale.mohr@prohaska.biz"}],
	"externalId":"9950b140-90a0-4201-9d65-b5f209fb4cd0","name":{"formatted":"Aric","familyName":"Nia","givenName":"Sandy"},
	"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dale.mohr@romaguera.uk"}`

// Tests 1, 3, 4, 6, 17 and 18: create, find, duplicate, update, disable,
// delete and restore a user.
func TestEntraValidatorUser(t *testing.T) {
	runEntraCases(t, []entraCase{{name: "user lifecycle", steps: []docStep{
		{name: "SCIM_User_Create_Test", method: "POST", path: "/Users", body: validatorUser, status: http.StatusCreated, id: "doc-user",
			want: `{"userName":"dale.mohr@romaguera.uk","externalId":"9950b140-90a0-4201-9d65-b5f209fb4cd0","active":true,
				"name":{"formatted":"Aric","familyName":"Nia","givenName":"Sandy"},"emails":[{"type":"work","value":"dale.mohr@prohaska.biz"}]}`,
			check: func(t *testing.T, r *response) {
				if r.str("id") == "" {
					t.Error("no id")
				}
			}},
		{name: "Create_User_Test: found by userName", method: "GET", path: `/Users?filter=userName eq "dale.mohr@romaguera.uk"`,
			status: http.StatusOK, want: `{"totalResults":1,"Resources":[{"id":"doc-user","userName":"dale.mohr@romaguera.uk"}]}`},
		{name: "found by externalId", method: "GET", path: `/Users?filter=externalId eq "9950b140-90a0-4201-9d65-b5f209fb4cd0"`,
			status: http.StatusOK, want: `{"totalResults":1,"Resources":[{"id":"doc-user"}]}`},
		{name: "empty filter query is 200 with no results", method: "GET", path: `/Users?filter=userName eq "` + "4d2a9f7e-0000-4000-8000-000000000000" + `"`,
			status: http.StatusOK, want: `{"totalResults":0,"Resources":[]}`},
		{name: "duplicate user is 409", method: "POST", path: "/Users", body: validatorUser, status: http.StatusConflict,
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness"}`},
		{name: "SCIM_User_Update_Test", method: "PATCH", path: "/Users/doc-user", status: http.StatusOK,
			body: `{"Operations":[{"op":"replace","value":{"name.givenName":"Oswaldo","name.familyName":"Rylan","displayName":"QWERTY",
				"title":"Engineer","nickName":"Ozzy","preferredLanguage":"en-US","locale":"en-US","userType":"Employee","timezone":"Europe/Paris",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"R&D",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"4711"}}],` + patchOpSchema + `}`,
			want: `{"name":{"givenName":"Oswaldo","familyName":"Rylan","formatted":"Aric"},"displayName":"QWERTY","title":"Engineer","nickName":"Ozzy",
				"preferredLanguage":"en-US","locale":"en-US","userType":"Employee","timezone":"Europe/Paris",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D","employeeNumber":"4711"}}`},
		{name: "updated values read back", method: "GET", path: "/Users/doc-user", status: http.StatusOK,
			want: `{"name":{"givenName":"Oswaldo","familyName":"Rylan"},"title":"Engineer","timezone":"Europe/Paris",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D","employeeNumber":"4711"}}`},
		{name: "Disable_User_Test", method: "PATCH", path: "/Users/doc-user", status: http.StatusOK,
			body: `{` + patchOpSchema + `,"Operations":[{"op":"replace","path":"active","value":false}]}`, want: `{"active":false}`},
		{name: "disabled user by GET and filter has active", method: "GET", path: `/Users?filter=userName eq "dale.mohr@romaguera.uk"`,
			status: http.StatusOK, want: `{"totalResults":1,"Resources":[{"active":false}]}`},
		{name: "Restore_User_Test: soft-delete restore", method: "PATCH", path: "/Users/doc-user", status: http.StatusOK,
			body: `{` + patchOpSchema + `,"Operations":[{"op":"replace","path":"active","value":true}]}`, want: `{"active":true}`},
		{name: "Delete_User_Test", method: "DELETE", path: "/Users/doc-user", status: http.StatusNoContent},
		{name: "deleted: 404 by id", method: "GET", path: "/Users/doc-user", status: http.StatusNotFound},
		{name: "deleted: totalResults 0 by filter", method: "GET", path: `/Users?filter=userName eq "dale.mohr@romaguera.uk"`,
			status: http.StatusOK, want: `{"totalResults":0}`},
		{name: "Restore_User_Test: reassigned user is created again", method: "POST", path: "/Users", body: validatorUser,
			status: http.StatusCreated, want: `{"userName":"dale.mohr@romaguera.uk","active":true}`},
	}}})
}

// Test 16, SCIM_Null_Update_Test: "PATCH with empty strings on optional
// attributes, verify they become null/empty; PATCH with null values,
// verify they remain null/empty". Both PATCH shapes Entra uses, one
// operation per attribute and one path-less replace.
func TestEntraValidatorNullUpdate(t *testing.T) {
	attrs := []string{"displayName", "nickName", "title", "userType", "preferredLanguage", "locale", "timezone", "profileUrl",
		"name.givenName", "name.familyName", "name.middleName", "externalId",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter",
		`emails[type eq "work"].value`, `phoneNumbers[type eq "work"].value`}
	full := `{"userName":"nulls@romaguera.uk","displayName":"D","nickName":"N","title":"T","userType":"U","preferredLanguage":"en",
		"locale":"en-US","timezone":"Europe/Paris","profileUrl":"https://x.example/p","externalId":"e","active":true,
		"name":{"givenName":"G","familyName":"F","middleName":"M"},"emails":[{"type":"work","value":"w@x.example"}],
		"phoneNumbers":[{"type":"work","value":"555"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D","employeeNumber":"1","costCenter":"C"}}`
	perAttr := func(v string) string {
		var ops []string
		for _, a := range attrs {
			ops = append(ops, fmt.Sprintf(`{"op":"replace","path":%q,"value":%s}`, a, v))
		}
		return `{` + patchOpSchema + `,"Operations":[` + strings.Join(ops, ",") + `]}`
	}
	pathless := func(v string) string {
		var kv []string
		for _, a := range attrs {
			kv = append(kv, fmt.Sprintf(`%q:%s`, a, v))
		}
		return `{` + patchOpSchema + `,"Operations":[{"op":"replace","value":{` + strings.Join(kv, ",") + `}}]}`
	}
	allEmpty := func(t *testing.T, r *response) {
		for _, k := range []string{"displayName", "nickName", "title", "userType", "preferredLanguage", "locale", "timezone",
			"profileUrl", "name", "externalId", "emails", "phoneNumbers", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"} {
			if v, ok := r.body[k]; ok {
				t.Errorf("%s is still %v", k, v)
			}
		}
		if r.str("userName") != "nulls@romaguera.uk" || r.str("active") != "true" {
			t.Errorf("required attributes changed: %s", r.raw)
		}
	}
	for _, shape := range []struct {
		name string
		body func(string) string
	}{{"one operation per attribute", perAttr}, {"path-less replace", pathless}} {
		t.Run(shape.name, func(t *testing.T) {
			runEntraCases(t, []entraCase{{name: "null update", seed: []idpSeed{{"Users", "doc-user", full}}, steps: []docStep{
				{name: "phase 1: empty strings", method: "PATCH", path: "/Users/doc-user", body: shape.body(`""`), status: http.StatusOK, check: allEmpty},
				{name: "phase 1 read back", method: "GET", path: "/Users/doc-user", status: http.StatusOK, check: allEmpty},
				{name: "phase 2: nulls", method: "PATCH", path: "/Users/doc-user", body: shape.body(`null`), status: http.StatusOK, check: allEmpty},
				{name: "phase 2 read back", method: "GET", path: "/Users/doc-user", status: http.StatusOK, check: allEmpty},
			}}})
		})
	}
}

// Tests 5 and 25, the manager: set with Add, change with Replace, remove
// with Replace with empty.
func TestEntraValidatorManager(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	patch := func(op, value string) string {
		return `{` + patchOpSchema + `,"Operations":[{"op":"` + op + `","path":"` + ent + `:manager","value":` + value + `}]}`
	}
	runEntraCases(t, []entraCase{{name: "manager",
		seed: []idpSeed{{"Users", "doc-boss1", `{"userName":"boss1@x.example","displayName":"Boss One"}`},
			{"Users", "doc-boss2", `{"userName":"boss2@x.example","displayName":"Boss Two"}`},
			{"Users", "doc-user", `{"userName":"report@x.example"}`}},
		steps: []docStep{
			{name: "set (Add)", method: "PATCH", path: "/Users/doc-user", body: patch("Add", `"doc-boss1"`), status: http.StatusOK,
				want: `{"` + ent + `":{"manager":{"value":"doc-boss1","displayName":"Boss One"}}}`},
			{name: "change (Replace)", method: "PATCH", path: "/Users/doc-user", body: patch("Replace", `"doc-boss2"`), status: http.StatusOK,
				want: `{"` + ent + `":{"manager":{"value":"doc-boss2","displayName":"Boss Two"}}}`},
			{name: "read back", method: "GET", path: "/Users/doc-user", status: http.StatusOK, want: `{"` + ent + `":{"manager":{"value":"doc-boss2"}}}`},
			{name: "remove (Replace with empty)", method: "PATCH", path: "/Users/doc-user", body: patch("Replace", `""`), status: http.StatusOK,
				want: `{"` + ent + `":null}`},
			{name: "removed", method: "GET", path: "/Users/doc-user", status: http.StatusOK, want: `{"` + ent + `":null}`},
		}}})
}

// Tests 8 to 12, 19 and 20: a group's create, update, members and delete.
func TestEntraValidatorGroup(t *testing.T) {
	runEntraCases(t, []entraCase{{name: "group lifecycle",
		seed: []idpSeed{{"Users", "doc-user", validatorUser}},
		stepsFn: func(s *server, d *docRun) []docStep {
			return []docStep{
				{name: "SCIM_Group_Create_Test", method: "POST", path: "/Groups", status: http.StatusCreated, id: "doc-group",
					body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"QQ7M8HRCRACN","externalId":"g-1"}`,
					want: `{"displayName":"QQ7M8HRCRACN","externalId":"g-1"}`},
				{name: "Create_Group_Test: found by displayName", method: "GET", path: `/Groups?filter=displayName eq "QQ7M8HRCRACN"`,
					status: http.StatusOK, want: `{"totalResults":1,"Resources":[{"id":"doc-group"}]}`},
				{name: "SCIM_Group_Update_Test", method: "PATCH", path: "/Groups/doc-group", status: http.StatusNoContent,
					body: `{` + patchOpSchema + `,"Operations":[{"op":"replace","value":{"displayName":"Renamed QQ7M"}}]}`},
				{name: "Update_Group_Test: read back", method: "GET", path: "/Groups/doc-group", status: http.StatusOK, want: `{"displayName":"Renamed QQ7M"}`},
				{name: "Group_Update_Add_Member_Test", method: "PATCH", path: "/Groups/doc-group", status: http.StatusNoContent,
					body:  `{` + patchOpSchema + `,"Operations":[{"op":"add","path":"members","value":[{"value":"doc-user"}]}]}`,
					check: membersAre(s, d, "doc-group", "doc-user")},
				{name: "Group_Update_Remove_Member_Test", method: "PATCH", path: "/Groups/doc-group", status: http.StatusNoContent,
					body:  `{` + patchOpSchema + `,"Operations":[{"op":"remove","path":"members[value eq \"doc-user\"]"}]}`,
					check: membersAre(s, d, "doc-group")},
				{name: "Delete_Group_Test", method: "DELETE", path: "/Groups/doc-group", status: http.StatusNoContent},
				{name: "deleted group: totalResults 0", method: "GET", path: `/Groups?filter=displayName eq "Renamed QQ7M"`,
					status: http.StatusOK, want: `{"totalResults":0}`},
			}
		}}})
}

// Tests 23 and 24: at least 11 resources, read 5 at a time; each page's
// startIndex is page*5+1 and every resource comes once.
func TestEntraValidatorPagination(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		for i := range 12 {
			s.do("POST", "/scim/v2/Users", map[string]any{"userName": fmt.Sprintf("page%02d@x.example", i)}).want(t, http.StatusCreated)
			s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": fmt.Sprintf("Page %02d", i)}).want(t, http.StatusCreated)
		}
		for _, kind := range []string{"Users", "Groups"} {
			seen := map[string]bool{}
			pages := 0
			for page := 0; ; page++ {
				r := s.do("GET", fmt.Sprintf("/scim/v2/%s?startIndex=%d&count=5", kind, page*5+1), nil).want(t, http.StatusOK)
				if r.str("startIndex") != fmt.Sprint(page*5+1) || r.str("totalResults") != "12" {
					t.Errorf("%s page %d: %s", kind, page, r.raw)
				}
				for _, res := range r.list() {
					if seen[res["id"].(string)] {
						t.Errorf("%s %s on two pages", kind, res["id"])
					}
					seen[res["id"].(string)] = true
				}
				pages++
				if len(r.list()) < 5 {
					break
				}
			}
			if pages < 2 || len(seen) != 12 {
				t.Errorf("%s: %d pages, %d resources", kind, pages, len(seen))
			}
		}
	})
}

// Test 15, Schema_Discoverability_Test: the attributes Entra maps by
// default, flattened (emails.value for emails[type eq "work"].value), are
// all in /Schemas. id, externalId and meta are common attributes, which
// RFC 7643 §3.1 keeps out of the schemas.
func TestEntraValidatorSchemaDiscovery(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		r := s.do("GET", "/scim/v2/Schemas", nil).want(t, http.StatusOK)
		names := map[string]bool{}
		for _, sc := range r.list() {
			prefix := ""
			if id := sc["id"].(string); strings.Contains(id, ":extension:") {
				prefix = id + ":"
			}
			attrs, _ := sc["attributes"].([]any)
			for _, a := range attrs {
				a := a.(map[string]any)
				names[strings.ToLower(prefix+a["name"].(string))] = true
				subs, _ := a["subAttributes"].([]any)
				for _, sub := range subs {
					names[strings.ToLower(prefix+a["name"].(string)+"."+sub.(map[string]any)["name"].(string))] = true
				}
			}
		}
		const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"
		for _, want := range []string{"userName", "active", "displayName", "title", "preferredLanguage", "name.givenName", "name.familyName",
			"emails.value", "emails.type", "phoneNumbers.value", "phoneNumbers.type", "addresses.formatted", "addresses.streetAddress",
			"addresses.locality", "addresses.region", "addresses.postalCode", "addresses.country", "addresses.type",
			ent + "department", ent + "employeeNumber", ent + "manager", ent + "costCenter", ent + "organization", ent + "division",
			"members", "members.value"} {
			if !names[strings.ToLower(want)] {
				t.Errorf("/Schemas does not describe %s", want)
			}
		}
	})
}
