package sqlstore

import (
	"errors"
	"fmt"

	"github.com/scimd/scimd/directory"
)

// Dialect holds what differs between PostgreSQL and SQLite.
type Dialect struct {
	Name string
	// ForUpdate locks the rows a SELECT reads (PostgreSQL); SQLite has one
	// writer at a time and needs nothing.
	ForUpdate string
	// IDRows returns a subquery yielding one column, id, from a parameter
	// holding a JSON array of ids, so that a list of any length is one
	// parameter.
	IDRows func(param string) string
	// SeatLock is the statement that waits for every transaction writing
	// users to finish and keeps new ones out until its own ends, so that a
	// new seat limit can count who is there; "" when writers are already
	// serialized.
	SeatLock string
	// Violation reports the kind ("unique" or "check") and the constraint
	// (index) name of a constraint violation, or "" for other errors.
	Violation func(err error) (kind, constraint string)
	// JSONRows aggregates rows into one JSON array of arrays: elems are
	// the expressions of each inner array, order their order.
	JSONRows func(elems, order string) string
	// JSONRemove is the JSON object in col without the member named by
	// the parameter key; JSONHas is true when it has that member.
	JSONRemove, JSONHas func(col, key string) string
	// JSONText, JSONNumber and JSONBool read the member named by the
	// parameter key of the JSON object in column col, as text, a number
	// or a boolean (NULL when absent).
	JSONText, JSONNumber, JSONBool func(col, key string) string
	// Retryable reports an error after which the whole transaction may be
	// run again (a deadlock, a serialization failure).
	Retryable func(err error) bool
	// Unavailable reports an error that means the database can't be
	// reached (refused, dropped, shutting down); nil when the dialect
	// has none.
	Unavailable func(err error) bool
}

// constraints names what each unique index or check protects, so a
// violation becomes a ConflictError naming the field. The index names are
// the same in both schemas.
var constraints = map[string]directory.ConflictError{
	"tenants_slug":              {Kind: "tenant", Field: "slug"},
	"users_user_name_live":      {Kind: "user", Field: directory.FieldUserName},
	"users_extension_live":      {Kind: "user", Field: directory.FieldExtension},
	"identities_email_live":     {Kind: "user", Field: directory.FieldEmails},
	"teams_display_name_live":   {Kind: "team", Field: directory.FieldTeamName},
	"organizations_name":        {Kind: "organization", Field: directory.FieldOrgName},
	"organization_domains_pkey": {Kind: "organization", Field: directory.FieldOrgDomains},
	"custom_fields_name":        {Kind: "custom field", Field: directory.FieldCustomFieldName},
	"custom_fields_pkey":        {Kind: "custom field", Field: directory.FieldCustomFieldName},
	"sso_connections_name":      {Kind: "connection", Field: "name"},
}

// mapError turns driver errors into the directory's: no rows into
// ErrNotFound, a unique violation into a ConflictError, the seat check into
// an InvariantError. Every query's error passes through here, once.
func (s *Store) mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrNoRows) {
		return directory.ErrNotFound
	}
	if s.d.Unavailable != nil && !errors.Is(err, directory.ErrUnavailable) && s.d.Unavailable(err) {
		return fmt.Errorf("%w: %w", directory.ErrUnavailable, err)
	}
	kind, name := s.d.Violation(err)
	switch kind {
	case "unique":
		if c, ok := constraints[name]; ok {
			return &c
		}
		return &directory.ConflictError{Kind: "record", Field: name}
	case "check":
		if name == "tenants_seats_limit" {
			return &directory.InvariantError{Rule: directory.RuleSeats, Field: directory.FieldSeats, Detail: "all seats are taken"}
		}
	}
	return err
}
