package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on untrusted input. They are far above what identity providers
// send (Okta and Entra typically send one to three conditions) and low enough that
// the parser, its recursion and the SQL built from the AST stay cheap.
const (
	// MaxLength is the longest filter or path accepted, in bytes.
	MaxLength = 4096
	// MaxDepth is the deepest nesting of parentheses, not (...) and value
	// filters (attr[...]) accepted.
	MaxDepth = 32
	// MaxTerms is the most comparisons and presence tests accepted in one
	// filter or path.
	MaxTerms = 64
)

const opList = "eq, ne, co, sw, ew, gt, ge, lt, le or pr"

// parser is a recursive-descent parser over the input string. It lives on
// the caller's stack; only the AST escapes.
type parser struct {
	s      string
	pos    int
	depth  int
	terms  int
	isPath bool   // parsing a PATCH path: changes the wording of errors
	outer  string // inside attr[...]: the attribute, for messages; "" outside
}

// Parse parses a SCIM filter (RFC 7644 §3.4.2.2), such as
//
//	userName eq "bjensen" and emails[type eq "work" and value co "@example.com"]
//
// "and" binds tighter than "or", both are left-associative, and "not" must
// be followed by a parenthesised filter. Any error is an *Error.
func Parse(s string) (Expr, error) {
	p := parser{s: s}
	e, err := p.parseFilter()
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (p *parser) parseFilter() (Expr, *Error) {
	if err := p.checkInput(); err != nil {
		return nil, err
	}
	e, err := p.parseOr("")
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ')':
			return nil, p.errAt(p.pos, `unexpected ")" without a matching "("`)
		case ']':
			return nil, p.errAt(p.pos, `unexpected "]" without a matching "["`)
		}
		return nil, p.errAt(p.pos, `expected "and", "or" or the end of the filter, found `+p.describe(p.pos))
	}
	return e, nil
}

// checkInput applies the checks that need no parsing, cheapest first, so
// oversized or binary input is rejected before any real work.
func (p *parser) checkInput() *Error {
	what := p.kind()
	if len(p.s) > MaxLength {
		return p.errAt(MaxLength, "the "+what+" is "+strconv.Itoa(len(p.s))+" bytes long; at most "+strconv.Itoa(MaxLength)+" are allowed")
	}
	if !utf8.ValidString(p.s) {
		i := 0
		for i < len(p.s) {
			r, n := utf8.DecodeRuneInString(p.s[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return p.errAt(i, "the "+what+" is not valid UTF-8 (byte 0x"+strconv.FormatUint(uint64(p.s[i]), 16)+")")
	}
	p.skipSpace()
	if p.pos == len(p.s) {
		return p.errAt(0, "the "+what+" is empty")
	}
	return nil
}

// enter records one more level of nesting for the construct at off.
func (p *parser) enter(off int) *Error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errAt(off, "the "+p.kind()+" is nested more than "+strconv.Itoa(MaxDepth)+` levels deep (parentheses, "not" and value filters)`)
	}
	return nil
}

// term counts one more comparison or presence test starting at off.
func (p *parser) term(off int) *Error {
	p.terms++
	if p.terms > MaxTerms {
		return p.errAt(off, "the "+p.kind()+" has more than "+strconv.Itoa(MaxTerms)+" conditions (comparisons and presence tests)")
	}
	return nil
}

func (p *parser) kind() string {
	if p.isPath {
		return "path"
	}
	return "filter"
}

// keyword consumes the logical keyword kw ("and" or "or") if it comes
// next, after optional whitespace.
func (p *parser) keyword(kw string) bool {
	save := p.pos
	p.skipSpace()
	if end := p.wordEnd(p.pos); equalFold(p.s[p.pos:end], kw) {
		p.pos = end
		return true
	}
	p.pos = save
	return false
}

// parseOr parses: andExpr *("or" andExpr). after names the token before
// the filter, for messages.
func (p *parser) parseOr(after string) (Expr, *Error) {
	left, err := p.parseAnd(after)
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		right, err := p.parseAnd("or")
		if err != nil {
			return nil, err
		}
		left = Or{Left: left, Right: right}
	}
	return left, nil
}

// parseAnd parses: unary *("and" unary).
func (p *parser) parseAnd(after string) (Expr, *Error) {
	left, err := p.parseUnary(after)
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		right, err := p.parseUnary("and")
		if err != nil {
			return nil, err
		}
		left = And{Left: left, Right: right}
	}
	return left, nil
}

