package scim_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// entraCase is a documented Entra ID exchange: what must exist first,
// then the requests as documented.
type entraCase struct {
	name  string
	seed  []idpSeed
	steps []docStep
	// stepsFn, when set, makes the steps once the server and the id map
	// exist (for checks that read the server).
	stepsFn func(s *server, d *docRun) []docStep
}

func runEntraCases(t *testing.T, cases []entraCase) {
	backends(t, func(t *testing.T, s *server) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s.clear(t)
				d := newDocRun(s)
				d.seed(t, c.seed...)
				steps := c.steps
				if c.stepsFn != nil {
					steps = c.stepsFn(s, d)
				}
				d.steps(t, steps...)
			})
		}
	})
}

// membersAre checks a group's members, by the document's ids.
func membersAre(s *server, d *docRun, group string, want ...string) func(*testing.T, *response) {
	return func(t *testing.T, _ *response) {
		got := s.groupMembers(t, d.ids[group])
		var ids []string
		for _, w := range want {
			ids = append(ids, d.ids[w])
		}
		slices.Sort(got)
		slices.Sort(ids)
		if !slices.Equal(got, ids) {
			t.Errorf("members %v, want %v", got, ids)
		}
	}
}

const patchOpSchema = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`

// The request/response examples of "Tutorial: Develop and plan
// provisioning for a SCIM endpoint in Microsoft Entra ID",
// https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
// (source: MicrosoftDocs/entra-docs,
// docs/identity/app-provisioning/use-scim-to-provision-users-and-groups.md),
// sections "User Operations" and "Group Operations". Each example names a
// different resource, so each case creates the resource its example
// expects, from the values the example shows.
//
// Where scimd differs from the page on purpose:
//   - "Update User [Multi-valued properties]" shows name.formatted
//     recomputed ("givenName updatedFamilyName"); scimd keeps the
//     formatted name Entra sent, as the same page asks ("Values sent
//     should be stored in the same format they were sent").
//   - 404 details are scimd's own sentence ("The detail isn't required,
//     only status").
func TestEntraTutorialUsers(t *testing.T) {
	const userName = "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
	const email = "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
	seedUser := func(id, externalID string) idpSeed {
		return idpSeed{"Users", id, `{"externalId":"` + externalID + `","userName":"` + userName + `","active":true,
			"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
			"emails":[{"value":"` + email + `","type":"work","primary":true}]}`}
	}
	runEntraCases(t, []entraCase{
		{name: "create user", steps: []docStep{{name: "POST /Users", method: "POST", path: "/Users", status: http.StatusCreated,
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
				"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"` + userName + `","active":true,
				"emails":[{"primary":true,"type":"work","value":"` + email + `"}],"meta":{"resourceType":"User"},
				"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"48af03ac28ad4fb88478","externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
				"meta":{"resourceType":"User","created":"2018-03-27T19:59:26.000Z","lastModified":"2018-03-27T19:59:26.000Z"},
				"userName":"` + userName + `","name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
				"active":true,"emails":[{"value":"` + email + `","type":"work","primary":true}]}`}}},
		{name: "get user", seed: []idpSeed{seedUser("5d48a0a8e9f04aa38008", "58342554-38d6-4ec8-948c-50044d0a33fd")},
			steps: []docStep{{name: "GET /Users/{id}", method: "GET", path: "/Users/5d48a0a8e9f04aa38008", status: http.StatusOK,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"5d48a0a8e9f04aa38008","externalId":"58342554-38d6-4ec8-948c-50044d0a33fd",
					"userName":"` + userName + `","name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
					"active":true,"emails":[{"value":"` + email + `","type":"work","primary":true}]}`}}},
		{name: "get user not found", steps: []docStep{{name: "GET /Users/{unknown}", method: "GET", path: "/Users/5171a35d82074e068ce2",
			status: http.StatusNotFound, want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404"}`}}},
		{name: "get user by query", seed: []idpSeed{seedUser("2441309d85324e7793ae", "7fce0092-d52e-4f76-b727-3955bd72c939")},
			steps: []docStep{{name: "GET /Users?filter=userName eq", method: "GET", path: `/Users?filter=userName eq "` + userName + `"`, status: http.StatusOK,
				want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":20,
					"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2441309d85324e7793ae",
					"externalId":"7fce0092-d52e-4f76-b727-3955bd72c939","userName":"` + userName + `",
					"name":{"familyName":"familyName","givenName":"givenName"},"active":true,
					"emails":[{"value":"` + email + `","type":"work","primary":true}]}]}`}}},
		{name: "get user by query, zero results", steps: []docStep{{name: "GET /Users?filter=userName eq non-existent", method: "GET",
			path: `/Users?filter=userName eq "non-existent user"`, status: http.StatusOK,
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":20}`}}},
		{name: "update user, multi-valued properties", seed: []idpSeed{seedUser("6764549bef60420686bc", "6c75de36-30fa-4d2d-a196-6bdcdb6b6539")},
			steps: []docStep{{name: "PATCH emails and familyName", method: "PATCH", path: "/Users/6764549bef60420686bc", status: http.StatusOK,
				body: `{` + patchOpSchema + `,"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
					{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"6764549bef60420686bc","externalId":"6c75de36-30fa-4d2d-a196-6bdcdb6b6539",
					"userName":"` + userName + `","name":{"formatted":"givenName updatedFamilyName","familyName":"updatedFamilyName","givenName":"givenName"},
					"active":true,"emails":[{"value":"updatedEmail@microsoft.com","type":"work","primary":true}]}`,
				ignore: []string{"name.formatted"}}}},
		{name: "update user, single-valued properties", seed: []idpSeed{seedUser("5171a35d82074e068ce2", "aa1eca08-7179-4eeb-a0be-a519f7e5cd1a")},
			steps: []docStep{{name: "PATCH userName", method: "PATCH", path: "/Users/5171a35d82074e068ce2", status: http.StatusOK,
				body: `{` + patchOpSchema + `,"Operations":[{"op":"Replace","path":"userName","value":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}]}`,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"5171a35d82074e068ce2","externalId":"aa1eca08-7179-4eeb-a0be-a519f7e5cd1a",
					"userName":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com",
					"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
					"active":true,"emails":[{"value":"` + email + `","type":"work","primary":true}]}`}}},
		{name: "disable user", seed: []idpSeed{{"Users", "5171a35d82074e068ce2", `{"userName":"deanruiz@testuser.com",
			"name":{"familyName":"Harris","givenName":"Larry"},"active":true,
			"emails":[{"value":"gloversuzanne@testuser.com","type":"work","primary":true}],"addresses":[{"country":"ML","type":"work","primary":true}]}`}},
			steps: []docStep{{name: "PATCH active false", method: "PATCH", path: "/Users/5171a35d82074e068ce2", status: http.StatusOK,
				body: `{"Operations":[{"op":"Replace","path":"active","value":false}],` + patchOpSchema + `}`,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"CEC50F275D83C4530A495FCF@834d0e1e5d8235f90a495fda",
					"userName":"deanruiz@testuser.com","name":{"familyName":"Harris","givenName":"Larry"},"active":false,
					"emails":[{"value":"gloversuzanne@testuser.com","type":"work","primary":true}],
					"addresses":[{"country":"ML","type":"work","primary":true}],"meta":{"resourceType":"Users"}}`},
				// "The user object should be returned in a request whether or
				// not the user is active."
				{name: "disabled user is still returned", method: "GET", path: `/Users?filter=userName eq "deanruiz@testuser.com"`,
					status: http.StatusOK, want: `{"totalResults":1,"Resources":[{"active":false}]}`}}},
		{name: "delete user", seed: []idpSeed{seedUser("5171a35d82074e068ce2", "aa1eca08-7179-4eeb-a0be-a519f7e5cd1a")},
			steps: []docStep{
				{name: "DELETE /Users/{id}", method: "DELETE", path: "/Users/5171a35d82074e068ce2", status: http.StatusNoContent},
				{name: "hard-deleted user is not returned", method: "GET", path: "/Users/5171a35d82074e068ce2", status: http.StatusNotFound},
				{name: "nor found by query", method: "GET", path: `/Users?filter=userName eq "` + userName + `"`, status: http.StatusOK,
					want: `{"totalResults":0}`}}},
	})
}

