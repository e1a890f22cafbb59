package saml

import (
	"slices"
	"strings"

	"github.com/crewjam/saml"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/sso"
)

// Attribute names tried, in order, when a connection names none: Okta's
// custom attribute statements (email, firstName, ...), Entra ID's claim
// URIs, and the LDAP OIDs of eduPerson and crewjam's own IdP. Names match
// an attribute's Name or FriendlyName, in any case.
var (
	emailAttributes = []string{"email", "mail", "emailaddress",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "urn:oid:0.9.2342.19200300.100.1.3"}
	userNameAttributes = []string{"userName", "login", "uid",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "urn:oid:0.9.2342.19200300.100.1.1"}
	displayNameAttributes = []string{"displayName",
		"http://schemas.microsoft.com/identity/claims/displayname", "cn", "urn:oid:2.5.4.3"}
	givenNameAttributes = []string{"givenName", "firstName",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42"}
	familyNameAttributes = []string{"familyName", "lastName", "surname", "sn",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4"}
)

// attributes are an assertion's attribute values by name.
type attributes struct {
	byName map[string][]string
	// friendly maps a lower-cased Name or FriendlyName to its Name.
	friendly map[string]string
}

func readAttributes(a *saml.Assertion) attributes {
	at := attributes{byName: map[string][]string{}, friendly: map[string]string{}}
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			if attr.Name == "" {
				continue
			}
			for _, v := range attr.Values {
				if v := strings.TrimSpace(v.Value); v != "" {
					at.byName[attr.Name] = append(at.byName[attr.Name], v)
				}
			}
			for _, n := range []string{attr.Name, attr.FriendlyName} {
				if n != "" {
					if _, taken := at.friendly[strings.ToLower(n)]; !taken {
						at.friendly[strings.ToLower(n)] = attr.Name
					}
				}
			}
		}
	}
	return at
}

// values returns the values of the attribute called name.
func (at attributes) values(name string) []string {
	if v, ok := at.byName[name]; ok {
		return v
	}
	return at.byName[at.friendly[strings.ToLower(name)]]
}

// first returns the first value of the first of names the assertion has.
func (at attributes) first(names ...string) string {
	for _, n := range names {
		if v := at.values(n); len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// acceptedFormats are the NameID formats a connection accepts as the
// subject: the one it is set to, or persistent, emailAddress and
// unspecified (a NameID without a Format is unspecified, SAML 2.0 core
// 8.3.1).
func acceptedFormats(short string) []saml.NameIDFormat {
	if short != "" {
		return []saml.NameIDFormat{formatURN(short)}
	}
	return []saml.NameIDFormat{saml.PersistentNameIDFormat, saml.EmailAddressNameIDFormat, saml.UnspecifiedNameIDFormat}
}

// person turns a verified assertion into who signed in: the subject (the
// connection's subject attribute, or the NameID in a format it accepts),
// and the email, userName and names by the connection's attributes or the
// usual ones.
func person(conn *directory.Connection, a *saml.Assertion) (*sso.Assertion, error) {
	cfg := conn.SAML
	at := readAttributes(a)
	out := &sso.Assertion{Connection: conn, Attributes: at.byName}
	var nameID, format string
	if n := a.Subject.NameID; n != nil {
		nameID, format = strings.TrimSpace(n.Value), n.Format
	}
	if format == "" {
		format = string(saml.UnspecifiedNameIDFormat)
	}
	if cfg.SubjectAttribute != "" {
		vs := at.values(cfg.SubjectAttribute)
		if len(vs) == 0 {
			return nil, &directory.SignInError{Reason: directory.ReasonNoSubject,
				Detail: "the assertion from " + conn.Name + " has no " + cfg.SubjectAttribute + " attribute, which this connection takes as the person's id; ask your administrator to have the IdP send it"}
		}
		if distinct := slices.Compact(slices.Sorted(slices.Values(vs))); len(distinct) > 1 {
			return nil, &directory.SignInError{Reason: directory.ReasonNoSubject,
				Detail: "the assertion from " + conn.Name + " has several values of " + cfg.SubjectAttribute + ", so scimd can't tell which one is the person's id"}
		}
		out.Subject = vs[0]
	} else {
		if !slices.Contains(acceptedFormats(cfg.NameIDFormat), saml.NameIDFormat(format)) {
			detail := "the assertion from " + conn.Name + " identifies the person by a NameID of format " + printable(format, 100) +
				", which this connection does not accept as an id"
			if format == string(saml.TransientNameIDFormat) {
				detail = "the assertion from " + conn.Name + " identifies the person by a transient NameID, which changes at every sign-in and can't be linked to an account; " +
					"ask your administrator to have the IdP send a persistent NameID, or to name a subject attribute"
			}
			return nil, &directory.SignInError{Reason: directory.ReasonNoSubject, Detail: detail}
		}
		if nameID == "" {
			return nil, &directory.SignInError{Reason: directory.ReasonNoSubject,
				Detail: "the assertion from " + conn.Name + " has no NameID, which this connection takes as the person's id"}
		}
		out.Subject = nameID
	}
	// An email or a login in the NameID is one too, unless the IdP sent
	// the attribute.
	readable := format == string(saml.EmailAddressNameIDFormat) || format == string(saml.UnspecifiedNameIDFormat)
	if cfg.EmailAttribute != "" {
		out.Email = at.first(cfg.EmailAttribute)
	} else {
		out.Email = at.first(emailAttributes...)
	}
	if out.Email == "" && format == string(saml.EmailAddressNameIDFormat) {
		out.Email = nameID
	}
	if cfg.UserNameAttribute != "" {
		out.UserName = at.first(cfg.UserNameAttribute)
	} else {
		out.UserName = at.first(userNameAttributes...)
	}
	if out.UserName == "" && readable {
		out.UserName = nameID
	}
	out.DisplayName = at.first(displayNameAttributes...)
	out.GivenName = at.first(givenNameAttributes...)
	out.FamilyName = at.first(familyNameAttributes...)
	// SAML has no email_verified: an IdP's email is not taken as
	// verified, so a SAML sign-in links by externalId or userName, not by
	// email alone.
	out.EmailVerified = false
	return out, nil
}
