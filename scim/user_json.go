package scim

import (
	"strconv"
	"time"

	"github.com/scimd/scimd/directory"
)

// Meta is a resource's meta attribute (RFC 7643 §3.1).
type Meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created"`
	LastModified string `json:"lastModified"`
	Location     string `json:"location"`
	Version      string `json:"version"`
}

// etag is a resource's weak entity tag, which meta.version repeats.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

func meta(kind, location string, created, updated time.Time, version int64) Meta {
	return Meta{
		ResourceType: kind,
		Created:      created.UTC().Format(time.RFC3339Nano),
		LastModified: updated.UTC().Format(time.RFC3339Nano),
		Location:     location,
		Version:      etag(version),
	}
}

type nameJSON struct {
	Formatted       string `json:"formatted,omitempty"`
	FamilyName      string `json:"familyName,omitempty"`
	GivenName       string `json:"givenName,omitempty"`
	MiddleName      string `json:"middleName,omitempty"`
	HonorificPrefix string `json:"honorificPrefix,omitempty"`
	HonorificSuffix string `json:"honorificSuffix,omitempty"`
}

type multiJSON struct {
	Value   string `json:"value"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

type groupRefJSON struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type"`
}

type managerJSON struct {
	Value       string `json:"value"`
	Ref         string `json:"$ref"`
	DisplayName string `json:"displayName,omitempty"`
}

type enterpriseJSON struct {
	EmployeeNumber string       `json:"employeeNumber,omitempty"`
	CostCenter     string       `json:"costCenter,omitempty"`
	Organization   string       `json:"organization,omitempty"`
	Division       string       `json:"division,omitempty"`
	Department     string       `json:"department,omitempty"`
	Manager        *managerJSON `json:"manager,omitempty"`
}

type scimdJSON struct {
	Extension    string         `json:"extension,omitempty"`
	Availability string         `json:"availability,omitempty"`
	Role         string         `json:"role,omitempty"`
	Custom       map[string]any `json:"customFields,omitempty"`
}

// userJSON is a User resource as we write it.
type userJSON struct {
	Schemas           []string            `json:"schemas"`
	ID                string              `json:"id"`
	ExternalID        string              `json:"externalId,omitempty"`
	UserName          string              `json:"userName"`
	Name              *nameJSON           `json:"name,omitempty"`
	DisplayName       string              `json:"displayName,omitempty"`
	NickName          string              `json:"nickName,omitempty"`
	ProfileURL        string              `json:"profileUrl,omitempty"`
	Title             string              `json:"title,omitempty"`
	UserType          string              `json:"userType,omitempty"`
	PreferredLanguage string              `json:"preferredLanguage,omitempty"`
	Locale            string              `json:"locale,omitempty"`
	Timezone          string              `json:"timezone,omitempty"`
	Active            bool                `json:"active"`
	Emails            []multiJSON         `json:"emails,omitempty"`
	PhoneNumbers      []multiJSON         `json:"phoneNumbers,omitempty"`
	IMs               []directory.Value   `json:"ims,omitempty"`
	Photos            []directory.Value   `json:"photos,omitempty"`
	Addresses         []directory.Address `json:"addresses,omitempty"`
	Groups            []groupRefJSON      `json:"groups,omitempty"`
	Entitlements      []directory.Value   `json:"entitlements,omitempty"`
	Roles             []directory.Value   `json:"roles,omitempty"`
	X509Certificates  []directory.Value   `json:"x509Certificates,omitempty"`
	Enterprise        *enterpriseJSON     `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	Scimd             *scimdJSON          `json:"urn:ietf:params:scim:schemas:extension:scimd:2.0:User,omitempty"`
	Meta              Meta                `json:"meta"`
}

func identitiesJSON(u *directory.User, kind directory.IdentityKind) []multiJSON {
	var out []multiJSON
	for _, id := range u.Identities {
		if id.Kind == kind {
			out = append(out, multiJSON{Value: id.Value, Display: id.Display, Type: id.Type, Primary: id.Primary})
		}
	}
	return out
}

// userResource renders u as a SCIM User.
func (h *handler) userResource(u *directory.User) *userJSON {
	loc := h.base + "/Users/" + u.ID
	out := &userJSON{
		Schemas: []string{UserSchema}, ID: u.ID, ExternalID: u.ExternalID, UserName: u.UserName,
		DisplayName: u.DisplayName, NickName: u.NickName, ProfileURL: u.ProfileURL, Title: u.Title,
		UserType: u.UserType, PreferredLanguage: u.PreferredLanguage, Locale: u.Locale, Timezone: u.Timezone,
		Active: u.Active, Emails: identitiesJSON(u, directory.KindEmail), PhoneNumbers: identitiesJSON(u, directory.KindPhone),
		IMs: u.Multi.IMs, Photos: u.Multi.Photos, Addresses: u.Multi.Addresses, Entitlements: u.Multi.Entitlements,
		Roles: u.Multi.Roles, X509Certificates: u.Multi.X509Certificates,
		Meta: meta("User", loc, u.Created, u.Updated, u.Version),
	}
	if u.Name != (directory.Name{}) {
		n := nameJSON(u.Name)
		out.Name = &n
	}
	for _, g := range u.Groups {
		out.Groups = append(out.Groups, groupRefJSON{Value: g.ID, Ref: h.base + "/Groups/" + g.ID, Display: g.DisplayName, Type: "direct"})
	}
	ent := u.Enterprise
	if ent != (directory.Enterprise{}) {
		e := &enterpriseJSON{EmployeeNumber: ent.EmployeeNumber, CostCenter: ent.CostCenter, Organization: ent.Organization,
			Division: ent.Division, Department: ent.Department}
		if ent.ManagerID != "" {
			e.Manager = &managerJSON{Value: ent.ManagerID, Ref: h.base + "/Users/" + ent.ManagerID, DisplayName: ent.ManagerName}
		}
		out.Enterprise = e
		out.Schemas = append(out.Schemas, EnterpriseSchema)
	}
	out.Scimd = &scimdJSON{Extension: u.Extension, Availability: string(u.Availability), Role: string(u.Role), Custom: u.Custom}
	out.Schemas = append(out.Schemas, ScimdUserSchema)
	return out
}
