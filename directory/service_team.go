package directory

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Team returns a live team of the tenant; withMembers reads its members
// too. It returns ErrNotFound.
func (s *Service) Team(ctx context.Context, tenant int64, id string, withMembers bool) (*Team, error) {
	return s.store.Team(ctx, tenant, id, withMembers)
}

// Teams returns a page of the tenant's teams.
func (s *Service) Teams(ctx context.Context, tenant int64, q Query) (*TeamPage, error) {
	return s.store.Teams(ctx, tenant, q)
}

// CreateTeam adds a team with members (user ids). It returns
// ValidationError, ConflictError on the name, and ValidationError naming
// members that are not users of the tenant.
func (s *Service) CreateTeam(ctx context.Context, actor Actor, tenant int64, t *Team, members []string) (*Team, error) {
	t = t.Clone()
	t.ID, t.TenantID, t.Version, t.Deleted, t.Members = NewID(), tenant, 1, nil, nil
	t.Created = s.clock()
	t.Updated = t.Created
	if actor.IdP() {
		t.Source = SourceSCIM
	} else {
		t.Source = SourceLocal
	}
	if err := normalizeTeam(t); err != nil {
		return nil, err
	}
	changes := DiffTeams(nil, t)
	if actor.IdP() {
		t.IdPOwned = t.IdPOwned.Add(ChangedFields(changes)...)
		if len(members) > 0 {
			t.IdPOwned = t.IdPOwned.Add(FieldMembers)
		}
	} else {
		t.IdPOwned = nil
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertTeam(ctx, t); err != nil {
			return err
		}
		added, err := addMembers(ctx, tx, tenant, t.ID, members, t.Created)
		if err != nil {
			return err
		}
		if len(added) > 0 {
			changes = append(changes, Change{Field: FieldMembers, After: added})
		}
		t.MemberCount = len(added)
		return tx.InsertAudit(ctx, s.event(actor, tenant, "team.create", "team", t.ID, t.DisplayName, changes))
	})
	if err != nil {
		return nil, teamConflict(err, t)
	}
	return t, nil
}

// UpdateTeam changes a live team in one transaction: update (when not nil)
// edits its name and externalId on a copy, without its members; members
// (when not nil) adds and removes members one row each, so a change to a
// team of 100,000 costs what it costs for a team of one. If ifVersion is
// not 0 and the team's version differs, it returns ErrPrecondition. It
// returns ErrNotFound, ReadOnlyError, ValidationError, ConflictError.
func (s *Service) UpdateTeam(ctx context.Context, actor Actor, tenant int64, id string, ifVersion int64, update func(*Team) error, members *MemberChange) (*Team, error) {
	var out, renamed *Team
	err := s.store.Write(ctx, func(tx Tx) error {
		var (
			t       *Team
			changes []Change
			err     error
		)
		now := s.clock()
		if update != nil {
			before, err := tx.TeamForUpdate(ctx, tenant, id)
			if err != nil {
				return err
			}
			if ifVersion != 0 && before.Version != ifVersion {
				return ErrPrecondition
			}
			next := before.Clone()
			if err := update(next); err != nil {
				return err
			}
			next.ID, next.TenantID, next.Version, next.Created, next.Deleted = before.ID, before.TenantID, before.Version, before.Created, nil
			if err := normalizeTeam(next); err != nil {
				return err
			}
			changes = DiffTeams(before, next)
			if err := checkTeamOwnership(actor, before, changes, members); err != nil {
				return err
			}
			if actor.IdP() {
				next.Source = SourceSCIM
				next.IdPOwned = next.IdPOwned.Add(ChangedFields(changes)...)
			} else {
				next.Source, next.IdPOwned = before.Source, before.IdPOwned
			}
			next.Version, next.Updated = before.Version+1, now
			renamed = next
			if err := tx.UpdateTeam(ctx, next, before.Version); err != nil {
				return err
			}
			t = next
		} else {
			if members == nil {
				return s.noChange(ctx, tx, tenant, id, ifVersion, &out)
			}
			if t, err = tx.TouchTeam(ctx, tenant, id, ifVersion, now); err != nil {
				return err
			}
			if err := checkTeamOwnership(actor, t, nil, members); err != nil {
				return err
			}
		}
		if members != nil {
			removed, added, err := changeMembers(ctx, tx, tenant, id, members, now)
			if err != nil {
				return err
			}
			if len(removed) > 0 || len(added) > 0 {
				changes = append(changes, Change{Field: FieldMembers, Before: nilIfEmpty(removed), After: nilIfEmpty(added)})
			}
		}
		out = t
		if len(changes) == 0 {
			return nil
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "team.update", "team", id, t.DisplayName, changes))
	})
	if err != nil {
		if renamed != nil {
			err = teamConflict(err, renamed)
		}
		return nil, s.refused(ctx, actor, tenant, "team.update", "team", id, err)
	}
	return out, nil
}

