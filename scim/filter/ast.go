package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AttrPath names an attribute: an optional schema URN, an attribute name
// and an optional sub-attribute (RFC 7644 attrPath).
//
// Inside a ValuePath filter, paths are relative to the multi-valued
// attribute: Name is its sub-attribute (e.g. "type") and URN and Sub are
// always empty.
type AttrPath struct {
	URN  string // e.g. "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"; "" when not qualified
	Name string // e.g. "userName", "emails", "members", "$ref"
	Sub  string // e.g. "givenName" in name.givenName; "" when absent
}

// String returns the path as written in a filter, e.g.
// "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName".
func (a AttrPath) String() string {
	var b strings.Builder
	a.write(&b)
	return b.String()
}

func (a AttrPath) write(b *strings.Builder) {
	if a.URN != "" {
		b.WriteString(a.URN)
		b.WriteByte(':')
	}
	b.WriteString(a.Name)
	if a.Sub != "" {
		b.WriteByte('.')
		b.WriteString(a.Sub)
	}
}

// Op is a comparison operator of an attribute expression. The zero Op is
// invalid so that a forgotten field is caught rather than read as Eq.
type Op int

// Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt and Le are the comparison operators of
// RFC 7644 §3.4.2.2. "pr" is not an Op: it is the Present expression.
const (
	Eq Op = iota + 1 // equal
	Ne               // not equal
	Co               // contains
	Sw               // starts with
	Ew               // ends with
	Gt               // greater than
	Ge               // greater than or equal
	Lt               // less than
	Le               // less than or equal
)

var opNames = [...]string{Eq: "eq", Ne: "ne", Co: "co", Sw: "sw", Ew: "ew", Gt: "gt", Ge: "ge", Lt: "lt", Le: "le"}

