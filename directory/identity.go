package directory

import (
	"fmt"
	"net/mail"
	"strings"
)

// IdentityKind says what an identity is: an email address, a phone number or
// a handle on a social network.
type IdentityKind string

// The identity kinds.
const (
	KindEmail  IdentityKind = "email"
	KindPhone  IdentityKind = "phone"
	KindSocial IdentityKind = "social"
)

// Valid reports whether k is a known kind.
func (k IdentityKind) Valid() bool {
	return k == KindEmail || k == KindPhone || k == KindSocial
}

// Identity is one way to reach a user. At most one identity of each kind is
// primary. An email belongs to one live user in a tenant.
type Identity struct {
	ID       string
	Kind     IdentityKind
	Value    string
	Type     string // "work", "home", "mobile", "other", or what the IdP sends
	Display  string
	Primary  bool
	Verified bool
	// Registered marks the mobile number the user registered with: it can't
	// be edited or removed (RuleRegisteredMobile).
	Registered bool
}

// field returns the Field that holds identities of this kind.
func (k IdentityKind) field() string {
	switch k {
	case KindEmail:
		return FieldEmails
	case KindPhone:
		return FieldPhoneNumbers
	}
	return FieldSocial
}

// Identities returns u's identities of one kind, in order.
func (u *User) IdentitiesOf(kind IdentityKind) []Identity {
	var out []Identity
	for _, id := range u.Identities {
		if id.Kind == kind {
			out = append(out, id)
		}
	}
	return out
}

// SetIdentities replaces u's identities of one kind with list, keeping the
// id, verified and registered flags of every value that stays (emails match
// case-insensitively), so that an IdP resending the same emails changes
// nothing.
func (u *User) SetIdentities(kind IdentityKind, list []Identity) {
	old := u.IdentitiesOf(kind)
	kept := make([]Identity, 0, len(u.Identities))
	for _, id := range u.Identities {
		if id.Kind != kind {
			kept = append(kept, id)
		}
	}
	for _, n := range list {
		n.Kind = kind
		for _, o := range old {
			if sameValue(kind, o.Value, n.Value) {
				n.ID = o.ID
				n.Verified = n.Verified || o.Verified
				n.Registered = o.Registered
				break
			}
		}
		kept = append(kept, n)
	}
	u.Identities = kept
}

func sameValue(kind IdentityKind, a, b string) bool {
	if kind == KindEmail {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// normalizeIdentities trims values, gives new identities an id, and checks
// the rules that hold within one user: values present and well formed, at
// most one primary per kind, no value twice.
func normalizeIdentities(u *User) error {
	primaries := map[IdentityKind]int{}
	for i := range u.Identities {
		id := &u.Identities[i]
		id.Value = strings.TrimSpace(id.Value)
		if !id.Kind.Valid() {
			return invalid(FieldEmails, "identity kind %q is not one of email, phone, social", id.Kind)
		}
		f := id.Kind.field()
		if id.Value == "" {
			return invalid(f, "%s needs a value", f)
		}
		if len(id.Value) > maxText {
			return invalid(f, "%s value is longer than %d characters", f, maxText)
		}
		if err := checkText(f, id.Type, id.Display); err != nil {
			return err
		}
		if id.Kind == KindEmail {
			if err := checkEmail(id.Value); err != nil {
				return err
			}
		}
		if id.ID == "" {
			id.ID = NewID()
		}
		if id.Primary {
			primaries[id.Kind]++
			if primaries[id.Kind] > 1 {
				return invalid(f, "only one of a user's %s can be primary", f)
			}
		}
		for _, other := range u.Identities[:i] {
			if other.Kind == id.Kind && sameValue(id.Kind, other.Value, id.Value) {
				return invalid(f, "%s lists %s twice", f, id.Value)
			}
		}
	}
	return nil
}

func checkEmail(v string) error {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return invalid(FieldEmails, "%q is not an email address", v)
	}
	return nil
}

// checkIdentityEdits applies the rules that compare identities before and
// after a local edit: the registered mobile number never changes, the only
// identity of a kind can't be removed while primary, and only a verified
// identity becomes primary.
func checkIdentityEdits(before, after *User) error {
	byID := make(map[string]Identity, len(after.Identities))
	for _, id := range after.Identities {
		byID[id.ID] = id
	}
	for _, old := range before.Identities {
		now, ok := byID[old.ID]
		if old.Registered && (!ok || now.Value != old.Value) {
			return registeredMobile(old.Value)
		}
		if !ok && old.Primary && len(after.IdentitiesOf(old.Kind)) == 0 {
			return &InvariantError{Rule: RulePrimaryIdentity, Field: old.Kind.field(), Detail: fmt.Sprintf(
				"%s is the user's primary %s and the only one; add another and make it primary first", old.Value, old.Kind)}
		}
	}
	for _, id := range after.Identities {
		if !id.Primary || id.Verified {
			continue
		}
		var was *Identity
		for i := range before.Identities {
			if before.Identities[i].ID == id.ID {
				was = &before.Identities[i]
			}
		}
		if was == nil || !was.Primary {
			return &InvariantError{Rule: RuleVerifiedPrimary, Field: id.Kind.field(), Detail: fmt.Sprintf(
				"%s is not verified; verify it before making it primary", id.Value)}
		}
	}
	return nil
}
