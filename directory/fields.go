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
// to read it and to copy it from another user, so changes can be found,
// audited, checked for ownership and replaced field by field in one place.
// Custom fields are handled apart, one field each.
var userFields = []struct {
	name string
	get  func(*User) any
	set  func(dst, src *User)
}{
	{FieldUserName, func(u *User) any { return u.UserName }, func(d, s *User) { d.UserName = s.UserName }},
	{FieldExternalID, func(u *User) any { return u.ExternalID }, func(d, s *User) { d.ExternalID = s.ExternalID }},
	{FieldNameFormatted, func(u *User) any { return u.Name.Formatted }, func(d, s *User) { d.Name.Formatted = s.Name.Formatted }},
	{FieldFamilyName, func(u *User) any { return u.Name.FamilyName }, func(d, s *User) { d.Name.FamilyName = s.Name.FamilyName }},
	{FieldGivenName, func(u *User) any { return u.Name.GivenName }, func(d, s *User) { d.Name.GivenName = s.Name.GivenName }},
	{FieldMiddleName, func(u *User) any { return u.Name.MiddleName }, func(d, s *User) { d.Name.MiddleName = s.Name.MiddleName }},
	{FieldHonorificPrefix, func(u *User) any { return u.Name.HonorificPrefix }, func(d, s *User) { d.Name.HonorificPrefix = s.Name.HonorificPrefix }},
	{FieldHonorificSuffix, func(u *User) any { return u.Name.HonorificSuffix }, func(d, s *User) { d.Name.HonorificSuffix = s.Name.HonorificSuffix }},
	{FieldDisplayName, func(u *User) any { return u.DisplayName }, func(d, s *User) { d.DisplayName = s.DisplayName }},
	{FieldNickName, func(u *User) any { return u.NickName }, func(d, s *User) { d.NickName = s.NickName }},
	{FieldProfileURL, func(u *User) any { return u.ProfileURL }, func(d, s *User) { d.ProfileURL = s.ProfileURL }},
	{FieldTitle, func(u *User) any { return u.Title }, func(d, s *User) { d.Title = s.Title }},
	{FieldUserType, func(u *User) any { return u.UserType }, func(d, s *User) { d.UserType = s.UserType }},
	{FieldPreferredLanguage, func(u *User) any { return u.PreferredLanguage }, func(d, s *User) { d.PreferredLanguage = s.PreferredLanguage }},
	{FieldLocale, func(u *User) any { return u.Locale }, func(d, s *User) { d.Locale = s.Locale }},
	{FieldTimezone, func(u *User) any { return u.Timezone }, func(d, s *User) { d.Timezone = s.Timezone }},
	{FieldActive, func(u *User) any { return u.Active }, func(d, s *User) { d.Active = s.Active }},
	{FieldRole, func(u *User) any { return u.Role }, func(d, s *User) { d.Role = s.Role }},
	{FieldPassword, func(u *User) any { return u.PasswordHash }, func(d, s *User) { d.PasswordHash = s.PasswordHash }},
	{FieldEmails, func(u *User) any { return identityValues(u.IdentitiesOf(KindEmail)) }, func(d, s *User) { copyIdentities(d, s, KindEmail) }},
	{FieldPhoneNumbers, func(u *User) any { return identityValues(u.IdentitiesOf(KindPhone)) }, func(d, s *User) { copyIdentities(d, s, KindPhone) }},
	{FieldSocial, func(u *User) any { return identityValues(u.IdentitiesOf(KindSocial)) }, func(d, s *User) { copyIdentities(d, s, KindSocial) }},
	{FieldAddresses, func(u *User) any { return u.Multi.Addresses }, func(d, s *User) { d.Multi.Addresses = s.Multi.Addresses }},
	{FieldRoles, func(u *User) any { return u.Multi.Roles }, func(d, s *User) { d.Multi.Roles = s.Multi.Roles }},
	{FieldEntitlements, func(u *User) any { return u.Multi.Entitlements }, func(d, s *User) { d.Multi.Entitlements = s.Multi.Entitlements }},
	{FieldIMs, func(u *User) any { return u.Multi.IMs }, func(d, s *User) { d.Multi.IMs = s.Multi.IMs }},
	{FieldPhotos, func(u *User) any { return u.Multi.Photos }, func(d, s *User) { d.Multi.Photos = s.Multi.Photos }},
	{FieldX509Certificates, func(u *User) any { return u.Multi.X509Certificates }, func(d, s *User) { d.Multi.X509Certificates = s.Multi.X509Certificates }},
	{FieldEmployeeNumber, func(u *User) any { return u.Enterprise.EmployeeNumber }, func(d, s *User) { d.Enterprise.EmployeeNumber = s.Enterprise.EmployeeNumber }},
	{FieldCostCenter, func(u *User) any { return u.Enterprise.CostCenter }, func(d, s *User) { d.Enterprise.CostCenter = s.Enterprise.CostCenter }},
	{FieldOrganization, func(u *User) any { return u.Enterprise.Organization }, func(d, s *User) { d.Enterprise.Organization = s.Enterprise.Organization }},
	{FieldDivision, func(u *User) any { return u.Enterprise.Division }, func(d, s *User) { d.Enterprise.Division = s.Enterprise.Division }},
	{FieldDepartment, func(u *User) any { return u.Enterprise.Department }, func(d, s *User) { d.Enterprise.Department = s.Enterprise.Department }},
	{FieldManager, func(u *User) any { return u.Enterprise.ManagerID }, func(d, s *User) { d.Enterprise.ManagerID = s.Enterprise.ManagerID }},
	{FieldExtension, func(u *User) any { return u.Extension }, func(d, s *User) { d.Extension = s.Extension }},
	{FieldAvailability, func(u *User) any { return u.Availability }, func(d, s *User) { d.Availability = s.Availability }},
	{FieldOrganizationID, func(u *User) any { return u.OrganizationID }, func(d, s *User) { d.OrganizationID = s.OrganizationID }},
	{FieldBreakGlass, func(u *User) any { return u.BreakGlass }, func(d, s *User) { d.BreakGlass = s.BreakGlass }},
}

// copyIdentities makes d's identities of kind those of s, keeping what d
// knew of the values that stay (ids, verified, registered).
func copyIdentities(d, s *User, kind IdentityKind) {
	d.SetIdentities(kind, s.IdentitiesOf(kind))
}

// UserFieldNames lists the names of the fields a writer may change, custom
// fields aside.
func UserFieldNames() []string {
	out := make([]string, len(userFields))
	for i, f := range userFields {
		out[i] = f.name
	}
	return out
}

// CopyField sets the field named field of dst to its value in src (a
// custom field is "custom.<name>"). It reports whether the field exists.
// With a zero src it clears the field.
func CopyField(dst, src *User, field string) bool {
	if name, ok := strings.CutPrefix(field, FieldCustomPrefix); ok {
		if v, ok := src.Custom[name]; ok {
			if dst.Custom == nil {
				dst.Custom = map[string]any{}
			}
			dst.Custom[name] = v
		} else {
			delete(dst.Custom, name)
		}
		return true
	}
	for _, f := range userFields {
		if f.name == field {
			f.set(dst, src)
			return true
		}
	}
	return false
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
