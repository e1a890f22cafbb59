package patch

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SCIM error types (RFC 7644 §3.12, table 9) that PATCH produces. The
// handler copies them into its response; every one is sent with HTTP 400.
const (
	invalidSyntax = "invalidSyntax" // the body is not a well-formed PatchOp request
	invalidPath   = "invalidPath"   // a path is malformed or names no attribute
	invalidFilter = "invalidFilter" // a value filter can't be evaluated as written
	invalidValue  = "invalidValue"  // a value does not fit its attribute, or a limit was exceeded
	noTarget      = "noTarget"      // the path selects nothing to operate on
	mutability    = "mutability"    // the operation would change a read-only, immutable or required attribute
)

// Error is a PATCH request that can't be applied. It is always answered
// with HTTP 400: ScimType is one of invalidSyntax, invalidPath,
// invalidFilter, invalidValue, noTarget or mutability (RFC 7644 §3.12),
// and Detail is written for the identity provider's administrator, who
// reads it word for word (Okta shows it in its UI): it names the
// operation, the attribute and what to send instead, never a Go error.
type Error struct {
	ScimType string
	Detail   string
}

// Error returns Detail.
func (e *Error) Error() string { return e.Detail }

func errorf(scimType, format string, args ...any) *Error {
	return &Error{ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// inOp prefixes the detail with the operation it belongs to, 1-based as
// an admin counts, e.g. `Operation 2 ("replace" emails[type eq "work"].value): `.
func (e *Error) inOp(i int, op Op) *Error {
	where := "Operation " + strconv.Itoa(i+1) + " (" + quote(op.Op)
	if op.Path != nil {
		where += " " + shorten(op.Path.String())
	}
	return &Error{ScimType: e.ScimType, Detail: where + "): " + e.Detail}
}

// maxQuoted bounds how much of the request an error repeats.
const maxQuoted = 80

// quote puts s in double quotes for a message, shortened, escaping only
// what an admin could not read.
func quote(s string) string {
	s = shorten(s)
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return `"` + s + `"`
}

// shorten cuts s to about maxQuoted bytes on a rune boundary, and makes
// invalid UTF-8 valid so that messages always are.
func shorten(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= maxQuoted {
		return s
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
