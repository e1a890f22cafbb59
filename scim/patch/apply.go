package patch

import (
	"maps"
	"slices"
	"strings"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// Apply applies ops in order to doc, a resource's JSON object (as GET
// returns it, decoded into map[string]any; not nil) for the resource res
// (schema.Users, schema.Groups), and modifies doc in place. The package
// documentation lists the rules.
//
// It returns the attributes the operations named, sorted and without
// repeats, so that the caller knows what the identity provider sent:
// top-level attributes by their canonical schema name ("userName",
// "name" for name.givenName, "emails" for emails[type eq "work"].value),
// extension attributes as the extension URN, a colon and the canonical
// name ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").
// An attribute counts even if its value did not change; attributes that
// were skipped (read-only ones inside values, unknown schemas) do not.
//
// Every error is an *Error naming the operation. On error doc may be
// partly modified: apply to a DeepCopy and keep it only when Apply
// succeeds, so that a request applies completely or not at all
// (RFC 7644 §3.5.2).
func Apply(doc map[string]any, ops []Op, res *schema.Resource) (touched []string, err error) {
	if len(ops) > MaxOperations {
		return nil, errorf(invalidValue, "The request has %d operations; at most %d are allowed in one request. Split it into several requests.", len(ops), MaxOperations)
	}
	a := &applier{doc: doc, res: res, touched: map[string]struct{}{}}
	for i, op := range ops {
		if err := a.op(op); err != nil {
			return nil, err.inOp(i, op)
		}
	}
	return slices.Sorted(maps.Keys(a.touched)), nil
}

// applier holds the state of one Apply call.
type applier struct {
	doc     map[string]any
	res     *schema.Resource
	touched map[string]struct{}
}

func (a *applier) op(op Op) *Error {
	switch op.Op {
	case Add, Replace:
		if op.Path == nil {
			m, ok := op.Value.(map[string]any)
			if !ok {
				return errorf(invalidSyntax, "without a \"path\", the value must be an object of attributes such as {\"active\": false}, not %s.", kind(op.Value))
			}
			return a.object(op.Op, nil, m)
		}
		t, _, err := a.resolve(*op.Path, false)
		if err != nil {
			return err
		}
		return a.set(op.Op, t, op.Value)
	case Remove:
		if op.Path == nil {
			return errorf(noTarget, "a remove operation needs a \"path\" naming what to remove.")
		}
		t, _, err := a.resolve(*op.Path, false)
		if err != nil {
			return err
		}
		return a.remove(t, op.Value)
	}
	return errorf(invalidSyntax, "\"op\" must be \"add\", \"replace\" or \"remove\", not %s.", quote(op.Op))
}

// object applies a path-less add or replace (RFC 7644 §3.5.2.1 and
// §3.5.2.3: the value is a set of attributes), or the object value of a
// bare schema URN when s is set. Its keys may be attribute names, dotted
// sub-attributes (name.givenName), full paths with a URN or a value
// filter, or schema URNs holding an object of that schema's attributes.
// Keys are applied in sorted order, so that "name" comes before
// "name.givenName" and the outcome never depends on map order.
func (a *applier) object(op string, s *schema.Schema, m map[string]any) *Error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if s == nil {
			if strings.EqualFold(k, "schemas") {
				continue // the server keeps "schemas" in line with the attributes
			}
			if sc := a.res.Schema(k); sc != nil {
				t := target{schema: sc, ext: sc != a.res.Core, whole: true, label: sc.ID}
				if err := a.set(op, t, v); err != nil {
					return err
				}
				continue
			}
		}
		text := k
		if s != nil {
			text = s.ID + ":" + k
		}
		p, err := filter.ParsePath(text)
		if err != nil {
			if looksLikeSchema(k) {
				continue
			}
			return pathError(k, err)
		}
		t, skip, perr := a.resolve(p, true)
		if perr != nil {
			return perr
		}
		if skip {
			continue
		}
		if err := a.set(op, t, v); err != nil {
			return err
		}
	}
	return nil
}

// set applies an add or replace of v at t.
func (a *applier) set(op string, t target, v any) *Error {
	if t.whole {
		return a.setWhole(op, t, v)
	}
	if t.readOnly() {
		return a.readOnlyError(t)
	}
	a.touch(t)
	switch {
	case t.filter != nil || (t.attr.MultiValued && t.sub != nil):
		return a.setSelected(op, t, v)
	case t.attr.MultiValued:
		return a.setMulti(op, t, v)
	case t.sub != nil:
		nv, err := scalar(t.sub, t.label, v)
		if err != nil {
			return err
		}
		return a.merge(t, map[string]any{t.sub.Name: nv})
	case t.attr.Type == schema.Complex:
		obj, err := complexValue(t.attr, t.label, v, true)
		if err != nil {
			return err
		}
		if obj == nil {
			return a.unset(t)
		}
		return a.merge(t, obj)
	}
	nv, err := scalar(t.attr, t.label, v)
	if err != nil {
		return err
	}
	if nv == nil {
		return a.unset(t)
	}
	c := a.container(t, true)
	old, had := canon(c, t.attr.Name)
	if err := checkImmutable(t.attr, t.label, old, had, nv); err != nil {
		return err
	}
	c[t.attr.Name] = nv
	return nil
}

