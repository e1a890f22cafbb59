package patch

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// Value filters in paths (emails[type eq "work"]) select values of one
// multi-valued attribute of one resource, so they are evaluated here, in
// Go, against the values' sub-attributes, with the operators and rules
// of RFC 7644 §3.4.2.2: text compared case-insensitively unless the
// sub-attribute is caseExact, booleans and numbers by value, dateTimes
// chronologically, and "pr" true for an assigned value.

// checkFilter checks a value filter against the sub-attributes of attr
// before any value is tested, so that a mistake (an unknown
// sub-attribute, "primary gt 1") is reported rather than matching
// nothing, and so that matches never fails.
func checkFilter(e filter.Expr, attr *schema.Attribute) *Error {
	switch e := e.(type) {
	case filter.Compare:
		sub := attr.Sub(e.Path.Name)
		if sub == nil || e.Path.URN != "" || e.Path.Sub != "" {
			return errorf(invalidPath, "%s has no sub-attribute %s to filter on.", attr.Name, quote(e.Path.String()))
		}
		return checkCompare(attr.Name+"."+sub.Name, sub, e)
	case filter.Present:
		if attr.Sub(e.Path.Name) == nil || e.Path.URN != "" || e.Path.Sub != "" {
			return errorf(invalidPath, "%s has no sub-attribute %s to filter on.", attr.Name, quote(e.Path.String()))
		}
		return nil
	case filter.And:
		if err := checkFilter(e.Left, attr); err != nil {
			return err
		}
		return checkFilter(e.Right, attr)
	case filter.Or:
		if err := checkFilter(e.Left, attr); err != nil {
			return err
		}
		return checkFilter(e.Right, attr)
	case filter.Not:
		return checkFilter(e.X, attr)
	}
	return errorf(invalidFilter, "the value filter of %s can't be evaluated; use comparisons of its sub-attributes such as type eq \"work\".", attr.Name)
}

func checkCompare(name string, sub *schema.Attribute, e filter.Compare) *Error {
	v, op := e.Value, e.Op
	ordering := op == filter.Gt || op == filter.Ge || op == filter.Lt || op == filter.Le
	substring := op == filter.Co || op == filter.Sw || op == filter.Ew
	switch {
	case op < filter.Eq || op > filter.Le:
		return errorf(invalidFilter, "the filter on %s has an unknown operator.", name)
	case v.Kind == filter.Null:
		if op != filter.Eq && op != filter.Ne {
			return errorf(invalidFilter, "%s can be compared with null only by eq or ne.", name)
		}
	case sub.Type == schema.Boolean:
		if _, ok := literalBool(v); !ok || (op != filter.Eq && op != filter.Ne) {
			return errorf(invalidFilter, "%s is true or false: compare it with eq or ne and true or false, as in %s eq true.", name, sub.Name)
		}
	case sub.Type == schema.Integer || sub.Type == schema.Decimal:
		if _, err := v.Float(); err != nil || substring {
			return errorf(invalidFilter, "%s is a number: compare it with eq, ne, gt, ge, lt or le and a number.", name)
		}
	case sub.Type == schema.DateTime && !substring:
		if _, err := time.Parse(time.RFC3339Nano, v.Str); v.Kind != filter.String || err != nil {
			return errorf(invalidFilter, "%s is a date and time: compare it with one such as \"2025-01-31T09:00:00Z\".", name)
		}
	case sub.Type == schema.Binary && ordering:
		return errorf(invalidFilter, "%s is binary: it can't be ordered with gt, ge, lt or le.", name)
	}
	return nil
}

// matches reports whether the value m of attr satisfies the filter e,
// which checkFilter accepted.
func matches(e filter.Expr, attr *schema.Attribute, m map[string]any) bool {
	switch e := e.(type) {
	case filter.Compare:
		sub := attr.Sub(e.Path.Name)
		if sub == nil {
			return false
		}
		have, _ := member(m, sub.Name)
		return compare(sub, have, e.Op, e.Value)
	case filter.Present:
		have, _ := member(m, e.Path.Name)
		return isSet(have)
	case filter.And:
		return matches(e.Left, attr, m) && matches(e.Right, attr, m)
	case filter.Or:
		return matches(e.Left, attr, m) || matches(e.Right, attr, m)
	case filter.Not:
		return !matches(e.X, attr, m)
	}
	return false
}

