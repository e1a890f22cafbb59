package scim

import (
	"encoding/json"
	"strings"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// projection applies attributes and excludedAttributes (RFC 7644 §3.9).
// Paths are kept as "<schema urn>:<attr>[.<sub>]" in lower case. A nil
// projection returns everything a resource returns by default.
type projection struct {
	res     *schema.Resource
	include map[string]bool
	exclude map[string]bool
}

// newProjection reads attributes and excludedAttributes. When both are
// given, attributes wins, as the RFC lets a server choose. Unknown names
// are ignored.
func newProjection(res *schema.Resource, attrs, excluded []string) *projection {
	if len(attrs) == 0 && len(excluded) == 0 {
		return nil
	}
	p := &projection{res: res}
	set := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, a := range list {
			path, err := filter.ParsePath(a)
			if err != nil || path.Filter != nil {
				continue
			}
			r := res.Resolve(path.Attr.URN, path.Attr.Name, path.Attr.Sub)
			if r == nil {
				continue
			}
			key := strings.ToLower(r.Schema.ID + ":" + r.Attr.Name)
			if r.Sub != nil {
				key += "." + strings.ToLower(r.Sub.Name)
			}
			m[key] = true
		}
		return m
	}
	if len(attrs) > 0 {
		p.include = set(attrs)
	} else {
		p.exclude = set(excluded)
	}
	return p
}

// wants reports whether the attribute (schema URN and name) is returned,
// so the handler can skip reading what nobody asked for: excluding
// members never reads a membership row.
func (p *projection) wants(urn, name string) bool {
	if p == nil {
		return true
	}
	key := strings.ToLower(urn + ":" + name)
	if p.include != nil {
		if p.include[key] {
			return true
		}
		for k := range p.include {
			if strings.HasPrefix(k, key+".") {
				return true
			}
		}
		return false
	}
	return !p.exclude[key]
}

// apply returns v (a resource) as JSON with only the projected attributes.
func (p *projection) apply(v any) any {
	if p == nil {
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return v
	}
	for k, val := range doc {
		lk := strings.ToLower(k)
		if lk == "schemas" || lk == "id" {
			continue
		}
		if ext := p.res.Schema(k); ext != nil && ext != p.res.Core {
			obj, _ := val.(map[string]any)
			for ek, ev := range obj {
				if !p.keep(ext.ID, ek, ev, obj) {
					delete(obj, ek)
				}
			}
			if len(obj) == 0 {
				delete(doc, k)
			}
			continue
		}
		r := p.res.Resolve("", k, "")
		if r == nil {
			continue
		}
		if !p.keep(r.Schema.ID, r.Attr.Name, val, doc) {
			delete(doc, k)
		}
	}
	return doc
}

// keep decides one attribute, pruning its sub-attributes in place when
// only some are asked for or some are excluded.
func (p *projection) keep(urn, name string, val any, _ map[string]any) bool {
	key := strings.ToLower(urn + ":" + name)
	prefix := key + "."
	subs := func(set map[string]bool) map[string]bool {
		out := map[string]bool{}
		for k := range set {
			if s, ok := strings.CutPrefix(k, prefix); ok {
				out[s] = true
			}
		}
		return out
	}
	prune := func(keepSub func(string) bool) {
		each := func(o map[string]any) {
			for sk := range o {
				if !keepSub(strings.ToLower(sk)) {
					delete(o, sk)
				}
			}
		}
		switch x := val.(type) {
		case map[string]any:
			each(x)
		case []any:
			for _, e := range x {
				if o, ok := e.(map[string]any); ok {
					each(o)
				}
			}
		}
	}
	if p.include != nil {
		if p.include[key] {
			return true
		}
		want := subs(p.include)
		if len(want) == 0 {
			return false
		}
		prune(func(s string) bool { return want[s] })
		return true
	}
	if p.exclude[key] {
		return false
	}
	if drop := subs(p.exclude); len(drop) > 0 {
		prune(func(s string) bool { return !drop[s] })
	}
	return true
}
