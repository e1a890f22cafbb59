package scim_test

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

// idpFixture is one recorded exchange (testdata/idp, from elimity-com/scim).
type idpFixture struct {
	Method     string          `json:"method"`
	Path       string          `json:"path"`
	Request    json.RawMessage `json:"request"`
	StatusCode int             `json:"statusCode"`
	Response   json.RawMessage `json:"response"`
}

// idpSeed is a resource a recorded request expects to exist: POSTed to
// /scim/v2/<kind> before the request, its real id standing in for the
// recorded id everywhere (path, request, expected response, later seeds).
type idpSeed struct {
	kind string // "Users" or "Groups"
	id   string // the id the recording used, or ""
	body string
}

// TestIdPReplay replays the 18 recorded Okta and Entra ID requests and
// compares the answers loosely (see looseMatch).
func TestIdPReplay(t *testing.T) {
	const (
		oktaUser  = "23a35c27-23d3-4c03-b4c5-6443c09e7173"
		oktaUser2 = "89bb1940-b905-4575-9e7f-6f887cfb368e"
		oktaGroup = "abf4dd94-a4c0-4f67-89c9-76b03340cb9b"
	)
	oktaTestUser := func(given string) idpSeed {
		return idpSeed{"Users", oktaUser, `{"userName":"test.user@okta.local","name":{"givenName":"` + given + `","familyName":"User"},
			"emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],"active":true}`}
	}
	tests := []struct {
		name   string
		file   string
		seed   []idpSeed
		ignore []string       // response paths the recording server computed
		fix    map[string]any // expected values where the recording contradicts its own request
		// members the group must have afterwards, as recorded ids (for
		// Group PATCH, whose 204 answer has no body to compare).
		wantMembers []string
	}{
		{name: "entra create group", file: "azuread/create_group.json"},
		{name: "entra create user", file: "azuread/create_user.json"},
		{name: "entra get group", file: "azuread/get_group.json", seed: []idpSeed{
			{"Groups", "40734ae655284ad3abcc", `{"externalId":"60f1bb27-2e1e-402d-bcc4-ec999564a194","displayName":"displayName"}`}}},
		{name: "entra get group by displayName", file: "azuread/get_group_dn.json", seed: []idpSeed{
			{"Groups", "8c601452cc934a9ebef9", `{"externalId":"0db508eb-91e2-46e4-809c-30dcbda0c685","displayName":"displayName"}`}}},
		{name: "entra get user by query, none", file: "azuread/get_user_query_0.json"},
		{name: "entra get user by query", file: "azuread/get_user_query_resp.json", seed: []idpSeed{
			{"Users", "2441309d85324e7793ae", `{"externalId":"7fce0092-d52e-4f76-b727-3955bd72c939","userName":"Test_User_dfeef4c5-5681-4387-b016-bdf221e82081",
				"name":{"familyName":"familyName","givenName":"givenName"},"active":true,
				"emails":[{"value":"Test_User_91b67701-697b-46de-b864-bd0bbe4f99c1@testuser.com","type":"work","primary":true}]}`}}},
		{name: "entra get user", file: "azuread/get_user_resp.json", seed: []idpSeed{
			{"Users", "5d48a0a8e9f04aa38008", `{"externalId":"58342554-38d6-4ec8-948c-50044d0a33fd","userName":"Test_User_feed3ace-693c-4e5a-82e2-694be1b39934",
				"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"active":true,
				"emails":[{"value":"Test_User_22370c1a-9012-42b2-bf64-86099c2a1c22@testuser.com","type":"work","primary":true}]}`}}},
		{name: "entra update group", file: "azuread/update_group.json", wantMembers: []string{}, seed: []idpSeed{
			{"Users", "f648f8d5ea4e4cd38e9c", `{"userName":"member@testuser.com"}`},
			{"Groups", "fa2ce26709934589afc5", `{"externalId":"60f1bb27-2e1e-402d-bcc4-ec999564a194","displayName":"displayName"}`}}},
		// The recording server (elimity's mock) derived name.formatted
		// from the parts; scimd keeps the formatted name the IdP sent, as
		// Entra asks ("values sent should be stored in the same format").
		{name: "entra update user", file: "azuread/update_user.json", ignore: []string{"name.formatted"}, seed: []idpSeed{
			{"Users", "6764549bef60420686bc", `{"externalId":"6c75de36-30fa-4d2d-a196-6bdcdb6b6539","userName":"Test_User_6764@testuser.com",
				"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"active":true,
				"emails":[{"value":"Test_User_6764@testuser.com","type":"work","primary":true}]}`}}},
		{name: "okta create group", file: "okta/create_group.json"},
		{name: "okta create user", file: "okta/create_user.json"},
		{name: "okta retrieve group", file: "okta/retrieve_group.json", seed: []idpSeed{
			{"Users", "b1c794f24f4c49f4b5d503a4cb2686ea", `{"userName":"group-a@okta.local","displayName":"SCIM 2 Group A"}`},
			{"Groups", oktaGroup, `{"displayName":"Test SCIMv2","members":[{"value":"b1c794f24f4c49f4b5d503a4cb2686ea"}]}`}}},
		{name: "okta retrieve user", file: "okta/retrieve_user.json", seed: []idpSeed{oktaTestUser("Test")}},
		{name: "okta update group membership", file: "okta/update_group_membership.json", wantMembers: []string{oktaUser, oktaUser2}, seed: []idpSeed{
			{"Users", oktaUser2, `{"userName":"second.user@okta.local"}`},
			oktaTestUser("Test"),
			{"Groups", oktaGroup, `{"displayName":"Test SCIMv2","members":[{"value":"` + oktaUser2 + `"}]}`}}},
		// The recording (and Okta's own page) shows "Test SCIMv20" after a
		// request that renames the group to "Test SCIMv2": the recording
		// server answered with its stored group. The request wins.
		{name: "okta update group name", file: "okta/update_group_name.json", fix: map[string]any{"displayName": "Test SCIMv2"}, seed: []idpSeed{
			{"Groups", oktaGroup, `{"displayName":"Test SCIMv20"}`}}},
		{name: "okta update user (PUT)", file: "okta/update_user.json", seed: []idpSeed{oktaTestUser("Another")}},
		{name: "okta deactivate user (PATCH)", file: "okta/update_user_patch.json", seed: []idpSeed{oktaTestUser("Another")}},
		{name: "okta user exists", file: "okta/user_exists.json"},
	}
	backends(t, func(t *testing.T, s *server) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				raw, err := os.ReadFile("testdata/idp/" + tt.file)
				if err != nil {
					t.Fatal(err)
				}
				var fx idpFixture
				if err := json.Unmarshal(raw, &fx); err != nil {
					t.Fatal(err)
				}
				// Each case runs on the same server: clear what the last left.
				s.clear(t)
				ids := map[string]string{}
				mapIDs := func(s string) string {
					for rec, real := range ids {
						s = strings.ReplaceAll(s, rec, real)
					}
					return s
				}
				for _, sd := range tt.seed {
					id := s.do("POST", "/scim/v2/"+sd.kind, mapIDs(sd.body)).want(t, http.StatusCreated).str("id")
					if sd.id != "" {
						ids[sd.id] = id
					}
				}
				var body any
				if len(fx.Request) > 0 {
					body = mapIDs(string(fx.Request))
				}
				path := mapIDs(fx.Path)
				r := s.do(fx.Method, "/scim/v2"+path, body)
				groupPatch := fx.Method == "PATCH" && strings.HasPrefix(fx.Path, "/Groups/")
				got := any(r.body)
				switch {
				case r.status == fx.StatusCode:
				// scimd answers a Group PATCH 204 unless attributes asks for
				// the resource (Entra's tutorial asks for 204); the recording
				// has 200. For Group PATCH only, 204 stands for 200 and the
				// group as GET shows it stands for the body.
				case groupPatch && fx.StatusCode == http.StatusOK && r.status == http.StatusNoContent:
					got = s.do("GET", "/scim/v2"+path, nil).want(t, http.StatusOK).body
				default:
					t.Fatalf("%s %s: status %d, recorded %d: %s", fx.Method, path, r.status, fx.StatusCode, r.raw)
				}
				if len(fx.Response) > 0 {
					var want map[string]any
					if err := json.Unmarshal([]byte(mapIDs(string(fx.Response))), &want); err != nil {
						t.Fatal(err)
					}
					for k, v := range tt.fix {
						want[k] = v
					}
					wantLoose(t, want, got, tt.ignore...)
				}
				if tt.wantMembers != nil {
					g := s.do("GET", "/scim/v2"+path, nil).want(t, http.StatusOK)
					var members, wantIDs []string
					for _, m := range g.list2("members") {
						members = append(members, m["value"].(string))
					}
					for _, rec := range tt.wantMembers {
						wantIDs = append(wantIDs, ids[rec])
					}
					slices.Sort(members)
					slices.Sort(wantIDs)
					if !slices.Equal(members, wantIDs) {
						t.Errorf("members %v, want %v", members, wantIDs)
					}
				}
			})
		}
	})
}

// list2 returns the objects of an array attribute of the body.
func (r *response) list2(attr string) []map[string]any {
	arr, _ := r.body[attr].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, x := range arr {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// clear deletes every user and group, so that table cases can share one
// server (and one database) without seeing each other's resources.
func (s *server) clear(t *testing.T) {
	t.Helper()
	for _, kind := range []string{"Groups", "Users"} {
		l := s.do("GET", "/scim/v2/"+kind+"?count=1000&attributes=id", nil).want(t, http.StatusOK)
		for _, res := range l.list() {
			s.do("DELETE", "/scim/v2/"+kind+"/"+res["id"].(string), nil).want(t, http.StatusNoContent)
		}
	}
}