// parseUnary parses a comparison, presence test, value path, "(" filter ")"
// or "not" "(" filter ")".
func (p *parser) parseUnary(after string) (Expr, *Error) {
	p.skipSpace()
	if p.pos < len(p.s) {
		switch c := p.s[p.pos]; {
		case c == '(':
			return p.parseGroup(false)
		case isPathChar(c):
			start, end := p.pos, p.wordEnd(p.pos)
			if equalFold(p.s[start:end], "not") {
				if e, ok, err := p.parseNot(start, end); ok || err != nil {
					return e, err
				}
			}
			return p.parseAttrExpr(start, end)
		}
	}
	msg := "expected an attribute name"
	if p.outer == "" {
		msg += ` or "("`
	}
	if after != "" {
		msg += " after " + quote(after)
	}
	return nil, p.errAt(p.pos, msg+", found "+p.describe(p.pos))
}

// parseGroup parses "(" filter ")" at p.pos; not is true after "not".
func (p *parser) parseGroup(not bool) (Expr, *Error) {
	open := p.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	e, err := p.parseOr("(")
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, p.errAt(p.pos, `missing ")" to close the "(" at offset `+strconv.Itoa(open))
	}
	if p.s[p.pos] != ')' {
		return nil, p.errAt(p.pos, `expected "and", "or" or ")" to close the "(" at offset `+strconv.Itoa(open)+", found "+p.describe(p.pos))
	}
	p.pos++
	p.depth--
	if not {
		return Not{X: e}, nil
	}
	return e, nil
}

// parseNot handles the word "not" at start:end. It returns ok=false when
// "not" is really an attribute name (e.g. "not pr"), which the grammar
// allows because "not" must be followed by "(".
func (p *parser) parseNot(start, end int) (Expr, bool, *Error) {
	p.pos = end
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '(' {
		e, err := p.parseGroup(true)
		return e, true, err
	}
	// An attribute called "not" is followed by an operator or "[".
	next := p.s[p.pos:p.wordEnd(p.pos)]
	if _, isOp := lookupOp(next); (p.pos > end && !isOp && !equalFold(next, "pr")) || p.pos == len(p.s) {
		return nil, true, p.errAt(start, `"not" must be followed by a filter in parentheses, e.g. not (title pr)`)
	}
	p.pos = start
	return nil, false, nil
}

// parseAttrExpr parses what follows the path token at start:end: "[" for
// a value path, or an operator and value.
func (p *parser) parseAttrExpr(start, end int) (Expr, *Error) {
	path, err := p.attrPath(start, end)
	if err != nil {
		return nil, err
	}
	p.pos = end
	label := p.s[start:end]
	if end >= len(p.s) || p.s[end] != '[' {
		return p.parseOpValue(path, label, false, start)
	}
	filter, err := p.parseValueFilter(path, label)
	if err != nil {
		return nil, err
	}
	if p.pos >= len(p.s) || p.s[p.pos] != '.' {
		return ValuePath{Path: path, Filter: filter}, nil
	}
	// Entra's emails[type eq "work"].value eq "x": a condition on the
	// same value as the bracketed filter, so it joins it with "and".
	sub, err := p.subAfterBracket(label)
	if err != nil {
		return nil, err
	}
	cond, err := p.parseOpValue(AttrPath{Name: sub}, label, true, p.pos)
	if err != nil {
		return nil, err
	}
	return ValuePath{Path: path, Filter: And{Left: filter, Right: cond}}, nil
}

// parseValueFilter parses "[" valFilter "]" at p.pos for the attribute path.
func (p *parser) parseValueFilter(path AttrPath, label string) (Expr, *Error) {
	open := p.pos
	if p.outer != "" {
		return nil, p.errAt(open, "value filters cannot be nested: "+quote(label+"[")+" is inside "+quote(p.outer+"[...]"))
	}
	if path.Sub != "" {
		return nil, p.errAt(open, "a value filter in brackets must follow a multi-valued attribute such as emails, not the sub-attribute "+quote(label))
	}
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	p.outer = label
	filter, err := p.parseOr("[")
	if err != nil {
		return nil, err
	}
	p.outer = ""
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, p.errAt(p.pos, `missing "]" to close `+quote(label+"["))
	}
	if p.s[p.pos] != ']' {
		return nil, p.errAt(p.pos, `expected "and", "or" or "]" to close `+quote(label+"[")+", found "+p.describe(p.pos))
	}
	p.pos++
	p.depth--
	return filter, nil
}

