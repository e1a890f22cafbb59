package patch

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/scim/schema"
)

// scalar converts v, sent for the simple attribute or sub-attribute attr,
// to what the document stores: a string, bool or json.Number. It returns
// nil for null and "", which clear the attribute (Entra's validator
// "nulls" attributes that way). Booleans may arrive as strings in any
// case (Entra sends "False"); numbers are accepted for text attributes
// (IdPs map numeric source fields to them) and kept as written. A list
// of one value stands for that value.
func scalar(attr *schema.Attribute, label string, v any) (any, *Error) {
	v, err := single(label, v)
	if err != nil {
		return nil, err
	}
	if isClear(v) {
		return nil, nil
	}
	n, isNum := number(v)
	switch attr.Type {
	case schema.Boolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, errorf(invalidValue, "%s must be true or false, not %s.", label, show(v))
	case schema.Integer:
		if _, err := strconv.ParseInt(string(n), 10, 64); isNum && err == nil {
			return n, nil
		}
		return nil, errorf(invalidValue, "%s must be a whole number, not %s.", label, show(v))
	case schema.Decimal:
		if f, err := strconv.ParseFloat(string(n), 64); isNum && err == nil && !math.IsInf(f, 0) {
			return n, nil
		}
		return nil, errorf(invalidValue, "%s must be a number, not %s.", label, show(v))
	case anyScalar:
		switch v.(type) {
		case string, bool:
			return v, nil
		}
		if isNum {
			return n, nil
		}
		return nil, errorf(invalidValue, "%s must be text, a number, true or false, not %s.", label, kind(v))
	case schema.Complex:
		return nil, errorf(invalidValue, "%s must be an object of sub-attributes, not %s.", label, kind(v))
	}
	s, ok := v.(string)
	if !ok && !isNum {
		return nil, errorf(invalidValue, "%s must be text, not %s.", label, kind(v))
	}
	if isNum {
		s = string(n)
	}
	if attr.Type == schema.DateTime {
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, errorf(invalidValue, "%s must be a date and time such as 2025-01-31T09:00:00Z, not %s.", label, quote(s))
		}
	}
	return s, nil
}

