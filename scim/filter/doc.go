// Package filter parses SCIM 2.0 filters (RFC 7644 §3.4.2.2) and PATCH
// paths (RFC 7644 §3.5.2) into a small, immutable AST.
//
// Parse and ParsePath are hardened for untrusted input: the input length,
// nesting depth and number of conditions are bounded (MaxLength, MaxDepth,
// MaxTerms) and checked while parsing, so hostile input fails in time
// linear in its (bounded) length. Every failure is an *Error whose message
// is meant to be shown to an identity-provider administrator as is.
//
// The AST is made of the value types Compare, Present, And, Or, Not and
// ValuePath; switch on them without pointers:
//
//	switch e := expr.(type) {
//	case filter.Compare:
//	case filter.Present:
//	case filter.And:
//	...
//	}
//
// String on any node prints a canonical filter that Parse reads back to an
// equal AST, so filters can be logged, cached or forwarded safely.
//
// Attribute names, URNs and sub-attribute names keep the case they were
// written in; SCIM treats them as case-insensitive, so consumers should
// compare them with strings.EqualFold. Operators, logical keywords and the
// literals true, false and null are case-insensitive and normalised.
package filter
