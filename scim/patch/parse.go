package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/scimd/scimd/scim/filter"
)

// MessageURN is the schema a PATCH request body declares (RFC 7644 §3.5.2).
const MessageURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// The operation names, as Op.Op holds them whatever case the request used
// (Entra sends "Add", "Replace" and "Remove").
const (
	Add     = "add"
	Replace = "replace"
	Remove  = "remove"
)

// MaxOperations is the most operations one request may carry. Okta and
// Entra send one to a dozen; a group's members travel as one operation
// with a list of values, so this does not bound group sizes.
const MaxOperations = 1000

// Op is one operation of a PatchOp request, normalized.
type Op struct {
	// Op is Add, Replace or Remove.
	Op string
	// Path is the parsed "path", nil when the request has none or an
	// empty one. Parse guarantees it is set for Remove.
	Path *filter.Path
	// Value is the decoded JSON "value": string, bool, json.Number,
	// map[string]any or []any; nil is JSON null, which for Add and
	// Replace clears the target (Parse rejects an Add or Replace with no
	// "value" at all). A Remove usually has none; Entra's Remove of group
	// members lists the members to remove here. Without a Path, Value is
	// a map[string]any of attributes.
	Value any
}

// Parse reads a PatchOp request body (RFC 7644 §3.5.2). The body must be
// one JSON object whose "schemas" include MessageURN (in any case) and
// whose "Operations" hold 1 to MaxOperations operations; member names
// are matched case-insensitively. Numbers are kept as json.Number. Each
// path is parsed with filter.ParsePath; an empty path means none. An add
// or replace needs a value, and without a path that value must be an
// object of attributes; a remove needs a path (noTarget otherwise, as the
// RFC says). Every error is an *Error.
func Parse(body []byte) ([]Op, error) {
	ops, err := parse(body)
	if err != nil {
		return nil, err
	}
	return ops, nil
}

func parse(body []byte) ([]Op, *Error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, jsonError(err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errorf(invalidSyntax, "The request body continues after its JSON object; send a single PatchOp object.")
	}
	req, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(invalidSyntax, "The request body must be a JSON object with \"schemas\" and \"Operations\", not %s.", kind(v))
	}
	if !hasPatchSchema(req) {
		return nil, errorf(invalidSyntax, "The request must list %q in \"schemas\".", MessageURN)
	}
	raw, _ := member(req, "Operations")
	list, ok := raw.([]any)
	switch {
	case raw == nil:
		return nil, errorf(invalidSyntax, "The request has no \"Operations\"; send at least one add, replace or remove operation.")
	case !ok:
		return nil, errorf(invalidSyntax, "\"Operations\" must be a list of operations, not %s.", kind(raw))
	case len(list) == 0:
		return nil, errorf(invalidSyntax, "\"Operations\" is empty; send at least one add, replace or remove operation.")
	case len(list) > MaxOperations:
		return nil, errorf(invalidValue, "The request has %d operations; at most %d are allowed in one request. Split it into several requests.", len(list), MaxOperations)
	}
	ops := make([]Op, len(list))
	for i, o := range list {
		op, err := parseOp(o)
		if err != nil {
			return nil, errorf(err.ScimType, "Operation %d: %s", i+1, err.Detail)
		}
		ops[i] = op
	}
	return ops, nil
}

func parseOp(v any) (Op, *Error) {
	var op Op
	m, ok := v.(map[string]any)
	if !ok {
		return op, errorf(invalidSyntax, "an operation must be an object with \"op\", \"path\" and \"value\", not %s.", kind(v))
	}
	name, _ := member(m, "op")
	s, _ := name.(string)
	switch {
	case strings.EqualFold(s, Add):
		op.Op = Add
	case strings.EqualFold(s, Replace):
		op.Op = Replace
	case strings.EqualFold(s, Remove):
		op.Op = Remove
	case name == nil:
		return op, errorf(invalidSyntax, "\"op\" is missing; use \"add\", \"replace\" or \"remove\".")
	case s == "":
		return op, errorf(invalidSyntax, "\"op\" must be \"add\", \"replace\" or \"remove\", not %s.", kind(name))
	default:
		return op, errorf(invalidSyntax, "\"op\" must be \"add\", \"replace\" or \"remove\", not %s.", quote(s))
	}
	switch p, _ := member(m, "path"); p := p.(type) {
	case nil:
	case string:
		if strings.TrimSpace(p) == "" {
			break
		}
		path, err := filter.ParsePath(p)
		if err != nil {
			return op, pathError(p, err)
		}
		op.Path = &path
	default:
		return op, errorf(invalidSyntax, "\"path\" must be a string such as \"name.givenName\", not %s.", kind(p))
	}
	var hasValue bool
	op.Value, hasValue = member(m, "value")
	switch {
	case op.Op == Remove && op.Path == nil:
		return op, errorf(noTarget, "a remove operation needs a \"path\" naming what to remove.")
	case op.Op != Remove && !hasValue:
		return op, errorf(invalidSyntax, "an %s operation needs a \"value\".", op.Op)
	case op.Op != Remove && op.Path == nil:
		if _, ok := op.Value.(map[string]any); !ok {
			return op, errorf(invalidSyntax, "without a \"path\", the value of an %s operation must be an object of attributes such as {\"active\": false}, not %s.", op.Op, kind(op.Value))
		}
	}
	return op, nil
}

// pathError explains a path filter.ParsePath rejected.
func pathError(p string, err error) *Error {
	if fe, ok := errors.AsType[*filter.Error](err); ok {
		return errorf(invalidPath, "the path %s is not valid: %s (at character %d).", quote(p), fe.Msg, fe.Offset+1)
	}
	return errorf(invalidPath, "the path %s is not valid.", quote(p))
}

func hasPatchSchema(req map[string]any) bool {
	list, _ := member(req, "schemas")
	l, _ := list.([]any)
	for _, s := range l {
		if s, ok := s.(string); ok && strings.EqualFold(strings.TrimSpace(s), MessageURN) {
			return true
		}
	}
	return false
}

// member returns the value of m's member name, matched exactly first and
// then case-insensitively (SCIM names are case-insensitive: RFC 7643
// §2.1). Among several case variants the result is deterministic.
func member(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	found := ""
	for k := range m {
		if strings.EqualFold(k, name) && (found == "" || k < found) {
			found = k
		}
	}
	if found == "" {
		return nil, false
	}
	return m[found], true
}

// jsonError explains why the body could not be decoded, without the
// decoder's wording.
func jsonError(err error) *Error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return errorf(invalidSyntax, "The request body is not valid JSON (near byte %s).", strconv.FormatInt(se.Offset, 10))
	}
	switch {
	case errors.Is(err, io.EOF):
		return errorf(invalidSyntax, "The request body is empty; send a PatchOp object with \"schemas\" and \"Operations\".")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(invalidSyntax, "The request body ends in the middle of its JSON.")
	}
	return errorf(invalidSyntax, "The request body is not valid JSON.")
}

// kind names the JSON type of v for messages: "a string", "an object"...
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return "a value of an unsupported type"
}
