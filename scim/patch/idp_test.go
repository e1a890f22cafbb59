package patch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scimd/scimd/scim/schema"
)

// The examples of RFC 7644 §3.5.2, and what Okta and Entra send.

const (
	babs  = "2819c223-7f76-453a-919d-413861904646"
	mandy = "902c246b-6245-4190-8e05-00816be7344a"
	james = "08e1d05d-121c-4561-8b96-473d93df9210"
	boss  = "26118915-6090-4610-87e4-49d8ca9f808d"
)

var rfcTests = []applyTest{
	{name: "3.5.2.1 add a member", res: schema.Groups,
		doc: `{"displayName":"Tour Guides","members":[{"value":"` + mandy + `","display":"Mandy Pepperidge"}]}`,
		ops: `[{"op":"add","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/` + babs + `","value":"` + babs + `"}]}]`,
		want: `{"displayName":"Tour Guides","members":[{"value":"` + mandy + `","display":"Mandy Pepperidge"},
			{"$ref":"https://example.com/v2/Users/` + babs + `","value":"` + babs + `"}]}`,
		touched: []string{"members"}},
	{name: "3.5.2.1 add without a path",
		doc:  `{"userName":"bjensen","emails":[{"value":"bjensen@example.com","type":"work"}]}`,
		ops:  `[{"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]`,
		want: `{"userName":"bjensen","emails":[{"value":"bjensen@example.com","type":"work"},{"value":"babs@jensen.org","type":"home"}],"nickName":"Babs"}`},
	{name: "3.5.2.2 remove one member", res: schema.Groups,
		doc:  `{"displayName":"Tour Guides","members":[{"value":"` + babs + `"},{"value":"` + mandy + `"}]}`,
		ops:  `[{"op":"remove","path":"members[value eq \"` + babs + `\"]"}]`,
		want: `{"displayName":"Tour Guides","members":[{"value":"` + mandy + `"}]}`},
	{name: "3.5.2.2 remove all members", res: schema.Groups,
		doc:  `{"displayName":"Tour Guides","members":[{"value":"` + babs + `"},{"value":"` + mandy + `"}]}`,
		ops:  `[{"op":"remove","path":"members"}]`,
		want: `{"displayName":"Tour Guides"}`},
	{name: "3.5.2.2 remove an email by two conditions",
		doc:  `{"userName":"b","emails":[{"value":"b@example.com","type":"work"},{"value":"b@example.org","type":"work"}]}`,
		ops:  `[{"op":"remove","path":"emails[type eq \"work\" and value ew \"example.com\"]"}]`,
		want: `{"userName":"b","emails":[{"value":"b@example.org","type":"work"}]}`},
	{name: "3.5.2.2 remove all members, then add", res: schema.Groups,
		doc: `{"displayName":"Tour Guides","members":[{"value":"` + babs + `"}]}`,
		ops: `[{"op":"remove","path":"members"},{"op":"add","path":"members","value":[
			{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/` + babs + `","value":"` + babs + `"},
			{"display":"James Smith","$ref":"https://example.com/v2/Users/` + james + `","value":"` + james + `"}]}]`,
		want: `{"displayName":"Tour Guides","members":[{"$ref":"https://example.com/v2/Users/` + babs + `","value":"` + babs + `"},
			{"$ref":"https://example.com/v2/Users/` + james + `","value":"` + james + `"}]}`},
	{name: "3.5.2.3 replace all members", res: schema.Groups,
		doc:  `{"displayName":"Tour Guides","members":[{"value":"` + mandy + `"}]}`,
		ops:  `[{"op":"replace","path":"members","value":[{"display":"Babs Jensen","value":"` + babs + `"},{"display":"James Smith","value":"` + james + `"}]}]`,
		want: `{"displayName":"Tour Guides","members":[{"value":"` + babs + `"},{"value":"` + james + `"}]}`},
	{name: "3.5.2.3 replace a work address",
		doc: `{"userName":"b","addresses":[{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood"},{"type":"home","locality":"Hollywood"}]}`,
		ops: `[{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza",
			"locality":"Hollywood","region":"CA","postalCode":"91608","country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true}}]`,
		want: `{"userName":"b","addresses":[{"type":"work","streetAddress":"911 Universal City Plaza","locality":"Hollywood","region":"CA",
			"postalCode":"91608","country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true},{"type":"home","locality":"Hollywood"}]}`},
	{name: "3.5.2.3 replace a street address",
		doc:  `{"userName":"b","addresses":[{"type":"work","streetAddress":"911 Universal City Plaza"}]}`,
		ops:  `[{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}]`,
		want: `{"userName":"b","addresses":[{"type":"work","streetAddress":"1010 Broadway Ave"}]}`},
	{name: "3.5.2.3 replace without a path",
		doc:  `{"userName":"b","emails":[{"value":"old@example.com","type":"work"}],"nickName":"B"}`,
		ops:  `[{"op":"replace","value":{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]`,
		want: `{"userName":"b","emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],"nickName":"Babs"}`},
}

