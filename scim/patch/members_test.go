package patch

import (
	"fmt"
	"strings"
	"testing"
)

// memberString renders member operations as "add a,b ; replace -".
func memberString(mops []MemberOp) string {
	var parts []string
	for _, m := range mops {
		ids := strings.Join(m.IDs, ",")
		if ids == "" {
			ids = "-"
		}
		parts = append(parts, m.Op+" "+ids)
	}
	return strings.Join(parts, " ; ")
}

func opsString(ops []Op) string {
	var parts []string
	for _, op := range ops {
		path := ""
		if op.Path != nil {
			path = op.Path.String()
		}
		parts = append(parts, fmt.Sprintf("%s|%s|%s", op.Op, path, jsonText(op.Value)))
	}
	return strings.Join(parts, " ; ")
}

func TestMemberOps(t *testing.T) {
	tests := []struct {
		name     string
		ops      string
		members  string // memberString of the member operations
		rest     string // opsString of the rest
		wantErr  string
		errMatch string
	}{
		{name: "Okta add with display",
			ops:     `[{"op":"add","path":"members","value":[{"value":"23a35c27","display":"test.user@okta.local"},{"value":"89bb1940","display":"x"}]}]`,
			members: "add 23a35c27,89bb1940"},
		{name: "Okta remove by filter",
			ops:     `[{"op":"remove","path":"members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"}]`,
			members: "remove 89bb1940-b905-4575-9e7f-6f887cfb368e"},
		{name: "remove several joined by or",
			ops:     `[{"op":"remove","path":"members[value eq \"x\" or value eq \"y\" or VALUE eq \"x\"]"}]`,
			members: "remove x,y"},
		{name: "Entra remove with a value list",
			ops:     `[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]`,
			members: "remove f648f8d5ea4e4cd38e9c"},
		{name: "replace the whole list",
			ops:     `[{"op":"replace","path":"members","value":[{"value":"a","type":"User","$ref":"../Users/a"},{"value":"b"},{"value":"a"}]}]`,
			members: "replace a,b"},
		{name: "replace with nothing",
			ops:     `[{"op":"replace","path":"members","value":[]}]`,
			members: "replace -"},
		{name: "remove all",
			ops:     `[{"op":"remove","path":"members"}]`,
			members: "replace -"},
		{name: "remove an empty list does nothing",
			ops: `[{"op":"remove","path":"members","value":[]}]`},
		{name: "add nothing does nothing",
			ops: `[{"op":"add","path":"members","value":[]}]`},
		{name: "path with the Group URN",
			ops:     `[{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:Group:Members","value":{"value":"a"}}]`,
			members: "add a"},
		{name: "bare string ids",
			ops:     `[{"op":"add","path":"members","value":["a","b"]}]`,
			members: "add a,b"},
		{name: "path-less value is split",
			ops:     `[{"op":"replace","value":{"members":[{"value":"a"}],"displayName":"x","id":"g"}}]`,
			members: "replace a",
			rest:    `replace||{"displayName":"x","id":"g"}`},
		{name: "path-less value with only members",
			ops:     `[{"op":"add","value":{"Members":[{"value":"a"}]}}]`,
			members: "add a"},
		{name: "path-less value nested under the Group URN",
			ops:     `[{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:Group":{"members":[{"value":"a"}],"displayName":"x"}}}]`,
			members: "add a",
			rest:    `add||{"urn:ietf:params:scim:schemas:core:2.0:Group":{"displayName":"x"}}`},
		{name: "other operations pass through in order",
			ops: `[{"op":"Replace","path":"displayName","value":"new"},{"op":"Add","path":"members","value":[{"value":"a"}]},
				{"op":"replace","value":{"externalId":"e"}},{"op":"remove","path":"members[value eq \"a\"]"}]`,
			members: "add a ; remove a",
			rest:    `replace|displayName|"new" ; replace||{"externalId":"e"}`},
		{name: "filter on display", ops: `[{"op":"remove","path":"members[display eq \"x\"]"}]`, wantErr: invalidFilter, errMatch: "by id only"},
		{name: "filter with and", ops: `[{"op":"remove","path":"members[value eq \"x\" and type eq \"User\"]"}]`, wantErr: invalidFilter},
		{name: "filter with ne", ops: `[{"op":"remove","path":"members[value ne \"x\"]"}]`, wantErr: invalidFilter},
		{name: "filter on an add", ops: `[{"op":"add","path":"members[value eq \"x\"]","value":{"value":"x"}}]`, wantErr: invalidPath},
		{name: "sub-attribute", ops: `[{"op":"replace","path":"members[value eq \"x\"].display","value":"y"}]`, wantErr: invalidPath},
		{name: "dotted sub-attribute", ops: `[{"op":"remove","path":"members.value"}]`, wantErr: invalidPath},
		{name: "member without a value", ops: `[{"op":"add","path":"members","value":[{"display":"x"}]}]`, wantErr: invalidValue, errMatch: `Operation 1 ("add" members): each member needs a "value"`},
		{name: "member value not a string", ops: `[{"op":"add","path":"members","value":[{"value":12}]}]`, wantErr: invalidValue},
		{name: "member in a path-less value without a value", ops: `[{"op":"add","value":{"members":[{"value":""}]}}]`, wantErr: invalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := Parse(body(tt.ops))
			if err != nil {
				t.Fatal(err)
			}
			members, rest, err := MemberOps(ops)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("MemberOps = %s / %s, want an error", memberString(members), opsString(rest))
				}
				checkErr(t, err, tt.wantErr)
				if !strings.Contains(err.Error(), tt.errMatch) {
					t.Errorf("detail %q does not contain %q", err, tt.errMatch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := memberString(members); got != tt.members {
				t.Errorf("members\n got %s\nwant %s", got, tt.members)
			}
			if got := opsString(rest); got != tt.rest {
				t.Errorf("rest\n got %s\nwant %s", got, tt.rest)
			}
		})
	}
}

// TestMemberOpsDoesNotChangeInput checks that splitting a path-less
// value leaves the request's own value alone.
func TestMemberOpsDoesNotChangeInput(t *testing.T) {
	ops, err := Parse(body(`[{"op":"add","value":{"members":[{"value":"a"}],"displayName":"x","urn:ietf:params:scim:schemas:core:2.0:Group":{"members":["b"]}}}]`))
	if err != nil {
		t.Fatal(err)
	}
	before := opsString(ops)
	if _, _, err := MemberOps(ops); err != nil {
		t.Fatal(err)
	}
	if after := opsString(ops); after != before {
		t.Errorf("MemberOps changed its input\nbefore %s\n after %s", before, after)
	}
}