// noChange answers an update that asks for nothing: the team as it is.
func (s *Service) noChange(ctx context.Context, tx Tx, tenant int64, id string, ifVersion int64, out **Team) error {
	t, err := tx.TeamForUpdate(ctx, tenant, id)
	if err != nil {
		return err
	}
	if ifVersion != 0 && t.Version != ifVersion {
		return ErrPrecondition
	}
	*out = t
	return nil
}

// checkTeamOwnership refuses a local edit of what the IdP owns in a team.
func checkTeamOwnership(actor Actor, before *Team, changes []Change, members *MemberChange) error {
	if actor.IdP() || before.Source != SourceSCIM {
		return nil
	}
	for _, c := range changes {
		if before.IdPOwned.Has(c.Field) {
			return &ReadOnlyError{Field: c.Field, Owner: "idp"}
		}
	}
	// The membership of the IdP's team is the IdP's whether or not it has
	// sent members yet: it adds them after creating the group (Okta), and a
	// PUT replaces the whole list, so a member added locally would not last.
	if members != nil {
		return &ReadOnlyError{Field: FieldMembers, Owner: "idp"}
	}
	return nil
}

// DeleteTeam deletes a live team and its memberships; its tombstone and
// history stay. It returns ErrNotFound, ErrPrecondition, ReadOnlyError.
func (s *Service) DeleteTeam(ctx context.Context, actor Actor, tenant int64, id string, ifVersion int64) error {
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.TeamForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		if ifVersion != 0 && before.Version != ifVersion {
			return ErrPrecondition
		}
		if !actor.IdP() && before.Source == SourceSCIM {
			return &ReadOnlyError{Field: "team", Owner: "idp"}
		}
		removed, err := tx.RetainMembers(ctx, tenant, id, nil)
		if err != nil {
			return err
		}
		next := before.Clone()
		now := s.clock()
		next.Deleted, next.Updated, next.Version = &now, now, before.Version+1
		if err := tx.UpdateTeam(ctx, next, before.Version); err != nil {
			return err
		}
		changes := []Change{{Field: "deleted", After: now}}
		if len(removed) > 0 {
			changes = append(changes, Change{Field: FieldMembers, Before: removed})
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "team.delete", "team", id, before.DisplayName, changes))
	})
	return s.refused(ctx, actor, tenant, "team.delete", "team", id, err)
}

// changeMembers applies a MemberChange and returns who was removed and who
// was added.
func changeMembers(ctx context.Context, tx Tx, tenant int64, team string, c *MemberChange, now time.Time) (removed, added []string, err error) {
	add, err := memberIDs(c.Add)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case c.Replace:
		removed, err = tx.RetainMembers(ctx, tenant, team, add)
	case len(c.Remove) > 0:
		var rm []string
		if rm, err = memberIDs(c.Remove); err == nil {
			removed, err = tx.RemoveMembers(ctx, tenant, team, rm)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	added, err = addMembers(ctx, tx, tenant, team, add, now)
	return removed, added, err
}

// memberIDs returns users' ids in canonical form, sorted, each once.
func memberIDs(users []string) ([]string, error) {
	ids := make([]string, 0, len(users))
	for _, u := range users {
		id, ok := CanonicalID(u)
		if !ok {
			return nil, invalid(FieldMembers, "member %q is not a user id", u)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// addMembers adds users to a team after checking they are live users of
// the tenant, and returns those newly added.
func addMembers(ctx context.Context, tx Tx, tenant int64, team string, users []string, now time.Time) ([]string, error) {
	if len(users) == 0 {
		return nil, nil
	}
	ids, err := memberIDs(users)
	if err != nil {
		return nil, err
	}
	found, err := tx.UsersExist(ctx, tenant, ids)
	if err != nil {
		return nil, err
	}
	if len(found) != len(ids) {
		slices.Sort(found)
		for _, id := range ids {
			if _, ok := slices.BinarySearch(found, id); !ok {
				return nil, invalid(FieldMembers, "member %s is not a user of this tenant", id)
			}
		}
	}
	return tx.AddMembers(ctx, tenant, team, ids, now)
}

func teamConflict(err error, t *Team) error {
	if ce, ok := errors.AsType[*ConflictError](err); ok && ce.Value == "" {
		switch ce.Field {
		case FieldTeamName:
			ce.Value = t.DisplayName
		case FieldTeamExternalID:
			ce.Value = t.ExternalID
		}
	}
	return err
}

func nilIfEmpty(s []string) any {
	if len(s) == 0 {
		return nil
	}
	return s
}
