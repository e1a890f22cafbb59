// Package schema describes the SCIM resources scimd serves (RFC 7643 §7):
// their attributes with type, mutability, returned, uniqueness and
// caseExact. The handlers read it to answer /Schemas and /ResourceTypes, to
// decide case sensitivity in filters, and to find attributes by name,
// which SCIM compares case-insensitively.
package schema

import "strings"

// Type is an attribute's data type (RFC 7643 §2.3).
type Type string

// The types.
const (
	String    Type = "string"
	Boolean   Type = "boolean"
	Decimal   Type = "decimal"
	Integer   Type = "integer"
	DateTime  Type = "dateTime"
	Reference Type = "reference"
	Binary    Type = "binary"
	Complex   Type = "complex"
)

// Mutability, returned and uniqueness values (RFC 7643 §7).
const (
	ReadOnly  = "readOnly"
	ReadWrite = "readWrite"
	Immutable = "immutable"
	WriteOnly = "writeOnly"

	Always  = "always"
	Never   = "never"
	Default = "default"
	Request = "request"

	None   = "none"
	Server = "server"
	Global = "global"
)

// Attribute defines one attribute, as /Schemas shows it.
type Attribute struct {
	Name            string       `json:"name"`
	Type            Type         `json:"type"`
	SubAttributes   []*Attribute `json:"subAttributes,omitempty"`
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description"`
	Required        bool         `json:"required"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	CaseExact       bool         `json:"caseExact"`
	Mutability      string       `json:"mutability"`
	Returned        string       `json:"returned"`
	Uniqueness      string       `json:"uniqueness"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"`
}

// Sub returns the sub-attribute named name, compared case-insensitively,
// or nil.
func (a *Attribute) Sub(name string) *Attribute { return find(a.SubAttributes, name) }

// Schema is one schema: a core resource schema or an extension.
type Schema struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Attributes  []*Attribute `json:"attributes"`
}

// Attr returns the attribute named name, compared case-insensitively, or
// nil.
func (s *Schema) Attr(name string) *Attribute { return find(s.Attributes, name) }

func find(list []*Attribute, name string) *Attribute {
	for _, a := range list {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// Schema URNs.
const (
	UserURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupURN      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ScimdURN      = "urn:ietf:params:scim:schemas:extension:scimd:2.0:User"
)

// attr builds a single-valued, read-write, returned-by-default, not
// unique, case-insensitive string attribute; the option functions change
// that.
func attr(name, desc string, opts ...func(*Attribute)) *Attribute {
	a := &Attribute{Name: name, Type: String, Description: desc, Mutability: ReadWrite, Returned: Default, Uniqueness: None}
	for _, o := range opts {
		o(a)
	}
	return a
}

func typ(t Type) func(*Attribute)            { return func(a *Attribute) { a.Type = t } }
func multi(a *Attribute)                     { a.MultiValued = true }
func required(a *Attribute)                  { a.Required = true }
func caseExact(a *Attribute)                 { a.CaseExact = true }
func mutability(m string) func(*Attribute)   { return func(a *Attribute) { a.Mutability = m } }
func returned(r string) func(*Attribute)     { return func(a *Attribute) { a.Returned = r } }
func uniqueness(u string) func(*Attribute)   { return func(a *Attribute) { a.Uniqueness = u } }
func canonical(v ...string) func(*Attribute) { return func(a *Attribute) { a.CanonicalValues = v } }
func refs(v ...string) func(*Attribute) {
	return func(a *Attribute) { a.Type, a.ReferenceTypes = Reference, v }
}
func subs(s ...*Attribute) func(*Attribute) {
	return func(a *Attribute) { a.Type, a.SubAttributes = Complex, s }
}

// multiValue builds the usual sub-attributes of a multi-valued attribute:
// value, display, type and primary.
func multiValue(name, desc string, value *Attribute, types ...string) *Attribute {
	return attr(name, desc, multi, subs(
		value,
		attr("display", "A human-readable name, primarily used for display purposes.", mutability(ReadWrite)),
		attr("type", "A label indicating the attribute's function.", canonical(types...)),
		attr("primary", "Whether this is the primary value of the attribute.", typ(Boolean)),
	))
}
