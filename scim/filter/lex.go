package filter

import (
	"fmt"
	"unicode/utf8"
)

// The scanning half of the parser: character classes and the tokens that
// need more than one byte of lookahead (names, strings, numbers). Tokens
// are returned as substrings of the input, so the common case allocates
// nothing.

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isNameChar reports whether c may appear in an ATTRNAME after its first letter.
func isNameChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '-' || c == '_' }

// isPathChar reports whether c may appear in an attribute path token: a
// URN, a name, a sub-attribute or $ref. Keywords and operators are
// scanned with the same class, so "andx" is one word, not "and" + "x".
func isPathChar(c byte) bool { return isNameChar(c) || c == '.' || c == ':' || c == '$' }

// equalFold reports whether word equals the lower-case ASCII keyword kw,
// ignoring case, without allocating.
func equalFold(word, kw string) bool {
	if len(word) != len(kw) {
		return false
	}
	for i := 0; i < len(word); i++ {
		if word[i]|0x20 != kw[i] {
			return false
		}
	}
	return true
}

// lookupOp maps a comparison operator word, in any case, to its Op.
func lookupOp(w string) (Op, bool) {
	if len(w) != 2 {
		return 0, false
	}
	switch string([]byte{w[0] | 0x20, w[1] | 0x20}) { // does not allocate
	case "eq":
		return Eq, true
	case "ne":
		return Ne, true
	case "co":
		return Co, true
	case "sw":
		return Sw, true
	case "ew":
		return Ew, true
	case "gt":
		return Gt, true
	case "ge":
		return Ge, true
	case "lt":
		return Lt, true
	case "le":
		return Le, true
	}
	return 0, false
}

// skipSpace advances past whitespace and reports how much it skipped.
// The RFC asks for single spaces; tabs and runs of blanks are accepted
// because hand-typed and URL-decoded filters often contain them.
func (p *parser) skipSpace() int {
	start := p.pos
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
	return p.pos - start
}

// wordEnd returns the end of the run of path characters starting at off.
func (p *parser) wordEnd(off int) int {
	for off < len(p.s) && isPathChar(p.s[off]) {
		off++
	}
	return off
}

// scanString reads the JSON string starting at the '"' at p.pos.
func (p *parser) scanString() (string, *Error) {
	s, start := p.s, p.pos
	for i := start + 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			p.pos = i + 1
			return s[start+1 : i], nil
		case c == '\\':
			return p.scanEscapedString(start, i)
		case c < 0x20:
			return "", p.errAt(i, fmt.Sprintf("the control character U+%04X must be escaped in a string", c))
		}
	}
	return "", p.errAt(start, "unterminated string: the closing double quote is missing")
}

// scanEscapedString continues scanString from the first backslash at i,
// building the unescaped text.
func (p *parser) scanEscapedString(start, i int) (string, *Error) {
	s := p.s
	buf := make([]byte, 0, len(s)-start)
	buf = append(buf, s[start+1:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			return "", p.errAt(i, fmt.Sprintf("the control character U+%04X must be escaped in a string", c))
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, n, err := p.scanUnicodeEscape(i)
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
			i += n
			continue
		default:
			return "", p.errAt(i, "invalid escape "+quote(s[i:i+1+utf8RuneLen(s[i+1:])])+` in string; valid escapes are \" \\ \/ \b \f \n \r \t and \uXXXX`)
		}
		i += 2
	}
	return "", p.errAt(start, "unterminated string: the closing double quote is missing")
}

func utf8RuneLen(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	return n
}

// scanUnicodeEscape decodes the \uXXXX escape at i, joining a UTF-16
// surrogate pair into one rune. It returns the rune and the number of
// input bytes used. Unpaired surrogates are rejected because they cannot
// be stored as valid UTF-8.
func (p *parser) scanUnicodeEscape(i int) (rune, int, *Error) {
	r, ok := hex4At(p.s, i+2)
	if !ok {
		return 0, 0, p.errAt(i, `invalid \u escape in string: \u must be followed by 4 hexadecimal digits`)
	}
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, 0, p.errAt(i, "invalid "+quote(p.s[i:i+6])+" in string: a low surrogate must follow a high surrogate")
	case r >= 0xD800 && r <= 0xDBFF:
		lo, ok := rune(0), false
		if i+7 < len(p.s) && p.s[i+6] == '\\' && p.s[i+7] == 'u' {
			lo, ok = hex4At(p.s, i+8)
		}
		if !ok || lo < 0xDC00 || lo > 0xDFFF {
			return 0, 0, p.errAt(i, "invalid "+quote(p.s[i:i+6])+` in string: a high surrogate must be followed by a low surrogate \uDC00-\uDFFF`)
		}
		return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 12, nil
	}
	return r, 6, nil
}

// hex4At parses the four hex digits at s[i:i+4].
func hex4At(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case isDigit(c):
			c -= '0'
		case (c|0x20) >= 'a' && (c|0x20) <= 'f':
			c = (c | 0x20) - 'a' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scanNumber reads a JSON number at p.pos and returns it as written.
func (p *parser) scanNumber() (string, *Error) {
	s, start := p.s, p.pos
	i := start
	if s[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return i > j
	}
	ok := true
	switch {
	case i < len(s) && s[i] == '0':
		i++ // JSON forbids leading zeros, so a following digit is an error below
	default:
		ok = digits()
	}
	if ok && i < len(s) && s[i] == '.' {
		i++
		ok = digits()
	}
	if ok && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ok = digits()
	}
	if !ok || (i < len(s) && (isPathChar(s[i]) || s[i] == '+')) {
		end := i
		for end < len(s) && (isPathChar(s[end]) || s[end] == '+') {
			end++
		}
		return "", p.errAt(start, "invalid number "+quote(s[start:end])+": numbers are written as in JSON, e.g. 42, -7, 12.5 or 1e3")
	}
	p.pos = i
	return s[start:i], nil
}
