package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets check, for any input: no panic; failures are *Error
// with an offset inside the input; successes print a canonical form that
// parses back to an equal AST and prints identically again.

func checkError(t *testing.T, in string, err error) {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("%q: error %T %v is not *Error", in, err, err)
	}
	if fe.Offset < 0 || fe.Offset > len(in) || fe.Msg == "" {
		t.Fatalf("%q: bad error %#v", in, fe)
	}
	// Messages reach IdP admins verbatim: no formatting debris, and
	// shortened quotes must not cut a character in half.
	if msg := err.Error(); (strings.Contains(msg, "%!") && !strings.Contains(in, "%!")) || strings.Contains(msg, "<nil>") || !utf8.ValidString(msg) {
		t.Fatalf("%q: malformed message %q", in, msg)
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range errorTests {
		f.Add(tt.in)
	}
	for _, tt := range pathTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := Parse(in)
		if err != nil {
			checkError(t, in, err)
			return
		}
		if e == nil {
			t.Fatalf("%q: nil Expr without error", in)
		}
		s := e.String()
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("%q: canonical form %q does not parse: %v", in, s, err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("%q: round trip through %q changed the AST\n got %#v\nwant %#v", in, s, again, e)
		}
		if s2 := again.String(); s2 != s {
			t.Fatalf("%q: canonical form not stable: %q then %q", in, s, s2)
		}
	})
}

func FuzzParsePath(f *testing.F) {
	for _, tt := range pathTests {
		f.Add(tt.in)
	}
	for _, tt := range pathErrorTests {
		f.Add(tt.in)
	}
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePath(in)
		if err != nil {
			checkError(t, in, err)
			return
		}
		if p.Attr.Name == "" {
			t.Fatalf("%q: path without attribute name: %#v", in, p)
		}
		s := p.String()
		again, err := ParsePath(s)
		if err != nil {
			t.Fatalf("%q: canonical form %q does not parse: %v", in, s, err)
		}
		if !reflect.DeepEqual(again, p) {
			t.Fatalf("%q: round trip through %q changed the path\n got %#v\nwant %#v", in, s, again, p)
		}
		if s2 := again.String(); s2 != s {
			t.Fatalf("%q: canonical form not stable: %q then %q", in, s, s2)
		}
	})
}
