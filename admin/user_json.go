package admin

import (
	"time"

	"github.com/scimd/scimd/directory"
)

// Owners of a field, as "owners" says them.
const (
	OwnerIdP   = "idp"   // the identity provider sends it: read-only here
	OwnerLocal = "local" // the tenant's admins edit it
)

// userJSON is a user as this API shows it. Member names are the
// directory's field names (the ones "owners", errors and the audit log
// use): name parts under "name", custom fields under "custom", the
// enterprise attributes at the top. Every editable member is always
// present, empty or not, so a form can be built from any answer.
type userJSON struct {
	ID                 string              `json:"id"`
	UserName           string              `json:"userName"`
	ExternalID         string              `json:"externalId"`
	Name               nameJSON            `json:"name"`
	DisplayName        string              `json:"displayName"`
	NickName           string              `json:"nickName"`
	ProfileURL         string              `json:"profileUrl"`
	Title              string              `json:"title"`
	UserType           string              `json:"userType"`
	PreferredLanguage  string              `json:"preferredLanguage"`
	Locale             string              `json:"locale"`
	Timezone           string              `json:"timezone"`
	Active             bool                `json:"active"`
	Role               directory.Role      `json:"role"`
	Availability       string              `json:"availability"`
	Extension          string              `json:"extension"`
	OrganizationID     string              `json:"organizationId"`
	EmployeeNumber     string              `json:"employeeNumber"`
	CostCenter         string              `json:"costCenter"`
	Organization       string              `json:"organization"`
	Division           string              `json:"division"`
	Department         string              `json:"department"`
	Manager            string              `json:"manager"`
	ManagerDisplayName string              `json:"managerDisplayName,omitempty"`
	Custom             map[string]any      `json:"custom"`
	Identities         []identityJSON      `json:"identities"`
	Teams              []teamRefJSON       `json:"teams"`
	Addresses          []directory.Address `json:"addresses,omitempty"`
	IMs                []directory.Value   `json:"ims,omitempty"`
	Photos             []directory.Value   `json:"photos,omitempty"`
	Roles              []directory.Value   `json:"roles,omitempty"`
	Entitlements       []directory.Value   `json:"entitlements,omitempty"`
	X509Certificates   []directory.Value   `json:"x509Certificates,omitempty"`
	BreakGlass         bool                `json:"breakGlass"`
	Source             directory.Source    `json:"source"`
	// Owners says, for every field (and every custom field the tenant
	// defines), whether the identity provider owns it ("idp": shown,
	// read-only) or the tenant does ("local").
	Owners  map[string]string `json:"owners"`
	Version int64             `json:"version"`
	Created string            `json:"created"`
	Updated string            `json:"updated"`
}

type nameJSON struct {
	Formatted       string `json:"formatted"`
	FamilyName      string `json:"familyName"`
	GivenName       string `json:"givenName"`
	MiddleName      string `json:"middleName"`
	HonorificPrefix string `json:"honorificPrefix"`
	HonorificSuffix string `json:"honorificSuffix"`
}

type identityJSON struct {
	ID         string                 `json:"id"`
	Kind       directory.IdentityKind `json:"kind"`
	Value      string                 `json:"value"`
	Type       string                 `json:"type"`
	Display    string                 `json:"display,omitempty"`
	Primary    bool                   `json:"primary"`
	Verified   bool                   `json:"verified"`
	Registered bool                   `json:"registered"`
}

type teamRefJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// timeJSON writes a time as RFC 3339 in UTC, to the microsecond stores
// keep.
func timeJSON(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// owner says who owns field of u.
func owner(u *directory.User, field string) string {
	if u.Source == directory.SourceSCIM && u.IdPOwned.Has(field) {
		return OwnerIdP
	}
	return OwnerLocal
}

// userView renders u. defs are the tenant's custom fields, so that owners
// covers each of them, set or not.
func userView(u *directory.User, defs []*directory.CustomField) *userJSON {
	out := &userJSON{
		ID: u.ID, UserName: u.UserName, ExternalID: u.ExternalID, Name: nameJSON(u.Name),
		DisplayName: u.DisplayName, NickName: u.NickName, ProfileURL: u.ProfileURL, Title: u.Title,
		UserType: u.UserType, PreferredLanguage: u.PreferredLanguage, Locale: u.Locale, Timezone: u.Timezone,
		Active: u.Active, Role: u.Role, Availability: string(u.Availability), Extension: u.Extension,
		OrganizationID: u.OrganizationID, EmployeeNumber: u.Enterprise.EmployeeNumber,
		CostCenter: u.Enterprise.CostCenter, Organization: u.Enterprise.Organization,
		Division: u.Enterprise.Division, Department: u.Enterprise.Department,
		Manager: u.Enterprise.ManagerID, ManagerDisplayName: u.Enterprise.ManagerName,
		Custom: u.Custom, Identities: []identityJSON{}, Teams: []teamRefJSON{},
		Addresses: u.Multi.Addresses, IMs: u.Multi.IMs, Photos: u.Multi.Photos, Roles: u.Multi.Roles,
		Entitlements: u.Multi.Entitlements, X509Certificates: u.Multi.X509Certificates,
		BreakGlass: u.BreakGlass, Source: u.Source, Owners: map[string]string{},
		Version: u.Version, Created: timeJSON(u.Created), Updated: timeJSON(u.Updated),
	}
	if out.Custom == nil {
		out.Custom = map[string]any{}
	}
	for _, id := range u.Identities {
		out.Identities = append(out.Identities, identityJSON{ID: id.ID, Kind: id.Kind, Value: id.Value, Type: id.Type,
			Display: id.Display, Primary: id.Primary, Verified: id.Verified, Registered: id.Registered})
	}
	for _, g := range u.Groups {
		out.Teams = append(out.Teams, teamRefJSON{ID: g.ID, DisplayName: g.DisplayName})
	}
	for _, f := range directory.UserFieldNames() {
		out.Owners[f] = owner(u, f)
	}
	for _, d := range defs {
		f := directory.FieldCustomPrefix + d.Name
		out.Owners[f] = owner(u, f)
	}
	return out
}
