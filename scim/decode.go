package scim

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim/schema"
)

// userInput is a User resource as a client sent it: the values, which
// directory fields it named (a field named with null or "" is named, and
// cleared), and the password in clear, which only the handler sees, to
// hash it.
type userInput struct {
	u        directory.User
	present  directory.FieldSet
	password *string
}

func invalidValue(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, TypeInvalidValue, format, args...)
}

// decodeUser reads a User resource. Attribute names and schema URNs match
// in any case. What is read-only (id, meta, groups, schemas) and what we
// don't know (another vendor's extension) is ignored, as Entra and Okta
// expect; a value of the wrong type is invalidValue.
func decodeUser(doc map[string]any) (*userInput, error) {
	in := &userInput{}
	for k, v := range doc {
		lk := strings.ToLower(k)
		switch {
		case lk == "schemas" || lk == "id" || lk == "meta" || lk == "groups":
		case strings.HasPrefix(lk, "urn:"):
			if err := in.extension(k, v); err != nil {
				return nil, err
			}
		default:
			if err := in.attr(schema.User, k, v); err != nil {
				return nil, err
			}
		}
	}
	return in, nil
}

// extension reads an extension's object ("urn:...:enterprise:2.0:User":
// {...}) or one of its attributes flattened ("urn:...:User:department").
func (in *userInput) extension(key string, v any) error {
	for _, s := range []*schema.Schema{schema.Enterprise, schema.Scimd, schema.User} {
		if strings.EqualFold(key, s.ID) {
			if v == nil {
				return nil
			}
			obj, ok := v.(map[string]any)
			if !ok {
				return invalidValue("%s must be an object, not %s", s.ID, jsonType(v))
			}
			for k, sv := range obj {
				if strings.EqualFold(k, "schemas") {
					continue
				}
				if err := in.attr(s, k, sv); err != nil {
					return err
				}
			}
			return nil
		}
		if len(key) > len(s.ID)+1 && strings.EqualFold(key[:len(s.ID)+1], s.ID+":") {
			return in.attr(s, key[len(s.ID)+1:], v)
		}
	}
	return nil // another vendor's extension
}

// attr reads one attribute of schema s; a dotted name ("name.givenName")
// reads a sub-attribute.
func (in *userInput) attr(s *schema.Schema, name string, v any) error {
	if parent, sub, ok := strings.Cut(name, "."); ok {
		return in.attr(s, parent, map[string]any{sub: v})
	}
	a := s.Attr(name)
	if a == nil && s == schema.User {
		a = schema.Common.Attr(name) // externalId
	}
	if a == nil {
		return nil // unknown attribute: ignored
	}
	u := &in.u
	str := func(field string, dst *string) error {
		val, err := stringValue(a.Name, v)
		if err != nil {
			return err
		}
		*dst = val
		in.present = in.present.Add(field)
		return nil
	}
	switch s {
	case schema.Enterprise:
		switch a.Name {
		case "employeeNumber":
			return str(directory.FieldEmployeeNumber, &u.Enterprise.EmployeeNumber)
		case "costCenter":
			return str(directory.FieldCostCenter, &u.Enterprise.CostCenter)
		case "organization":
			return str(directory.FieldOrganization, &u.Enterprise.Organization)
		case "division":
			return str(directory.FieldDivision, &u.Enterprise.Division)
		case "department":
			return str(directory.FieldDepartment, &u.Enterprise.Department)
		case "manager":
			id, err := managerValue(v)
			if err != nil {
				return err
			}
			u.Enterprise.ManagerID = id
			in.present = in.present.Add(directory.FieldManager)
		}
		return nil
	case schema.Scimd:
		switch a.Name {
		case "extension":
			return str(directory.FieldExtension, &u.Extension)
		case "availability":
			var s string
			if err := str(directory.FieldAvailability, &s); err != nil {
				return err
			}
			u.Availability = directory.Availability(strings.ToLower(s))
		case "role":
			var s string
			if err := str(directory.FieldRole, &s); err != nil {
				return err
			}
			u.Role = directory.Role(strings.ToLower(s))
		case "customFields":
			return in.custom(v)
		}
		return nil
	}
	switch a.Name {
	case "userName":
		return str(directory.FieldUserName, &u.UserName)
	case "externalId":
		return str(directory.FieldExternalID, &u.ExternalID)
	case "name":
		return in.name(v)
	case "displayName":
		return str(directory.FieldDisplayName, &u.DisplayName)
	case "nickName":
		return str(directory.FieldNickName, &u.NickName)
	case "profileUrl":
		return str(directory.FieldProfileURL, &u.ProfileURL)
	case "title":
		return str(directory.FieldTitle, &u.Title)
	case "userType":
		return str(directory.FieldUserType, &u.UserType)
	case "preferredLanguage":
		return str(directory.FieldPreferredLanguage, &u.PreferredLanguage)
	case "locale":
		return str(directory.FieldLocale, &u.Locale)
	case "timezone":
		return str(directory.FieldTimezone, &u.Timezone)
	case "active":
		if v == nil {
			return nil // null active says nothing; it does not disable
		}
		b, err := boolJSON("active", v)
		if err != nil {
			return err
		}
		u.Active = b
		in.present = in.present.Add(directory.FieldActive)
	case "password":
		if v == nil {
			return nil
		}
		p, err := stringValue("password", v)
		if err != nil {
			return err
		}
		in.password = &p
	case "emails":
		return in.identities(directory.KindEmail, directory.FieldEmails, a.Name, v)
	case "phoneNumbers":
		return in.identities(directory.KindPhone, directory.FieldPhoneNumbers, a.Name, v)
	case "addresses":
		list, err := objects(a.Name, v)
		if err != nil {
			return err
		}
		u.Multi.Addresses = nil
		for _, o := range list {
			var ad directory.Address
			fields := []struct {
				name string
				dst  *string
			}{{"formatted", &ad.Formatted}, {"streetAddress", &ad.StreetAddress}, {"locality", &ad.Locality},
				{"region", &ad.Region}, {"postalCode", &ad.PostalCode}, {"country", &ad.Country}, {"type", &ad.Type}}
			for _, f := range fields {
				if *f.dst, err = stringValue("addresses."+f.name, get(o, f.name)); err != nil {
					return err
				}
			}
			if ad.Primary, err = optBool("addresses.primary", get(o, "primary")); err != nil {
				return err
			}
			if ad != (directory.Address{Type: ad.Type, Primary: ad.Primary}) {
				u.Multi.Addresses = append(u.Multi.Addresses, ad)
			}
		}
		in.present = in.present.Add(directory.FieldAddresses)
	case "ims", "photos", "entitlements", "roles", "x509Certificates":
		vals, err := values(a.Name, v)
		if err != nil {
			return err
		}
		field := map[string]string{"ims": directory.FieldIMs, "photos": directory.FieldPhotos, "entitlements": directory.FieldEntitlements,
			"roles": directory.FieldRoles, "x509Certificates": directory.FieldX509Certificates}[a.Name]
		dst := map[string]*[]directory.Value{"ims": &u.Multi.IMs, "photos": &u.Multi.Photos, "entitlements": &u.Multi.Entitlements,
			"roles": &u.Multi.Roles, "x509Certificates": &u.Multi.X509Certificates}[a.Name]
		*dst = vals
		in.present = in.present.Add(field)
	}
	return nil
}

