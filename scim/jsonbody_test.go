package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// jsonCases are bodies the strict parser must judge as encoding/json does
// (valid or not, and to the same value), besides its own refusals.
var jsonCases = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `-12.25E-3`, `true`, `false`, `null`,
	` { "a" : [ 1 , 2 , { "b" : null } ] } `,
	`{"userName":"ada","emails":[{"value":"ada@example.com","primary":true}],"active":"False"}`,
	`"esc \" \\ \/ \b \f \n \r \t \u00e9 \u20AC"`,
	`"pair \ud83d\ude00 lone \ud83d end"`, `"lone low \ude00"`, `"high then other \ud83d\u0041"`,
	`"\ud83d\ud83d\ude00"`, `"é ü 漢字 😀"`,
	// Invalid, for both.
	``, ` `, `{`, `}`, `[`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":1 "b":2}`, `[1 2]`,
	`01`, `1.`, `.5`, `1e`, `-`, `+1`, `0x10`, `NaN`, `tru`, `nul`, `True`,
	`"unterminated`, `"bad \x escape"`, `"\u12"`, `"\u12G4"`, "\"tab\tinside\"", "\"nl\ninside\"",
	`{"a":1}{"b":2}`, `1 2`, `{"a":1}]`, `"a" x`, "\x00", `[1,2`,
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	for _, in := range jsonCases {
		t.Run(in, func(t *testing.T) { compareJSON(t, []byte(in)) })
	}
}

// compareJSON checks decodeJSON against encoding/json on b: the same
// verdict and the same value, except for what decodeJSON refuses on
// purpose (keys twice in any case, depth, invalid UTF-8), which must come
// with a clear SCIM error.
func compareJSON(t *testing.T, b []byte) {
	t.Helper()
	got, err := decodeJSON(b)
	// json.Valid judges a whole document, one value with JSON's own
	// whitespace around it; the decoder gives the value with numbers as
	// text.
	var want any
	var werr error
	if !json.Valid(b) {
		werr = errors.New("not valid JSON")
	} else {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		werr = d.Decode(&want)
	}
	if err != nil {
		se, ok := err.(*Error)
		if !ok || se.Status != 400 || se.ScimType != TypeInvalidSyntax || se.Detail == "" {
			t.Fatalf("decodeJSON(%q) = %#v: not a 400 invalidSyntax with a detail", b, err)
		}
		if werr == nil && !strings.Contains(se.Detail, "appears twice") && !strings.Contains(se.Detail, "nests deeper") && !strings.Contains(se.Detail, "UTF-8") {
			t.Fatalf("decodeJSON(%q) refused valid JSON: %s", b, se.Detail)
		}
		return
	}
	if werr != nil {
		t.Fatalf("decodeJSON(%q) = %#v, but encoding/json refuses it: %v", b, got, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeJSON(%q) = %#v, encoding/json reads %#v", b, got, want)
	}
}

func TestDecodeJSONRefusals(t *testing.T) {
	deep := strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)
	ok := strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth)
	var many strings.Builder
	many.WriteString("{")
	for i := range 40 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`"k` + strings.Repeat("x", i) + `":1`)
	}
	for _, tc := range []struct{ in, detail string }{
		{`{"userName":"a","USERNAME":"b"}`, `"USERNAME" appears twice in one object (as "userName" and "USERNAME")`},
		{`{"a":{"b":1,"b":2}}`, `"b" appears twice`},
		// Past smallObject keys the check uses a map: still caught.
		{many.String() + `,"KX":2}`, `"KX" appears twice`},
		{deep, "nests deeper than 32 levels"},
		{"\"\xff\"", "not valid UTF-8"},
		{``, "empty or ends too soon"},
		{`{"a":1} {}`, "more than one JSON value"},
		{`{"a":tru}`, "not valid JSON (at byte 5"},
	} {
		_, err := decodeJSON([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.detail) {
			t.Errorf("decodeJSON(%.40q) = %v, want an error with %q", tc.in, err, tc.detail)
		}
	}
	if _, err := decodeJSON([]byte(ok)); err != nil {
		t.Errorf("%d levels refused: %v", maxJSONDepth, err)
	}
	if _, err := decodeJSON([]byte(many.String() + "}")); err != nil {
		t.Errorf("40 distinct keys refused: %v", err)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, in := range jsonCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) { compareJSON(t, b) })
}

// BenchmarkDecodeJSON compares the strict parser with encoding/json's
// plain Unmarshal (which checks none of what decodeJSON does) on an
// Okta-style create body: ratio is Unmarshal's time over decodeJSON's.
func BenchmarkDecodeJSON(b *testing.B) {
	body := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
"userName":"user1@bench.example","externalId":"00u1","name":{"givenName":"Given1","familyName":"Family1","formatted":"Given1 Family1"},
"displayName":"Given1 Family1","title":"Support Engineer","locale":"en-US","preferredLanguage":"en","timezone":"Europe/Paris","active":true,
"emails":[{"value":"user1@bench.example","type":"work","primary":true}],"phoneNumbers":[{"value":"+1 555 0000001","type":"work"}],
"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1","department":"Customer Support","costCenter":"CC-1200"}}`)
	var strict, plain int64
	for b.Loop() {
		t0 := nanotime()
		if _, err := decodeJSON(body); err != nil {
			b.Fatal(err)
		}
		t1 := nanotime()
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
		strict += t1 - t0
		plain += nanotime() - t1
	}
	b.ReportMetric(float64(plain)/float64(strict), "ratio")
}

func nanotime() int64 { return time.Now().UnixNano() }
