package patch

import (
	"maps"
	"strings"

	"github.com/scimd/scimd/scim/schema"
)

// This file holds the operations on multi-valued complex attributes
// (emails, phoneNumbers, addresses, roles, members...): their values are
// objects, selected by a value filter or all at once.

// setMulti adds values to a multi-valued attribute, or replaces all of
// them. Add appends the values that are not there yet and merges the
// others into their twins (see elemKey); replace keeps only the new
// values (RFC 7644 §3.5.2.1 and §3.5.2.3).
func (a *applier) setMulti(op string, t target, v any) *Error {
	elems, clear, err := elements(t.attr, t.label, v)
	if err != nil {
		return err
	}
	if clear || (op == Replace && len(elems) == 0) {
		return a.unset(t)
	}
	if len(elems) == 0 {
		return nil
	}
	c := a.container(t, true)
	var list []any
	if op == Add {
		old, _ := canon(c, t.attr.Name)
		list = asList(old)
	}
	list, primary, err := addElements(t.attr, t.label, list, elems)
	if err != nil {
		return err
	}
	demote(t.attr, list, primary)
	c[t.attr.Name] = list
	return nil
}

// setSelected adds or replaces the values a filter selects, or one
// sub-attribute of them (emails[type eq "work"].value), or one
// sub-attribute of every value (emails.value).
func (a *applier) setSelected(op string, t target, v any) *Error {
	c := a.container(t, true)
	old, _ := canon(c, t.attr.Name)
	list := asList(old)
	sel := selected(t, list)
	if len(sel) == 0 {
		return a.create(t, c, list, v)
	}
	// The new sub-attributes: one for emails[...].value, all of them for
	// emails[...]; replace puts the latter in place of the selected values.
	var obj map[string]any
	var err *Error
	whole := false
	if sub := t.elemSub(); sub != nil {
		var nv any
		nv, err = scalar(sub, t.label, v)
		obj = map[string]any{sub.Name: nv}
	} else {
		obj, err = complexValue(t.attr, t.label, v, true)
		whole = op == Replace
	}
	if err != nil {
		return err
	}
	if obj == nil { // null or "": the selected values go
		return a.store(t, c, drop(list, sel))
	}
	var dropped []int
	for _, i := range sel {
		m := list[i].(map[string]any)
		if whole {
			// Immutable sub-attributes that are set must keep their values.
			nm := withoutNils(maps.Clone(obj))
			for _, sub := range t.attr.SubAttributes {
				old, had := member(m, sub.Name)
				if err := checkImmutable(sub, t.attr.Name+"."+sub.Name, old, had, nm[sub.Name]); err != nil {
					return err
				}
			}
			if lacksValue(t.attr, nm) {
				return errorf(invalidValue, "the new value for %s needs a \"value\".", t.label)
			}
			list[i], m = nm, nm
		} else if err := mergeInto(m, t.attr, t.attr.Name, obj); err != nil {
			return err
		}
		if len(m) == 0 || lacksValue(t.attr, m) {
			dropped = append(dropped, i) // an email without an address is no email
		}
	}
	if isTrue(obj["primary"]) {
		demote(t.attr, list, sel[len(sel)-1])
	}
	return a.store(t, c, drop(list, dropped))
}

// create handles an add or replace whose filter selected nothing. The RFC
// answers noTarget (§3.5.2.3), but Entra sends
// replace emails[type eq "work"].value for users who have no work email
// yet and expects one to be made. So when the filter is made only of eq
// comparisons joined by "and", the value is created from them: here
// {"type": "work", "value": <value>}. Clearing something that isn't
// there succeeds and does nothing.
func (a *applier) create(t target, c map[string]any, list []any, v any) *Error {
	sub := t.elemSub()
	var obj map[string]any
	var err *Error
	if sub != nil {
		var nv any
		if nv, err = scalar(sub, t.label, v); nv != nil {
			obj = map[string]any{sub.Name: nv}
		}
	} else {
		obj, err = complexValue(t.attr, t.label, v, true)
	}
	if err != nil {
		return err
	}
	if obj == nil {
		a.prune(t)
		return nil
	}
	if t.filter == nil {
		return errorf(noTarget, "%s has no values to change; add one with the path %q.", t.attr.Name, t.attr.Name)
	}
	elem, ok, err := eqElement(t.filter, t.attr, t.label)
	if err != nil {
		return err
	}
	if !ok {
		return errorf(noTarget, "no value of %s matches the filter [%s].", t.attr.Name, shorten(t.filter.String()))
	}
	for k, x := range obj {
		if x == nil {
			delete(elem, k)
		} else {
			elem[k] = x
		}
	}
	if lacksValue(t.attr, elem) {
		return errorf(noTarget, "no value of %s matches the filter [%s], and one can't be created without a \"value\".", t.attr.Name, shorten(t.filter.String()))
	}
	list = append(list, elem)
	if isTrue(elem["primary"]) {
		demote(t.attr, list, len(list)-1)
	}
	c[t.attr.Name] = list
	return nil
}

