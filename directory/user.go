package directory

import (
	"maps"
	"slices"
	"time"
)

// Role is what a user may do in a tenant. Owners and admins administer it;
// agents and collaborators are staff who take a seat; customers are the
// people staff serve.
type Role string

// The roles, from most to least privileged.
const (
	RoleOwner        Role = "owner"
	RoleAdmin        Role = "admin"
	RoleAgent        Role = "agent"
	RoleCollaborator Role = "collaborator"
	RoleCustomer     Role = "customer"
)

// Roles lists every role, most privileged first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleAgent, RoleCollaborator, RoleCustomer}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Staff reports whether a user with this role takes one of the tenant's seats.
func (r Role) Staff() bool { return r.Valid() && r != RoleCustomer }

// Administers reports whether the role may administer the tenant.
func (r Role) Administers() bool { return r == RoleOwner || r == RoleAdmin }

// Availability is a staff member's presence, as a phone system or help desk
// routes work by it.
type Availability string

// The availabilities.
const (
	Available Availability = "available"
	Away      Availability = "away"
	Busy      Availability = "busy"
	Offline   Availability = "offline"
)

// Valid reports whether a is a known availability.
func (a Availability) Valid() bool {
	switch a {
	case Available, Away, Busy, Offline:
		return true
	}
	return false
}

// Source says who created a record: the tenant's identity provider over
// SCIM, or someone working locally.
type Source string

// The sources.
const (
	SourceSCIM  Source = "scim"
	SourceLocal Source = "local"
)

// Name holds the parts of a person's name (RFC 7643 §4.1.1).
type Name struct {
	Formatted       string
	FamilyName      string
	GivenName       string
	MiddleName      string
	HonorificPrefix string
	HonorificSuffix string
}

// Enterprise holds the RFC 7643 §4.3 enterprise attributes.
type Enterprise struct {
	EmployeeNumber string
	CostCenter     string
	Organization   string
	Division       string
	Department     string
	ManagerID      string // a user id in the same tenant, or ""
	// ManagerName is the manager's display name, filled in on read; it is
	// never written.
	ManagerName string
}

// Value is one value of a simple multi-valued attribute (roles,
// entitlements, ims, photos, x509Certificates).
type Value struct {
	Value   string `json:"value,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// Address is a postal address (RFC 7643 §4.1.2).
type Address struct {
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"streetAddress,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
	Country       string `json:"country,omitempty"`
	Type          string `json:"type,omitempty"`
	Primary       bool   `json:"primary,omitempty"`
}

// Multi holds the multi-valued attributes the directory keeps but applies no
// rule to. Stores keep it as one document.
type Multi struct {
	Addresses        []Address `json:"addresses,omitempty"`
	Roles            []Value   `json:"roles,omitempty"`
	Entitlements     []Value   `json:"entitlements,omitempty"`
	IMs              []Value   `json:"ims,omitempty"`
	Photos           []Value   `json:"photos,omitempty"`
	X509Certificates []Value   `json:"x509Certificates,omitempty"`
}

// GroupRef is a team a user belongs to, as read back with the user.
type GroupRef struct {
	ID          string
	DisplayName string
}

// User is a person in a tenant: staff or customer.
type User struct {
	ID       string
	TenantID int64
	// UserName is unique in the tenant among live users, compared
	// case-insensitively.
	UserName          string
	ExternalID        string
	Name              Name
	DisplayName       string
	NickName          string
	ProfileURL        string
	Title             string
	UserType          string
	PreferredLanguage string
	Locale            string
	Timezone          string // an IANA name, or ""
	Active            bool
	Role              Role
	Source            Source
	// IdPOwned lists the fields the identity provider has sent for this
	// user; local edits to them are refused.
	IdPOwned       FieldSet
	OrganizationID string
	// Extension is the user's phone extension, unique in the tenant among
	// live users, or "".
	Extension    string
	Availability Availability
	// Custom holds the values of the tenant's custom fields by name: a
	// string, float64, bool or nil, as the field's type says.
	Custom     map[string]any
	Enterprise Enterprise
	Identities []Identity
	Multi      Multi
	// PasswordHash is a PHC-format hash ("$argon2id$..."), or "".
	PasswordHash string
	BreakGlass   bool
	Version      int64
	Created      time.Time
	Updated      time.Time
	Deleted      *time.Time
	// Groups is filled in on read when asked for; it is never written.
	Groups []GroupRef
}

// Clone returns a deep copy of u, so an update can be compared with what
// it started from.
func (u *User) Clone() *User {
	c := *u
	c.IdPOwned = slices.Clone(u.IdPOwned)
	c.Custom = maps.Clone(u.Custom)
	c.Identities = slices.Clone(u.Identities)
	c.Multi = Multi{
		Addresses:        slices.Clone(u.Multi.Addresses),
		Roles:            slices.Clone(u.Multi.Roles),
		Entitlements:     slices.Clone(u.Multi.Entitlements),
		IMs:              slices.Clone(u.Multi.IMs),
		Photos:           slices.Clone(u.Multi.Photos),
		X509Certificates: slices.Clone(u.Multi.X509Certificates),
	}
	c.Groups = slices.Clone(u.Groups)
	if u.Deleted != nil {
		d := *u.Deleted
		c.Deleted = &d
	}
	return &c
}

// TakesSeat reports whether u counts against the tenant's seats: a live,
// active staff member.
func (u *User) TakesSeat() bool {
	return u.Deleted == nil && u.Active && u.Role.Staff()
}

// ActiveAdmin reports whether u is a live, active owner or admin: one of
// those the last-admin rule counts.
func (u *User) ActiveAdmin() bool {
	return u.Deleted == nil && u.Active && u.Role.Administers()
}

// PrimaryEmail returns the value of the primary email, or of the first email
// when none is primary, or "".
func (u *User) PrimaryEmail() string {
	first := ""
	for _, id := range u.Identities {
		if id.Kind != KindEmail {
			continue
		}
		if id.Primary {
			return id.Value
		}
		if first == "" {
			first = id.Value
		}
	}
	return first
}