// String returns the operator as written in a filter, in lower case
// ("eq", "ne", ...).
func (o Op) String() string {
	if o >= Eq && o <= Le {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// ValueKind is the JSON type of a comparison value. The zero ValueKind is
// invalid.
type ValueKind int

// String, Number, Bool and Null are the kinds of comparison value (RFC
// 7644 compValue).
const (
	String ValueKind = iota + 1 // a JSON string, in Value.Str
	Number                      // a JSON number, in Value.Num
	Bool                        // true or false, in Value.Bool
	Null                        // null
)

// String returns the JSON type name: "string", "number", "boolean" or "null".
func (k ValueKind) String() string {
	switch k {
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case Null:
		return "null"
	}
	return "ValueKind(" + strconv.Itoa(int(k)) + ")"
}

// Value is the literal on the right of a comparison. Only the field
// matching Kind is set.
type Value struct {
	Kind ValueKind
	Str  string // String: the unescaped text
	Num  string // Number: the literal as written (JSON grammar), e.g. "12.5", "-1e3"; kept verbatim so no precision is lost
	Bool bool   // Bool: the value
}

// String returns the value as a JSON literal, as it appears in a filter.
func (v Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

// Float returns a Number value as a float64. It fails for other kinds and
// for numbers out of the float64 range.
func (v Value) Float() (float64, error) {
	if v.Kind != Number {
		return 0, fmt.Errorf("filter: %s value is not a number", v.Kind)
	}
	return strconv.ParseFloat(v.Num, 64)
}

// Int returns a Number value as an int64. It fails for other kinds and for
// numbers written with a fraction or exponent or out of the int64 range,
// so that integer attributes are never compared against rounded values.
func (v Value) Int() (int64, error) {
	if v.Kind != Number {
		return 0, fmt.Errorf("filter: %s value is not a number", v.Kind)
	}
	return strconv.ParseInt(v.Num, 10, 64)
}

func (v Value) write(b *strings.Builder) {
	switch v.Kind {
	case String:
		writeJSONString(b, v.Str)
	case Number:
		b.WriteString(v.Num)
	case Bool:
		if v.Bool {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	default: // Null, and the invalid zero kind, which has no other spelling
		b.WriteString("null")
	}
}

// writeJSONString writes s as a JSON string that Parse reads back to s.
// Invalid UTF-8 (only possible in hand-built values) becomes U+FFFD.
func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i++
			start = i
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
		i++
		start = i
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// Expr is a parsed filter: one of Compare, Present, And, Or, Not or
// ValuePath (always these value types, never pointers to them).
type Expr interface {
	// String returns the canonical filter text, which Parse reads back
	// to an equal Expr.
	String() string
	// write appends the filter, in parentheses when its precedence is
	// below minPrec. Being unexported, it also seals the interface.
	write(b *strings.Builder, minPrec int)
}

// Precedence levels used when printing, lowest first.
const (
	precOr = iota + 1
	precAnd
	precAtom // comparisons, presence tests, not (...) and value paths
)

// Compare is an attribute comparison such as userName eq "bjensen".
type Compare struct {
	Path  AttrPath
	Op    Op
	Value Value
}

// Present is a presence test such as title pr: true when the attribute
// has a non-empty value.
type Present struct {
	Path AttrPath
}

// And is true when both Left and Right are. Chains are left-associative:
// a and b and c is And{And{a, b}, c}.
type And struct {
	Left, Right Expr
}

// Or is true when Left or Right is. Chains are left-associative.
type Or struct {
	Left, Right Expr
}

// Not negates X; it is written not (X).
type Not struct {
	X Expr
}

// ValuePath is attr[filter]: true when one value of the multi-valued
// attribute Path matches Filter. Paths inside Filter are relative to the
// attribute (their Name is the sub-attribute, e.g. "type"), and Filter
// contains no ValuePath.
//
// Entra's form emails[type eq "work"].value eq "x" is normalised to
// ValuePath{emails, And{type eq "work", value eq "x"}}, which is what it
// means: a single email value must satisfy both.
type ValuePath struct {
	Path   AttrPath
	Filter Expr
}

func exprString(e Expr) string {
	var b strings.Builder
	b.Grow(64)
	e.write(&b, 0)
	return b.String()
}

// String returns the canonical filter text.
func (e Compare) String() string { return exprString(e) }

// String returns the canonical filter text.
func (e Present) String() string { return exprString(e) }

// String returns the canonical filter text.
func (e And) String() string { return exprString(e) }

// String returns the canonical filter text.
func (e Or) String() string { return exprString(e) }

// String returns the canonical filter text.
func (e Not) String() string { return exprString(e) }

// String returns the canonical filter text.
func (e ValuePath) String() string { return exprString(e) }

func (e Compare) write(b *strings.Builder, _ int) {
	e.Path.write(b)
	b.WriteByte(' ')
	b.WriteString(e.Op.String())
	b.WriteByte(' ')
	e.Value.write(b)
}

func (e Present) write(b *strings.Builder, _ int) {
	e.Path.write(b)
	b.WriteString(" pr")
}

// writeBinary prints a left-associative operator: the right operand needs
// parentheses when it is the same operator, so the AST shape survives a
// round trip.
func writeBinary(b *strings.Builder, minPrec, prec int, kw string, l, r Expr) {
	if l == nil || r == nil { // only in hand-built ASTs; print something visible
		b.WriteString("<nil>")
		return
	}
	paren := minPrec > prec
	if paren {
		b.WriteByte('(')
	}
	l.write(b, prec)
	b.WriteString(kw)
	r.write(b, prec+1)
	if paren {
		b.WriteByte(')')
	}
}

func (e And) write(b *strings.Builder, minPrec int) {
	writeBinary(b, minPrec, precAnd, " and ", e.Left, e.Right)
}

func (e Or) write(b *strings.Builder, minPrec int) {
	writeBinary(b, minPrec, precOr, " or ", e.Left, e.Right)
}

func (e Not) write(b *strings.Builder, _ int) {
	b.WriteString("not (")
	writeExpr(b, e.X)
	b.WriteByte(')')
}

func (e ValuePath) write(b *strings.Builder, _ int) {
	e.Path.write(b)
	b.WriteByte('[')
	writeExpr(b, e.Filter)
	b.WriteByte(']')
}

func writeExpr(b *strings.Builder, e Expr) {
	if e == nil {
		b.WriteString("<nil>")
		return
	}
	e.write(b, 0)
}