// The group examples of the same tutorial. Group PATCH answers 204, as
// the page asks ("Update to the group PATCH request should yield an HTTP
// 204 No Content in the response").
func TestEntraTutorialGroups(t *testing.T) {
	group := func(id, externalID string, members ...string) idpSeed {
		var ms []string
		for _, m := range members {
			ms = append(ms, `{"value":"`+m+`"}`)
		}
		return idpSeed{"Groups", id, `{"externalId":"` + externalID + `","displayName":"displayName","members":[` + strings.Join(ms, ",") + `]}`}
	}
	member := idpSeed{"Users", "f648f8d5ea4e4cd38e9c", `{"userName":"member@testuser.com"}`}
	runEntraCases(t, []entraCase{
		{name: "create group", steps: []docStep{{name: "POST /Groups", method: "POST", path: "/Groups", status: http.StatusCreated,
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
				"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"927fa2c08dcb4a7fae9e",
				"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","members":[]}`}}},
		{name: "get group, excluding members", seed: []idpSeed{member, group("40734ae655284ad3abcc", "60f1bb27-2e1e-402d-bcc4-ec999564a194", "f648f8d5ea4e4cd38e9c")},
			steps: []docStep{{name: "GET /Groups/{id}?excludedAttributes=members", method: "GET",
				path: "/Groups/40734ae655284ad3abcc?excludedAttributes=members", status: http.StatusOK,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"40734ae655284ad3abcc",
					"externalId":"60f1bb27-2e1e-402d-bcc4-ec999564a194","displayName":"displayName","members":null}`}}},
		{name: "get group by displayName", seed: []idpSeed{member, group("8c601452cc934a9ebef9", "0db508eb-91e2-46e4-809c-30dcbda0c685", "f648f8d5ea4e4cd38e9c")},
			steps: []docStep{{name: "GET /Groups?excludedAttributes=members&filter=displayName eq", method: "GET",
				path: `/Groups?excludedAttributes=members&filter=displayName eq "displayName"`, status: http.StatusOK,
				want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,
					"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"8c601452cc934a9ebef9",
					"externalId":"0db508eb-91e2-46e4-809c-30dcbda0c685","displayName":"displayName","members":null}]}`}}},
		{name: "update group, non-member attributes", seed: []idpSeed{group("fa2ce26709934589afc5", "60f1bb27-2e1e-402d-bcc4-ec999564a194")},
			steps: []docStep{
				{name: "PATCH displayName", method: "PATCH", path: "/Groups/fa2ce26709934589afc5", status: http.StatusNoContent,
					body: `{` + patchOpSchema + `,"Operations":[{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]}`},
				{name: "renamed", method: "GET", path: "/Groups/fa2ce26709934589afc5", status: http.StatusOK,
					want: `{"displayName":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName","externalId":"60f1bb27-2e1e-402d-bcc4-ec999564a194"}`}}},
		{name: "update group, add members", seed: []idpSeed{member, group("a99962b9f99d4c4fac67", "a9")},
			stepsFn: func(s *server, d *docRun) []docStep {
				return []docStep{{name: "PATCH Add members", method: "PATCH", path: "/Groups/a99962b9f99d4c4fac67", status: http.StatusNoContent,
					body:  `{` + patchOpSchema + `,"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]}`,
					check: membersAre(s, d, "a99962b9f99d4c4fac67", "f648f8d5ea4e4cd38e9c")}}
			}},
		{name: "update group, remove members", seed: []idpSeed{member, group("a99962b9f99d4c4fac67", "a9", "f648f8d5ea4e4cd38e9c")},
			stepsFn: func(s *server, d *docRun) []docStep {
				return []docStep{{name: "PATCH Remove members", method: "PATCH", path: "/Groups/a99962b9f99d4c4fac67", status: http.StatusNoContent,
					body:  `{` + patchOpSchema + `,"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]}`,
					check: membersAre(s, d, "a99962b9f99d4c4fac67")}}
			}},
		{name: "delete group", seed: []idpSeed{group("cdb1ce18f65944079d37", "cd")},
			steps: []docStep{
				{name: "DELETE /Groups/{id}", method: "DELETE", path: "/Groups/cdb1ce18f65944079d37", status: http.StatusNoContent},
				{name: "gone", method: "GET", path: "/Groups/cdb1ce18f65944079d37", status: http.StatusNotFound}}},
	})
}

// "Schema discovery" of the same tutorial: GET /Schemas is a ListResponse
// with the User, Group and enterprise schemas, property values camel
// cased, and "If a value isn't present, don't send null values".
func TestEntraTutorialSchemas(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		r := s.do("GET", "/scim/v2/Schemas", nil).want(t, http.StatusOK)
		wantLoose(t, map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}, "startIndex": float64(1)}, any(r.body))
		byID := map[string]map[string]any{}
		for _, res := range r.list() {
			byID[res["id"].(string)] = res
		}
		for _, id := range []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:Group",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"} {
			if byID[id] == nil {
				t.Errorf("/Schemas lacks %s", id)
			}
		}
		var userName map[string]any
		attrs, _ := byID["urn:ietf:params:scim:schemas:core:2.0:User"]["attributes"].([]any)
		for _, a := range attrs {
			if m := a.(map[string]any); m["name"] == "userName" {
				userName = m
			}
		}
		// The page's userName attribute.
		wantLoose(t, map[string]any{"name": "userName", "type": "string", "multiValued": false, "required": true, "caseExact": false,
			"mutability": "readWrite", "returned": "default", "uniqueness": "server"}, any(userName))
		var walk func(path string, v any)
		walk = func(path string, v any) {
			switch x := v.(type) {
			case nil:
				t.Errorf("/Schemas sends null at %s", path)
			case map[string]any:
				for k, e := range x {
					walk(path+"."+k, e)
				}
			case []any:
				for _, e := range x {
					walk(path+"[]", e)
				}
			}
		}
		walk("", any(r.body))
	})
}
