package directory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// User returns a live user of the tenant. It returns ErrNotFound.
func (s *Service) User(ctx context.Context, tenant int64, id string, withGroups bool) (*User, error) {
	return s.store.User(ctx, tenant, id, withGroups)
}

// Users returns a page of the tenant's users.
func (s *Service) Users(ctx context.Context, tenant int64, q Query) (*UserPage, error) {
	return s.store.Users(ctx, tenant, q)
}

// CreateUser adds u to the tenant and returns it as stored. An IdP's user is
// marked as provisioned by SCIM, and the fields it sent as IdP-owned. It
// returns ValidationError, ConflictError, or InvariantError for seats and
// owners.
func (s *Service) CreateUser(ctx context.Context, actor Actor, tenant int64, u *User) (*User, error) {
	u = u.Clone()
	u.ID, u.TenantID, u.Version, u.Deleted, u.Groups = NewID(), tenant, 1, nil, nil
	u.Created = s.clock()
	u.Updated = u.Created
	u.Enterprise.ManagerName = ""
	if actor.IdP() {
		u.Source = SourceSCIM
		for i := range u.Identities {
			u.Identities[i].Verified = true // the IdP vouches for what it sends
		}
	} else if u.Source == "" || u.Source == SourceSCIM {
		u.Source = SourceLocal
	}
	// What the IdP sent is what it owns: the fields the caller marked as
	// sent, or, when it marked none, every field it set, decided before
	// defaults fill in the rest (a role, an availability).
	if actor.IdP() {
		if len(u.IdPOwned) == 0 {
			u.IdPOwned = u.IdPOwned.Add(ChangedFields(DiffUsers(nil, u))...)
		}
	} else {
		u.IdPOwned = nil
	}
	if err := normalizeUser(u); err != nil {
		return nil, err
	}
	if err := checkRoleGrant(actor, nil, u); err != nil {
		return nil, s.refused(ctx, actor, tenant, "user.create", "user", "", err)
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := s.checkCustom(ctx, tx, tenant, nil, u); err != nil {
			return err
		}
		if err := checkOrganization(ctx, tx, tenant, nil, u); err != nil {
			return err
		}
		if err := s.placeCustomer(ctx, tx, u); err != nil {
			return err
		}
		// The user's row is written before the seat moves: a new seat
		// limit (LockSeats) waits for writers of users, so one that has
		// written its user is counted, and one that hasn't sees the limit.
		// The other way round, a create could move no seat under an
		// unlimited tenant and insert after the new limit counted.
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := moveSeats(ctx, tx, tenant, b2i(u.TakesSeat())); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "user.create", "user", u.ID, u.UserName, DiffUsers(nil, u)))
	})
	if err != nil {
		// A store may report a conflict or the seat limit only at the
		// commit, so both are worded here.
		err = s.explainSeats(ctx, tenant, s.conflictValue(ctx, tenant, err, u))
		return nil, s.refused(ctx, actor, tenant, "user.create", "user", "", err)
	}
	return u, nil
}

// UpdateUser loads a live user, calls update on a copy and saves the
// result, all in one transaction, after checking every rule against what
// changed: ownership of fields, the last admin, owners, identities, seats,
// uniqueness. If ifVersion is not 0 and the user's version differs, it
// returns ErrPrecondition. An update that changes nothing writes nothing.
// It returns ErrNotFound, ReadOnlyError, ValidationError, ConflictError,
// InvariantError, or what update returns, unchanged.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, tenant int64, id string, ifVersion int64, update func(*User) error) (*User, error) {
	return s.updateUser(ctx, actor, tenant, id, ifVersion, "", update)
}

