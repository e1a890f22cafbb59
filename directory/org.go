package directory

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Organization is a customer's company. New customers whose email domain is
// one of Domains are placed in it.
type Organization struct {
	ID       string
	TenantID int64
	Name     string
	Domains  []string // lower-case, unique in the tenant
	Created  time.Time
	Updated  time.Time
}

// CustomFieldType is the type of a custom field's values.
type CustomFieldType string

// The custom field types.
const (
	CustomText    CustomFieldType = "text"
	CustomNumber  CustomFieldType = "number"
	CustomBool    CustomFieldType = "bool"
	CustomDate    CustomFieldType = "date"
	CustomOptions CustomFieldType = "select"
)

// CustomField defines a field a tenant adds to its users.
type CustomField struct {
	TenantID int64
	Name     string // a SCIM-style attribute name: letters, digits, _ and -
	Type     CustomFieldType
	Options  []string // the allowed values of a select field
	Created  time.Time
}

func normalizeOrganization(o *Organization) error {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		return invalid(FieldOrgName, "organization name is required")
	}
	for i, d := range o.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" || strings.ContainsAny(d, "@/ ") || !strings.Contains(d, ".") {
			return invalid(FieldOrgDomains, "%q is not an email domain such as acme.example", o.Domains[i])
		}
		o.Domains[i] = d
	}
	return checkText(FieldOrgName, o.Name)
}

// coerce returns v as a value of the field's type, reading text for a
// number, boolean or option, or an error naming the field.
func (f *CustomField) coerce(v any) (any, error) {
	name := FieldCustomPrefix + f.Name
	str, isStr := v.(string)
	switch f.Type {
	case CustomText:
		if isStr {
			return str, checkText(name, str)
		}
	case CustomNumber:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		case string:
			if n, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
				return n, nil
			}
		}
	case CustomBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(x))); err == nil {
				return b, nil
			}
		}
	case CustomDate:
		if isStr {
			if _, err := time.Parse(time.DateOnly, str); err == nil {
				return str, nil
			}
			return nil, invalid(name, "%s must be a date such as 2026-11-24, not %q", name, str)
		}
	case CustomOptions:
		if isStr {
			for _, o := range f.Options {
				if strings.EqualFold(o, str) {
					return o, nil
				}
			}
			return nil, invalid(name, "%s must be one of %s, not %q", name, strings.Join(f.Options, ", "), str)
		}
	}
	return nil, invalid(name, "%s takes a %s value, not %v", name, f.Type, v)
}

var customNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// ValidCustomName reports whether name can name a custom field: a letter,
// then letters, digits, _ and -, at most 64 in all.
func ValidCustomName(name string) bool { return customNamePattern.MatchString(name) }

func normalizeCustomField(f *CustomField) error {
	if !customNamePattern.MatchString(f.Name) {
		return invalid(FieldCustomFieldName, "custom field name %q must start with a letter and hold only letters, digits, _ and - (at most 64)", f.Name)
	}
	switch f.Type {
	case CustomText, CustomNumber, CustomBool, CustomDate:
		f.Options = nil
	case CustomOptions:
		if len(f.Options) == 0 {
			return invalid("options", "a select field needs at least one option")
		}
		if err := checkText("options", f.Options...); err != nil {
			return err
		}
	default:
		return invalid("type", "custom field type %q is not one of text, number, bool, date, select", f.Type)
	}
	return nil
}
