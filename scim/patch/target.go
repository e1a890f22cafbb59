package patch

import (
	"strings"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// target is a path resolved against the resource's schemas: where in
// the document an operation acts.
type target struct {
	schema *schema.Schema    // the schema holding attr: the core schema, Common or an extension
	ext    bool              // attr lives in the extension's object, doc[schema.ID]
	whole  bool              // the path is a bare schema URN: all of the schema's attributes (attr is nil)
	attr   *schema.Attribute // the top-level attribute
	sub    *schema.Attribute // the sub-attribute after a dot (name.givenName, customFields.x, emails.value); nil if none
	filter filter.Expr       // the value filter of emails[...]; nil if none
	fsub   *schema.Attribute // the sub-attribute after the filter (emails[...].value); nil if none
	label  string            // the path as written, for messages
}

// name is the attribute's name as Apply reports it touched: the
// canonical name for core attributes ("name" for name.givenName), the
// extension URN, a colon and the canonical name for extension ones.
func (t *target) name() string {
	if t.ext {
		return t.schema.ID + ":" + t.attr.Name
	}
	return t.attr.Name
}

// elemSub is the sub-attribute of each selected element that the
// operation acts on, nil when it acts on whole elements.
func (t *target) elemSub() *schema.Attribute {
	if t.fsub != nil {
		return t.fsub
	}
	return t.sub
}

// readOnly reports whether the path names a read-only attribute or
// sub-attribute, which clients never write (RFC 7643 §2.2).
func (t *target) readOnly() bool {
	if t.whole {
		return false
	}
	if t.attr.Mutability == schema.ReadOnly {
		return true
	}
	s := t.elemSub()
	return s != nil && s.Mutability == schema.ReadOnly
}

// anyScalar is the type of the free-form entries of a complex attribute
// declared without sub-attributes (scimd's customFields): any string,
// number or boolean.
const anyScalar schema.Type = ""

// subAttr finds the sub-attribute name of the complex attr, compared
// case-insensitively. For a complex attribute without declared
// sub-attributes every name is accepted, as a free-form scalar entry.
func subAttr(attr *schema.Attribute, name string) *schema.Attribute {
	if len(attr.SubAttributes) == 0 && attr.Type == schema.Complex {
		return &schema.Attribute{Name: name, Type: anyScalar, Mutability: schema.ReadWrite}
	}
	return attr.Sub(name)
}

// resolve finds what p names in the resource. inValue is set for the
// keys of a path-less add or replace value: there, attributes of
// unknown schemas (Entra sends Microsoft's own) and read-only attributes
// (Okta and Entra echo id) are skipped rather than refused.
func (a *applier) resolve(p filter.Path, inValue bool) (t target, skip bool, err *Error) {
	res := a.res
	urn, name, sub := p.Attr.URN, p.Attr.Name, p.Attr.Sub
	t.label = p.String()
	if urn != "" && res.Schema(urn) == nil {
		// A bare schema URN parses as the URN's last segment taken for an
		// attribute ("...:2.0" + "User"); old Entra jobs also wrote
		// extension attributes as "urn:...:User.department".
		if s := res.Schema(urn + ":" + name); s != nil && p.Filter == nil {
			if sub == "" {
				return target{schema: s, ext: s != res.Core, whole: true, label: s.ID}, false, nil
			}
			urn, name, sub = s.ID, sub, ""
		}
	}
	if urn != "" && res.Schema(urn) == nil {
		if inValue {
			return t, true, nil
		}
		return t, false, errorf(invalidPath, "%s is not a schema of %s resources; the path %s can't be applied.", quote(urn), res.Core.Name, quote(t.label))
	}
	r := res.Resolve(urn, name, "")
	if r == nil {
		return t, false, errorf(invalidPath, "%s resources have no attribute %s.", res.Core.Name, quote(withURN(urn, name)))
	}
	t.schema, t.ext, t.attr = r.Schema, r.Extension(res), r.Attr
	if sub != "" {
		if t.attr.Type != schema.Complex {
			return t, false, errorf(invalidPath, "%s has no sub-attributes, so %s names nothing.", t.attr.Name, quote(t.label))
		}
		if t.sub = subAttr(t.attr, sub); t.sub == nil {
			return t, false, errorf(invalidPath, "%s has no sub-attribute %s.", t.attr.Name, quote(sub))
		}
	}
	if t.attr.MultiValued && t.attr.Type != schema.Complex {
		// RFC 7643 defines none in the schemas scimd serves.
		return t, false, errorf(invalidPath, "%s can't be changed with PATCH.", t.attr.Name)
	}
	if p.Filter != nil {
		if !t.attr.MultiValued {
			return t, false, errorf(invalidPath, "a value filter in brackets needs a multi-valued attribute such as emails; %s has a single value.", t.attr.Name)
		}
		if err := checkFilter(p.Filter, t.attr); err != nil {
			return t, false, err
		}
		t.filter = p.Filter
		if p.Sub != "" {
			if t.fsub = t.attr.Sub(p.Sub); t.fsub == nil {
				return t, false, errorf(invalidPath, "%s has no sub-attribute %s.", t.attr.Name, quote(p.Sub))
			}
		}
	}
	if inValue && t.readOnly() {
		return t, true, nil
	}
	return t, false, nil
}

func withURN(urn, name string) string {
	if urn == "" {
		return name
	}
	return urn + ":" + name
}

// looksLikeSchema reports whether a key of a path-less value names a
// schema (urn:..., or Entra's http://schemas.microsoft.com/...) rather
// than an attribute; unknown schemas there are skipped.
func looksLikeSchema(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "urn:") || strings.Contains(k, "://")
}
