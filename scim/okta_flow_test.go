package scim_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// The exchanges of Okta's SCIM 2.0 reference, in the order Okta sends
// them: "Okta and SCIM Version 2.0" (SCIM 2.0 Protocol Reference),
// https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
// (source: okta/okta-developer-docs,
// packages/@okta/vuepress-site/docs/reference/scim/scim-20/index.md).
// Requests and response bodies are the page's, with its ids; responses
// are compared loosely (looseMatch).
//
// Where scimd differs from the page on purpose:
//   - Error bodies carry "status" as a string ("409"), as RFC 7644 §3.12
//     says; the page shows a number. The detail is scimd's own sentence.
//   - Group PATCH answers 204 No Content, which the page allows ("The SCIM
//     server response to PATCH method requests can also be a HTTP 204
//     response, with no body returned").
//   - Okta sends no DELETE for users; deprovisioning is PATCH active=false.

// Ids the page uses.
const (
	oktaDocUser   = "23a35c27-23d3-4c03-b4c5-6443c09e7173"
	oktaDocUser2  = "89bb1940-b905-4575-9e7f-6f887cfb368e" // a member the page assumes
	oktaDocGroup  = "abf4dd94-a4c0-4f67-89c9-76b03340cb9b"
	oktaDocGroupA = "b1c794f24f4c49f4b5d503a4cb2686ea" // the member "SCIM 2 Group A" of the page's GET /Groups/{id}
)

func TestOktaDocumentedUserFlow(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		d := newDocRun(s)
		d.steps(t,
			// "Create Users": Okta first checks the user does not exist.
			docStep{name: "determine if the user exists", method: "GET",
				path:   "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
				status: http.StatusOK,
				want:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`},
			docStep{name: "create the user", method: "POST", path: "/Users", status: http.StatusCreated, id: oktaDocUser,
				body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
					"name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
					"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"23a35c27-23d3-4c03-b4c5-6443c09e7173",
					"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},
					"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US",
					"externalId":"00ujl29u0le5T6Aj10h7","active":true,"groups":[],"meta":{"resourceType":"User"}}`,
				check: func(t *testing.T, r *response) {
					if r.body["password"] != nil {
						t.Errorf("the password came back: %s", r.raw)
					}
				}},
			docStep{name: "the user exists now", method: "GET",
				path:   "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
				status: http.StatusOK, want: `{"totalResults":1,"Resources":[{"userName":"test.user@okta.local","id":"23a35c27-23d3-4c03-b4c5-6443c09e7173"}]}`},
			docStep{name: "create again: conflict", method: "POST", path: "/Users", status: http.StatusConflict,
				body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
					"name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
					"displayName":"Test User","locale":"en-US","groups":[],"password":"1mz050nq","active":true}`,
				want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness"}`},
			docStep{name: "retrieve a specific user", method: "GET", path: "/Users/" + oktaDocUser, status: http.StatusOK,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"23a35c27-23d3-4c03-b4c5-6443c09e7173",
					"userName":"test.user@okta.local","name":{"givenName":"Test","middleName":"","familyName":"User"},"active":true,
					"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"groups":[],"meta":{"resourceType":"User"}}`},
			// "Update a specific User (PUT)": Okta GETs the user, then PUTs it
			// back with the changed attributes.
			docStep{name: "update with PUT", method: "PUT", path: "/Users/" + oktaDocUser, status: http.StatusOK,
				body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"23a35c27-23d3-4c03-b4c5-6443c09e7173",
					"userName":"test.user@okta.local","name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
					"emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
					"active":true,"groups":[],"meta":{"resourceType":"User"}}`,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"23a35c27-23d3-4c03-b4c5-6443c09e7173",
					"userName":"test.user@okta.local","name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
					"emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
					"active":true,"groups":[],"meta":{"resourceType":"User"}}`},
			// "Update a specific User (PATCH)": deactivation. The page's
			// response shows "middleName": "" although its PUT just set it
			// to "Excited" (the page's examples are separate snapshots), so
			// middleName is not compared.
			docStep{name: "deactivate with PATCH", method: "PATCH", path: "/Users/" + oktaDocUser, status: http.StatusOK,
				body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"23a35c27-23d3-4c03-b4c5-6443c09e7173",
					"userName":"test.user@okta.local","name":{"givenName":"Another","middleName":"","familyName":"User"},
					"emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
					"active":false,"groups":[],"meta":{"resourceType":"User"}}`,
				ignore: []string{"name.middleName"}},
			// A deactivated user is still there for Okta's next import.
			docStep{name: "deactivated user is still listed", method: "GET", path: "/Users/" + oktaDocUser, status: http.StatusOK,
				want: `{"active":false,"userName":"test.user@okta.local"}`},
			// Okta's reactivation is the same PATCH with true.
			docStep{name: "reactivate with PATCH", method: "PATCH", path: "/Users/" + oktaDocUser, status: http.StatusOK,
				body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`,
				want: `{"active":true}`},
		)
	})
}

