package filter

import "strings"

// attrPath splits and checks the path token s[start:end]:
// [URN ":"] ATTRNAME ["." ATTRNAME]. The URN is everything before the
// last ':', since URNs contain ':' and attribute names cannot.
func (p *parser) attrPath(start, end int) (AttrPath, *Error) {
	tok := p.s[start:end]
	var a AttrPath
	nameOff := start
	if i := strings.LastIndexByte(tok, ':'); i >= 0 {
		a.URN = tok[:i]
		nameOff = start + i + 1
		if err := p.checkURN(a.URN, start, tok); err != nil {
			return a, err
		}
		if nameOff == end {
			return a, p.errAt(nameOff, "expected an attribute name after the schema URN "+quote(a.URN))
		}
	}
	name := p.s[nameOff:end]
	if dot := strings.IndexByte(name, '.'); dot >= 0 {
		a.Sub = name[dot+1:]
		name = name[:dot]
		if strings.Contains(tok, "..") {
			return a, p.errAt(start, "invalid attribute path "+quote(tok)+": expected an attribute name between the dots")
		}
		if strings.IndexByte(a.Sub, '.') >= 0 {
			return a, p.errAt(start, "invalid attribute path "+quote(tok)+": at most one sub-attribute (name.sub) is allowed")
		}
		if name == "" {
			return a, p.errAt(nameOff, "expected an attribute name before "+quote("."+a.Sub))
		}
		if a.Sub == "" {
			return a, p.errAt(end, "expected a sub-attribute name after "+quote(tok))
		}
		if err := p.checkName(a.Sub, nameOff+dot+1); err != nil {
			return a, err
		}
	}
	if err := p.checkName(name, nameOff); err != nil {
		return a, err
	}
	a.Name = name
	if p.outer != "" && (a.URN != "" || a.Sub != "") {
		return a, p.errAt(start, "inside "+quote(p.outer+"[...]")+" name a sub-attribute of "+quote(p.outer)+" such as type or value, without a schema URN or \".\"; found "+quote(tok))
	}
	return a, nil
}

// checkName checks an ATTRNAME (RFC 7644: ALPHA *(ALPHA / DIGIT / "-" /
// "_")) or the special sub-attribute $ref.
func (p *parser) checkName(name string, off int) *Error {
	ok := name != "" && isAlpha(name[0])
	for i := 1; ok && i < len(name); i++ {
		ok = isNameChar(name[i])
	}
	if ok || equalFold(name, "$ref") {
		return nil
	}
	return p.errAt(off, "invalid attribute name "+quote(name)+`: names start with a letter and contain only letters, digits, "-" and "_"`)
}

// checkURN checks the schema URN prefix of an attribute path. Its
// character set is already limited by isPathChar.
func (p *parser) checkURN(urn string, start int, tok string) *Error {
	if len(urn) < 5 || !equalFold(urn[:4], "urn:") || strings.Contains(urn, "::") || strings.IndexByte(urn, '$') >= 0 || urn[len(urn)-1] == '.' {
		return p.errAt(start, "invalid schema URN "+quote(urn)+" in "+quote(tok)+": expected a URN such as urn:ietf:params:scim:schemas:core:2.0:User before the last \":\"")
	}
	return nil
}