// compare applies one comparison to the stored sub-attribute value have.
// An unassigned value equals null and nothing else, and is "ne" anything
// else; a stored value of the wrong type (a hand-edited document) is
// treated as unassigned.
func compare(sub *schema.Attribute, have any, op filter.Op, v filter.Value) bool {
	if v.Kind == filter.Null {
		return (op == filter.Eq) != isSet(have)
	}
	if !isSet(have) {
		return op == filter.Ne
	}
	switch sub.Type {
	case schema.Boolean:
		want, _ := literalBool(v)
		got, ok := have.(bool)
		if s, isStr := have.(string); isStr {
			got, ok = literalBool(filter.Value{Kind: filter.String, Str: s})
		}
		return ok && (got == want) == (op == filter.Eq) || !ok && op == filter.Ne
	case schema.Integer, schema.Decimal:
		want, _ := v.Float()
		n, ok := number(have)
		got, err := n.Float64()
		if !ok || err != nil {
			return op == filter.Ne
		}
		return ordered(cmp.Compare(got, want), op)
	case schema.DateTime:
		if op < filter.Co || op > filter.Ew {
			s, _ := text(have)
			got, err := time.Parse(time.RFC3339Nano, s)
			want, _ := time.Parse(time.RFC3339Nano, v.Str)
			if err != nil {
				return op == filter.Ne
			}
			return ordered(got.Compare(want), op)
		}
	}
	got, ok := text(have)
	if !ok {
		return op == filter.Ne
	}
	want := literalText(v)
	if !sub.CaseExact {
		got, want = strings.ToLower(got), strings.ToLower(want)
	}
	switch op {
	case filter.Co:
		return strings.Contains(got, want)
	case filter.Sw:
		return strings.HasPrefix(got, want)
	case filter.Ew:
		return strings.HasSuffix(got, want)
	}
	return ordered(strings.Compare(got, want), op)
}

func ordered(c int, op filter.Op) bool {
	switch op {
	case filter.Eq:
		return c == 0
	case filter.Ne:
		return c != 0
	case filter.Gt:
		return c > 0
	case filter.Ge:
		return c >= 0
	case filter.Lt:
		return c < 0
	case filter.Le:
		return c <= 0
	}
	return false
}

// literalBool reads true or false, also as a string in any case.
func literalBool(v filter.Value) (bool, bool) {
	switch {
	case v.Kind == filter.Bool:
		return v.Bool, true
	case v.Kind == filter.String && strings.EqualFold(v.Str, "true"):
		return true, true
	case v.Kind == filter.String && strings.EqualFold(v.Str, "false"):
		return false, true
	}
	return false, false
}

func literalText(v filter.Value) string {
	switch v.Kind {
	case filter.Number:
		return v.Num
	case filter.Bool:
		return strconv.FormatBool(v.Bool)
	}
	return v.Str
}

// literal returns a comparison value as a decoded JSON value.
func literal(v filter.Value) any {
	switch v.Kind {
	case filter.String:
		return v.Str
	case filter.Number:
		return json.Number(v.Num)
	case filter.Bool:
		return v.Bool
	}
	return nil
}

// eqElement builds the value a filter describes when it is only eq
// comparisons of distinct writable sub-attributes joined by "and", such
// as type eq "work" (see create); ok is false otherwise.
func eqElement(e filter.Expr, attr *schema.Attribute, label string) (elem map[string]any, ok bool, err *Error) {
	elem = map[string]any{}
	var walk func(e filter.Expr) (bool, *Error)
	walk = func(e filter.Expr) (bool, *Error) {
		switch e := e.(type) {
		case filter.And:
			if ok, err := walk(e.Left); !ok || err != nil {
				return ok, err
			}
			return walk(e.Right)
		case filter.Compare:
			sub := attr.Sub(e.Path.Name)
			if sub == nil || e.Op != filter.Eq || sub.Mutability == schema.ReadOnly {
				return false, nil
			}
			if _, dup := elem[sub.Name]; dup {
				return false, nil
			}
			nv, err := scalar(sub, label, literal(e.Value))
			if nv == nil || err != nil {
				return false, err
			}
			elem[sub.Name] = nv
			return true, nil
		}
		return false, nil
	}
	ok, err = walk(e)
	return elem, ok, err
}
