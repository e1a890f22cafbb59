package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Helpers that keep the expected ASTs readable.

// ap builds an AttrPath from its written form: the URN is everything
// before the last ':', the sub-attribute follows the first '.'.
func ap(s string) AttrPath {
	var a AttrPath
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		a.URN, s = s[:i], s[i+1:]
	}
	a.Name, a.Sub, _ = strings.Cut(s, ".")
	return a
}

func str(s string) Value   { return Value{Kind: String, Str: s} }
func num(s string) Value   { return Value{Kind: Number, Num: s} }
func boolean(b bool) Value { return Value{Kind: Bool, Bool: b} }

var null = Value{Kind: Null}

func cmp(path string, op Op, v Value) Expr { return Compare{Path: ap(path), Op: op, Value: v} }
func pr(path string) Expr                  { return Present{Path: ap(path)} }
func and(l, r Expr) Expr                   { return And{Left: l, Right: r} }
func or(l, r Expr) Expr                    { return Or{Left: l, Right: r} }
func not(x Expr) Expr                      { return Not{X: x} }
func vp(path string, f Expr) Expr          { return ValuePath{Path: ap(path), Filter: f} }

const (
	enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	coreUser   = "urn:ietf:params:scim:schemas:core:2.0:User"
)

type parseTest struct {
	name  string
	in    string
	want  Expr
	canon string // String() of the result; "" means the same as in
}