func (in *userInput) name(v any) error {
	parts := []struct {
		sub   string
		field string
		dst   *string
	}{
		{"formatted", directory.FieldNameFormatted, &in.u.Name.Formatted},
		{"familyName", directory.FieldFamilyName, &in.u.Name.FamilyName},
		{"givenName", directory.FieldGivenName, &in.u.Name.GivenName},
		{"middleName", directory.FieldMiddleName, &in.u.Name.MiddleName},
		{"honorificPrefix", directory.FieldHonorificPrefix, &in.u.Name.HonorificPrefix},
		{"honorificSuffix", directory.FieldHonorificSuffix, &in.u.Name.HonorificSuffix},
	}
	if v == nil { // name: null clears every part
		for _, p := range parts {
			*p.dst = ""
			in.present = in.present.Add(p.field)
		}
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return invalidValue("name must be an object with givenName, familyName, ..., not %s", jsonType(v))
	}
	for k, sv := range obj {
		for _, p := range parts {
			if strings.EqualFold(k, p.sub) {
				s, err := stringValue("name."+p.sub, sv)
				if err != nil {
					return err
				}
				*p.dst = s
				in.present = in.present.Add(p.field)
			}
		}
	}
	return nil
}

func (in *userInput) identities(kind directory.IdentityKind, field, attr string, v any) error {
	list, err := objects(attr, v)
	if err != nil {
		return err
	}
	kept := in.u.Identities[:0:0]
	for _, id := range in.u.Identities {
		if id.Kind != kind {
			kept = append(kept, id)
		}
	}
	for _, o := range list {
		var id directory.Identity
		id.Kind = kind
		if id.Value, err = stringValue(attr+".value", get(o, "value")); err != nil {
			return err
		}
		if id.Type, err = stringValue(attr+".type", get(o, "type")); err != nil {
			return err
		}
		if id.Display, err = stringValue(attr+".display", get(o, "display")); err != nil {
			return err
		}
		if id.Primary, err = optBool(attr+".primary", get(o, "primary")); err != nil {
			return err
		}
		if strings.TrimSpace(id.Value) == "" {
			continue // Entra clears an email by sending it empty
		}
		kept = append(kept, id)
	}
	in.u.Identities = kept
	in.present = in.present.Add(field)
	return nil
}

