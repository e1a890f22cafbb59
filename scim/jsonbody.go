package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
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
func decodeJSON(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is not valid UTF-8.")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := decodeValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body holds more than one JSON value.")
	}
	return v, nil
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

func syntaxError(err error) *Error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is not valid JSON (at byte %d: %s).", se.Offset, se.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is empty or ends too soon.")
	}
	return errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is not valid JSON.")
}

func decodeValue(d *json.Decoder, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body nests deeper than %d levels.", maxJSONDepth)
	}
	tok, err := d.Token()
	if err != nil {
		return nil, syntaxError(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			seen := map[string]string{}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, syntaxError(err)
				}
				k := kt.(string)
				fold := strings.ToLower(k)
				if prev, dup := seen[fold]; dup {
					return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The attribute %q appears twice in one object (as %q and %q).", k, prev, k)
				}
				seen[fold] = k
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				m[k] = v
			}
			if _, err := d.Token(); err != nil {
				return nil, syntaxError(err)
			}
			return m, nil
		case '[':
			var a []any
			for d.More() {
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, syntaxError(err)
			}
			if a == nil {
				a = []any{}
			}
			return a, nil
		}
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "The request body is not valid JSON.")
	default:
		return t, nil
	}
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