// subAfterBracket parses "." ATTRNAME after a value filter's "]".
func (p *parser) subAfterBracket(label string) (string, *Error) {
	start := p.pos + 1
	end := p.wordEnd(start)
	sub := p.s[start:end]
	if sub == "" {
		return "", p.errAt(start, "expected a sub-attribute name after "+quote(label+"[...]."))
	}
	if strings.IndexByte(sub, '.') >= 0 || strings.IndexByte(sub, ':') >= 0 {
		return "", p.errAt(start, "invalid sub-attribute "+quote(sub)+" after "+quote(label+"[...]")+": only one plain sub-attribute name may follow the brackets")
	}
	if err := p.checkName(sub, start); err != nil {
		return "", err
	}
	p.pos = end
	return sub, nil
}

// parseOpValue parses the operator after an attribute path, then the
// value unless the operator is pr. label is the path as written; entra
// says it was followed by [...].sub, the sub-attribute being path.Name.
func (p *parser) parseOpValue(path AttrPath, label string, entra bool, start int) (Expr, *Error) {
	p.skipSpace()
	opStart := p.pos
	opEnd := p.wordEnd(opStart)
	word := p.s[opStart:opEnd]
	if word == "" {
		return nil, p.errAt(opStart, "expected a comparison operator after "+entraLabel(label, entra, path)+" ("+opList+"), found "+p.describe(opStart))
	}
	if err := p.term(start); err != nil {
		return nil, err
	}
	p.pos = opEnd
	if equalFold(word, "pr") {
		if err := p.checkNoValue(); err != nil {
			return nil, err
		}
		return Present{Path: path}, nil
	}
	op, ok := lookupOp(word)
	if !ok {
		return nil, p.errAt(opStart, "unknown comparison operator "+quote(word)+" after "+entraLabel(label, entra, path)+"; use "+opList)
	}
	p.skipSpace()
	v, err := p.parseValue(word)
	if err != nil {
		return nil, err
	}
	return Compare{Path: path, Op: op, Value: v}, nil
}

// entraLabel quotes the attribute an operator follows, for messages.
func entraLabel(label string, entra bool, path AttrPath) string {
	if entra {
		return quote(label + "[...]." + path.Name)
	}
	return quote(label)
}

// checkNoValue rejects a value after "pr", which is a common mistake
// (title pr "x"), with a message saying so.
func (p *parser) checkNoValue() *Error {
	i := p.pos
	for i < len(p.s) && isSpace(p.s[i]) {
		i++
	}
	if i < len(p.s) {
		c := p.s[i]
		w := p.s[i:p.wordEnd(i)]
		if c == '"' || c == '-' || isDigit(c) || equalFold(w, "true") || equalFold(w, "false") || equalFold(w, "null") {
			return p.errAt(i, `the "pr" (present) operator takes no value, found `+p.describe(i))
		}
	}
	if !p.atDelimiter() {
		return p.spaceError(`"pr"`)
	}
	return nil
}

// atDelimiter reports whether the token just read is followed by
// whitespace, a closing bracket or the end, so that "x"and or 1x are
// reported instead of being read as two tokens.
func (p *parser) atDelimiter() bool {
	if p.pos >= len(p.s) {
		return true
	}
	c := p.s[p.pos]
	return isSpace(c) || c == ')' || c == ']'
}

// spaceError reports a missing space after what (built only on error, to
// keep the success path free of allocations).
func (p *parser) spaceError(what string) *Error {
	return p.errAt(p.pos, "expected a space after "+what+", found "+p.describe(p.pos))
}

// parseValue parses a compValue: a JSON string, number, true, false or null.
func (p *parser) parseValue(opWord string) (Value, *Error) {
	start := p.pos
	var v Value
	if start < len(p.s) {
		switch c := p.s[start]; {
		case c == '"':
			str, err := p.scanString()
			if err != nil {
				return v, err
			}
			v = Value{Kind: String, Str: str}
		case c == '-' || isDigit(c):
			num, err := p.scanNumber()
			if err != nil {
				return v, err
			}
			v = Value{Kind: Number, Num: num}
		case isPathChar(c):
			end := p.wordEnd(start)
			switch w := p.s[start:end]; {
			case equalFold(w, "true"):
				v = Value{Kind: Bool, Bool: true}
			case equalFold(w, "false"):
				v = Value{Kind: Bool}
			case equalFold(w, "null"):
				v = Value{Kind: Null}
			default:
				return v, p.errAt(start, "expected a value after "+quote(opWord)+" (a string in double quotes, a number, true, false or null), found "+quote(w)+"; text must be in double quotes")
			}
			p.pos = end
		}
	}
	if v.Kind == 0 {
		return v, p.errAt(start, "expected a value after "+quote(opWord)+" (a string in double quotes, a number, true, false or null), found "+p.describe(start))
	}
	if !p.atDelimiter() {
		return v, p.spaceError("the value " + shorten(p.s[start:p.pos]))
	}
	return v, nil
}
