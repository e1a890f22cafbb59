package filter

import (
	"strings"
	"testing"
)

func benchParse(b *testing.B, in string) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseEq(b *testing.B) {
	benchParse(b, `userName eq "bjensen@example.com"`)
}

func BenchmarkParseComplex(b *testing.B) {
	benchParse(b, `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org") and `+
		`emails[type eq "work" and value co "@example.com"] or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber ge 1e3 and meta.lastModified gt "2011-05-13T04:42:34Z"`)
}

func BenchmarkParseEscapes(b *testing.B) {
	benchParse(b, `displayName eq "Caf\u00e9 \"Z\u00f6e\" \ud83d\ude00"`)
}

// BenchmarkParseMaxLength parses a filter at the 4 KB limit with the
// maximum number of conditions, the worst case Parse accepts.
func BenchmarkParseMaxLength(b *testing.B) {
	benchParse(b, maxFilter())
}

func maxFilter() string {
	term := `emails[type eq "work" and value co "` // 2 terms per value path
	n := MaxTerms / 2
	tail := `"] or `
	pad := (MaxLength - n*(len(term)+len(tail)) + len(" or ")) / n
	one := term + strings.Repeat("x", pad) + tail
	s := strings.TrimSuffix(strings.Repeat(one, n), " or ")
	return s + strings.Repeat(" ", MaxLength-len(s))
}

func TestMaxFilterIsAtTheLimit(t *testing.T) {
	s := maxFilter()
	if len(s) != MaxLength {
		t.Fatalf("len = %d", len(s))
	}
	if _, err := Parse(s); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkParsePath(b *testing.B) {
	in := `urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePath(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseErrorDeep(b *testing.B) {
	in := strings.Repeat("(", MaxLength)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err == nil {
			b.Fatal("no error")
		}
	}
}

func BenchmarkString(b *testing.B) {
	e, err := Parse(`userType eq "Employee" and emails[type eq "work" and value co "@example.com"] or title pr`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.String()
	}
}