// complexValue converts v, sent for the complex attr (a single-valued
// one, or one value of a multi-valued one), to an object keyed by
// canonical sub-attribute names. A nil entry means "clear this
// sub-attribute". It returns a nil map for null and "", which clear the
// whole attribute. Read-only sub-attributes are dropped silently (Entra
// and Okta echo manager.displayName, members.display...). A string
// stands for {"value": string} when attr has a value sub-attribute, so
// that Entra's bare manager id works. With unwrap, a list of one value
// stands for that value (Entra sends manager as [{"value": id}]).
func complexValue(attr *schema.Attribute, label string, v any, unwrap bool) (map[string]any, *Error) {
	if unwrap {
		var err *Error
		if v, err = single(label, v); err != nil {
			return nil, err
		}
	}
	if isClear(v) {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		if vs := attr.Sub("value"); vs != nil {
			nv, err := scalar(vs, label+".value", s)
			return map[string]any{vs.Name: nv}, err
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(invalidValue, "%s must be an object of sub-attributes such as %s, not %s.", label, example(attr), kind(v))
	}
	out := make(map[string]any, len(m))
	for _, k := range sortedKeys(m) {
		sub := subAttr(attr, k)
		if sub == nil {
			return nil, errorf(invalidValue, "%s has no sub-attribute %s.", label, quote(k))
		}
		if sub.Mutability == schema.ReadOnly {
			continue
		}
		nv, err := scalar(sub, label+"."+sub.Name, m[k])
		if err != nil {
			return nil, err
		}
		out[sub.Name] = nv
	}
	return out, nil
}

// mergeInto sets obj's sub-attributes on cur, removing those that are
// nil. An immutable sub-attribute that is set can't change.
func mergeInto(cur map[string]any, attr *schema.Attribute, label string, obj map[string]any) *Error {
	for _, k := range sortedKeys(obj) {
		nv := obj[k]
		old, had := canon(cur, k)
		if sub := subAttr(attr, k); sub != nil {
			if err := checkImmutable(sub, label+"."+sub.Name, old, had, nv); err != nil {
				return err
			}
		}
		if nv == nil {
			delete(cur, k)
		} else {
			cur[k] = nv
		}
	}
	return nil
}

// checkImmutable refuses to change or clear an immutable attribute that
// has a value; setting one that has none is allowed (RFC 7644 §3.5.2).
func checkImmutable(attr *schema.Attribute, label string, old any, had bool, nv any) *Error {
	if attr.Mutability != schema.Immutable || !had || !isSet(old) || same(attr, old, nv) {
		return nil
	}
	return errorf(mutability, "%s is immutable: once set it can't be changed or removed.", label)
}

// single unwraps a list of one value; an empty list is null.
func single(label string, v any) (any, *Error) {
	l, ok := v.([]any)
	if !ok {
		return v, nil
	}
	switch len(l) {
	case 0:
		return nil, nil
	case 1:
		return l[0], nil
	}
	return nil, errorf(invalidValue, "%s takes a single value, not a list of %d.", label, len(l))
}

// canon returns m's entry for the attribute name, looked up
// case-insensitively, and moves it under the canonical spelling name.
// When several spellings exist the canonical one wins, then the
// smallest; the others are deleted.
func canon(m map[string]any, name string) (any, bool) {
	v, ok := m[name]
	var other []string
	for k := range m {
		if k != name && strings.EqualFold(k, name) {
			other = append(other, k)
		}
	}
	if len(other) == 0 {
		return v, ok
	}
	if !ok {
		v, ok = m[slices.Min(other)], true
		m[name] = v
	}
	for _, k := range other {
		delete(m, k)
	}
	return v, ok
}

// isClear reports whether v, as sent, asks to clear the target.
func isClear(v any) bool { return v == nil || v == "" }

// isSet reports whether a stored value is assigned (RFC 7643 §2.5:
// null, "" and empty lists and objects are unassigned).
func isSet(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// lacksValue reports whether m, an object of attr, misses the value
// sub-attribute that attr defines (emails, manager, members...).
func lacksValue(attr *schema.Attribute, m map[string]any) bool {
	if attr.Sub("value") == nil {
		return false
	}
	v, _ := member(m, "value")
	return !isSet(v)
}

func isTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(strings.TrimSpace(x), "true")
	}
	return false
}

// number returns v as a json.Number if it is a number (Parse yields
// json.Number; a document decoded without UseNumber has float64).
func number(v any) (json.Number, bool) {
	switch x := v.(type) {
	case json.Number:
		return x, true
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), true
	case int:
		return json.Number(strconv.Itoa(x)), true
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), true
	}
	return "", false
}

// text returns a scalar as a string, for comparisons.
func text(v any) (string, bool) {
	if s, ok := v.(string); ok {
		return s, true
	}
	if b, ok := v.(bool); ok {
		return strconv.FormatBool(b), true
	}
	n, ok := number(v)
	return string(n), ok
}

// same reports whether two scalars are equal under attr's rules: text
// compared case-insensitively unless attr is caseExact, numbers by value.
func same(attr *schema.Attribute, a, b any) bool {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			fx, errx := x.Float64()
			fy, erry := y.Float64()
			return errx == nil && erry == nil && fx == fy
		}
	}
	as, aok := text(a)
	bs, bok := text(b)
	if !aok || !bok {
		return false
	}
	if attr.CaseExact {
		return as == bs
	}
	return strings.EqualFold(as, bs)
}

// show writes a scalar the way it was sent, for messages.
func show(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	if s, ok := text(v); ok {
		return s
	}
	return kind(v)
}

func example(attr *schema.Attribute) string {
	if len(attr.SubAttributes) == 0 {
		return `{"name": "value"}`
	}
	return `{"` + attr.SubAttributes[0].Name + `": ...}`
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// DeepCopy returns a copy of doc that shares no map or list with it (the
// scalars it holds are immutable), so that Apply can work on the copy
// and the caller keep the original when Apply fails.
func DeepCopy(doc map[string]any) map[string]any {
	if doc == nil {
		return nil
	}
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = deepCopy(v)
	}
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return DeepCopy(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
