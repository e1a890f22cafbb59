package filter

import "strings"

// Path is a parsed SCIM PATCH path (RFC 7644 §3.5.2):
//
//	PATH = attrPath / valuePath [subAttr]
//
// For example:
//
//	members                                  Attr{Name: "members"}
//	name.givenName                           Attr{Name: "name", Sub: "givenName"}
//	emails[type eq "work"].value             Attr{Name: "emails"}, Filter: type eq "work", Sub: "value"
//	urn:...:enterprise:2.0:User:manager.value Attr{URN: "urn:...:enterprise:2.0:User", Name: "manager", Sub: "value"}
//
// Attr.Sub and Sub are never both set: Attr.Sub is a sub-attribute of a
// single-valued complex attribute, Sub one of the values selected by Filter.
type Path struct {
	Attr   AttrPath
	Filter Expr   // the value filter in brackets; nil unless a valuePath
	Sub    string // sub-attribute after the value filter, e.g. "value" in emails[type eq "work"].value
}

// String returns the canonical path text, which ParsePath reads back to an
// equal Path.
func (p Path) String() string {
	var b strings.Builder
	b.Grow(32)
	p.Attr.write(&b)
	if p.Filter != nil {
		b.WriteByte('[')
		p.Filter.write(&b, 0)
		b.WriteByte(']')
	}
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
	return b.String()
}

// ParsePath parses the "path" of a SCIM PATCH operation, such as
// members[value eq "2819c223-7f76-453a-919d-413861904646"] or
// urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value.
// The value filter follows the same grammar and limits as Parse. Any error
// is an *Error.
//
// A bare schema URN ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
// is not a path in the RFC; it parses as the attribute "User" of the URN
// "...:2.0", so callers that accept it must check URN+":"+Name against
// their schemas.
func ParsePath(s string) (Path, error) {
	p := parser{s: s, isPath: true}
	path, err := p.parsePath()
	if err != nil {
		return Path{}, err
	}
	return path, nil
}

func (p *parser) parsePath() (Path, *Error) {
	var path Path
	if err := p.checkInput(); err != nil {
		return path, err
	}
	start := p.pos
	end := p.wordEnd(start)
	if start == end {
		return path, p.errAt(start, "expected an attribute name, found "+p.describe(start))
	}
	attr, err := p.attrPath(start, end)
	if err != nil {
		return path, err
	}
	path.Attr = attr
	p.pos = end
	label := p.s[start:end]
	if p.pos < len(p.s) && p.s[p.pos] == '[' {
		if path.Filter, err = p.parseValueFilter(attr, label); err != nil {
			return path, err
		}
		if p.pos < len(p.s) && p.s[p.pos] == '.' {
			if path.Sub, err = p.subAfterBracket(label); err != nil {
				return path, err
			}
		}
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		expected := `"[" or the end of the path`
		if path.Filter != nil {
			expected = `"." and a sub-attribute name or the end of the path`
			if path.Sub != "" {
				expected = "the end of the path"
			}
		}
		return path, p.errAt(p.pos, "expected "+expected+", found "+p.describe(p.pos)+"; a PATCH path is an attribute, optionally followed by a value filter in brackets, not a filter expression")
	}
	return path, nil
}
