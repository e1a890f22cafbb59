package directory

import (
	"context"
	"fmt"
	"strings"
)

// The identity operations below are the flow admins know from every
// account page: add an address, verify it, make it primary, remove the old
// one. Each is one UpdateUser, so every rule of a user write applies as it
// does to any other (ownership: an IdP user's emails are the IdP's; the
// registered mobile number; the primary rules; uniqueness of emails), and
// each is audited under a name of its own.

// AddIdentity gives a user a new identity, unverified and not primary
// whatever id says: verification and promotion are steps of their own.
// It returns the user and the identity as stored (with its new id), or
// ErrNotFound, ErrPrecondition, ValidationError, ConflictError (an email
// another user has), ReadOnlyError (an IdP-owned kind).
func (s *Service) AddIdentity(ctx context.Context, actor Actor, tenant int64, user string, ifVersion int64, id Identity) (*User, Identity, error) {
	id.ID, id.Primary, id.Verified, id.Registered = NewID(), false, false, false
	id.Value = strings.TrimSpace(id.Value)
	if !id.Kind.Valid() {
		return nil, Identity{}, invalid("kind", "identity kind %q is not one of email, phone, social", id.Kind)
	}
	u, err := s.updateUser(ctx, actor, tenant, user, ifVersion, "user.identity.add", func(u *User) error {
		for _, o := range u.IdentitiesOf(id.Kind) {
			if sameValue(id.Kind, o.Value, id.Value) {
				return invalid(id.Kind.field(), "the user already has %s", id.Value)
			}
		}
		u.Identities = append(u.Identities, id)
		return nil
	})
	if err != nil {
		return nil, Identity{}, err
	}
	for _, got := range u.Identities {
		if got.ID == id.ID {
			return u, got, nil
		}
	}
	return u, id, nil
}

// VerifyIdentity marks one of a user's identities verified, as an admin
// who checked it says. It returns ErrNotFound for a missing user or
// identity, and the errors of UpdateUser.
func (s *Service) VerifyIdentity(ctx context.Context, actor Actor, tenant int64, user, identity string, ifVersion int64) (*User, error) {
	return s.editIdentity(ctx, actor, tenant, user, identity, ifVersion, "user.identity.verify", func(u *User, i int) {
		u.Identities[i].Verified = true
	})
}

// MakePrimary makes one of a user's identities the primary one of its
// kind, and the one that was primary no longer. Only a verified identity
// becomes primary (RuleVerifiedPrimary). It returns ErrNotFound for a
// missing user or identity, and the errors of UpdateUser.
func (s *Service) MakePrimary(ctx context.Context, actor Actor, tenant int64, user, identity string, ifVersion int64) (*User, error) {
	return s.editIdentity(ctx, actor, tenant, user, identity, ifVersion, "user.identity.primary", func(u *User, i int) {
		kind := u.Identities[i].Kind
		for j := range u.Identities {
			if u.Identities[j].Kind == kind {
				u.Identities[j].Primary = j == i
			}
		}
	})
}

// RemoveIdentity removes one of a user's identities. The only identity of
// a kind can't be removed while it is primary (RulePrimaryIdentity), nor
// the registered mobile number ever (RuleRegisteredMobile). It returns
// ErrNotFound for a missing user or identity, and the errors of
// UpdateUser.
func (s *Service) RemoveIdentity(ctx context.Context, actor Actor, tenant int64, user, identity string, ifVersion int64) (*User, error) {
	return s.editIdentity(ctx, actor, tenant, user, identity, ifVersion, "user.identity.remove", func(u *User, i int) {
		u.Identities = append(u.Identities[:i:i], u.Identities[i+1:]...)
	})
}

// editIdentity finds identity among the user's and lets edit change the
// user around it.
func (s *Service) editIdentity(ctx context.Context, actor Actor, tenant int64, user, identity string, ifVersion int64, action string, edit func(u *User, i int)) (*User, error) {
	want, ok := CanonicalID(identity)
	if !ok {
		return nil, fmt.Errorf("identity %q: %w", identity, ErrNotFound)
	}
	return s.updateUser(ctx, actor, tenant, user, ifVersion, action, func(u *User) error {
		for i := range u.Identities {
			if u.Identities[i].ID == want {
				edit(u, i)
				return nil
			}
		}
		return fmt.Errorf("identity %s: %w", want, ErrNotFound)
	})
}
