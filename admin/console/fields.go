package console

import (
	"strconv"
	"strings"

	"github.com/scimd/scimd/directory"
)

// labels name a user's fields for people, by the directory's field names
// (the names errors and the audit log use).
var labels = map[string]string{
	directory.FieldUserName:          "User name",
	directory.FieldExternalID:        "External id",
	directory.FieldNameFormatted:     "Full name",
	directory.FieldFamilyName:        "Family name",
	directory.FieldGivenName:         "Given name",
	directory.FieldMiddleName:        "Middle name",
	directory.FieldHonorificPrefix:   "Honorific prefix",
	directory.FieldHonorificSuffix:   "Honorific suffix",
	directory.FieldDisplayName:       "Display name",
	directory.FieldNickName:          "Nickname",
	directory.FieldProfileURL:        "Profile URL",
	directory.FieldTitle:             "Title",
	directory.FieldUserType:          "User type",
	directory.FieldPreferredLanguage: "Preferred language",
	directory.FieldLocale:            "Locale",
	directory.FieldTimezone:          "Time zone",
	directory.FieldActive:            "Active",
	directory.FieldPassword:          "Password",
	directory.FieldEmails:            "Email addresses",
	directory.FieldPhoneNumbers:      "Phone numbers",
	directory.FieldSocial:            "Social handles",
	directory.FieldAddresses:         "Addresses",
	directory.FieldRoles:             "IdP roles",
	directory.FieldEntitlements:      "Entitlements",
	directory.FieldIMs:               "Instant messaging",
	directory.FieldPhotos:            "Photos",
	directory.FieldX509Certificates:  "Certificates",
	directory.FieldEmployeeNumber:    "Employee number",
	directory.FieldCostCenter:        "Cost center",
	directory.FieldOrganization:      "Organization (HR)",
	directory.FieldDivision:          "Division",
	directory.FieldDepartment:        "Department",
	directory.FieldManager:           "Manager",
	directory.FieldRole:              "Role",
	directory.FieldExtension:         "Extension",
	directory.FieldAvailability:      "Availability",
	directory.FieldOrganizationID:    "Customer organization",
	directory.FieldBreakGlass:        "Break-glass",
	directory.FieldMembers:           "Members",
	directory.FieldSeats:             "Seats",
	"kind":                           "Kind",
	"scope":                          "Scope",
	"description":                    "Description",
	"name":                           "Name",
	"domains":                        "Email domains",
	"options":                        "Options",
	"type":                           "Type",
	"cursor":                         "Page",
	"issuer":                         "Issuer",
	"clientId":                       "Client id",
}

// label names field for people: its label, a custom field by its name.
func label(field string) string {
	if l, ok := labels[field]; ok {
		return l
	}
	if name, ok := strings.CutPrefix(field, directory.FieldCustomPrefix); ok {
		return name
	}
	return field
}

// fieldRow is one field of a user as the user's page shows it: locked when
// the identity provider owns it, else a form to change it in place.
type fieldRow struct {
	Field   string
	Label   string
	Value   string
	Locked  bool
	Input   string // "text", "number", "date", "select"
	Options []option
	Hint    string
	// Problem says why the last change to it was refused; the value the
	// admin typed stays in the box.
	Problem string
}

type option struct {
	Value, Label string
	Selected     bool
}

// fieldGroup is a titled list of fields.
type fieldGroup struct {
	Title string
	Rows  []*fieldRow
}

// idpOwns reports whether field of u is the identity provider's: it sent
// it for a user it provisioned.
func idpOwns(u *directory.User, field string) bool {
	return u.Source == directory.SourceSCIM && u.IdPOwned.Has(field)
}

var profileFields = []string{directory.FieldUserName, directory.FieldDisplayName, directory.FieldGivenName,
	directory.FieldFamilyName, directory.FieldTitle, directory.FieldNickName, directory.FieldExternalID,
	directory.FieldPreferredLanguage, directory.FieldLocale}

var workFields = []string{directory.FieldExtension, directory.FieldTimezone, directory.FieldAvailability,
	directory.FieldDepartment, directory.FieldDivision, directory.FieldOrganization, directory.FieldCostCenter,
	directory.FieldEmployeeNumber}

var hints = map[string]string{
	directory.FieldTimezone:          "such as Europe/Paris",
	directory.FieldPreferredLanguage: "such as en",
	directory.FieldLocale:            "such as en-US",
}

// userFieldGroups lays out u's fields: profile, work, custom fields.
func userFieldGroups(u *directory.User, defs []*directory.CustomField, orgs []*directory.Organization) []fieldGroup {
	row := func(f string) *fieldRow {
		v, _ := directory.FieldValue(u, f)
		r := &fieldRow{Field: f, Label: label(f), Value: text(v), Locked: idpOwns(u, f), Input: "text", Hint: hints[f]}
		if f == directory.FieldAvailability {
			r.Input = "select"
			for _, a := range []string{"", "available", "away", "busy", "offline"} {
				l := a
				if a == "" {
					l = "not set"
				}
				r.Options = append(r.Options, option{Value: a, Label: l, Selected: a == r.Value})
			}
		}
		return r
	}
	profile := fieldGroup{Title: "Profile"}
	for _, f := range profileFields {
		profile.Rows = append(profile.Rows, row(f))
	}
	work := fieldGroup{Title: "Work"}
	for _, f := range workFields {
		work.Rows = append(work.Rows, row(f))
	}
	if u.Role == directory.RoleCustomer || u.OrganizationID != "" {
		r := row(directory.FieldOrganizationID)
		r.Input = "select"
		r.Options = append(r.Options, option{Value: "", Label: "none", Selected: u.OrganizationID == ""})
		for _, o := range orgs {
			r.Options = append(r.Options, option{Value: o.ID, Label: o.Name, Selected: o.ID == u.OrganizationID})
		}
		work.Rows = append(work.Rows, r)
	}
	groups := []fieldGroup{profile, work}
	if len(defs) > 0 {
		custom := fieldGroup{Title: "Custom fields"}
		for _, d := range defs {
			f := directory.FieldCustomPrefix + d.Name
			r := &fieldRow{Field: f, Label: d.Name, Value: text(u.Custom[d.Name]), Locked: idpOwns(u, f), Input: "text"}
			switch d.Type {
			case directory.CustomNumber:
				r.Input = "number"
			case directory.CustomDate:
				r.Input = "date"
			case directory.CustomBool, directory.CustomOptions:
				r.Input = "select"
				opts := d.Options
				if d.Type == directory.CustomBool {
					opts = []string{"true", "false"}
				}
				r.Options = append(r.Options, option{Value: "", Label: "not set", Selected: r.Value == ""})
				for _, o := range opts {
					r.Options = append(r.Options, option{Value: o, Label: o, Selected: o == r.Value})
				}
			}
			custom.Rows = append(custom.Rows, r)
		}
		groups = append(groups, custom)
	}
	return groups
}

// text writes a field's value as a form shows it.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case directory.Availability:
		return string(x)
	case directory.Role:
		return string(x)
	}
	return ""
}
