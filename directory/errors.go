package directory

import (
	"errors"
	"fmt"
)

// ErrNotFound means the tenant, user, team or token does not exist, was
// deleted, or belongs to another tenant. A malformed id is also not found:
// both stores must say the same thing for it.
var ErrNotFound = errors.New("not found")

// ErrPrecondition means the record changed since the version the caller
// named (an HTTP If-Match that no longer holds).
var ErrPrecondition = errors.New("version mismatch")

// ConflictError means a value that must be unique in the tenant is taken:
// a userName, an email, an extension number, a team name or a tenant slug.
// Detail is written for the admin who will read it, for example "userName
// ada@acme.example is already used by another user".
type ConflictError struct {
	Kind  string // what holds the field: "user", "team", "organization", "custom field", "tenant"
	Field string // the field in conflict, by its Field name
	Value string // the value that is taken, when known
}

func (e *ConflictError) Error() string {
	return e.Detail()
}

// Detail is the sentence an admin reads.
func (e *ConflictError) Detail() string {
	switch {
	case e.Field == FieldExtension && e.Value != "":
		return fmt.Sprintf("extension %s belongs to another user; free it there first", e.Value)
	case e.Kind == "tenant" && e.Value != "":
		return fmt.Sprintf("tenant %s already exists", e.Value)
	case e.Value != "":
		return fmt.Sprintf("%s %s is already used by another %s", e.Field, e.Value, e.Kind)
	default:
		return fmt.Sprintf("%s is already used by another %s", e.Field, e.Kind)
	}
}

// ReadOnlyError refuses a local edit of a field that the tenant's identity
// provider owns. Nothing was written.
type ReadOnlyError struct {
	Field string
	Owner string // "idp"
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("%s is managed by your identity provider; change it there and it will sync", e.Field)
}

// Rules that InvariantError names.
const (
	RuleLastAdmin        = "last_admin"        // the last active owner or admin stays
	RuleOwnerProtected   = "owner_protected"   // only an owner edits an owner or makes one
	RulePrimaryIdentity  = "primary_identity"  // the only identity of a kind stays while primary
	RuleVerifiedPrimary  = "verified_primary"  // only a verified identity becomes primary
	RuleRegisteredMobile = "registered_mobile" // a registered mobile number never changes
	RuleSeats            = "seats"             // staff fit in the tenant's seats
	RuleBreakGlass       = "break_glass"       // break-glass accounts stay local
	RuleTokenScope       = "token_scope"
	RuleSSOEnforced      = "sso_enforced" // with SSO enforced, only break-glass accounts use passwords
)

// InvariantError refuses a change that would break one of the directory's
// rules. Detail says what the rule is and, where there is one, the way
// forward.
type InvariantError struct {
	Rule   string
	Field  string
	Detail string
}

func (e *InvariantError) Error() string { return e.Detail }

// ValidationError refuses a value that is malformed: an unknown time zone, a
// role that does not exist, an empty userName.
type ValidationError struct {
	Field  string
	Detail string
}

func (e *ValidationError) Error() string { return e.Detail }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Detail: fmt.Sprintf(format, args...)}
}

// IsConflict reports whether err is, or wraps, a ConflictError.
func IsConflict(err error) bool {
	_, ok := errors.AsType[*ConflictError](err)
	return ok
}