var parseTests = []parseTest{
	// Every operator.
	{"eq", `userName eq "bjensen"`, cmp("userName", Eq, str("bjensen")), ""},
	{"ne", `userType ne "Employee"`, cmp("userType", Ne, str("Employee")), ""},
	{"co", `name.familyName co "O'Malley"`, cmp("name.familyName", Co, str("O'Malley")), ""},
	{"sw", `userName sw "J"`, cmp("userName", Sw, str("J")), ""},
	{"ew", `userName ew "son"`, cmp("userName", Ew, str("son")), ""},
	{"gt", `meta.lastModified gt "2011-05-13T04:42:34Z"`, cmp("meta.lastModified", Gt, str("2011-05-13T04:42:34Z")), ""},
	{"ge", `meta.lastModified ge "2011-05-13T04:42:34Z"`, cmp("meta.lastModified", Ge, str("2011-05-13T04:42:34Z")), ""},
	{"lt", `meta.lastModified lt "2011-05-13T04:42:34Z"`, cmp("meta.lastModified", Lt, str("2011-05-13T04:42:34Z")), ""},
	{"le", `meta.lastModified le "2011-05-13T04:42:34Z"`, cmp("meta.lastModified", Le, str("2011-05-13T04:42:34Z")), ""},
	{"pr", `title pr`, pr("title"), ""},
	{"operators any case", `userName EQ "a" and title Pr and x Gt 1`, and(and(cmp("userName", Eq, str("a")), pr("title")), cmp("x", Gt, num("1"))), `userName eq "a" and title pr and x gt 1`},
	{"RFC case-insensitive example", `Username Eq "john"`, cmp("Username", Eq, str("john")), `Username eq "john"`},

	// Precedence and grouping.
	{"and binds tighter than or", `a eq 1 or b eq 2 and c eq 3`, or(cmp("a", Eq, num("1")), and(cmp("b", Eq, num("2")), cmp("c", Eq, num("3")))), ""},
	{"and before or", `a eq 1 and b eq 2 or c eq 3`, or(and(cmp("a", Eq, num("1")), cmp("b", Eq, num("2"))), cmp("c", Eq, num("3"))), ""},
	{"grouping overrides precedence", `(a eq 1 or b eq 2) and c eq 3`, and(or(cmp("a", Eq, num("1")), cmp("b", Eq, num("2"))), cmp("c", Eq, num("3"))), ""},
	{"or is left-associative", `a pr or b pr or c pr`, or(or(pr("a"), pr("b")), pr("c")), ""},
	{"and is left-associative", `a pr and b pr and c pr`, and(and(pr("a"), pr("b")), pr("c")), ""},
	{"right-nested or keeps its parentheses", `a pr or (b pr or c pr)`, or(pr("a"), or(pr("b"), pr("c"))), ""},
	{"right-nested and keeps its parentheses", `a pr and (b pr and c pr)`, and(pr("a"), and(pr("b"), pr("c"))), ""},
	{"redundant parentheses", `((a pr))`, pr("a"), `a pr`},
	{"parentheses around and inside or", `(a pr and b pr) or c pr`, or(and(pr("a"), pr("b")), pr("c")), `a pr and b pr or c pr`},
	{"keywords any case", `a pr AND b pr Or c pr`, or(and(pr("a"), pr("b")), pr("c")), `a pr and b pr or c pr`},

	// not.
	{"not", `not (title pr)`, not(pr("title")), ""},
	{"not without space", `not(title pr)`, not(pr("title")), `not (title pr)`},
	{"NOT upper case", `NOT (title pr)`, not(pr("title")), `not (title pr)`},
	{"not binds to its group", `not (a pr) and b pr`, and(not(pr("a")), pr("b")), ""},
	{"not not", `not (not (a pr or b pr))`, not(not(or(pr("a"), pr("b")))), ""},
	{"attribute named not", `not eq "x"`, cmp("not", Eq, str("x")), ""},
	{"attribute named not pr", `not pr`, pr("not"), ""},
	{"attributes named and, or", `and pr and or pr`, and(pr("and"), pr("or")), ""},

	// Value paths.
	{"value path", `emails[type eq "work"]`, vp("emails", cmp("type", Eq, str("work"))), ""},
	{"value path with and", `emails[type eq "work" and value co "@contoso.com"]`, vp("emails", and(cmp("type", Eq, str("work")), cmp("value", Co, str("@contoso.com")))), ""},
	{"value path with or and grouping", `emails[type eq "work" or (type eq "home" and value ew "@example.com")]`, vp("emails", or(cmp("type", Eq, str("work")), and(cmp("type", Eq, str("home")), cmp("value", Ew, str("@example.com"))))), `emails[type eq "work" or type eq "home" and value ew "@example.com"]`},
	{"value path with not", `emails[not (type eq "work")]`, vp("emails", not(cmp("type", Eq, str("work")))), ""},
	{"value path with spaces inside brackets", `emails[ type eq "work" ]`, vp("emails", cmp("type", Eq, str("work"))), `emails[type eq "work"]`},
	{"value path $ref", `members[$ref eq "https://example.com/v2/Users/1"]`, vp("members", cmp("$ref", Eq, str("https://example.com/v2/Users/1"))), ""},
	{"value path with URN", enterprise + `:manager[value eq "26118915-6090-4610-87e4-49d8ca9f808d"]`, vp(enterprise+":manager", cmp("value", Eq, str("26118915-6090-4610-87e4-49d8ca9f808d"))), ""},
	{"value path combined", `userName eq "a" or emails[type eq "work"] and active eq true`, or(cmp("userName", Eq, str("a")), and(vp("emails", cmp("type", Eq, str("work"))), cmp("active", Eq, boolean(true)))), ""},
	{"value path then and without space", `emails[type eq "work"]and title pr`, and(vp("emails", cmp("type", Eq, str("work"))), pr("title")), `emails[type eq "work"] and title pr`},

	// Entra's attr[filter].sub form.
	{"entra eq", `emails[type eq "work"].value eq "x"`, vp("emails", and(cmp("type", Eq, str("work")), cmp("value", Eq, str("x")))), `emails[type eq "work" and value eq "x"]`},
	{"entra pr", `emails[type eq "work"].value pr`, vp("emails", and(cmp("type", Eq, str("work")), pr("value"))), `emails[type eq "work" and value pr]`},
	{"entra or inside", `emails[type eq "work" or primary eq true].value eq "x"`, vp("emails", and(or(cmp("type", Eq, str("work")), cmp("primary", Eq, boolean(true))), cmp("value", Eq, str("x")))), `emails[(type eq "work" or primary eq true) and value eq "x"]`},
	{"entra with URN", coreUser + `:emails[type eq "work"].value eq "a@b"`, vp(coreUser+":emails", and(cmp("type", Eq, str("work")), cmp("value", Eq, str("a@b")))), coreUser + `:emails[type eq "work" and value eq "a@b"]`},
	{"entra then and", `addresses[type eq "work"].streetAddress co "Main" and active eq true`, and(vp("addresses", and(cmp("type", Eq, str("work")), cmp("streetAddress", Co, str("Main")))), cmp("active", Eq, boolean(true))), `addresses[type eq "work" and streetAddress co "Main"] and active eq true`},

	// URN-qualified attributes.
	{"enterprise URN", enterprise + `:employeeNumber eq "701984"`, cmp(enterprise+":employeeNumber", Eq, str("701984")), ""},
	{"core URN with sub-attribute", coreUser + `:name.givenName eq "Barbara"`, cmp(coreUser+":name.givenName", Eq, str("Barbara")), ""},
	{"enterprise manager.value", enterprise + `:manager.value eq "x"`, cmp(enterprise+":manager.value", Eq, str("x")), ""},
	{"custom Entra extension URN", `urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User:attr eq "v"`, cmp("urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User:attr", Eq, str("v")), ""},
	{"URN in upper case", `URN:IETF:params:scim:schemas:core:2.0:User:userName pr`, pr("URN:IETF:params:scim:schemas:core:2.0:User:userName"), ""},
	{"URN with $ref sub-attribute", enterprise + `:manager.$ref pr`, pr(enterprise + ":manager.$ref"), ""},

	// Names.
	{"name with digits, dash, underscore", `x-1_y eq 1`, cmp("x-1_y", Eq, num("1")), ""},
	{"$ref as name", `$ref pr`, pr("$ref"), ""},
	{"sub-attribute $ref", `members.$ref pr`, pr("members.$ref"), ""},

	// Strings and escapes.
	{"empty string", `a eq ""`, cmp("a", Eq, str("")), ""},
	{"escaped quote and backslash", `a eq "x\"y\\z"`, cmp("a", Eq, str(`x"y\z`)), ""},
	{"escaped slash", `a eq "a\/b"`, cmp("a", Eq, str("a/b")), `a eq "a/b"`},
	{"control escapes", `a eq "\b\f\n\r\t"`, cmp("a", Eq, str("\b\f\n\r\t")), ""},
	{"unicode escape", `a eq "caf\u00e9"`, cmp("a", Eq, str("café")), `a eq "café"`},
	{"unicode escape upper hex", `a eq "\u00C9"`, cmp("a", Eq, str("É")), `a eq "É"`},
	{"surrogate pair", `a eq "\ud83d\ude00"`, cmp("a", Eq, str("😀")), `a eq "😀"`},
	{"escaped NUL", `a eq "\u0000"`, cmp("a", Eq, str("\x00")), `a eq "\u0000"`},
	{"escaped DEL stays raw", `a eq "\u007f"`, cmp("a", Eq, str("\x7f")), "a eq \"\x7f\""},
	{"raw UTF-8", `displayName eq "Zoë Ünal 日本"`, cmp("displayName", Eq, str("Zoë Ünal 日本")), ""},
	{"string with keywords and brackets", `a eq "x and (y) or [z]"`, cmp("a", Eq, str("x and (y) or [z]")), ""},

	// Numbers.
	{"int", `a eq 42`, cmp("a", Eq, num("42")), ""},
	{"zero", `a eq 0`, cmp("a", Eq, num("0")), ""},
	{"negative", `a gt -7`, cmp("a", Gt, num("-7")), ""},
	{"negative zero", `a eq -0`, cmp("a", Eq, num("-0")), ""},
	{"decimal", `a lt 12.5`, cmp("a", Lt, num("12.5")), ""},
	{"decimal below one", `a lt 0.25`, cmp("a", Lt, num("0.25")), ""},
	{"exponent", `a ge 1e3`, cmp("a", Ge, num("1e3")), ""},
	{"exponent signed", `a le -1.5E+10`, cmp("a", Le, num("-1.5E+10")), ""},
	{"exponent negative", `a le 2e-3`, cmp("a", Le, num("2e-3")), ""},
	{"number before paren", `(a eq 1)`, cmp("a", Eq, num("1")), `a eq 1`},

	// Booleans and null.
	{"true", `active eq true`, cmp("active", Eq, boolean(true)), ""},
	{"false", `active eq false`, cmp("active", Eq, boolean(false)), ""},
	{"TRUE", `active eq TRUE`, cmp("active", Eq, boolean(true)), `active eq true`},
	{"False", `active ne False`, cmp("active", Ne, boolean(false)), `active ne false`},
	{"null", `manager eq null`, cmp("manager", Eq, null), ""},
	{"NULL", `manager ne NULL`, cmp("manager", Ne, null), `manager ne null`},

	// Whitespace leniency.
	{"surrounding spaces", "  userName eq \"a\"  ", cmp("userName", Eq, str("a")), `userName eq "a"`},
	{"tabs and runs of spaces", "userName\t eq  \t\"a\"   and\ttitle  pr", and(cmp("userName", Eq, str("a")), pr("title")), `userName eq "a" and title pr`},
	{"spaces inside parentheses", `( a pr )`, pr("a"), `a pr`},
	{"not followed by spaces", "not   (a pr)", not(pr("a")), `not (a pr)`},
	{"no space after operator", `a eq"x"`, cmp("a", Eq, str("x")), `a eq "x"`},
	{"and after closing paren", `(a pr)and(b pr)`, and(pr("a"), pr("b")), `a pr and b pr`},

	// RFC 7644 §3.4.2.2, Figure 2 (every example filter).
	{"rfc 1", `userName eq "bjensen"`, cmp("userName", Eq, str("bjensen")), ""},
	{"rfc 2", `name.familyName co "O'Malley"`, cmp("name.familyName", Co, str("O'Malley")), ""},
	{"rfc 3", `userName sw "J"`, cmp("userName", Sw, str("J")), ""},
	{"rfc 4", coreUser + `:userName sw "J"`, cmp(coreUser+":userName", Sw, str("J")), ""},
	{"rfc 5", `title pr`, pr("title"), ""},
	{"rfc 6", `meta.lastModified gt "2011-05-13T04:42:34Z"`, cmp("meta.lastModified", Gt, str("2011-05-13T04:42:34Z")), ""},
	{"rfc 7", `meta.lastModified ge "2011-05-13T04:42:34Z"`, cmp("meta.lastModified", Ge, str("2011-05-13T04:42:34Z")), ""},
	{"rfc 8", `meta.lastModified lt "2011-05-13T04:42:34Z"`, cmp("meta.lastModified", Lt, str("2011-05-13T04:42:34Z")), ""},
	{"rfc 9", `meta.lastModified le "2011-05-13T04:42:34Z"`, cmp("meta.lastModified", Le, str("2011-05-13T04:42:34Z")), ""},
	{"rfc 10", `title pr and userType eq "Employee"`, and(pr("title"), cmp("userType", Eq, str("Employee"))), ""},
	{"rfc 11", `title pr or userType eq "Intern"`, or(pr("title"), cmp("userType", Eq, str("Intern"))), ""},
	{"rfc 12", `schemas eq "` + enterprise + `"`, cmp("schemas", Eq, str(enterprise)), ""},
	{"rfc 13", `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
		and(cmp("userType", Eq, str("Employee")), or(cmp("emails", Co, str("example.com")), cmp("emails.value", Co, str("example.org")))), ""},
	{"rfc 14", `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
		and(cmp("userType", Ne, str("Employee")), not(or(cmp("emails", Co, str("example.com")), cmp("emails.value", Co, str("example.org"))))), ""},
	{"rfc 15", `userType eq "Employee" and (emails.type eq "work")`, and(cmp("userType", Eq, str("Employee")), cmp("emails.type", Eq, str("work"))), `userType eq "Employee" and emails.type eq "work"`},
	{"rfc 16", `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
		and(cmp("userType", Eq, str("Employee")), vp("emails", and(cmp("type", Eq, str("work")), cmp("value", Co, str("@example.com"))))), ""},
	{"rfc 17", `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
		or(vp("emails", and(cmp("type", Eq, str("work")), cmp("value", Co, str("@example.com")))), vp("ims", and(cmp("type", Eq, str("xmpp")), cmp("value", Co, str("@foo.com"))))), ""},

	// What Okta and Entra send.
	{"okta userName", `userName eq "test.user@okta.local"`, cmp("userName", Eq, str("test.user@okta.local")), ""},
	{"externalId", `externalId eq "00u1abcd2EFGhijk3l4m"`, cmp("externalId", Eq, str("00u1abcd2EFGhijk3l4m")), ""},
	{"group displayName", `displayName eq "Group Name"`, cmp("displayName", Eq, str("Group Name")), ""},
	{"id", `id eq "2819c223-7f76-453a-919d-413861904646"`, cmp("id", Eq, str("2819c223-7f76-453a-919d-413861904646")), ""},
	{"entra emails", `emails[type eq "work"].value eq "a@b"`, vp("emails", and(cmp("type", Eq, str("work")), cmp("value", Eq, str("a@b")))), `emails[type eq "work" and value eq "a@b"]`},
	{"members value", `members[value eq "id"]`, vp("members", cmp("value", Eq, str("id"))), ""},
	{"entra group member check", `id eq "g1" and members[value eq "u1"]`, and(cmp("id", Eq, str("g1")), vp("members", cmp("value", Eq, str("u1")))), ""},
	{"okta paging-style and", `userName eq "a" and active eq true`, and(cmp("userName", Eq, str("a")), cmp("active", Eq, boolean(true))), ""},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Errorf("String() = %q, want %q", s, canon)
			}
			again, err := Parse(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("Parse(String()) = %#v, %v; want %#v", again, err, got)
			}
		})
	}
}