func (in *userInput) custom(v any) error {
	if v == nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return invalidValue("customFields must be an object of field names and values, not %s", jsonType(v))
	}
	if in.u.Custom == nil {
		in.u.Custom = map[string]any{}
	}
	for k, cv := range obj {
		switch x := cv.(type) {
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return invalidValue("customFields.%s: %s is not a number we can keep", k, x)
			}
			cv = f
		case map[string]any, []any:
			return invalidValue("customFields.%s must be a string, number, boolean or null, not %s", k, jsonType(cv))
		}
		in.u.Custom[k] = cv
		in.present = in.present.Add(directory.FieldCustomPrefix + k)
	}
	return nil
}

// get returns o's value for key, matching the key in any case.
func get(o map[string]any, key string) any {
	if v, ok := o[key]; ok {
		return v
	}
	for k, v := range o {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// stringValue reads a string attribute: null is "", a number is its text
// (some IdP mappings send employee numbers as numbers).
func stringValue(attr string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	}
	return "", invalidValue("%s must be a string, not %s", attr, jsonType(v))
}

// boolJSON reads a boolean; Entra sends "True" and "False" as strings.
func boolJSON(attr string, v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, invalidValue("%s must be true or false, not %s", attr, jsonType(v))
}

func optBool(attr string, v any) (bool, error) {
	if v == nil {
		return false, nil
	}
	return boolJSON(attr, v)
}

// objects reads a multi-valued complex attribute: an array of objects, a
// single object, or null (none).
func objects(attr string, v any) ([]map[string]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return []map[string]any{x}, nil
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			switch o := e.(type) {
			case map[string]any:
				out = append(out, o)
			case nil:
			default:
				return nil, invalidValue("each of %s must be an object, not %s", attr, jsonType(e))
			}
		}
		return out, nil
	}
	return nil, invalidValue("%s must be an array of objects, not %s", attr, jsonType(v))
}

// values reads roles, entitlements and the like: objects with value,
// display, type and primary, or plain strings.
func values(attr string, v any) ([]directory.Value, error) {
	if arr, ok := v.([]any); ok {
		var out []directory.Value
		for _, e := range arr {
			if s, ok := e.(string); ok {
				if s != "" {
					out = append(out, directory.Value{Value: s})
				}
				continue
			}
			list, err := objects(attr, e)
			if err != nil {
				return nil, err
			}
			vals, err := objectValues(attr, list)
			if err != nil {
				return nil, err
			}
			out = append(out, vals...)
		}
		return out, nil
	}
	list, err := objects(attr, v)
	if err != nil {
		return nil, err
	}
	return objectValues(attr, list)
}

func objectValues(attr string, list []map[string]any) ([]directory.Value, error) {
	var out []directory.Value
	for _, o := range list {
		var val directory.Value
		var err error
		if val.Value, err = stringValue(attr+".value", get(o, "value")); err != nil {
			return nil, err
		}
		if val.Display, err = stringValue(attr+".display", get(o, "display")); err != nil {
			return nil, err
		}
		if val.Type, err = stringValue(attr+".type", get(o, "type")); err != nil {
			return nil, err
		}
		if val.Primary, err = optBool(attr+".primary", get(o, "primary")); err != nil {
			return nil, err
		}
		if val.Value != "" {
			out = append(out, val)
		}
	}
	return out, nil
}

// managerValue reads the enterprise manager: {"value": id}, a bare id (as
// Entra sends), an array of one such object, or null/"" (no manager).
func managerValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(x), nil
	case []any:
		switch len(x) {
		case 0:
			return "", nil
		case 1:
			return managerValue(x[0])
		}
	case map[string]any:
		return stringValue("manager.value", get(x, "value"))
	}
	return "", invalidValue("manager must be an object with the manager's id as value, not %s", jsonType(v))
}

// groupInput is a Group resource as a client sent it.
type groupInput struct {
	t          directory.Team
	present    directory.FieldSet
	members    []string
	hasMembers bool
}

// decodeGroup reads a Group resource, leniently as decodeUser does.
func decodeGroup(doc map[string]any) (*groupInput, error) {
	in := &groupInput{}
	for k, v := range doc {
		switch strings.ToLower(k) {
		case "displayname":
			s, err := stringValue("displayName", v)
			if err != nil {
				return nil, err
			}
			in.t.DisplayName = s
			in.present = in.present.Add(directory.FieldTeamName)
		case "externalid":
			s, err := stringValue("externalId", v)
			if err != nil {
				return nil, err
			}
			in.t.ExternalID = s
			in.present = in.present.Add(directory.FieldTeamExternalID)
		case "members":
			list, err := objects("members", v)
			if err != nil {
				return nil, err
			}
			in.hasMembers = true
			for _, o := range list {
				id, err := stringValue("members.value", get(o, "value"))
				if err != nil {
					return nil, err
				}
				if id == "" {
					return nil, invalidValue("each member needs the id of a user as its value")
				}
				in.members = append(in.members, id)
			}
		}
	}
	return in, nil
}
