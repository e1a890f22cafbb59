package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scimd/scimd/scim/schema"
)

const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// applyTest is one PATCH request applied to one document.
type applyTest struct {
	name    string
	res     *schema.Resource // nil means schema.Users
	doc     string           // the document before
	ops     string           // the request's "Operations" array
	want    string           // the document after; unused when wantErr is set
	wantErr string           // the expected scimType
	touched []string         // when not nil, what Apply must report
}

func body(ops string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":` + ops + `}`)
}

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// checkErr fails unless err is an *Error of scimType with a detail fit
// for an admin to read.
func checkErr(t testing.TB, err error, scimType string) {
	t.Helper()
	pe, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("error %T %v is not *Error", err, err)
	}
	if scimType != "" && pe.ScimType != scimType {
		t.Fatalf("scimType = %q, want %q (detail: %s)", pe.ScimType, scimType, pe.Detail)
	}
	checkDetail(t, pe)
}

func checkDetail(t testing.TB, pe *Error) {
	t.Helper()
	d := pe.Detail
	if d == "" || !utf8.ValidString(d) || strings.Contains(d, "%!") || strings.Contains(d, "<nil>") || strings.Contains(d, "json:") {
		t.Fatalf("detail unfit for an admin: %q", d)
	}
	switch pe.ScimType {
	case invalidSyntax, invalidPath, invalidFilter, invalidValue, noTarget, mutability:
	default:
		t.Fatalf("unknown scimType %q", pe.ScimType)
	}
}

func runApply(t *testing.T, tests []applyTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.res
			if res == nil {
				res = schema.Users
			}
			ops, err := Parse(body(tt.ops))
			if err != nil {
				if tt.wantErr == "" {
					t.Fatalf("Parse: %v", err)
				}
				checkErr(t, err, tt.wantErr)
				return
			}
			doc := decode(t, tt.doc)
			work := DeepCopy(doc)
			touched, err := Apply(work, ops, res)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Apply succeeded with %s, want a %s error", jsonText(work), tt.wantErr)
				}
				checkErr(t, err, tt.wantErr)
				if again := decode(t, tt.doc); !reflect.DeepEqual(doc, again) {
					t.Fatalf("the original document changed: %s", jsonText(doc))
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if want := decode(t, tt.want); !reflect.DeepEqual(work, want) {
				t.Fatalf("document after PATCH\n got %s\nwant %s", jsonText(work), jsonText(want))
			}
			if tt.touched != nil && !slices.Equal(touched, tt.touched) {
				t.Errorf("touched = %q, want %q", touched, tt.touched)
			}
		})
	}
}

