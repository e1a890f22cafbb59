package filter

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Error describes why a filter or path was rejected. Msg is written for
// the administrator of the identity provider that sent the request, so it
// names the offending text and what was expected instead.
type Error struct {
	Offset int    // byte offset in the input where the problem was found
	Msg    string // human-readable explanation, without the offset

	path bool // the input was a PATCH path, not a filter
}

// Error returns the message with its position, e.g. `invalid filter at
// offset 8: expected a comparison operator after "userName" (eq, ne, co,
// sw, ew, gt, ge, lt, le or pr), found the end of the filter`. For
// ParsePath it starts with "invalid path".
func (e *Error) Error() string {
	what := "invalid filter at offset "
	if e.path {
		what = "invalid path at offset "
	}
	return what + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// maxQuoted bounds how much of the input an error message repeats, so a
// 4 KB token does not produce a 4 KB message.
const maxQuoted = 64

// quote puts s in double quotes for a message, shortening it. It escapes
// only non-printable characters: admins read these messages, and a
// backslash or quote inside the quotes is clearer to them than Go escaping.
func quote(s string) string {
	s = shorten(s)
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return `"` + s + `"`
}

// shorten cuts s to about maxQuoted bytes, on a rune boundary.
func shorten(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// errAt builds an *Error at offset off.
func (p *parser) errAt(off int, msg string) *Error {
	return &Error{Offset: off, Msg: msg, path: p.isPath}
}

// end names the end of the input in messages.
func (p *parser) end() string {
	if p.isPath {
		return "the end of the path"
	}
	return "the end of the filter"
}

// describe names the token at off for "found ..." in messages.
func (p *parser) describe(off int) string {
	s := p.s
	if off >= len(s) {
		return p.end()
	}
	c := s[off]
	switch {
	case c == '"':
		end := off + 1
		for end < len(s) && end-off <= maxQuoted && s[end] != '"' {
			if s[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end, len(s))
		// The scan above counts bytes; back up to a whole character so
		// the message stays valid UTF-8.
		for end > off+1 && end < len(s) && !utf8.RuneStart(s[end]) {
			end--
		}
		if end < len(s) && s[end] != '"' {
			return "the string " + quote(s[off+1:end]+"…")
		}
		return "the string " + quote(s[off+1:end])
	case isPathChar(c):
		end := off
		for end < len(s) && isPathChar(s[end]) {
			end++
		}
		return quote(s[off:end])
	}
	r, _ := utf8.DecodeRuneInString(s[off:])
	if unicode.IsPrint(r) || r == ' ' {
		return quote(string(r))
	}
	return fmt.Sprintf("the character U+%04X", r)
}