func TestRFCExamples(t *testing.T) { runApply(t, rfcTests) }

var idpTests = []applyTest{
	{name: "Okta deactivates a user",
		doc:  `{"userName":"test.user@okta.local","active":true}`,
		ops:  `[{"op":"replace","value":{"active":false}}]`,
		want: `{"userName":"test.user@okta.local","active":false}`, touched: []string{"active"}},
	{name: "Okta renames a group", res: schema.Groups,
		doc:  `{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIM"}`,
		ops:  `[{"op":"replace","value":{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv2"}}]`,
		want: `{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv2"}`, touched: []string{"displayName"}},
	{name: "Okta syncs a password",
		doc:  `{"userName":"u"}`,
		ops:  `[{"op":"replace","value":{"password":"t1meMa$heen"}}]`,
		want: `{"userName":"u","password":"t1meMa$heen"}`},
	{name: "Entra updates a user",
		doc: `{"userName":"Test_User_feed3ace","active":true,"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
			"emails":[{"value":"Test_User_22370c1a@testuser.com","type":"work","primary":true}]}`,
		ops: `[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
			{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
			{"op":"Replace","path":"userName","value":"5b50642d@testuser.com"},{"op":"Replace","path":"active","value":false}]`,
		want: `{"userName":"5b50642d@testuser.com","active":false,"name":{"formatted":"givenName familyName","familyName":"updatedFamilyName","givenName":"givenName"},
			"emails":[{"value":"updatedEmail@microsoft.com","type":"work","primary":true}]}`,
		touched: []string{"active", "emails", "name", "userName"}},
	{name: "Entra adds an externalId",
		doc: `{"userName":"u"}`, ops: `[{"op":"Add","path":"externalId","value":"x"}]`, want: `{"userName":"u","externalId":"x"}`},
	{name: "Entra adds a nickName, without and with aadOptscim062020",
		doc: `{"userName":"u"}`, ops: `[{"op":"Add","path":"nickName","value":"Babs"},{"op":"add","path":"nickName","value":"Babs"}]`,
		want: `{"userName":"u","nickName":"Babs"}`},
	{name: "Entra disables a user without aadOptscim062020",
		doc: `{"userName":"u","active":true}`, ops: `[{"op":"Replace","path":"active","value":"False"}]`, want: `{"userName":"u","active":false}`},
	{name: "Entra replaces attributes without aadOptscim062020",
		doc: `{"userName":"u","emails":[{"value":"old@test.microsoft.com","type":"work"}]}`,
		ops: `[{"op":"Replace","path":"displayName","value":"Pvlo"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"TestBcwqnm@test.microsoft.com"},
			{"op":"Replace","path":"name.givenName","value":"Gtfd"},{"op":"Replace","path":"name.familyName","value":"Pkqf"},
			{"op":"Replace","path":"externalId","value":"Eqpj"},{"op":"Replace","path":"` + ent + `:employeeNumber","value":"Eqpj"}]`,
		want: `{"userName":"u","displayName":"Pvlo","emails":[{"value":"TestBcwqnm@test.microsoft.com","type":"work"}],
			"name":{"givenName":"Gtfd","familyName":"Pkqf"},"externalId":"Eqpj","` + ent + `":{"employeeNumber":"Eqpj"}}`},
	{name: "Entra replaces attributes with aadOptscim062020",
		doc: `{"userName":"u"}`,
		ops: `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},
			{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua","` + ent + `:employeeNumber":"Aklq"}}]`,
		want: `{"userName":"u","displayName":"Bjfe","emails":[{"value":"TestMhvaes@test.microsoft.com","type":"work"}],
			"name":{"givenName":"Kkom","familyName":"Unua"},"` + ent + `":{"employeeNumber":"Aklq"}}`,
		touched: []string{"displayName", "emails", "name", ent + ":employeeNumber"}},
	{name: "Entra sets a manager by id",
		doc: `{"userName":"u"}`, ops: `[{"op":"Add","path":"` + ent + `:manager","value":"` + boss + `"}]`,
		want: `{"userName":"u","` + ent + `":{"manager":{"value":"` + boss + `"}}}`},
	{name: "Entra sets a manager as a list",
		doc: `{"userName":"u"}`, ops: `[{"op":"Add","path":"manager","value":[{"$ref":null,"value":"` + boss + `"}]}]`,
		want: `{"userName":"u","` + ent + `":{"manager":{"value":"` + boss + `"}}}`},
	{name: "Entra removes a manager",
		doc: `{"userName":"u","` + ent + `":{"manager":{"value":"` + boss + `"}}}`, ops: `[{"op":"Remove","path":"` + ent + `:manager"}]`,
		want: `{"userName":"u"}`},
	{name: "Entra nulls an attribute",
		doc:  `{"userName":"u","title":"Boss","` + ent + `":{"department":"x"}}`,
		ops:  `[{"op":"Replace","path":"title","value":null},{"op":"Replace","path":"` + ent + `:department","value":""}]`,
		want: `{"userName":"u"}`},
	{name: "Entra renames a group", res: schema.Groups,
		doc: `{"displayName":"old","externalId":"60f1bb27"}`, ops: `[{"op":"Replace","path":"displayName","value":"1879db59updatedDisplayName"}]`,
		want: `{"displayName":"1879db59updatedDisplayName","externalId":"60f1bb27"}`},
	{name: "Entra removes a member by value list", res: schema.Groups,
		doc:  `{"displayName":"g","members":[{"value":"f648f8d5ea4e4cd38e9c","type":"User"},{"value":"a6b7c8"}]}`,
		ops:  `[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]`,
		want: `{"displayName":"g","members":[{"value":"a6b7c8"}]}`},
}

