package patch

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // each op as op|path|value JSON, joined by " ; "
	}{
		{"op names in any case",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"nickName","value":"Babs"},{"op":"REPLACE","path":"active","value":false},{"op":"remove","path":"title"}]}`,
			`add|nickName|"Babs" ; replace|active|false ; remove|title|null`},
		{"member names and schema in any case",
			`{"SCHEMAS":["URN:IETF:PARAMS:SCIM:API:MESSAGES:2.0:PATCHOP"],"operations":[{"OP":"add","Path":"title","VALUE":"x"}]}`,
			`add|title|"x"`},
		{"empty path is no path",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"","value":{"active":false}},{"op":"add","path":"  ","value":{}}]}`,
			`replace||{"active":false} ; add||{}`},
		{"numbers are kept as written",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"x","value":12345678901234567890.10}]}`,
			`add|x|12345678901234567890.10`},
		{"remove keeps its value",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"u1091"}]}]}`,
			`remove|members|[{"value":"u1091"}]`},
		{"null value",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":null}]}`,
			`replace|title|null`},
		{"canonical path",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type EQ \"work\"].value","value":"x"}]}`,
			`replace|emails[type eq "work"].value|"x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := Parse([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, op := range ops {
				path := ""
				if op.Path != nil {
					path = op.Path.String()
				}
				got = append(got, op.Op+"|"+path+"|"+jsonText(op.Value))
			}
			if s := strings.Join(got, " ; "); s != tt.want {
				t.Errorf("Parse\n got %s\nwant %s", s, tt.want)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	ops, err := Parse(body(`[{"op":"add","path":"x","value":{"n":1.5}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if n := ops[0].Value.(map[string]any)["n"]; !reflect.DeepEqual(n, json.Number("1.5")) {
		t.Errorf("number decoded as %T %v, want json.Number", n, n)
	}
}

func TestParseErrors(t *testing.T) {
	const schemas = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`
	tests := []struct {
		name, body, scimType string
		detail               string // a part of the detail
	}{
		{"empty", ``, invalidSyntax, "The request body is empty"},
		{"not JSON", `{"schemas":`, invalidSyntax, "ends in the middle"},
		{"syntax error", `{"schemas":[} `, invalidSyntax, "not valid JSON (near byte 13)"},
		{"trailing data", `{` + schemas + `,"Operations":[{"op":"remove","path":"x"}]} {}`, invalidSyntax, "continues after"},
		{"not an object", `[1]`, invalidSyntax, "not a list"},
		{"no schemas", `{"Operations":[{"op":"remove","path":"x"}]}`, invalidSyntax, `list "urn:ietf:params:scim:api:messages:2.0:PatchOp" in "schemas"`},
		{"other schema", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"remove","path":"x"}]}`, invalidSyntax, "schemas"},
		{"no operations", `{` + schemas + `}`, invalidSyntax, `has no "Operations"`},
		{"operations not a list", `{` + schemas + `,"Operations":{"op":"add"}}`, invalidSyntax, "not an object"},
		{"zero operations", `{` + schemas + `,"Operations":[]}`, invalidSyntax, "is empty"},
		{"too many operations", `{` + schemas + `,"Operations":[` + strings.Repeat(`{"op":"remove","path":"x"},`, MaxOperations) + `{"op":"remove","path":"x"}]}`, invalidValue, "1001 operations; at most 1000"},
		{"operation not an object", `{` + schemas + `,"Operations":["add"]}`, invalidSyntax, "Operation 1: an operation must be an object"},
		{"op missing", `{` + schemas + `,"Operations":[{"path":"x"}]}`, invalidSyntax, `"op" is missing`},
		{"unknown op", `{` + schemas + `,"Operations":[{"op":"remove","path":"x"},{"op":"update","path":"x","value":1}]}`, invalidSyntax, `Operation 2: "op" must be "add", "replace" or "remove", not "update".`},
		{"op not a string", `{` + schemas + `,"Operations":[{"op":1,"path":"x"}]}`, invalidSyntax, "not a number"},
		{"path not a string", `{` + schemas + `,"Operations":[{"op":"add","path":["x"],"value":1}]}`, invalidSyntax, `"path" must be a string`},
		{"bad path", `{` + schemas + `,"Operations":[{"op":"add","path":"emails[type eq work]","value":1}]}`, invalidPath, `the path "emails[type eq work]" is not valid: expected a value after "eq"`},
		{"remove without a path", `{` + schemas + `,"Operations":[{"op":"remove","value":{"title":"x"}}]}`, noTarget, `needs a "path"`},
		{"add without a value", `{` + schemas + `,"Operations":[{"op":"add","path":"title"}]}`, invalidSyntax, `needs a "value"`},
		{"path-less add of a string", `{` + schemas + `,"Operations":[{"op":"add","value":"x"}]}`, invalidSyntax, "must be an object of attributes"},
		{"path-less replace of null", `{` + schemas + `,"Operations":[{"op":"replace","value":null}]}`, invalidSyntax, "not null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := Parse([]byte(tt.body))
			if err == nil {
				t.Fatalf("Parse = %v, want an error", ops)
			}
			checkErr(t, err, tt.scimType)
			if !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("detail %q does not contain %q", err, tt.detail)
			}
		})
	}
}