var semanticsTests = []applyTest{
	// Names are case-insensitive and written back canonically.
	{name: "sub-attribute path in any case",
		doc:  `{"userName":"b","name":{"givenName":"Babs","familyName":"Jensen"}}`,
		ops:  `[{"op":"replace","path":"Name.GivenName","value":"Barbara"}]`,
		want: `{"userName":"b","name":{"givenName":"Barbara","familyName":"Jensen"}}`, touched: []string{"name"}},
	{name: "attribute path in upper case",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","path":"EMAILS","value":[{"value":"b@example.com","type":"work"}]}]`,
		want: `{"userName":"b","emails":[{"value":"b@example.com","type":"work"}]}`, touched: []string{"emails"}},
	{name: "document key in another case is normalized",
		doc:  `{"userName":"b","DisplayName":"old","NAME":{"GivenName":"x"}}`,
		ops:  `[{"op":"replace","path":"displayName","value":"new"},{"op":"add","path":"name.familyName","value":"J"}]`,
		want: `{"userName":"b","displayName":"new","name":{"GivenName":"x","familyName":"J"}}`},
	{name: "URN in upper case",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","path":"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Department","value":"Tour"}]`,
		want: `{"userName":"b","` + ent + `":{"department":"Tour"}}`, touched: []string{ent + ":department"}},
	{name: "extension key in another case is normalized",
		doc:  `{"userName":"b","` + strings.ToUpper(ent) + `":{"division":"x"}}`,
		ops:  `[{"op":"add","path":"department","value":"Tour"}]`,
		want: `{"userName":"b","` + ent + `":{"division":"x","department":"Tour"}}`},
	{name: "value keys in any case",
		doc:  `{"userName":"b","active":true}`,
		ops:  `[{"op":"replace","value":{"DisplayName":"Babs","ACTIVE":"false","name":{"GIVENNAME":"Barbara"}}}]`,
		want: `{"userName":"b","active":false,"displayName":"Babs","name":{"givenName":"Barbara"}}`, touched: []string{"active", "displayName", "name"}},
	{name: "core URN path",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName","value":"Jensen"}]`,
		want: `{"userName":"b","name":{"familyName":"Jensen"}}`},

	// add
	{name: "add to single-valued replaces",
		doc:  `{"userName":"b","nickName":"Barb"}`,
		ops:  `[{"op":"add","path":"nickName","value":"Babs"}]`,
		want: `{"userName":"b","nickName":"Babs"}`},
	{name: "add appends values",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`,
		ops:  `[{"op":"add","path":"emails","value":[{"value":"b@example.com","type":"home"},{"value":"c@example.com","type":"other"}]}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","type":"work"},{"value":"b@example.com","type":"home"},{"value":"c@example.com","type":"other"}]}`},
	{name: "add one value object",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","path":"phoneNumbers","value":{"value":"555-1234","type":"mobile"}}]`,
		want: `{"userName":"b","phoneNumbers":[{"value":"555-1234","type":"mobile"}]}`},
	{name: "add does not duplicate an identical email",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`,
		ops:  `[{"op":"add","path":"emails","value":[{"value":"A@Example.COM","type":"Work","display":"A"}]}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","type":"work","display":"A"}]}`},
	{name: "add keeps the same address with another type",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`,
		ops:  `[{"op":"add","path":"emails","value":[{"value":"a@example.com","type":"home"}]}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","type":"work"},{"value":"a@example.com","type":"home"}]}`},
	{name: "add collapses duplicates within the request",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","path":"emails","value":[{"value":"a@example.com","type":"work"},{"value":"A@example.com","type":"work"}]}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`},
	{name: "add does not duplicate an identical address",
		doc:  `{"userName":"b","addresses":[{"type":"work","locality":"Hollywood"},{"type":"home","locality":"Burbank","primary":true}]}`,
		ops:  `[{"op":"add","path":"addresses","value":{"type":"Work","locality":"HOLLYWOOD","primary":true}}]`,
		want: `{"userName":"b","addresses":[{"type":"work","locality":"Hollywood","primary":true},{"type":"home","locality":"Burbank","primary":false}]}`},
	{name: "add merges into a complex attribute",
		doc:  `{"userName":"b","name":{"givenName":"Barbara"}}`,
		ops:  `[{"op":"add","path":"name","value":{"middleName":"Jane"}}]`,
		want: `{"userName":"b","name":{"givenName":"Barbara","middleName":"Jane"}}`},
	{name: "add a primary value demotes the others",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work","primary":true}]}`,
		ops:  `[{"op":"add","path":"emails","value":[{"value":"b@example.com","type":"home","primary":true}]}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","type":"work","primary":false},{"value":"b@example.com","type":"home","primary":true}]}`},
	{name: "path-less add of dotted, nested and flat URN keys",
		doc: `{"userName":"b"}`,
		ops: `[{"op":"add","value":{"name.givenName":"Barbara","` + ent + `":{"department":"Tour"},"` + ent + `:employeeNumber":"701984","` + ent + `:manager":"26118915-6090-4610-87e4-49d8ca9f808d"}}]`,
		want: `{"userName":"b","name":{"givenName":"Barbara"},"` + ent + `":{"department":"Tour","employeeNumber":"701984",
			"manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`,
		touched: []string{"name", ent + ":department", ent + ":employeeNumber", ent + ":manager"}},
	{name: "path-less value with a filter path key",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`,
		ops:  `[{"op":"replace","value":{"emails[type eq \"work\"].value":"new@example.com"}}]`,
		want: `{"userName":"b","emails":[{"value":"new@example.com","type":"work"}]}`},
	{name: "path-less nested extension null clears it",
		doc:  `{"userName":"b","` + ent + `":{"department":"Tour"}}`,
		ops:  `[{"op":"replace","value":{"` + ent + `":null}}]`,
		want: `{"userName":"b"}`},

	// replace
	{name: "replace value of matching element",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"},{"value":"h@example.com","type":"home"}]}`,
		ops:  `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@example.com"}]`,
		want: `{"userName":"b","emails":[{"value":"new@example.com","type":"work"},{"value":"h@example.com","type":"home"}]}`},
	{name: "replace with an eq filter creates the element (Entra)",
		doc:  `{"userName":"b","emails":[{"value":"h@example.com","type":"home"}]}`,
		ops:  `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"w@example.com"}]`,
		want: `{"userName":"b","emails":[{"value":"h@example.com","type":"home"},{"value":"w@example.com","type":"work"}]}`},
	{name: "add with an eq filter creates the element",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","path":"phoneNumbers[type eq \"mobile\" and primary eq true].value","value":"555-1"}]`,
		want: `{"userName":"b","phoneNumbers":[{"value":"555-1","type":"mobile","primary":true}]}`},
	{name: "replace with another filter and no match is noTarget",
		doc:     `{"userName":"b","emails":[{"value":"h@example.com","type":"home"}]}`,
		ops:     `[{"op":"replace","path":"emails[value co \"work\"].type","value":"work"}]`,
		wantErr: noTarget},
	{name: "created element needs a value",
		doc:     `{"userName":"b"}`,
		ops:     `[{"op":"replace","path":"emails[type eq \"work\"].display","value":"Work"}]`,
		wantErr: noTarget},
	{name: "clearing an absent filtered value does nothing",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"replace","path":"emails[type eq \"work\"].value","value":null}]`,
		want: `{"userName":"b"}`},
	{name: "replace sets every matching element",
		doc:  `{"userName":"b","phoneNumbers":[{"value":"1","type":"work"},{"value":"2","type":"home"},{"value":"3","type":"WORK"}]}`,
		ops:  `[{"op":"replace","path":"phoneNumbers[type eq \"work\"].display","value":"office"}]`,
		want: `{"userName":"b","phoneNumbers":[{"value":"1","type":"work","display":"office"},{"value":"2","type":"home"},{"value":"3","type":"WORK","display":"office"}]}`},
	{name: "replace all values",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`,
		ops:  `[{"op":"replace","path":"emails","value":[{"value":"z@example.com","type":"home","primary":true}]}]`,
		want: `{"userName":"b","emails":[{"value":"z@example.com","type":"home","primary":true}]}`},
	{name: "replace a complex attribute merges",
		doc:  `{"userName":"b","name":{"givenName":"Barbara","familyName":"Jensen"}}`,
		ops:  `[{"op":"replace","path":"name","value":{"familyName":"Smith"}}]`,
		want: `{"userName":"b","name":{"givenName":"Barbara","familyName":"Smith"}}`},
	{name: "replace a selected element whole",
		doc:  `{"userName":"b","addresses":[{"type":"work","locality":"Hollywood","region":"CA"},{"type":"home","locality":"X"}]}`,
		ops:  `[{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza"}}]`,
		want: `{"userName":"b","addresses":[{"type":"work","streetAddress":"911 Universal City Plaza"},{"type":"home","locality":"X"}]}`},
	{name: "setting primary demotes the others",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work","primary":true},{"value":"h@example.com","type":"home"}]}`,
		ops:  `[{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","type":"work","primary":false},{"value":"h@example.com","type":"home","primary":true}]}`},
	{name: "sub-attribute of every value",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"},{"value":"h@example.com","type":"home"}]}`,
		ops:  `[{"op":"replace","path":"emails.display","value":"x"}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","type":"work","display":"x"},{"value":"h@example.com","type":"home","display":"x"}]}`},
	{name: "sub-attribute of every value with none",
		doc:     `{"userName":"b"}`,
		ops:     `[{"op":"replace","path":"emails.display","value":"x"}]`,
		wantErr: noTarget},

	// remove
	{name: "remove without a path",
		doc:     `{"userName":"b"}`,
		ops:     `[{"op":"remove"}]`,
		wantErr: noTarget},
	{name: "remove matching elements",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"},{"value":"h@example.com","type":"home"}]}`,
		ops:  `[{"op":"remove","path":"emails[type eq \"work\"]"}]`,
		want: `{"userName":"b","emails":[{"value":"h@example.com","type":"home"}]}`, touched: []string{"emails"}},
	{name: "remove the value of matching elements removes them",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"},{"value":"h@example.com","type":"home"}]}`,
		ops:  `[{"op":"remove","path":"emails[type eq \"work\"].value"}]`,
		want: `{"userName":"b","emails":[{"value":"h@example.com","type":"home"}]}`},
	{name: "remove a sub-attribute of matching elements",
		doc:  `{"userName":"b","addresses":[{"type":"work","locality":"Hollywood","region":"CA"}]}`,
		ops:  `[{"op":"remove","path":"addresses[type eq \"work\"].locality"}]`,
		want: `{"userName":"b","addresses":[{"type":"work","region":"CA"}]}`},
	{name: "remove the last element removes the attribute",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`,
		ops:  `[{"op":"remove","path":"emails[value eq \"A@EXAMPLE.COM\"]"}]`,
		want: `{"userName":"b"}`},
	{name: "remove all values",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com"},{"value":"b@example.com"}]}`,
		ops:  `[{"op":"remove","path":"emails"}]`,
		want: `{"userName":"b"}`},
	{name: "remove with a filter matching nothing succeeds",
		doc:  `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`,
		ops:  `[{"op":"remove","path":"emails[type eq \"home\"]"}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","type":"work"}]}`},
	{name: "remove a sub-attribute, then the last one",
		doc:  `{"userName":"b","name":{"givenName":"Barbara","familyName":"Jensen"}}`,
		ops:  `[{"op":"remove","path":"name.givenName"},{"op":"remove","path":"name.familyName"}]`,
		want: `{"userName":"b"}`},
	{name: "remove an absent attribute succeeds",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"remove","path":"title"},{"op":"remove","path":"department"}]`,
		want: `{"userName":"b"}`},
	{name: "remove a whole extension",
		doc:     `{"userName":"b","` + ent + `":{"department":"Tour","manager":{"value":"m","displayName":"M"}}}`,
		ops:     `[{"op":"remove","path":"` + ent + `"}]`,
		want:    `{"userName":"b"}`,
		touched: []string{ent + ":costCenter", ent + ":department", ent + ":division", ent + ":employeeNumber", ent + ":manager", ent + ":organization"}},
	{name: "remove the core schema",
		doc:     `{"userName":"b"}`,
		ops:     `[{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}]`,
		wantErr: invalidPath},
	{name: "remove values listed in the request",
		doc:  `{"userName":"b","roles":[{"value":"admin","type":"x"},{"value":"agent"}]}`,
		ops:  `[{"op":"remove","path":"roles","value":[{"value":"ADMIN"}]}]`,
		want: `{"userName":"b","roles":[{"value":"agent"}]}`},

	// Required, read-only and immutable attributes.
	{name: "remove userName", doc: `{"userName":"b"}`, ops: `[{"op":"remove","path":"userName"}]`, wantErr: mutability},
	{name: "empty userName", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"userName","value":""}]`, wantErr: mutability},
	{name: "null userName in a value", doc: `{"userName":"b"}`, ops: `[{"op":"replace","value":{"userName":null}}]`, wantErr: mutability},
	{name: "remove a group's displayName", res: schema.Groups, doc: `{"displayName":"g"}`, ops: `[{"op":"remove","path":"displayName"}]`, wantErr: mutability},
	{name: "remove id", doc: `{"id":"1","userName":"b"}`, ops: `[{"op":"remove","path":"id"}]`, wantErr: mutability},
	{name: "replace meta.version", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"meta.version","value":"W/\"9\""}]`, wantErr: mutability},
	{name: "add groups", doc: `{"userName":"b"}`, ops: `[{"op":"add","path":"groups","value":[{"value":"g"}]}]`, wantErr: mutability},
	{name: "replace manager.displayName", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"manager.displayName","value":"M"}]`, wantErr: mutability},
	{name: "change an immutable member value", res: schema.Groups,
		doc:     `{"displayName":"g","members":[{"value":"a"}]}`,
		ops:     `[{"op":"replace","path":"members[value eq \"a\"].value","value":"b"}]`,
		wantErr: mutability},
	{name: "adding a member again keeps its immutable sub-attributes", res: schema.Groups,
		doc:  `{"displayName":"g","members":[{"value":"a","$ref":"https://old.example.com/Users/a","type":"User"}]}`,
		ops:  `[{"op":"add","path":"members","value":[{"value":"a","$ref":"https://new.example.com/Users/a","type":"User"}]}]`,
		want: `{"displayName":"g","members":[{"value":"a","$ref":"https://old.example.com/Users/a","type":"User"}]}`},
	{name: "replacing all values keeps one primary, the last",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"replace","path":"emails","value":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":"True"}]}]`,
		want: `{"userName":"b","emails":[{"value":"a@example.com","primary":false},{"value":"b@example.com","primary":true}]}`},
	{name: "read-only attributes inside values are skipped",
		doc:     `{"id":"1","userName":"b","meta":{"resourceType":"User"}}`,
		ops:     `[{"op":"replace","value":{"id":"2","meta":{"version":"x"},"groups":[{"value":"g"}],"title":"Boss","manager.displayName":"x"}}]`,
		want:    `{"id":"1","userName":"b","meta":{"resourceType":"User"},"title":"Boss"}`,
		touched: []string{"title"}},
	{name: "read-only sub-attributes inside values are dropped",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","path":"manager","value":{"value":"m","displayName":"Boss","$ref":"../Users/m"}}]`,
		want: `{"userName":"b","` + ent + `":{"manager":{"value":"m","$ref":"../Users/m"}}}`},
}

func TestApplySemantics(t *testing.T) { runApply(t, semanticsTests) }

var valueTests = []applyTest{
	{name: "boolean as a string",
		doc:  `{"userName":"b","active":true}`,
		ops:  `[{"op":"Replace","path":"active","value":"False"}]`,
		want: `{"userName":"b","active":false}`},
	{name: "boolean as an upper-case string",
		doc:  `{"userName":"b","active":false}`,
		ops:  `[{"op":"replace","value":{"active":"TRUE"}}]`,
		want: `{"userName":"b","active":true}`},
	{name: "boolean that isn't", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"active","value":"yes"}]`, wantErr: invalidValue},
	{name: "number for a boolean", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"active","value":1}]`, wantErr: invalidValue},
	{name: "empty string clears",
		doc:  `{"userName":"b","title":"Boss","name":{"givenName":"B","familyName":"J"}}`,
		ops:  `[{"op":"replace","path":"title","value":""},{"op":"replace","path":"name.givenName","value":""}]`,
		want: `{"userName":"b","name":{"familyName":"J"}}`},
	{name: "null clears, for add too",
		doc:  `{"userName":"b","title":"Boss","emails":[{"value":"a@example.com"}],"active":true}`,
		ops:  `[{"op":"add","path":"title","value":null},{"op":"replace","path":"emails","value":null},{"op":"add","path":"active","value":null}]`,
		want: `{"userName":"b"}`},
	{name: "null attributes inside a value clear",
		doc:  `{"userName":"b","title":"Boss","name":{"givenName":"B","middleName":"X"}}`,
		ops:  `[{"op":"replace","value":{"title":null,"name":{"middleName":null},"nickName":""}}]`,
		want: `{"userName":"b","name":{"givenName":"B"}}`},
	{name: "manager as a bare id",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"replace","path":"` + ent + `:manager","value":"26118915-6090-4610-87e4-49d8ca9f808d"}]`,
		want: `{"userName":"b","` + ent + `":{"manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`},
	{name: "manager as a list of one (Entra)",
		doc:  `{"userName":"b","` + ent + `":{"manager":{"value":"old","$ref":"../Users/old"}}}`,
		ops:  `[{"op":"Add","path":"manager","value":[{"$ref":null,"value":"new"}]}]`,
		want: `{"userName":"b","` + ent + `":{"manager":{"value":"new"}}}`, touched: []string{ent + ":manager"}},
	{name: "remove manager",
		doc:  `{"userName":"b","` + ent + `":{"department":"x","manager":{"value":"m"}}}`,
		ops:  `[{"op":"Remove","path":"manager","value":[{"value":"m"}]}]`,
		want: `{"userName":"b","` + ent + `":{"department":"x"}}`},
	{name: "manager cleared by an empty value",
		doc:  `{"userName":"b","` + ent + `":{"manager":{"value":"m","$ref":"x"}}}`,
		ops:  `[{"op":"replace","path":"manager","value":{"value":""}}]`,
		want: `{"userName":"b"}`},
	{name: "manager without a value", doc: `{"userName":"b"}`, ops: `[{"op":"add","path":"manager","value":{"$ref":"x"}}]`, wantErr: invalidValue},
	{name: "string for a complex attribute", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"name","value":"Barbara Jensen"}]`, wantErr: invalidValue},
	{name: "object for a string", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"displayName","value":{"a":"b"}}]`, wantErr: invalidValue},
	{name: "list of two for a single value", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"title","value":["a","b"]}]`, wantErr: invalidValue},
	{name: "list of one for a single value",
		doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"title","value":["Boss"]}]`, want: `{"userName":"b","title":"Boss"}`},
	{name: "number for a string is kept as text",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","value":{"` + ent + `:employeeNumber":701984}}]`,
		want: `{"userName":"b","` + ent + `":{"employeeNumber":"701984"}}`},
	{name: "unknown attribute in a path", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"shoeSize","value":"9"}]`, wantErr: invalidPath},
	{name: "unknown sub-attribute in a path", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"name.nick","value":"9"}]`, wantErr: invalidPath},
	{name: "sub-attribute of a simple attribute", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"title.x","value":"9"}]`, wantErr: invalidPath},
	{name: "unknown schema in a path", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"urn:example:ext:1.0:User:x","value":"9"}]`, wantErr: invalidPath},
	{name: "unknown attribute of a known extension", doc: `{"userName":"b"}`, ops: `[{"op":"replace","value":{"` + ent + `:shoeSize":"9"}}]`, wantErr: invalidPath},
	{name: "unknown attribute in a value", doc: `{"userName":"b"}`, ops: `[{"op":"replace","value":{"shoeSize":"9"}}]`, wantErr: invalidPath},
	{name: "unknown sub-attribute in a value", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"name","value":{"nick":"9"}}]`, wantErr: invalidValue},
	{name: "unknown schemas in a value are skipped",
		doc: `{"userName":"b"}`,
		ops: `[{"op":"replace","value":{"http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Attributes/objectId":"x",
			"urn:example:params:scim:schemas:extension:acme:2.0:User":{"x":1},"urn:example:ext:2.0:User:shoe":"9","schemas":["x"],"title":"Boss"}}]`,
		want: `{"userName":"b","title":"Boss"}`, touched: []string{"title"}},
	{name: "value nested too deep", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"name","value":{"givenName":{"first":"B"}}}]`, wantErr: invalidValue},
	{name: "list inside an element", doc: `{"userName":"b"}`, ops: `[{"op":"add","path":"emails","value":[[{"value":"a@example.com"}]]}]`, wantErr: invalidValue},
	{name: "element without a value", doc: `{"userName":"b"}`, ops: `[{"op":"add","path":"emails","value":[{"type":"work"}]}]`, wantErr: invalidValue},
	{name: "custom fields are free-form",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:scimd:2.0:User:customFields.shoeSize","value":42},{"op":"add","path":"customFields","value":{"vip":"True","desk":"4B"}}]`,
		want: `{"userName":"b","urn:ietf:params:scim:schemas:extension:scimd:2.0:User":{"customFields":{"shoeSize":42,"vip":"True","desk":"4B"}}}`},
	{name: "custom fields hold scalars only", doc: `{"userName":"b"}`, ops: `[{"op":"add","path":"customFields","value":{"a":{"b":1}}}]`, wantErr: invalidValue},
	{name: "too many operations", doc: `{"userName":"b"}`, ops: `[` + strings.Repeat(`{"op":"add","path":"title","value":"x"},`, MaxOperations) + `{"op":"add","path":"title","value":"x"}]`, wantErr: invalidValue},
	{name: "legacy dot before an extension attribute",
		doc:  `{"userName":"b"}`,
		ops:  `[{"op":"add","path":"` + ent + `.department","value":"Tour"}]`,
		want: `{"userName":"b","` + ent + `":{"department":"Tour"}}`},
	{name: "bare extension URN with an object",
		doc:  `{"userName":"b","` + ent + `":{"division":"d"}}`,
		ops:  `[{"op":"add","path":"` + ent + `","value":{"department":"Tour","costCenter":"4130"}}]`,
		want: `{"userName":"b","` + ent + `":{"division":"d","department":"Tour","costCenter":"4130"}}`},
	{name: "bare extension URN with a string", doc: `{"userName":"b"}`, ops: `[{"op":"add","path":"` + ent + `","value":"x"}]`, wantErr: invalidValue},
	{name: "filter on a single-valued attribute", doc: `{"userName":"b"}`, ops: `[{"op":"remove","path":"name[givenName eq \"x\"]"}]`, wantErr: invalidPath},
	{name: "unknown sub-attribute in a filter", doc: `{"userName":"b"}`, ops: `[{"op":"remove","path":"emails[kind eq \"x\"]"}]`, wantErr: invalidPath},
	{name: "unknown sub-attribute after a filter", doc: `{"userName":"b"}`, ops: `[{"op":"replace","path":"emails[type eq \"x\"].kind","value":"y"}]`, wantErr: invalidPath},
	{name: "all or nothing",
		doc:     `{"userName":"b","title":"Boss"}`,
		ops:     `[{"op":"replace","path":"title","value":"Chief"},{"op":"remove","path":"userName"}]`,
		wantErr: mutability},
}