// removeSelected removes the values a filter selects, or one
// sub-attribute of them (RFC 7644 §3.5.2.2). A filter that selects
// nothing removes nothing and succeeds: the outcome the client asked for
// holds (Okta retries removals of members who are already gone).
func (a *applier) removeSelected(t target) *Error {
	c := a.container(t, false)
	if c == nil {
		return nil
	}
	old, had := canon(c, t.attr.Name)
	if !had {
		return nil
	}
	list := asList(old)
	sel := selected(t, list)
	if len(sel) == 0 {
		return nil
	}
	sub := t.elemSub()
	if sub == nil {
		return a.store(t, c, drop(list, sel))
	}
	var dropped []int
	for _, i := range sel {
		m := list[i].(map[string]any)
		if err := mergeInto(m, t.attr, t.attr.Name, map[string]any{sub.Name: nil}); err != nil {
			return err
		}
		if len(m) == 0 || lacksValue(t.attr, m) {
			dropped = append(dropped, i)
		}
	}
	return a.store(t, c, drop(list, dropped))
}

// removeValues removes the values listed in a remove operation, which
// the RFC does not define but Entra sends for group members
// ({"op": "Remove", "path": "members", "value": [{"value": "id"}]}). A
// stored value goes when it has every sub-attribute of a listed one,
// with an equal value.
func (a *applier) removeValues(t target, v any) *Error {
	elems, clear, err := elements(t.attr, t.label, v)
	if err != nil {
		return err
	}
	if clear {
		return a.unset(t)
	}
	c := a.container(t, false)
	if c == nil || len(elems) == 0 {
		return nil
	}
	old, _ := canon(c, t.attr.Name)
	list := asList(old)
	valueSub := t.attr.Sub("value")
	byValue := make(map[string][]map[string]any, len(elems))
	for _, e := range elems {
		k := fold(valueSub, e["value"])
		byValue[k] = append(byValue[k], e)
	}
	var dropped []int
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		var k string
		if valueSub != nil {
			v, _ := member(m, "value")
			k = fold(valueSub, v)
		}
		for _, want := range byValue[k] {
			if contains(t.attr, m, want) {
				dropped = append(dropped, i)
				break
			}
		}
	}
	return a.store(t, c, drop(list, dropped))
}

// store writes a multi-valued attribute back, removing it when empty.
func (a *applier) store(t target, c map[string]any, list []any) *Error {
	if len(list) == 0 {
		c[t.attr.Name] = list
		return a.unset(t)
	}
	c[t.attr.Name] = list
	return nil
}

// elements converts the value of an add or replace of a whole
// multi-valued attribute: a list of values, or one value on its own.
// clear is set for null and "". Values left empty (only read-only
// sub-attributes, say) are skipped.
func elements(attr *schema.Attribute, label string, v any) (list []map[string]any, clear bool, err *Error) {
	in, ok := v.([]any)
	if !ok {
		if isClear(v) {
			return nil, true, nil
		}
		in = []any{v}
	}
	list = make([]map[string]any, 0, len(in))
	for _, e := range in {
		obj, err := complexValue(attr, label, e, false)
		if err != nil {
			return nil, false, err
		}
		obj = withoutNils(obj)
		if len(obj) == 0 {
			continue
		}
		if lacksValue(attr, obj) {
			return nil, false, errorf(invalidValue, "each value of %s needs a \"value\", such as {\"value\": ...}.", label)
		}
		list = append(list, obj)
	}
	return list, false, nil
}