// updateUser is UpdateUser with the audit action named (or "" to derive it
// from the change), so that operations with a name of their own (adding
// an identity) read as such in the log.
func (s *Service) updateUser(ctx context.Context, actor Actor, tenant int64, id string, ifVersion int64, action string, update func(*User) error) (*User, error) {
	var out, next *User
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.UserForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && before.Version != ifVersion {
			return ErrPrecondition
		}
		next = before.Clone()
		if err := update(next); err != nil {
			return err
		}
		// What a writer may not move.
		next.ID, next.TenantID, next.Version, next.Created = before.ID, before.TenantID, before.Version, before.Created
		next.Deleted, next.Updated, next.Groups = nil, before.Updated, before.Groups
		next.Enterprise.ManagerName = before.Enterprise.ManagerName
		out, err = s.saveUser(ctx, tx, actor, before, next, action)
		return err
	})
	if err != nil {
		if next != nil {
			err = s.conflictValue(ctx, tenant, err, next)
		}
		return nil, s.refused(ctx, actor, tenant, cmp.Or(action, "user.update"), "user", id, s.explainSeats(ctx, tenant, err))
	}
	return out, nil
}

// saveUser checks and writes the change from before to next. action names
// the audit event; "" derives it from the change.
func (s *Service) saveUser(ctx context.Context, tx Tx, actor Actor, before, next *User, action string) (*User, error) {
	if before.BreakGlass && actor.IdP() {
		return nil, &InvariantError{Rule: RuleBreakGlass, Field: FieldBreakGlass,
			Detail: "this is a break-glass account; the identity provider can't manage it"}
	}
	if actor.IdP() {
		next.Source = SourceSCIM
		for i := range next.Identities {
			if !hasIdentity(before, next.Identities[i].ID) {
				next.Identities[i].Verified = true
			}
		}
	} else {
		next.Source = before.Source
		next.IdPOwned = before.IdPOwned
	}
	if err := normalizeUser(next); err != nil {
		return nil, err
	}
	changes := DiffUsers(before, next)
	if actor.IdP() {
		next.IdPOwned = next.IdPOwned.Add(ChangedFields(changes)...)
	} else if before.Source == SourceSCIM {
		for _, c := range changes {
			if before.IdPOwned.Has(c.Field) {
				return nil, &ReadOnlyError{Field: c.Field, Owner: "idp"}
			}
		}
	}
	if len(changes) == 0 && slices.Equal(before.IdPOwned, next.IdPOwned) && before.Source == next.Source && next.Deleted == nil {
		return before, nil
	}
	if err := checkRoleGrant(actor, before, next); err != nil {
		return nil, err
	}
	if !actor.IdP() {
		if err := checkIdentityEdits(before, next); err != nil {
			return nil, err
		}
	} else if err := checkRegistered(before, next); err != nil {
		return nil, err
	}
	if err := s.checkCustom(ctx, tx, next.TenantID, before, next); err != nil {
		return nil, err
	}
	if err := checkOrganization(ctx, tx, next.TenantID, before, next); err != nil {
		return nil, err
	}
	losesAdmin := before.ActiveAdmin() && !next.ActiveAdmin()
	if losesAdmin {
		if _, err := tx.LockTenant(ctx, next.TenantID); err != nil {
			return nil, err
		}
	}
	next.Version = before.Version + 1
	next.Updated = s.clock()
	if err := tx.UpdateUser(ctx, next, before.Version, identitiesChanged(before, next)); err != nil {
		return nil, err
	}
	// After the user's row, as in CreateUser.
	if err := moveSeats(ctx, tx, next.TenantID, b2i(next.TakesSeat())-b2i(before.TakesSeat())); err != nil {
		return nil, err
	}
	if losesAdmin {
		n, err := tx.CountAdmins(ctx, next.TenantID)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, lastAdmin(before, next)
		}
	}
	if before.Active && !next.Active {
		// A disabled user's sessions end with the change (and a session
		// lookup refuses an inactive user in any case).
		if err := tx.EndUserSessions(ctx, next.TenantID, next.ID, next.Updated, "user disabled"); err != nil {
			return nil, err
		}
	}
	if action == "" {
		action = "user.update"
		switch {
		case before.Active && !next.Active:
			action = "user.disable"
		case !before.Active && next.Active:
			action = "user.enable"
		}
	}
	e := s.event(actor, next.TenantID, action, "user", next.ID, next.UserName, changes)
	if err := tx.InsertAudit(ctx, e); err != nil {
		return nil, err
	}
	return next, nil
}