func TestApplyValues(t *testing.T) { runApply(t, valueTests) }

func TestApplyErrorNamesOperation(t *testing.T) {
	ops, err := Parse(body(`[{"op":"add","path":"title","value":"x"},{"op":"Replace","path":"active","value":"maybe"}]`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(map[string]any{"userName": "b"}, ops, schema.Users)
	checkErr(t, err, invalidValue)
	const want = `Operation 2 ("replace" active): active must be true or false, not "maybe".`
	if err.Error() != want {
		t.Errorf("detail\n got %s\nwant %s", err, want)
	}
}

func TestDeepCopy(t *testing.T) {
	doc := decode(t, `{"a":{"b":[{"c":"d"}]},"n":1}`)
	c := DeepCopy(doc)
	c["a"].(map[string]any)["b"].([]any)[0].(map[string]any)["c"] = "changed"
	c["n"] = 2
	if got := jsonText(doc); got != `{"a":{"b":[{"c":"d"}]},"n":1}` {
		t.Errorf("the original changed: %s", got)
	}
	if DeepCopy(nil) != nil {
		t.Error("DeepCopy(nil) is not nil")
	}
	if !bytes.Equal([]byte(jsonText(DeepCopy(doc))), []byte(jsonText(doc))) {
		t.Error("copy differs")
	}
}

// TestErrorDetailShortened checks that a long path is cut in the detail
// on a character boundary.
func TestErrorDetailShortened(t *testing.T) {
	long := strings.Repeat("é", 100)
	ops, err := Parse(body(`[{"op":"replace","path":"emails[value eq \"` + long + `\"].kind","value":"x"}]`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(map[string]any{"userName": "b"}, ops, schema.Users)
	checkErr(t, err, invalidPath)
	if d := err.Error(); !strings.Contains(d, "é…") || strings.Contains(d, long) {
		t.Errorf("detail not shortened: %s", d)
	}
}
