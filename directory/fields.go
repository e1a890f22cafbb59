package directory

import (
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Field names. They name a user's or team's fields in IdP ownership, audit
// changes and errors, and follow the SCIM attribute names an admin of Okta or
// Entra already knows.
const (
	FieldUserName          = "userName"
	FieldExternalID        = "externalId"
	FieldNameFormatted     = "name.formatted"
	FieldFamilyName        = "name.familyName"
	FieldGivenName         = "name.givenName"
	FieldMiddleName        = "name.middleName"
	FieldHonorificPrefix   = "name.honorificPrefix"
	FieldHonorificSuffix   = "name.honorificSuffix"
	FieldDisplayName       = "displayName"
	FieldNickName          = "nickName"
	FieldProfileURL        = "profileUrl"
	FieldTitle             = "title"
	FieldUserType          = "userType"
	FieldPreferredLanguage = "preferredLanguage"
	FieldLocale            = "locale"
	FieldTimezone          = "timezone"
	FieldActive            = "active"
	FieldPassword          = "password"
	FieldEmails            = "emails"
	FieldPhoneNumbers      = "phoneNumbers"
	FieldSocial            = "socialHandles"
	FieldAddresses         = "addresses"
	FieldRoles             = "roles"
	FieldEntitlements      = "entitlements"
	FieldIMs               = "ims"
	FieldPhotos            = "photos"
	FieldX509Certificates  = "x509Certificates"
	FieldEmployeeNumber    = "employeeNumber"
	FieldCostCenter        = "costCenter"
	FieldOrganization      = "organization"
	FieldDivision          = "division"
	FieldDepartment        = "department"
	FieldManager           = "manager"
	FieldRole              = "role"
	FieldExtension         = "extension"
	FieldAvailability      = "availability"
	FieldOrganizationID    = "organizationId"
	FieldBreakGlass        = "breakGlass"
	// FieldCustomPrefix starts the field name of a custom field:
	// "custom.<name>".
	FieldCustomPrefix = "custom."

	FieldTeamName         = "displayName"
	FieldTeamExternalID   = "externalId"
	FieldMembers          = "members"
	FieldOrgName          = "name"
	FieldOrgDomains       = "domains"
	FieldCustomFieldName  = "name"
	FieldSeats            = "seats"
	FieldTimezoneSettings = "timezone"
)

// FieldSet is a sorted set of field names.
type FieldSet []string

// Has reports whether f is in the set. A custom field is also covered by
// the entry "custom", and a name part by "name".
func (s FieldSet) Has(f string) bool {
	if _, ok := slices.BinarySearch(s, f); ok {
		return true
	}
	if i := strings.IndexByte(f, '.'); i > 0 {
		_, ok := slices.BinarySearch(s, f[:i])
		return ok
	}
	return false
}

// Add returns the set with fs added.
func (s FieldSet) Add(fs ...string) FieldSet {
	for _, f := range fs {
		if i, ok := slices.BinarySearch(s, f); !ok {
			s = slices.Insert(s, i, f)
		}
	}
	return s
}

// Remove returns the set without fs.
func (s FieldSet) Remove(fs ...string) FieldSet {
	for _, f := range fs {
		if i, ok := slices.BinarySearch(s, f); ok {
			s = slices.Delete(s, i, i+1)
		}
	}
	return s
}

// userFields lists every field of a user that a writer may change, with how
// to read it, so changes can be found, audited and checked for ownership in
// one place. Custom fields are handled apart, one field each.
var userFields = []struct {
	name string
	get  func(*User) any
}{
	{FieldUserName, func(u *User) any { return u.UserName }},
	{FieldExternalID, func(u *User) any { return u.ExternalID }},
	{FieldNameFormatted, func(u *User) any { return u.Name.Formatted }},
	{FieldFamilyName, func(u *User) any { return u.Name.FamilyName }},
	{FieldGivenName, func(u *User) any { return u.Name.GivenName }},
	{FieldMiddleName, func(u *User) any { return u.Name.MiddleName }},
	{FieldHonorificPrefix, func(u *User) any { return u.Name.HonorificPrefix }},
	{FieldHonorificSuffix, func(u *User) any { return u.Name.HonorificSuffix }},
	{FieldDisplayName, func(u *User) any { return u.DisplayName }},
	{FieldNickName, func(u *User) any { return u.NickName }},
	{FieldProfileURL, func(u *User) any { return u.ProfileURL }},
	{FieldTitle, func(u *User) any { return u.Title }},
	{FieldUserType, func(u *User) any { return u.UserType }},
	{FieldPreferredLanguage, func(u *User) any { return u.PreferredLanguage }},
	{FieldLocale, func(u *User) any { return u.Locale }},
	{FieldTimezone, func(u *User) any { return u.Timezone }},
	{FieldActive, func(u *User) any { return u.Active }},
	{FieldRole, func(u *User) any { return u.Role }},
	{FieldPassword, func(u *User) any { return u.PasswordHash }},
	{FieldEmails, func(u *User) any { return identityValues(u.IdentitiesOf(KindEmail)) }},
	{FieldPhoneNumbers, func(u *User) any { return identityValues(u.IdentitiesOf(KindPhone)) }},
	{FieldSocial, func(u *User) any { return identityValues(u.IdentitiesOf(KindSocial)) }},
	{FieldAddresses, func(u *User) any { return u.Multi.Addresses }},
	{FieldRoles, func(u *User) any { return u.Multi.Roles }},
	{FieldEntitlements, func(u *User) any { return u.Multi.Entitlements }},
	{FieldIMs, func(u *User) any { return u.Multi.IMs }},
	{FieldPhotos, func(u *User) any { return u.Multi.Photos }},
	{FieldX509Certificates, func(u *User) any { return u.Multi.X509Certificates }},
	{FieldEmployeeNumber, func(u *User) any { return u.Enterprise.EmployeeNumber }},
	{FieldCostCenter, func(u *User) any { return u.Enterprise.CostCenter }},
	{FieldOrganization, func(u *User) any { return u.Enterprise.Organization }},
	{FieldDivision, func(u *User) any { return u.Enterprise.Division }},
	{FieldDepartment, func(u *User) any { return u.Enterprise.Department }},
	{FieldManager, func(u *User) any { return u.Enterprise.ManagerID }},
	{FieldExtension, func(u *User) any { return u.Extension }},
	{FieldAvailability, func(u *User) any { return u.Availability }},
	{FieldOrganizationID, func(u *User) any { return u.OrganizationID }},
	{FieldBreakGlass, func(u *User) any { return u.BreakGlass }},
}

// identityView is how an identity appears in an audit change: everything
// but its id.
type identityView struct {
	Value      string `json:"value"`
	Type       string `json:"type,omitempty"`
	Display    string `json:"display,omitempty"`
	Primary    bool   `json:"primary,omitempty"`
	Verified   bool   `json:"verified,omitempty"`
	Registered bool   `json:"registered,omitempty"`
}

func identityValues(ids []Identity) []identityView {
	if len(ids) == 0 {
		return nil
	}
	out := make([]identityView, len(ids))
	for i, id := range ids {
		out[i] = identityView{id.Value, id.Type, id.Display, id.Primary, id.Verified, id.Registered}
	}
	return out
}

// Change is one field's value before and after a write, as the audit log
// keeps it. Secrets are never kept: a password change shows as "set".
type Change struct {
	Field  string `json:"field"`
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
}

// DiffUsers returns the fields that differ between a and b, in a stable
// order. Either may be nil (a create or a delete).
func DiffUsers(a, b *User) []Change {
	if a == nil {
		a = &User{}
	}
	if b == nil {
		b = &User{}
	}
	var out []Change
	for _, f := range userFields {
		x, y := f.get(a), f.get(b)
		if isZero(x) && isZero(y) || reflect.DeepEqual(x, y) {
			continue
		}
		if f.name == FieldPassword {
			x, y = redact(x), redact(y)
		}
		out = append(out, Change{Field: f.name, Before: zeroNil(x), After: zeroNil(y)})
	}
	keys := make([]string, 0, len(a.Custom)+len(b.Custom))
	for k := range a.Custom {
		keys = append(keys, k)
	}
	for k := range b.Custom {
		if _, ok := a.Custom[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		x, y := a.Custom[k], b.Custom[k]
		if !reflect.DeepEqual(x, y) {
			out = append(out, Change{Field: FieldCustomPrefix + k, Before: x, After: y})
		}
	}
	return out
}

// ChangedFields returns the names of the fields in changes.
func ChangedFields(changes []Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Field
	}
	return out
}

func isZero(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map:
		return rv.Len() == 0
	}
	return rv.IsZero()
}

func zeroNil(v any) any {
	if _, ok := v.(bool); !ok && isZero(v) {
		return nil
	}
	return v
}

func redact(v any) any {
	if isZero(v) {
		return nil
	}
	return "set"
}
