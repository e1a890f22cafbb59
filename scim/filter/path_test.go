package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

type pathTest struct {
	name  string
	in    string
	want  Path
	canon string // String() of the result; "" means the same as in
}

var pathTests = []pathTest{
	{"attribute", `members`, Path{Attr: ap("members")}, ""},
	{"sub-attribute", `name.givenName`, Path{Attr: ap("name.givenName")}, ""},
	{"value filter with sub-attribute", `emails[type eq "work"].value`, Path{Attr: ap("emails"), Filter: cmp("type", Eq, str("work")), Sub: "value"}, ""},
	{"members by value", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`, Path{Attr: ap("members"), Filter: cmp("value", Eq, str("2819c223-7f76-453a-919d-413861904646"))}, ""},
	{"address street", `addresses[type eq "work"].streetAddress`, Path{Attr: ap("addresses"), Filter: cmp("type", Eq, str("work")), Sub: "streetAddress"}, ""},
	{"enterprise manager", enterprise + `:manager`, Path{Attr: ap(enterprise + ":manager")}, ""},
	{"enterprise manager.value", enterprise + `:manager.value`, Path{Attr: ap(enterprise + ":manager.value")}, ""},
	{"URN before value path", coreUser + `:emails[type eq "work"].value`, Path{Attr: ap(coreUser + ":emails"), Filter: cmp("type", Eq, str("work")), Sub: "value"}, ""},
	{"custom extension attribute", `urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User:costCenter`, Path{Attr: ap("urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User:costCenter")}, ""},
	{"logical value filter", `emails[type eq "work" and primary eq true]`, Path{Attr: ap("emails"), Filter: and(cmp("type", Eq, str("work")), cmp("primary", Eq, boolean(true)))}, ""},
	{"not in value filter", `phoneNumbers[not (type eq "fax")].value`, Path{Attr: ap("phoneNumbers"), Filter: not(cmp("type", Eq, str("fax"))), Sub: "value"}, ""},
	{"$ref sub-attribute", `members[value eq "1"].$ref`, Path{Attr: ap("members"), Filter: cmp("value", Eq, str("1")), Sub: "$ref"}, ""},
	{"surrounding whitespace", ` members `, Path{Attr: ap("members")}, `members`},
	{"operators in any case", `emails[type EQ "work" OR type Eq "home"]`, Path{Attr: ap("emails"), Filter: or(cmp("type", Eq, str("work")), cmp("type", Eq, str("home")))}, `emails[type eq "work" or type eq "home"]`},
	{"bare schema URN", enterprise, Path{Attr: AttrPath{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", Name: "User"}}, ""},
}

func TestParsePath(t *testing.T) {
	for _, tt := range pathTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParsePath(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Errorf("String() = %q, want %q", s, canon)
			}
			again, err := ParsePath(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("ParsePath(String()) = %#v, %v; want %#v", again, err, got)
			}
		})
	}
}

var pathErrorTests = []errorTest{
	{"empty", ``, 0, "the path is empty"},
	{"blank", `  `, 0, "the path is empty"},
	{"filter expression", `members eq "x"`, 8, `expected "[" or the end of the path, found "eq"`},
	{"operator after value filter", `emails[type eq "work"] eq 1`, 23, `expected "." and a sub-attribute name or the end of the path, found "eq"`},
	{"garbage after sub-attribute", `emails[type eq "work"].value x`, 29, `expected the end of the path, found "x"`},
	{"second value filter", `emails[type eq "work"].value[x pr]`, 28, `expected the end of the path, found "["`},
	{"starts with bracket", `[type eq "work"]`, 0, `expected an attribute name, found "["`},
	{"missing close bracket", `emails[type eq "work"`, 21, `missing "]" to close "emails["`},
	{"empty value filter", `emails[]`, 7, `expected an attribute name after "["`},
	{"nested value path", `emails[value[type eq "x"]]`, 12, `value filters cannot be nested`},
	{"value filter on sub-attribute", `name.givenName[type eq "x"]`, 14, `not the sub-attribute "name.givenName"`},
	{"two sub-attributes", `name.givenName.x`, 0, `at most one sub-attribute`},
	{"two sub-attributes after filter", `emails[type eq "work"].value.x`, 23, `invalid sub-attribute "value.x"`},
	{"dot without sub-attribute", `emails[type eq "work"].`, 23, `expected a sub-attribute name after "emails[...]."`},
	{"bad name", `1members`, 0, `invalid attribute name "1members"`},
	{"non-URN prefix", `foo:bar`, 0, `invalid schema URN "foo"`},
	{"URN without attribute", enterprise + `:`, len(enterprise) + 1, `expected an attribute name after the schema URN`},
	{"bad filter", `members[value eq ]`, 17, `expected a value after "eq"`},
	{"invalid UTF-8", "members\xff", 7, "the path is not valid UTF-8"},
	{"too long", strings.Repeat("a", MaxLength+1), MaxLength, "the path is 4097 bytes long"},
	{"too many terms", `emails[` + strings.TrimSuffix(strings.Repeat("a pr or ", MaxTerms+1), " or ") + `]`, 7 + MaxTerms*len("a pr or "), "the path has more than 64 conditions"},
	{"too deep", `emails[` + strings.Repeat("(", MaxDepth) + "a pr" + strings.Repeat(")", MaxDepth) + `]`, 7 + MaxDepth - 1, "the path is nested more than 32 levels deep"},
}

func TestParsePathErrors(t *testing.T) {
	for _, tt := range pathErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePath(tt.in)
			if err == nil {
				t.Fatalf("ParsePath(%q) = %v, want an error", tt.in, p)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error is %T, want *Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParsePath(%q) error\n got %q\nwant it to contain %q", tt.in, err, tt.want)
			}
			if fe.Offset != tt.offset {
				t.Errorf("ParsePath(%q) offset = %d, want %d (%v)", tt.in, fe.Offset, tt.offset, err)
			}
			if !strings.HasPrefix(err.Error(), "invalid path at offset ") {
				t.Errorf("error %q lacks the standard prefix", err)
			}
		})
	}
}