func TestIdPPayloads(t *testing.T) { runApply(t, idpTests) }

// TestFixtures replays the PATCH requests recorded from Okta and Entra
// (testdata/README.md). User requests are applied to the user the
// recorded response shows, wound back to before the request; the result
// must be that response. Group requests are split with MemberOps and the
// rest applied to the group's small document.
func TestFixtures(t *testing.T) {
	type fixture struct {
		before  func(doc map[string]any) // winds the response back to before the request
		members string                   // memberString, for groups
		touched []string
	}
	fixtures := map[string]fixture{
		"okta/update_user_patch.json": {
			before:  func(doc map[string]any) { doc["active"] = true },
			touched: []string{"active"},
		},
		"azuread/update_user.json": {
			before: func(doc map[string]any) {
				doc["userName"] = "Test_User_feed3ace@testuser.com"
				doc["active"] = true
				doc["name"].(map[string]any)["familyName"] = "familyName"
				doc["emails"].([]any)[0].(map[string]any)["value"] = "Test_User_22370c1a@testuser.com"
			},
			touched: []string{"active", "emails", "name", "userName"},
		},
		"okta/update_group_name.json": {
			members: "",
			touched: []string{"displayName"},
		},
		"okta/update_group_membership.json": {
			members: "remove 89bb1940-b905-4575-9e7f-6f887cfb368e ; add 23a35c27-23d3-4c03-b4c5-6443c09e7173 ; " +
				"replace 23a35c27-23d3-4c03-b4c5-6443c09e7173,89bb1940-b905-4575-9e7f-6f887cfb368e",
			touched: []string{},
		},
		"azuread/update_group.json": {
			members: "add f648f8d5ea4e4cd38e9c ; remove f648f8d5ea4e4cd38e9c",
			touched: []string{"displayName"},
		},
	}
	files, err := filepath.Glob("testdata/*/*.json")
	if err != nil || len(files) != len(fixtures) {
		t.Fatalf("found %d fixtures (%v), want %d", len(files), err, len(fixtures))
	}
	for _, file := range files {
		name := filepath.ToSlash(strings.TrimPrefix(file, "testdata"+string(filepath.Separator)))
		t.Run(name, func(t *testing.T) {
			fx, ok := fixtures[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ex struct {
				Path     string
				Request  json.RawMessage
				Response json.RawMessage
			}
			if err := json.Unmarshal(raw, &ex); err != nil {
				t.Fatal(err)
			}
			ops, err := Parse(ex.Request)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			res, want := schema.Users, map[string]any{}
			if ex.Response != nil {
				want = decode(t, string(ex.Response))
			}
			doc := DeepCopy(want)
			if strings.HasPrefix(ex.Path, "/Groups/") {
				res = schema.Groups
				members, rest, err := MemberOps(ops)
				if err != nil {
					t.Fatalf("MemberOps: %v", err)
				}
				if got := memberString(members); got != fx.members {
					t.Errorf("members\n got %s\nwant %s", got, fx.members)
				}
				ops = rest
				doc = map[string]any{"displayName": "before", "externalId": "e"}
				want = map[string]any{"displayName": "before", "externalId": "e"}
				for _, op := range rest {
					if op.Path != nil && op.Path.Attr.Name == "displayName" {
						want["displayName"] = op.Value
					} else if m, ok := op.Value.(map[string]any); ok && m["displayName"] != nil {
						want["displayName"] = m["displayName"]
					}
				}
			} else {
				fx.before(doc)
			}
			touched, err := Apply(doc, ops, res)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !reflect.DeepEqual(doc, want) {
				t.Errorf("after PATCH\n got %s\nwant %s", jsonText(doc), jsonText(want))
			}
			if !slices.Equal(touched, fx.touched) {
				t.Errorf("touched = %q, want %q", touched, fx.touched)
			}
		})
	}
}
