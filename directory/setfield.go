package directory

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// textFields are the user fields that hold one piece of text, with where
// it lives. SetField sets them; nil or "" clears them.
var textFields = map[string]func(*User) *string{
	FieldUserName:          func(u *User) *string { return &u.UserName },
	FieldExternalID:        func(u *User) *string { return &u.ExternalID },
	FieldNameFormatted:     func(u *User) *string { return &u.Name.Formatted },
	FieldFamilyName:        func(u *User) *string { return &u.Name.FamilyName },
	FieldGivenName:         func(u *User) *string { return &u.Name.GivenName },
	FieldMiddleName:        func(u *User) *string { return &u.Name.MiddleName },
	FieldHonorificPrefix:   func(u *User) *string { return &u.Name.HonorificPrefix },
	FieldHonorificSuffix:   func(u *User) *string { return &u.Name.HonorificSuffix },
	FieldDisplayName:       func(u *User) *string { return &u.DisplayName },
	FieldNickName:          func(u *User) *string { return &u.NickName },
	FieldProfileURL:        func(u *User) *string { return &u.ProfileURL },
	FieldTitle:             func(u *User) *string { return &u.Title },
	FieldUserType:          func(u *User) *string { return &u.UserType },
	FieldPreferredLanguage: func(u *User) *string { return &u.PreferredLanguage },
	FieldLocale:            func(u *User) *string { return &u.Locale },
	FieldTimezone:          func(u *User) *string { return &u.Timezone },
	FieldExtension:         func(u *User) *string { return &u.Extension },
	FieldOrganizationID:    func(u *User) *string { return &u.OrganizationID },
	FieldEmployeeNumber:    func(u *User) *string { return &u.Enterprise.EmployeeNumber },
	FieldCostCenter:        func(u *User) *string { return &u.Enterprise.CostCenter },
	FieldOrganization:      func(u *User) *string { return &u.Enterprise.Organization },
	FieldDivision:          func(u *User) *string { return &u.Enterprise.Division },
	FieldDepartment:        func(u *User) *string { return &u.Enterprise.Department },
	FieldManager:           func(u *User) *string { return &u.Enterprise.ManagerID },
}

// notSettable says, for the user fields SetField refuses, what to do
// instead.
var notSettable = map[string]string{
	FieldEmails:           "add, verify, make primary or remove the user's emails one at a time instead",
	FieldPhoneNumbers:     "add, verify, make primary or remove the user's phone numbers one at a time instead",
	FieldSocial:           "add, verify, make primary or remove the user's social handles one at a time instead",
	FieldPassword:         "passwords are set by their owner at sign-in, never by an admin",
	FieldBreakGlass:       "break-glass accounts are made apart from other users",
	FieldAddresses:        "it is kept as the identity provider sends it",
	FieldRoles:            "it is kept as the identity provider sends it; the user's role in scimd is role",
	FieldEntitlements:     "it is kept as the identity provider sends it",
	FieldIMs:              "it is kept as the identity provider sends it",
	FieldPhotos:           "it is kept as the identity provider sends it",
	FieldX509Certificates: "it is kept as the identity provider sends it",
}

// SettableFields lists, sorted, the fields SetField sets; custom fields
// ("custom.<name>") aside.
func SettableFields() []string {
	out := []string{FieldActive, FieldRole, FieldAvailability}
	for f := range textFields {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// SetField sets the field named field (a Field name, or "custom.<name>")
// of u to value, as a local edit asks: text for text fields, nil or ""
// clearing them; true or false for active; a role or availability by
// name. Text "true" and "false" are read for active, so that a shell can
// say it. A custom field takes any value its definition accepts, nil or
// "" removing it; the Service checks it against the definition when it
// saves. Whether the writer may change the field at all (the IdP's,
// the owner's) is decided when the Service saves, not here. It returns a
// ValidationError naming the field for a field that can't be set this
// way or a value of the wrong type.
func SetField(u *User, field string, value any) error {
	if name, ok := strings.CutPrefix(field, FieldCustomPrefix); ok {
		if !ValidCustomName(name) {
			return invalid(field, "%q is not a custom field name", name)
		}
		if value == nil || value == "" {
			for k := range u.Custom {
				if strings.EqualFold(k, name) {
					delete(u.Custom, k)
				}
			}
			return nil
		}
		switch value.(type) {
		case string, bool, float64, int, int64:
		default:
			return invalid(field, "%s takes text, a number or true or false, not %s", field, typeName(value))
		}
		if u.Custom == nil {
			u.Custom = map[string]any{}
		}
		for k := range u.Custom { // one spelling per field
			if strings.EqualFold(k, name) {
				delete(u.Custom, k)
			}
		}
		u.Custom[name] = value
		return nil
	}
	if p, ok := textFields[field]; ok {
		switch v := value.(type) {
		case nil:
			*p(u) = ""
		case string:
			*p(u) = v
		default:
			return invalid(field, "%s takes text, not %s", field, typeName(value))
		}
		return nil
	}
	switch field {
	case FieldActive:
		switch v := value.(type) {
		case bool:
			u.Active = v
			return nil
		case string:
			if b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(v))); err == nil {
				u.Active = b
				return nil
			}
		}
		return invalid(field, "active takes true or false, not %s", typeName(value))
	case FieldRole:
		if v, ok := value.(string); ok && v != "" {
			u.Role = Role(strings.ToLower(strings.TrimSpace(v)))
			return nil
		}
		return invalid(field, "role takes one of owner, admin, agent, collaborator, customer, not %s", typeName(value))
	case FieldAvailability:
		switch v := value.(type) {
		case nil:
			u.Availability = "" // the default: offline
			return nil
		case string:
			u.Availability = Availability(strings.ToLower(strings.TrimSpace(v)))
			return nil
		}
		return invalid(field, "availability takes one of available, away, busy, offline, not %s", typeName(value))
	}
	if why, ok := notSettable[field]; ok {
		return invalid(field, "%s can't be set this way: %s", field, why)
	}
	return invalid(field, "%s is not a user field that can be set", field)
}

// typeName names a value's type for a message.
func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case float64, int, int64:
		return fmt.Sprintf("the number %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// FieldValue returns the value of the field named field of u (a Field
// name, or "custom.<name>"), and whether there is such a field: text for
// text fields, a bool for active, identities for emails and phone
// numbers, nil for a custom field u has no value for.
func FieldValue(u *User, field string) (any, bool) {
	if name, ok := strings.CutPrefix(field, FieldCustomPrefix); ok {
		return u.Custom[name], true
	}
	for _, f := range userFields {
		if f.name == field {
			return f.get(u), true
		}
	}
	return nil, false
}
