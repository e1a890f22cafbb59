package filter

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type errorTest struct {
	name   string
	in     string
	offset int
	want   string // substring of Error()
}

var (
	tooDeep     = strings.Repeat("(", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1)
	tooDeepNot  = strings.Repeat("not (", MaxDepth) + "e[a pr]" + strings.Repeat(")", MaxDepth)
	tooManyOr   = strings.TrimSuffix(strings.Repeat("a pr or ", MaxTerms+1), " or ")
	tooManyVals = strings.TrimSuffix(strings.Repeat(`emails[type eq "work"].value eq "x" or `, MaxTerms/2+1), " or ")
	tooLong     = `a eq "` + strings.Repeat("x", MaxLength) + `"`
)

var errorTests = []errorTest{
	{"empty", ``, 0, "the filter is empty"},
	{"blank", " \t ", 0, "the filter is empty"},
	{"unterminated string", `userName eq "abc`, 12, "unterminated string"},
	{"unterminated string after escape", `userName eq "abc\"`, 12, "unterminated string"},
	{"missing operator", `userName`, 8, `expected a comparison operator after "userName"`},
	{"missing operator before value", `userName "x"`, 9, `expected a comparison operator after "userName" (eq, ne, co, sw, ew, gt, ge, lt, le or pr), found the string "x"`},
	{"equals sign", `userName="x"`, 8, `expected a comparison operator after "userName" (eq, ne, co, sw, ew, gt, ge, lt, le or pr), found "="`},
	{"unknown operator", `userName equals "x"`, 9, `unknown comparison operator "equals" after "userName"`},
	{"missing value", `userName eq`, 11, `expected a value after "eq"`},
	{"missing value before and", `userName eq and b pr`, 12, `found "and"; text must be in double quotes`},
	{"unquoted value", `userName eq bjensen`, 12, `found "bjensen"; text must be in double quotes`},
	{"bad literal", `active eq truee`, 10, `found "truee"`},
	{"pr with a string", `title pr "x"`, 9, `the "pr" (present) operator takes no value`},
	{"pr with true", `title pr true`, 9, `the "pr" (present) operator takes no value`},
	{"pr with a number", `title pr 1`, 9, `takes no value`},
	{"pr glued", `title pr(a pr)`, 8, `expected a space after "pr"`},
	{"dangling and", `a eq 1 and`, 10, `expected an attribute name or "(" after "and", found the end of the filter`},
	{"dangling or", `a eq 1 or  `, 11, `after "or"`},
	{"leading and", `and a pr`, 4, `unknown comparison operator "a" after "and"`},
	{"missing close paren", `(a eq 1`, 7, `missing ")" to close the "(" at offset 0`},
	{"missing close paren after not", `a pr and not (b pr`, 18, `missing ")" to close the "(" at offset 13`},
	{"extra close paren", `a eq 1)`, 6, `unexpected ")" without a matching "("`},
	{"empty parens", `()`, 1, `expected an attribute name or "(" after "(", found ")"`},
	{"missing close bracket", `emails[type eq "x"`, 18, `missing "]" to close "emails["`},
	{"paren closes bracket", `emails[type eq "x")`, 18, `expected "and", "or" or "]" to close "emails[", found ")"`},
	{"extra close bracket", `a eq 1]`, 6, `unexpected "]" without a matching "["`},
	{"empty brackets", `emails[]`, 7, `expected an attribute name after "[", found "]"`},
	{"bracket closes paren", `(a pr]`, 5, `expected "and", "or" or ")" to close the "(" at offset 0, found "]"`},
	{"too deep", tooDeep, MaxDepth, "nested more than 32 levels deep"},
	{"too deep with not and value path", tooDeepNot, len(strings.Repeat("not (", MaxDepth)) + 1, "nested more than 32 levels deep"},
	{"too many terms", tooManyOr, MaxTerms * len("a pr or "), "more than 64 conditions"},
	{"too many terms via Entra form", tooManyVals, (MaxTerms/2)*len(`emails[type eq "work"].value eq "x" or `) + len("emails["), "more than 64 conditions"},
	{"too long", tooLong, MaxLength, "the filter is 4103 bytes long; at most 4096 are allowed"},
	{"bad escape", `a eq "\x"`, 6, `invalid escape "\x" in string`},
	{"bad escape at end", `a eq "\`, 5, `unterminated string`},
	{"short unicode escape", `a eq "\u12"`, 6, `\u must be followed by 4 hexadecimal digits`},
	{"non-hex unicode escape", `a eq "\u12g4"`, 6, `\u must be followed by 4 hexadecimal digits`},
	{"lone high surrogate", `a eq "\ud800"`, 6, `a high surrogate must be followed by a low surrogate`},
	{"high surrogate then BMP", `a eq "\ud800\u0041"`, 6, `a high surrogate must be followed by a low surrogate`},
	{"lone low surrogate", `a eq "x\udc00"`, 7, `a low surrogate must follow a high surrogate`},
	{"raw newline in string", "a eq \"x\ny\"", 7, `the control character U+000A must be escaped`},
	{"raw tab in escaped string", "a eq \"\\n\t\"", 8, `the control character U+0009 must be escaped`},
	{"invalid UTF-8 in string", "a eq \"\xff\"", 6, "not valid UTF-8 (byte 0xff)"},
	{"invalid UTF-8 in name", "ab\xc3 pr", 2, "not valid UTF-8"},
	{"NUL outside string", "a\x00 pr", 1, "found the character U+0000"},
	{"nested value path", `emails[value[type eq "x"]]`, 12, `value filters cannot be nested: "value[" is inside "emails[...]"`},
	{"nested value path deeper", `emails[type eq "a" and x[y pr]]`, 24, `value filters cannot be nested`},
	{"trailing garbage", `userName eq "x" foo`, 16, `expected "and", "or" or the end of the filter, found "foo"`},
	{"trailing string", `userName eq "x" "y"`, 16, `found the string "y"`},
	{"value glued to and", `userName eq "x"and b pr`, 15, `expected a space after the value "x", found "and"`},
	{"leading zero", `a eq 01`, 5, `invalid number "01"`},
	{"trailing dot", `a eq 1.`, 5, `invalid number "1."`},
	{"lone minus", `a eq -`, 5, `invalid number "-"`},
	{"empty exponent", `a eq 1e+`, 5, `invalid number "1e+"`},
	{"number glued to letters", `a eq 1x`, 5, `invalid number "1x"`},
	{"two dots", `a eq 1.2.3`, 5, `invalid number "1.2.3"`},
	{"leading dot", `a eq .5`, 5, `found ".5"`},
	{"plus sign", `a eq +1`, 5, `found "+"`},
	{"array value", `a eq [1]`, 5, `expected a value after "eq"`},
	{"not without parens", `not a pr`, 0, `"not" must be followed by a filter in parentheses`},
	{"not alone", `not`, 0, `"not" must be followed by a filter in parentheses`},
	{"name starts with digit", `1abc eq 1`, 0, `invalid attribute name "1abc": names start with a letter`},
	{"name with bad dollar", `$foo pr`, 0, `invalid attribute name "$foo"`},
	{"two sub-attributes", `a.b.c eq 1`, 0, `at most one sub-attribute`},
	{"double dot", `a..b pr`, 0, `expected an attribute name between the dots`},
	{"leading dot name", `.a pr`, 0, `expected an attribute name before ".a"`},
	{"trailing dot name", `a. pr`, 2, `expected a sub-attribute name after "a."`},
	{"non-URN prefix", `foo:bar eq 1`, 0, `invalid schema URN "foo"`},
	{"URN with empty segment", `urn::x:y pr`, 0, `invalid schema URN "urn::x"`},
	{"URN without attribute", `urn:x: pr`, 6, `expected an attribute name after the schema URN "urn:x"`},
	{"URN with bad name", `urn:x:1a pr`, 6, `invalid attribute name "1a"`},
	{"URN inside value filter", `emails[urn:x:y:type eq "a"]`, 7, `inside "emails[...]" name a sub-attribute of "emails"`},
	{"dotted name inside value filter", `emails[type.x eq "a"]`, 7, `found "type.x"`},
	{"value filter on sub-attribute", `name.givenName[type eq "x"]`, 14, `not the sub-attribute "name.givenName"`},
	{"Entra form without operator", `emails[type eq "work"].value`, 28, `expected a comparison operator after "emails[...].value"`},
	{"Entra form with two sub-attributes", `emails[type eq "work"].value.x eq 1`, 23, `invalid sub-attribute "value.x"`},
	{"Entra form without sub-attribute", `emails[type eq "work"]. eq 1`, 23, `expected a sub-attribute name after "emails[...]."`},
	{"operator after value path", `emails[type eq "work"] eq 1`, 23, `expected "and", "or" or the end of the filter, found "eq"`},
	{"string as attribute", `"x" eq a`, 0, `expected an attribute name or "(", found the string "x"`},
	{"long token is shortened", strings.Repeat("a", 200) + " zz 1", 201, `unknown comparison operator "zz" after "` + strings.Repeat("a", 64) + `…"`},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, e)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error is %T, want *Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error\n got %q\nwant it to contain %q", tt.in, err, tt.want)
			}
			if fe.Offset != tt.offset {
				t.Errorf("Parse(%q) offset = %d, want %d (%v)", tt.in, fe.Offset, tt.offset, err)
			}
			if !strings.HasPrefix(err.Error(), "invalid filter at offset ") {
				t.Errorf("error %q lacks the standard prefix", err)
			}
		})
	}
}

// TestHostileInputIsFast checks that inputs built to be expensive are
// rejected quickly: the limits are checked while parsing, not afterwards.
func TestHostileInputIsFast(t *testing.T) {
	hostile := []string{
		strings.Repeat("(", MaxLength),
		strings.Repeat("not (", MaxLength/5),
		strings.Repeat("a[", MaxLength/2),
		strings.Repeat("a pr and ", MaxLength/9),
		strings.Repeat(`\u`, MaxLength/2),
		`a eq "` + strings.Repeat(`\ud800`, (MaxLength-6)/6),
		strings.Repeat("a", MaxLength),
		strings.Repeat("x", 1<<20),
		strings.Repeat("\xff", MaxLength),
		strings.Repeat("urn:", MaxLength/4),
	}
	for _, in := range hostile {
		start := time.Now()
		const n = 100
		for range n {
			if _, err := Parse(in); err == nil {
				t.Fatalf("Parse(%.20q...) succeeded", in)
			}
			_, _ = ParsePath(in) // some are valid paths; only the time matters
		}
		// A generous bound so the race detector and slow CI pass; the
		// benchmarks show the real cost (microseconds).
		if d := time.Since(start) / (2 * n); d > 2*time.Millisecond {
			t.Errorf("input %.20q...: %v per parse", in, d)
		}
	}
}

func TestLongStringInMessageIsShortened(t *testing.T) {
	in := `a "` + strings.Repeat("é", 100) + `"`
	_, err := Parse(in)
	want := `found the string "` + strings.Repeat("é", 32) + `…"`
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("Parse error = %v\nwant suffix %s", err, want)
	}
}
