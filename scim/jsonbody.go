package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Body limits, advertised where SCIM has a place for them.
const (
	maxResourceBody = 1 << 20 // one resource, a PATCH, a search
	maxJSONDepth    = 32
)

// readBody reads a request body of at most limit bytes. Over it, the
// answer is 413 and nothing is applied.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		if mt != "application/scim+json" && mt != "application/json" {
			return nil, errorf(http.StatusUnsupportedMediaType, "", "Send the body as application/scim+json or application/json, not %s.", mt)
		}
	}
	if err := identityEncoding(r); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, errorf(http.StatusRequestEntityTooLarge, "", "The request body is larger than %d bytes.", limit)
		}
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body could not be read.")
	}
	return b, nil
}

// decodeJSON parses a JSON document strictly: valid UTF-8, one value, no
// object with the same key twice (in any case, since SCIM names are
// case-insensitive: which one would win?), nesting at most maxJSONDepth.
// Numbers stay json.Number. Errors are SCIM invalidSyntax errors.
//
// It is a small parser of its own rather than encoding/json's Decoder:
// reading token by token, as the duplicate check needs, costs that one
// a fifth of a create's CPU.
func decodeJSON(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is not valid UTF-8.")
	}
	p := &jsonParser{b: b}
	p.space()
	if p.i == len(b) {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is empty or ends too soon.")
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(b) {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body holds more than one JSON value.")
	}
	return v, nil
}

// jsonParser reads one JSON value from b, from i on.
type jsonParser struct {
	b []byte
	i int
}

func (p *jsonParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// fail is a syntax error at the current byte.
func (p *jsonParser) fail(what string) error {
	if p.i >= len(p.b) {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is empty or ends too soon.")
	}
	r, _ := utf8.DecodeRune(p.b[p.i:])
	return errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is not valid JSON (at byte %d: %s, found %q).", p.i, what, r)
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth >= maxJSONDepth { // depth counts from 0: at most maxJSONDepth levels
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body nests deeper than %d levels.", maxJSONDepth)
	}
	if p.i >= len(p.b) {
		return nil, p.fail("a value was expected")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, p.fail("a value was expected")
}

func (p *jsonParser) literal(word string) error {
	if !bytes.HasPrefix(p.b[p.i:], []byte(word)) {
		return p.fail("a value was expected")
	}
	p.i += len(word)
	return nil
}

// smallObject is how many keys an object may have before duplicates are
// found with a map rather than by looking back over the keys.
const smallObject = 16

func (p *jsonParser) object(depth int) (any, error) {
	p.i++ // {
	m := map[string]any{}
	var keys []string // the first smallObject keys, for the duplicate check
	var folded map[string]string
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.fail("an attribute name was expected")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if prev, dup := p.duplicate(k, &keys, &folded); dup {
			return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The attribute %q appears twice in one object (as %q and %q).", k, prev, k)
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.fail("':' was expected after an attribute name")
		}
		p.i++
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[k] = v
		p.space()
		if p.i >= len(p.b) {
			return nil, p.fail("")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, nil
		default:
			return nil, p.fail("',' or '}' was expected")
		}
	}
}

// duplicate reports whether an object already has key k in any case, and
// records it: by looking back over a few keys, or in a map of their
// lower-case forms once there are many.
func (p *jsonParser) duplicate(k string, keys *[]string, folded *map[string]string) (string, bool) {
	if *folded == nil {
		for _, prev := range *keys {
			if strings.EqualFold(prev, k) {
				return prev, true
			}
		}
		if len(*keys) < smallObject {
			*keys = append(*keys, k)
			return "", false
		}
		*folded = make(map[string]string, 2*smallObject)
		for _, prev := range *keys {
			(*folded)[strings.ToLower(prev)] = prev
		}
	}
	fold := strings.ToLower(k)
	if prev, dup := (*folded)[fold]; dup {
		return prev, true
	}
	(*folded)[fold] = k
	return "", false
}

func (p *jsonParser) array(depth int) (any, error) {
	p.i++ // [
	a := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.space()
		if p.i >= len(p.b) {
			return nil, p.fail("")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, nil
		default:
			return nil, p.fail("',' or ']' was expected")
		}
	}
}

// str reads a string, at its opening quote. A lone surrogate escape
// becomes U+FFFD, as encoding/json has it.
func (p *jsonParser) str() (string, error) {
	p.i++ // "
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := string(p.b[start:p.i])
			p.i++
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.fail("a control character must be escaped in a string")
		}
		p.i++
	}
	return "", p.fail("")
}

// escaped reads the rest of a string that holds an escape, from start.
func (p *jsonParser) escaped(start int) (string, error) {
	out := make([]byte, 0, p.i-start+16)
	out = append(out, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < 0x20:
			return "", p.fail("a control character must be escaped in a string")
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		p.i++ // the backslash
		if p.i >= len(p.b) {
			return "", p.fail("")
		}
		switch e := p.b[p.i]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4(p.i + 1)
			if !ok {
				return "", p.fail("\\u must be followed by four hex digits")
			}
			p.i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if p.i+2 < len(p.b) && p.b[p.i+1] == '\\' && p.b[p.i+2] == 'u' {
					r2, ok = p.hex4(p.i + 3)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					p.i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", p.fail("an unknown escape in a string")
		}
		p.i++
	}
	return "", p.fail("")
}

func (p *jsonParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number as RFC 8259 writes it, kept as its text.
func (p *jsonParser) number() (any, error) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case digits() == 0:
		return nil, p.fail("a digit was expected")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, p.fail("a digit was expected after '.'")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.fail("a digit was expected in the exponent")
		}
	}
	return json.Number(p.b[start:p.i]), nil
}

// decodeObject parses a JSON object strictly (see decodeJSON).
func decodeObject(b []byte) (map[string]any, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body must be a JSON object.")
	}
	return m, nil
}

// jsonType names a decoded JSON value's type for error messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
