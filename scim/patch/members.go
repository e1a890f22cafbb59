package patch

import (
	"maps"
	"strings"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// MemberOp is a change to a group's members, by member id: what the
// Group handler applies as rows, without reading the group's members
// (groups have 100,000 of them).
type MemberOp struct {
	// Op is Add (add these members; those already in stay),
	// Remove (remove these members; those not in are ignored) or
	// Replace (the members become exactly these; with no IDs, the group
	// is emptied).
	Op string
	// IDs are the members' ids ("value" in SCIM), in request order,
	// each once.
	IDs []string
}

// MemberOps splits the operations on a group's members off ops: members
// holds them, in request order, and rest the other operations, for Apply
// on the group's small document. A path-less add or replace whose value
// has "members" beside other attributes is split in two. These forms
// are understood:
//
//	{"op": "add", "path": "members", "value": [{"value": "id", "display": "..."}]}  Okta, Entra
//	{"op": "remove", "path": "members[value eq \"id\"]"}                            Okta, Entra with aadOptscim062020
//	{"op": "remove", "path": "members[value eq \"a\" or value eq \"b\"]"}
//	{"op": "remove", "path": "members", "value": [{"value": "id"}]}                 Entra by default
//	{"op": "remove", "path": "members"}                                             remove all
//	{"op": "replace", "path": "members", "value": [...]}                            replace all
//	{"op": "replace", "value": {"members": [...], "displayName": "x"}}              path-less
//
// Inside a member only "value" counts; display, $ref and type are
// ignored, and a bare string counts as an id. Anything else that targets
// members (members[display eq "x"], members.value, a filter on an add)
// is an *Error, invalidPath or invalidFilter, as is a member without an
// id (invalidValue).
func MemberOps(ops []Op) (members []MemberOp, rest []Op, err error) {
	rest = make([]Op, 0, len(ops))
	for i, op := range ops {
		mops, r, err := splitMembers(op)
		if err != nil {
			return nil, nil, err.inOp(i, op)
		}
		members = append(members, mops...)
		if r != nil {
			rest = append(rest, *r)
		}
	}
	return members, rest, nil
}

// splitMembers returns the member operations of op and what is left of
// it, nil if nothing.
func splitMembers(op Op) ([]MemberOp, *Op, *Error) {
	if op.Path == nil {
		return splitValue(op)
	}
	p := *op.Path
	if !isMembers(p.Attr) {
		return nil, &op, nil
	}
	if p.Attr.Sub != "" || p.Sub != "" {
		return nil, nil, errorf(invalidPath, "scimd changes members as a whole, not their sub-attributes: use the path \"members\", or members[value eq \"<id>\"] to remove one.")
	}
	if p.Filter != nil {
		if op.Op != Remove {
			return nil, nil, errorf(invalidPath, "to %s members, use the path \"members\" with a list of {\"value\": \"<id>\"}; a filter selects members only to remove them.", op.Op)
		}
		ids, ok := filterIDs(p.Filter, nil)
		if !ok {
			return nil, nil, errorf(invalidFilter, "scimd removes members by id only: use members[value eq \"<id>\"], or several joined by \"or\"; %s can't be used.", quote(p.Filter.String()))
		}
		return []MemberOp{{Op: Remove, IDs: dedupe(ids)}}, nil, nil
	}
	ids, err := memberIDs(op.Value)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case op.Op == Remove && op.Value == nil:
		return []MemberOp{{Op: Replace}}, nil, nil // remove all
	case op.Op != Replace && len(ids) == 0:
		return nil, nil, nil
	}
	return []MemberOp{{Op: op.Op, IDs: ids}}, nil, nil
}

// splitValue takes "members" out of a path-less add or replace value,
// at its top or inside the Group schema's URN.
func splitValue(op Op) ([]MemberOp, *Op, *Error) {
	obj, ok := op.Value.(map[string]any)
	if !ok {
		return nil, &op, nil // Apply reports it
	}
	var mops []MemberOp
	var left map[string]any
	take := func(v any) *Error {
		ids, err := memberIDs(v)
		if err == nil && (op.Op == Replace || len(ids) > 0) {
			mops = append(mops, MemberOp{Op: op.Op, IDs: ids})
		}
		return err
	}
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		switch inner, isObj := v.(map[string]any); {
		case isMembersKey(k):
			if err := take(v); err != nil {
				return nil, nil, err
			}
		case strings.EqualFold(k, schema.GroupURN) && isObj && hasMembers(inner):
			inner = maps.Clone(inner)
			for ik, iv := range inner {
				if isMembersKey(ik) {
					if err := take(iv); err != nil {
						return nil, nil, err
					}
					delete(inner, ik)
				}
			}
			if len(inner) > 0 {
				left = put(left, k, inner)
			}
		default:
			left = put(left, k, v)
		}
	}
	if mops == nil {
		return nil, &op, nil
	}
	if left == nil {
		return mops, nil, nil
	}
	return mops, &Op{Op: op.Op, Value: left}, nil
}

func put(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	m[k] = v
	return m
}

func hasMembers(m map[string]any) bool {
	for k := range m {
		if isMembersKey(k) {
			return true
		}
	}
	return false
}

// isMembers reports whether a path names the Group's members attribute.
func isMembers(a filter.AttrPath) bool {
	return strings.EqualFold(a.Name, "members") && (a.URN == "" || strings.EqualFold(a.URN, schema.GroupURN))
}

func isMembersKey(k string) bool {
	return strings.EqualFold(k, "members") || strings.EqualFold(k, schema.GroupURN+":members")
}

// memberIDs reads the ids of a list of members, or of one member: objects
// with a "value", or bare ids. It returns each id once.
func memberIDs(v any) ([]string, *Error) {
	list, ok := v.([]any)
	if !ok {
		if isClear(v) {
			return nil, nil
		}
		list = []any{v}
	}
	ids := make([]string, 0, len(list))
	for _, e := range list {
		if e == nil {
			continue
		}
		var id any = e
		if m, ok := e.(map[string]any); ok {
			id, _ = member(m, "value")
		}
		s, ok := id.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, errorf(invalidValue, "each member needs a \"value\" with the member's id, as in {\"value\": \"2819c223-7f76-453a-919d-413861904646\"}; found %s.", kind(id))
		}
		ids = append(ids, s)
	}
	return dedupe(ids), nil
}

// filterIDs collects the ids of value eq "<id>" comparisons joined by
// "or"; ok is false for any other filter.
func filterIDs(e filter.Expr, ids []string) ([]string, bool) {
	switch e := e.(type) {
	case filter.Compare:
		if !strings.EqualFold(e.Path.Name, "value") || e.Path.URN != "" || e.Path.Sub != "" || e.Op != filter.Eq || e.Value.Kind != filter.String || e.Value.Str == "" {
			return nil, false
		}
		return append(ids, e.Value.Str), true
	case filter.Or:
		ids, ok := filterIDs(e.Left, ids)
		if !ok {
			return nil, false
		}
		return filterIDs(e.Right, ids)
	}
	return nil, false
}

// dedupe drops repeated ids, keeping the first, in linear time.
func dedupe(ids []string) []string {
	if len(ids) < 2 {
		return ids
	}
	seen := make(map[string]struct{}, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}
