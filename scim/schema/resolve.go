package schema

import "strings"

// Resolved is an attribute found by name: the schema that holds it (the
// core schema, an extension, or Common) and the attribute, with its
// sub-attribute when one was named.
type Resolved struct {
	Schema *Schema
	Attr   *Attribute
	Sub    *Attribute // nil when no sub-attribute was named
}

// Extension reports whether the attribute lives in an extension schema,
// that is under the schema's URN in a resource's JSON.
func (r *Resolved) Extension(res *Resource) bool {
	return r.Schema != res.Core && r.Schema != Common
}

// Resolve finds urn:name.sub in the resource. urn may be "" (the core
// schema or Common first, then the extensions, so that an unqualified
// extension attribute such as "employeeNumber" is found too), or a schema
// URN in any case. It returns nil when there is no such attribute.
func (res *Resource) Resolve(urn, name, sub string) *Resolved {
	var found *Resolved
	try := func(s *Schema) bool {
		if a := s.Attr(name); a != nil {
			found = &Resolved{Schema: s, Attr: a}
			return true
		}
		return false
	}
	switch {
	case urn == "":
		if !try(res.Core) && !try(Common) {
			for _, e := range res.Extensions {
				if try(e) {
					break
				}
			}
		}
	case strings.EqualFold(urn, res.Core.ID):
		if !try(res.Core) {
			try(Common)
		}
	default:
		for _, e := range res.Extensions {
			if strings.EqualFold(urn, e.ID) {
				try(e)
				break
			}
		}
	}
	if found == nil {
		return nil
	}
	if sub != "" {
		if found.Attr.Type != Complex {
			return nil
		}
		if found.Sub = found.Attr.Sub(sub); found.Sub == nil {
			return nil
		}
	}
	return found
}

// Schema returns the resource's core or extension schema with the URN, in
// any case, or nil.
func (res *Resource) Schema(urn string) *Schema {
	if strings.EqualFold(urn, res.Core.ID) {
		return res.Core
	}
	for _, e := range res.Extensions {
		if strings.EqualFold(urn, e.ID) {
			return e
		}
	}
	return nil
}