func TestParseLimitsAccepted(t *testing.T) {
	// Exactly at each limit must still parse.
	deep := strings.Repeat("(", MaxDepth) + "a pr" + strings.Repeat(")", MaxDepth)
	if _, err := Parse(deep); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	deepNot := strings.Repeat("not (", MaxDepth-1) + "e[a pr]" + strings.Repeat(")", MaxDepth-1)
	if _, err := Parse(deepNot); err != nil {
		t.Errorf("not depth %d: %v", MaxDepth, err)
	}
	terms := strings.TrimSuffix(strings.Repeat("a pr or ", MaxTerms), " or ")
	if _, err := Parse(terms); err != nil {
		t.Errorf("%d terms: %v", MaxTerms, err)
	}
	long := `a eq "` + strings.Repeat("x", MaxLength-len(`a eq ""`)) + `"`
	if len(long) != MaxLength {
		t.Fatalf("bad test input length %d", len(long))
	}
	if _, err := Parse(long); err != nil {
		t.Errorf("length %d: %v", MaxLength, err)
	}
}

func TestStringEscapes(t *testing.T) {
	// Every control character and the JSON specials print as escapes that
	// parse back to the same text.
	var b strings.Builder
	for c := 0; c < 0x80; c++ {
		b.WriteByte(byte(c))
	}
	b.WriteString("é😀\u2028")
	want := Compare{Path: ap("a"), Op: Eq, Value: str(b.String())}
	got, err := Parse(want.String())
	if err != nil || !reflect.DeepEqual(got, Expr(want)) {
		t.Fatalf("Parse(%q) = %#v, %v", want.String(), got, err)
	}
	// Invalid UTF-8 in a hand-built value still prints as a valid filter.
	bad := Compare{Path: ap("a"), Op: Eq, Value: str("x\xffy")}
	if got, err := Parse(bad.String()); err != nil || got.(Compare).Value.Str != "x\uFFFDy" {
		t.Fatalf("Parse(%q) = %#v, %v", bad.String(), got, err)
	}
}