// setWhole applies an object of a schema's attributes, or clears all of
// an extension's attributes for null or "".
func (a *applier) setWhole(op string, t target, v any) *Error {
	if m, ok := v.(map[string]any); ok {
		return a.object(op, t.schema, m)
	}
	if isClear(v) {
		return a.removeWhole(t)
	}
	return errorf(invalidValue, "the value for %s must be an object of its attributes, not %s.", t.label, kind(v))
}

// remove applies a remove (RFC 7644 §3.5.2.2). v is the value the
// request carried, if any: Entra lists the values to remove.
func (a *applier) remove(t target, v any) *Error {
	if t.whole {
		return a.removeWhole(t)
	}
	if t.readOnly() {
		return a.readOnlyError(t)
	}
	a.touch(t)
	switch {
	case t.filter != nil || (t.attr.MultiValued && t.sub != nil):
		return a.removeSelected(t)
	case t.attr.MultiValued && v != nil:
		return a.removeValues(t, v)
	case t.sub != nil:
		return a.merge(t, map[string]any{t.sub.Name: nil})
	}
	return a.unset(t)
}

// removeWhole removes every writable attribute of an extension.
func (a *applier) removeWhole(t target) *Error {
	if !t.ext {
		return errorf(invalidPath, "the core schema %s can't be removed as a whole; name the attributes to remove.", t.label)
	}
	for _, attr := range t.schema.Attributes {
		if attr.Mutability == schema.ReadOnly {
			continue
		}
		at := target{schema: t.schema, ext: true, attr: attr, label: t.schema.ID + ":" + attr.Name}
		a.touch(at)
		if err := a.unset(at); err != nil {
			return err
		}
	}
	if v, ok := canon(a.doc, t.schema.ID); ok {
		if _, isObj := v.(map[string]any); !isObj {
			delete(a.doc, t.schema.ID) // null or junk: nothing to keep
		}
	}
	a.prune(t)
	return nil
}

func (a *applier) readOnlyError(t target) *Error {
	return errorf(mutability, "%s is read-only: scimd sets it, and a client can't change or remove it.", t.label)
}

func (a *applier) touch(t target) { a.touched[t.name()] = struct{}{} }

// container returns the object that holds t's attribute: the document,
// or the extension's object, which create makes when it's missing. It is
// nil when create is false and there is nothing.
func (a *applier) container(t target, create bool) map[string]any {
	if !t.ext {
		return a.doc
	}
	v, _ := canon(a.doc, t.schema.ID)
	if m, ok := v.(map[string]any); ok {
		return m
	}
	if !create {
		return nil
	}
	m := map[string]any{}
	a.doc[t.schema.ID] = m
	return m
}

// prune drops an extension object that has become empty.
func (a *applier) prune(t target) {
	if m, ok := a.doc[t.schema.ID].(map[string]any); t.ext && ok && len(m) == 0 {
		delete(a.doc, t.schema.ID)
	}
}

// unset removes t's attribute. RFC 7644 §3.5.2.2: an attribute that is
// required, or immutable and set, can't be removed (mutability).
func (a *applier) unset(t target) *Error {
	c := a.container(t, false)
	if c == nil {
		return nil
	}
	old, had := canon(c, t.attr.Name)
	if !had {
		return nil
	}
	if t.attr.Required {
		return errorf(mutability, "%s is required: it can be replaced with a new value but not removed or emptied.", t.attr.Name)
	}
	if t.attr.Mutability == schema.Immutable && isSet(old) {
		return errorf(mutability, "%s is immutable: once set it can't be changed or removed.", t.label)
	}
	delete(c, t.attr.Name)
	a.prune(t)
	return nil
}

// merge sets the sub-attributes in obj on t's single-valued complex
// attribute, creating it if needed; a nil entry removes that
// sub-attribute. Sub-attributes not in obj are left as they are
// (RFC 7644 §3.5.2.3). An attribute left with nothing is removed, and so
// is one whose "value" was removed (a manager without an id is none).
func (a *applier) merge(t target, obj map[string]any) *Error {
	c := a.container(t, true)
	old, _ := canon(c, t.attr.Name)
	cur, ok := old.(map[string]any)
	if !ok {
		cur = map[string]any{}
	}
	if err := mergeInto(cur, t.attr, t.attr.Name, obj); err != nil {
		return err
	}
	c[t.attr.Name] = cur
	switch {
	case len(cur) == 0:
	case !lacksValue(t.attr, cur):
		return nil
	default:
		if _, cleared := obj["value"]; !cleared {
			return errorf(invalidValue, "%s needs a \"value\" sub-attribute.", t.label)
		}
	}
	return a.unset(t)
}