// addElements appends elems to list, merging each into an existing
// value that is the same (see elemKey) instead of adding it twice. It
// returns the index of the last value given primary true, or -1. It
// takes time linear in the number of values.
func addElements(attr *schema.Attribute, label string, list []any, elems []map[string]any) ([]any, int, *Error) {
	index := make(map[string]int, len(list)+len(elems))
	for i, e := range list {
		if m, ok := e.(map[string]any); ok {
			if k := elemKey(attr, m); index[k] == 0 {
				index[k] = i + 1
			}
		}
	}
	primary := -1
	for _, e := range elems {
		k := elemKey(attr, e)
		i := index[k] - 1
		if i >= 0 {
			// Already there: RFC 7644 §3.5.2.1 says no change SHOULD be
			// made, so the stored value and type keep their spelling, and
			// immutable sub-attributes their values; the others (display,
			// primary) are updated.
			for _, sub := range attr.SubAttributes {
				if inKey(attr, sub) || sub.Mutability == schema.Immutable {
					delete(e, sub.Name)
				}
			}
			if err := mergeInto(list[i].(map[string]any), attr, label, e); err != nil {
				return nil, -1, err
			}
		} else {
			i = len(list)
			list = append(list, e)
			index[k] = i + 1
		}
		if isTrue(e["primary"]) {
			primary = i
		}
	}
	return list, primary, nil
}

// elemKey identifies a value of a multi-valued attribute for
// de-duplication: its value and type (an email is the same email with
// the same address and type, the address compared case-insensitively);
// for attributes without a value sub-attribute (addresses), all
// sub-attributes but primary.
func elemKey(attr *schema.Attribute, m map[string]any) string {
	var b strings.Builder
	for _, sub := range attr.SubAttributes {
		if !inKey(attr, sub) {
			continue
		}
		v, _ := member(m, sub.Name)
		b.WriteString(fold(sub, v))
		b.WriteByte(0)
	}
	return b.String()
}

// inKey reports whether sub is part of the values' identity (elemKey).
func inKey(attr, sub *schema.Attribute) bool {
	if attr.Sub("value") != nil {
		return sub.Name == "value" || sub.Name == "type"
	}
	return sub.Name != "primary"
}

// fold returns a scalar as text, lower-cased unless sub is caseExact.
func fold(sub *schema.Attribute, v any) string {
	s, _ := text(v)
	if sub == nil || !sub.CaseExact {
		s = strings.ToLower(s)
	}
	return s
}

// contains reports whether m has every sub-attribute of want, equal.
func contains(attr *schema.Attribute, m, want map[string]any) bool {
	for k, w := range want {
		v, ok := member(m, k)
		sub := subAttr(attr, k)
		if !ok || sub == nil || !same(sub, v, w) {
			return false
		}
	}
	return true
}

// demote sets primary to false on every value but the one at keep, when
// keep became primary: RFC 7643 §2.4 allows one primary value.
func demote(attr *schema.Attribute, list []any, keep int) {
	if keep < 0 || attr.Sub("primary") == nil {
		return
	}
	for i, e := range list {
		if m, ok := e.(map[string]any); ok && i != keep {
			if v, _ := canon(m, "primary"); isTrue(v) {
				m["primary"] = false
			}
		}
	}
}

// selected returns the indices of the values t selects: those matching
// its filter, or all of them for emails.value.
func selected(t target, list []any) []int {
	var sel []int
	for i, e := range list {
		if m, ok := e.(map[string]any); ok && (t.filter == nil || matches(t.filter, t.attr, m)) {
			sel = append(sel, i)
		}
	}
	return sel
}

// drop returns list without the values at the ascending indices idx.
func drop(list []any, idx []int) []any {
	if len(idx) == 0 {
		return list
	}
	out := make([]any, 0, len(list)-len(idx))
	j := 0
	for i, e := range list {
		if j < len(idx) && idx[j] == i {
			j++
			continue
		}
		out = append(out, e)
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func withoutNils(m map[string]any) map[string]any {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}