// TestOktaDocumentedImport follows "Retrieve Users" and "Retrieve Groups":
// Okta imports page by page with count=100 and startIndex+100, and needs
// integers and the same order whatever the page size.
func TestOktaDocumentedImport(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		const users = 104
		for i := range users {
			s.do("POST", "/scim/v2/Users", map[string]any{"userName": fmt.Sprintf("import%03d@okta.local", (i*37)%users)}).want(t, http.StatusCreated)
		}
		for i := range 3 {
			s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": fmt.Sprintf("Import %d", i)}).want(t, http.StatusCreated)
		}
		read := func(kind string, count int) []string {
			var ids []string
			for start := 1; ; start += count {
				r := s.do("GET", fmt.Sprintf("/scim/v2/%s?startIndex=%d&count=%d", kind, start, count), nil).want(t, http.StatusOK)
				for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
					if _, ok := r.body[k].(float64); !ok {
						t.Fatalf("%s is %#v, not an integer: %s", k, r.body[k], r.raw)
					}
				}
				if int(r.body["startIndex"].(float64)) != start || int(r.body["itemsPerPage"].(float64)) != len(r.list()) {
					t.Errorf("startIndex %v itemsPerPage %v for a page of %d from %d", r.body["startIndex"], r.body["itemsPerPage"], len(r.list()), start)
				}
				for _, res := range r.list() {
					ids = append(ids, res["id"].(string))
				}
				total := int(r.body["totalResults"].(float64))
				if start+count > total {
					if len(ids) != total {
						t.Errorf("%d %s read, totalResults %d", len(ids), kind, total)
					}
					return ids
				}
			}
		}
		byHundred := read("Users", 100)
		if len(byHundred) != users {
			t.Fatalf("read %d users, want %d", len(byHundred), users)
		}
		if bySeven := read("Users", 7); !slices.Equal(byHundred, bySeven) {
			t.Errorf("the order depends on count:\n%v\n%v", byHundred, bySeven)
		}
		seen := map[string]bool{}
		for _, id := range byHundred {
			if seen[id] {
				t.Errorf("user %s read twice", id)
			}
			seen[id] = true
		}
		if groups := read("Groups", 100); len(groups) != 3 || !slices.Equal(groups, read("Groups", 2)) {
			t.Errorf("groups: %v", groups)
		}
	})
}

func TestOktaDocumentedGroupPush(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		d := newDocRun(s)
		// Not on the page: the users it assumes are already provisioned.
		d.seed(t,
			idpSeed{"Users", oktaDocUser, `{"userName":"test.user@okta.local","displayName":"Test User"}`},
			idpSeed{"Users", oktaDocUser2, `{"userName":"second.user@okta.local"}`},
			idpSeed{"Users", oktaDocGroupA, `{"userName":"group-a@okta.local","displayName":"SCIM 2 Group A"}`})
		members := func(want ...string) func(*testing.T, *response) {
			return func(t *testing.T, _ *response) {
				got := s.groupMembers(t, d.ids[oktaDocGroup])
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
		d.steps(t,
			docStep{name: "create group", method: "POST", path: "/Groups", status: http.StatusCreated, id: oktaDocGroup,
				body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}`,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b",
					"displayName":"Test SCIMv2","members":[],"meta":{"resourceType":"Group"}}`},
			docStep{name: "retrieve groups", method: "GET", path: "/Groups?startIndex=1&count=100", status: http.StatusOK,
				want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,
					"Resources":[{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv2"}]}`},
			// "Update specific Group membership".
			docStep{name: "add and remove members", method: "PATCH", path: "/Groups/" + oktaDocGroup, status: http.StatusNoContent,
				body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
					{"op":"remove","path":"members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"},
					{"op":"add","path":"members","value":[{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"}]}]}`,
				check: members(oktaDocUser)},
			// "Update a specific Group name" (sent with each membership update).
			docStep{name: "rename", method: "PATCH", path: "/Groups/" + oktaDocGroup, status: http.StatusNoContent,
				body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace",
					"value":{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv20"}}]}`,
				check: members(oktaDocUser)},
			docStep{name: "renamed", method: "GET", path: "/Groups/" + oktaDocGroup + "?excludedAttributes=members", status: http.StatusOK,
				want: `{"displayName":"Test SCIMv20","members":null}`},
			// The full push of the membership with replace.
			docStep{name: "replace members", method: "PATCH", path: "/Groups/" + oktaDocGroup, status: http.StatusNoContent,
				body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[
					{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"},
					{"value":"89bb1940-b905-4575-9e7f-6f887cfb368e","display":"test.user@okta.local"}]}]}`,
				check: members(oktaDocUser, oktaDocUser2)},
			docStep{name: "replace members with Group A", method: "PATCH", path: "/Groups/" + oktaDocGroup, status: http.StatusNoContent,
				body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[
					{"value":"b1c794f24f4c49f4b5d503a4cb2686ea"}]},{"op":"replace","value":{"displayName":"Test SCIMv2"}}]}`},
			// "Retrieve specific Groups": the page's answer.
			docStep{name: "retrieve specific group", method: "GET", path: "/Groups/" + oktaDocGroup, status: http.StatusOK,
				want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b",
					"displayName":"Test SCIMv2","members":[{"value":"b1c794f24f4c49f4b5d503a4cb2686ea","display":"SCIM 2 Group A"}],
					"meta":{"resourceType":"Group"}}`},
			// "Delete a specific Group": an empty 204.
			docStep{name: "delete group", method: "DELETE", path: "/Groups/" + oktaDocGroup, status: http.StatusNoContent,
				check: func(t *testing.T, r *response) {
					if r.raw != "" {
						t.Errorf("DELETE answered a body: %s", r.raw)
					}
				}},
			docStep{name: "deleted group is gone", method: "GET", path: "/Groups/" + oktaDocGroup, status: http.StatusNotFound},
			docStep{name: "members are still users", method: "GET", path: "/Users/" + oktaDocGroupA, status: http.StatusOK,
				want: `{"userName":"group-a@okta.local","groups":null}`},
		)
	})
}
