package directory

import (
	"regexp"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones validate the same on every host
	"unicode/utf8"
)

// maxText bounds every text field, so no request can store a megabyte in a
// title.
const maxText = 1024

var (
	localePattern    = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$`)
	extensionPattern = regexp.MustCompile(`^[0-9]{1,15}$`)
	slugPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// checkText refuses text that is too long or is not valid UTF-8, naming the
// field.
func checkText(field string, values ...string) error {
	for _, v := range values {
		if len(v) > maxText {
			return invalid(field, "%s is longer than %d characters", field, maxText)
		}
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return invalid(field, "%s is not valid text", field)
		}
	}
	return nil
}

// knownZones remembers the zone names found valid: loading one parses the
// zone database, too slow to repeat on every write.
var knownZones sync.Map

// ValidTimezone reports whether tz is an IANA time zone name such as
// "Europe/Paris". "Local" and "" are not.
func ValidTimezone(tz string) bool {
	if tz == "" || tz == "Local" || len(tz) > 64 {
		return false
	}
	if _, ok := knownZones.Load(tz); ok {
		return true
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return false
	}
	knownZones.Store(tz, true)
	return true
}

// normalizeUser trims and checks everything about u that does not depend on
// other records. Rules across records (uniqueness, seats, the last admin)
// are the Service's.
func normalizeUser(u *User) error {
	u.UserName = strings.TrimSpace(u.UserName)
	if u.UserName == "" {
		return invalid(FieldUserName, "userName is required")
	}
	if err := checkText(FieldUserName, u.UserName); err != nil {
		return err
	}
	texts := []struct {
		field string
		v     string
	}{
		{FieldExternalID, u.ExternalID},
		{FieldNameFormatted, u.Name.Formatted},
		{FieldFamilyName, u.Name.FamilyName},
		{FieldGivenName, u.Name.GivenName},
		{FieldMiddleName, u.Name.MiddleName},
		{FieldHonorificPrefix, u.Name.HonorificPrefix},
		{FieldHonorificSuffix, u.Name.HonorificSuffix},
		{FieldDisplayName, u.DisplayName},
		{FieldNickName, u.NickName},
		{FieldProfileURL, u.ProfileURL},
		{FieldTitle, u.Title},
		{FieldUserType, u.UserType},
		{FieldPreferredLanguage, u.PreferredLanguage},
		{FieldEmployeeNumber, u.Enterprise.EmployeeNumber},
		{FieldCostCenter, u.Enterprise.CostCenter},
		{FieldOrganization, u.Enterprise.Organization},
		{FieldDivision, u.Enterprise.Division},
		{FieldDepartment, u.Enterprise.Department},
	}
	for _, t := range texts {
		if err := checkText(t.field, t.v); err != nil {
			return err
		}
	}
	if u.Role == "" {
		u.Role = RoleAgent
	}
	if !u.Role.Valid() {
		return invalid(FieldRole, "role %q is not one of owner, admin, agent, collaborator, customer", u.Role)
	}
	if u.Availability == "" {
		u.Availability = Offline
	}
	if !u.Availability.Valid() {
		return invalid(FieldAvailability, "availability %q is not one of available, away, busy, offline", u.Availability)
	}
	if u.Timezone != "" && !ValidTimezone(u.Timezone) {
		return invalid(FieldTimezone, "timezone %q is not an IANA time zone name such as Europe/Paris", u.Timezone)
	}
	if u.Locale != "" && !localePattern.MatchString(u.Locale) {
		return invalid(FieldLocale, "locale %q is not a language tag such as en-US", u.Locale)
	}
	u.Extension = strings.TrimSpace(u.Extension)
	if u.Extension != "" && !extensionPattern.MatchString(u.Extension) {
		return invalid(FieldExtension, "extension %q must be 1 to 15 digits", u.Extension)
	}
	if u.Source == "" {
		u.Source = SourceLocal
	}
	if u.Source != SourceLocal && u.Source != SourceSCIM {
		return invalid("source", "source %q is not scim or local", u.Source)
	}
	if u.Enterprise.ManagerID != "" {
		id, ok := CanonicalID(u.Enterprise.ManagerID)
		if !ok {
			return invalid(FieldManager, "manager %q is not a user id", u.Enterprise.ManagerID)
		}
		u.Enterprise.ManagerID = id
	}
	if u.OrganizationID != "" {
		id, ok := CanonicalID(u.OrganizationID)
		if !ok {
			return invalid(FieldOrganizationID, "organization %q is not an organization id", u.OrganizationID)
		}
		u.OrganizationID = id
	}
	if u.BreakGlass && u.Source != SourceLocal {
		return &InvariantError{Rule: RuleBreakGlass, Field: FieldBreakGlass,
			Detail: "a break-glass account is local and can't be managed by the identity provider"}
	}
	for name, v := range u.Custom {
		if err := checkText(FieldCustomPrefix+name, name); err != nil {
			return err
		}
		if s, ok := v.(string); ok {
			if err := checkText(FieldCustomPrefix+name, s); err != nil {
				return err
			}
		}
	}
	return normalizeIdentities(u)
}

// ValidSlug reports whether s can name a tenant in URLs: lower-case letters,
// digits and dashes, starting with a letter or digit, at most 63 long.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

func checkSlug(s string) error {
	if !ValidSlug(s) {
		return invalid("slug", "tenant slug %q must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit", s)
	}
	return nil
}

func checkSeats(n int) error {
	if n < 0 {
		return invalid(FieldSeats, "seats must be 0 (unlimited) or more, not %d", n)
	}
	return nil
}