func TestValueHelpers(t *testing.T) {
	if f, err := num("-1.5e2").Float(); err != nil || f != -150 {
		t.Errorf("Float = %v, %v", f, err)
	}
	if i, err := num("-42").Int(); err != nil || i != -42 {
		t.Errorf("Int = %v, %v", i, err)
	}
	if _, err := num("1.5").Int(); err == nil {
		t.Error("Int of 1.5 succeeded")
	}
	if _, err := str("1").Float(); err == nil {
		t.Error("Float of a string succeeded")
	}
	if _, err := str("1").Int(); err == nil {
		t.Error("Int of a string succeeded")
	}
	for v, want := range map[Value]string{str(`a"b`): `"a\"b"`, num("1e3"): "1e3", boolean(true): "true", boolean(false): "false", null: "null"} {
		if got := v.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", v, got, want)
		}
	}
	for k, want := range map[ValueKind]string{String: "string", Number: "number", Bool: "boolean", Null: "null", 0: "ValueKind(0)"} {
		if got := k.String(); got != want {
			t.Errorf("ValueKind %d String() = %q, want %q", int(k), got, want)
		}
	}
	for o, want := range map[Op]string{Eq: "eq", Ne: "ne", Co: "co", Sw: "sw", Ew: "ew", Gt: "gt", Ge: "ge", Lt: "lt", Le: "le", 0: "Op(0)", 99: "Op(99)"} {
		if got := o.String(); got != want {
			t.Errorf("Op %d String() = %q, want %q", int(o), got, want)
		}
	}
	if got := ap(coreUser + ":name.givenName").String(); got != coreUser+":name.givenName" {
		t.Errorf("AttrPath.String() = %q", got)
	}
}

func TestErrorType(t *testing.T) {
	_, err := Parse("userName")
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %T is not *Error", err)
	}
	if fe.Offset != 8 {
		t.Errorf("Offset = %d, want 8", fe.Offset)
	}
	want := `invalid filter at offset 8: expected a comparison operator after "userName" (eq, ne, co, sw, ew, gt, ge, lt, le or pr), found the end of the filter`
	if err.Error() != want {
		t.Errorf("Error() = %q\nwant %q", err.Error(), want)
	}
	_, err = ParsePath("a b")
	if !strings.HasPrefix(err.Error(), "invalid path at offset 2: ") {
		t.Errorf("ParsePath error = %q", err)
	}
}
