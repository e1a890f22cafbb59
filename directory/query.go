package directory

import "time"

// Attr names an attribute a query can filter or sort on. Protocol layers map
// their own attribute names onto these; stores compile them to columns.
type Attr string

// User attributes.
const (
	AttrID                Attr = "id"
	AttrUserName          Attr = "userName"
	AttrExternalID        Attr = "externalId"
	AttrNameFormatted     Attr = "name.formatted"
	AttrFamilyName        Attr = "name.familyName"
	AttrGivenName         Attr = "name.givenName"
	AttrMiddleName        Attr = "name.middleName"
	AttrHonorificPrefix   Attr = "name.honorificPrefix"
	AttrHonorificSuffix   Attr = "name.honorificSuffix"
	AttrDisplayName       Attr = "displayName"
	AttrNickName          Attr = "nickName"
	AttrProfileURL        Attr = "profileUrl"
	AttrTitle             Attr = "title"
	AttrUserType          Attr = "userType"
	AttrPreferredLanguage Attr = "preferredLanguage"
	AttrLocale            Attr = "locale"
	AttrTimezone          Attr = "timezone"
	AttrActive            Attr = "active"
	AttrRole              Attr = "role"
	AttrSource            Attr = "source"
	AttrExtension         Attr = "extension"
	AttrAvailability      Attr = "availability"
	AttrOrganizationID    Attr = "organizationId"
	AttrEmployeeNumber    Attr = "employeeNumber"
	AttrCostCenter        Attr = "costCenter"
	AttrOrganization      Attr = "organization"
	AttrDivision          Attr = "division"
	AttrDepartment        Attr = "department"
	AttrManagerID         Attr = "manager.value"
	AttrBreakGlass        Attr = "breakGlass"
	AttrCreated           Attr = "meta.created"
	AttrUpdated           Attr = "meta.lastModified"
	AttrVersion           Attr = "meta.version"
	// AttrGroupID and AttrGroupName match a user by a team they are in.
	AttrGroupID   Attr = "groups.value"
	AttrGroupName Attr = "groups.display"
)

// Team attributes (AttrID, AttrDisplayName, AttrExternalID, AttrCreated,
// AttrUpdated and AttrVersion apply to teams too).
const (
	// AttrMemberID matches a team by one of its members' user id.
	AttrMemberID Attr = "members.value"
)

// Identity attributes, valid only inside Any.
const (
	AttrIdentityValue    Attr = "value"
	AttrIdentityType     Attr = "type"
	AttrIdentityPrimary  Attr = "primary"
	AttrIdentityVerified Attr = "verified"
	AttrIdentityDisplay  Attr = "display"
)

// CustomAttr names the custom field name.
func CustomAttr(name string) Attr { return Attr("custom." + name) }

// Op is a comparison.
type Op string

// The comparisons (RFC 7644 §3.4.2.2 names them).
const (
	OpEq Op = "eq"
	OpNe Op = "ne"
	OpCo Op = "co" // contains
	OpSw Op = "sw" // starts with
	OpEw Op = "ew" // ends with
	OpGt Op = "gt"
	OpGe Op = "ge"
	OpLt Op = "lt"
	OpLe Op = "le"
)

// Expr is a filter: a tree of the types below. It is how a query reaches a
// store; no protocol's syntax does.
type Expr interface{ expr() }

// Cmp compares an attribute with a value: a string, bool, float64, int64 or
// time.Time. With Fold, strings compare case-insensitively. A comparison
// with an attribute that has no value is false, except ne, which is true.
type Cmp struct {
	Attr  Attr
	Op    Op
	Value any
	Fold  bool
}

// Present is true when the attribute has a non-empty value.
type Present struct{ Attr Attr }

// And is true when both sides are.
type And struct{ Left, Right Expr }

// Or is true when either side is.
type Or struct{ Left, Right Expr }

// Not is true when X is false.
type Not struct{ X Expr }

// Any is true when one of the user's identities of Kind satisfies Where,
// whose attributes are identity attributes (AttrIdentityValue, ...).
type Any struct {
	Kind  IdentityKind
	Where Expr // nil: any identity of Kind at all
}

// True matches everything; False matches nothing.
type (
	True  struct{}
	False struct{}
)

func (Cmp) expr()     {}
func (Present) expr() {}
func (And) expr()     {}
func (Or) expr()      {}
func (Not) expr()     {}
func (Any) expr()     {}
func (True) expr()    {}
func (False) expr()   {}

// Query selects a page of users or teams.
type Query struct {
	Filter Expr // nil: all
	// SortBy orders the results, then id breaks ties; "" orders by id
	// (creation order), which is stable across pages.
	SortBy   Attr
	SortDesc bool
	SortFold bool
	// Offset skips that many results (startIndex-1 in SCIM).
	Offset int
	// After continues after the cursor a previous page returned (RFC 9865).
	After *Cursor
	// Limit is the page size; 0 returns no rows, only the total.
	Limit int
	// Count asks for Total.
	Count bool
	// WithGroups fills in each user's Groups; WithMembers fills in each
	// team's Members. Without them, no membership row is read.
	WithGroups  bool
	WithMembers bool
	// IncludeDeleted returns tombstones too.
	IncludeDeleted bool
}

// Cursor is a position in a keyset-ordered list: the sort value and the id
// of the last row returned.
type Cursor struct {
	Value any // string, bool, float64, time.Time or nil
	ID    string
}

// UserPage is one page of users.
type UserPage struct {
	Users []*User
	Total int     // when Query.Count was set
	Next  *Cursor // nil on the last page
}

// TeamPage is one page of teams.
type TeamPage struct {
	Teams []*Team
	Total int
	Next  *Cursor
}

// TimeValue is how a filter value that names a time must reach a store:
// UTC, to the microsecond, the precision every store keeps.
func TimeValue(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