// DeleteUser deletes a live user: it disappears from every read and frees
// its userName, emails and extension, while its tombstone and history stay.
// Its memberships end. It returns ErrNotFound, ErrPrecondition, and
// InvariantError for the last admin.
func (s *Service) DeleteUser(ctx context.Context, actor Actor, tenant int64, id string, ifVersion int64) error {
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.UserForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && before.Version != ifVersion {
			return ErrPrecondition
		}
		if before.BreakGlass && actor.IdP() {
			return &InvariantError{Rule: RuleBreakGlass, Field: FieldBreakGlass,
				Detail: "this is a break-glass account; the identity provider can't manage it"}
		}
		// The IdP deletes its users, or deactivates them and lets go:
		// admins may delete one only once it is disabled.
		if !actor.IdP() && before.Source == SourceSCIM && before.Active {
			return &ReadOnlyError{Field: FieldActive, Owner: "idp"}
		}
		if err := checkRoleGrant(actor, before, before); err != nil {
			return err
		}
		next := before.Clone()
		now := s.clock()
		next.Deleted = &now
		next.Groups = nil
		losesAdmin := before.ActiveAdmin()
		if losesAdmin {
			if _, err := tx.LockTenant(ctx, tenant); err != nil {
				return err
			}
		}
		next.Version = before.Version + 1
		next.Updated = now
		if err := tx.UpdateUser(ctx, next, before.Version, false); err != nil {
			return err
		}
		// After the user's row, as in CreateUser.
		if err := moveSeats(ctx, tx, tenant, -b2i(before.TakesSeat())); err != nil {
			return err
		}
		if losesAdmin {
			n, err := tx.CountAdmins(ctx, tenant)
			if err != nil {
				return err
			}
			if n == 0 {
				return lastAdmin(before, next)
			}
		}
		if err := tx.EndUserSessions(ctx, tenant, id, now, "user deleted"); err != nil {
			return err
		}
		teams, err := tx.RemoveFromAllTeams(ctx, tenant, id, now)
		if err != nil {
			return err
		}
		changes := []Change{{Field: "deleted", After: now}}
		if len(teams) > 0 {
			changes = append(changes, Change{Field: "teams", Before: teams})
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "user.delete", "user", id, before.UserName, changes))
	})
	return s.refused(ctx, actor, tenant, "user.delete", "user", id, s.explainSeats(ctx, tenant, err))
}

func lastAdmin(before, next *User) error {
	verb := "demoted"
	switch {
	case next.Deleted != nil:
		verb = "deleted"
	case !next.Active:
		verb = "disabled"
	}
	return &InvariantError{Rule: RuleLastAdmin, Field: FieldRole, Detail: fmt.Sprintf(
		"%s is the tenant's last active owner or admin and can't be %s; make another user an admin first", before.UserName, verb)}
}

// checkRoleGrant applies the owner rules: only an owner edits an owner's
// account or makes someone an owner, and the identity provider never
// makes owners (ownership is the tenant's, not its IdP's).
func checkRoleGrant(actor Actor, before, next *User) error {
	if actor.IdP() {
		if next.Role == RoleOwner && (before == nil || before.Role != RoleOwner) {
			return &InvariantError{Rule: RuleOwnerProtected, Field: FieldRole,
				Detail: "the identity provider can't make someone an owner; an owner grants that role in scimd"}
		}
		return nil
	}
	if actor.Kind != ActorUser || actor.Role == RoleOwner {
		return nil
	}
	if before != nil && before.Role == RoleOwner {
		return &InvariantError{Rule: RuleOwnerProtected, Field: FieldRole,
			Detail: "only an owner can change an owner's account"}
	}
	if next.Role == RoleOwner {
		return &InvariantError{Rule: RuleOwnerProtected, Field: FieldRole,
			Detail: "only an owner can make someone an owner"}
	}
	return nil
}

// checkRegistered holds the registered mobile number against any writer.
func checkRegistered(before, next *User) error {
	for _, old := range before.Identities {
		if old.Registered && !slices.ContainsFunc(next.Identities, func(i Identity) bool {
			return i.ID == old.ID && i.Value == old.Value
		}) {
			return registeredMobile(old.Value)
		}
	}
	return nil
}

func registeredMobile(value string) error {
	return &InvariantError{Rule: RuleRegisteredMobile, Field: FieldPhoneNumbers, Detail: fmt.Sprintf(
		"%s is the user's registered mobile number and can't be edited or removed; to change it, create a new user with the new number, move this user's settings to it, and disable this one", value)}
}

// identitiesChanged reports whether the identities differ in anything a
// store keeps.
func identitiesChanged(a, b *User) bool {
	return !slices.Equal(a.Identities, b.Identities)
}

func hasIdentity(u *User, id string) bool {
	for _, i := range u.Identities {
		if i.ID == id {
			return true
		}
	}
	return false
}

// conflictValue fills in the value a ConflictError names, from the user
// being written, so the message can say which userName, extension or
// email is taken. For emails the store can't say which one collided: the
// first of u's emails another live user has is looked up, outside the
// failed transaction.
func (s *Service) conflictValue(ctx context.Context, tenant int64, err error, u *User) error {
	ce, ok := errors.AsType[*ConflictError](err)
	if !ok || ce.Value != "" {
		return err
	}
	switch ce.Field {
	case FieldUserName:
		ce.Value = u.UserName
	case FieldExtension:
		ce.Value = u.Extension
	case FieldExternalID:
		ce.Value = u.ExternalID
	case FieldEmails:
		for _, id := range u.IdentitiesOf(KindEmail) {
			page, qerr := s.store.Users(ctx, tenant, Query{Limit: 1, Filter: Any{Kind: KindEmail,
				Where: Cmp{Attr: AttrIdentityValue, Op: OpEq, Value: id.Value, Fold: true}}})
			if qerr == nil && len(page.Users) > 0 && page.Users[0].ID != u.ID {
				ce.Value = id.Value
				break
			}
		}
	}
	return ce
}

// checkCustom checks the custom fields that changed against the tenant's
// definitions, matching names in any case and keeping them under their
// defined spelling, and turning values sent as text into the field's type
// ("42", "true"), as IdPs that know only strings send them.
func (s *Service) checkCustom(ctx context.Context, tx Tx, tenant int64, before, next *User) error {
	if before != nil && maps.EqualFunc(before.Custom, next.Custom, func(a, b any) bool { return a == b }) {
		return nil
	}
	if len(next.Custom) == 0 {
		return nil
	}
	defs, err := tx.CustomFields(ctx, tenant)
	if err != nil {
		return err
	}
	byName := make(map[string]*CustomField, len(defs))
	for _, d := range defs {
		byName[strings.ToLower(d.Name)] = d
	}
	out := make(map[string]any, len(next.Custom))
	for name, v := range next.Custom {
		d, ok := byName[strings.ToLower(name)]
		if !ok {
			return invalid(FieldCustomPrefix+name, "%q is not one of this tenant's custom fields", name)
		}
		if v == nil {
			continue
		}
		if v, err = d.coerce(v); err != nil {
			return err
		}
		out[d.Name] = v
	}
	next.Custom = out
	if len(out) == 0 {
		next.Custom = nil
	}
	return nil
}

// placeCustomer puts a new customer without an organization into the one
// whose email domain matches the customer's primary email.
func (s *Service) placeCustomer(ctx context.Context, tx Tx, u *User) error {
	if u.Role != RoleCustomer || u.OrganizationID != "" {
		return nil
	}
	email := u.PrimaryEmail()
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return nil
	}
	org, err := tx.OrganizationByDomain(ctx, u.TenantID, strings.ToLower(email[at+1:]))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	u.OrganizationID = org.ID
	return nil
}
