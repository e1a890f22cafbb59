package directory

import (
	"strings"
	"time"
)

// Team is a group of users: what SCIM calls a Group. Its displayName is
// unique in the tenant among live teams, compared case-insensitively.
type Team struct {
	ID          string
	TenantID    int64
	DisplayName string
	ExternalID  string
	Source      Source
	IdPOwned    FieldSet
	Version     int64
	Created     time.Time
	Updated     time.Time
	Deleted     *time.Time
	// Members is filled in on read when asked for. Writes to membership go
	// through Service.ChangeMembers, one row per member, never by saving a
	// whole list.
	Members []Member
	// MemberCount is filled in on read with Members.
	MemberCount int
}

// Member is a user in a team, as read back with the team.
type Member struct {
	UserID      string
	DisplayName string
	UserName    string
}

// Clone returns a copy of t that shares nothing with it.
func (t *Team) Clone() *Team {
	c := *t
	c.IdPOwned = append(FieldSet(nil), t.IdPOwned...)
	c.Members = append([]Member(nil), t.Members...)
	return &c
}

// DiffTeams returns the fields that differ between a and b.
func DiffTeams(a, b *Team) []Change {
	if a == nil {
		a = &Team{}
	}
	if b == nil {
		b = &Team{}
	}
	var out []Change
	if a.DisplayName != b.DisplayName {
		out = append(out, Change{FieldTeamName, zeroNil(a.DisplayName), zeroNil(b.DisplayName)})
	}
	if a.ExternalID != b.ExternalID {
		out = append(out, Change{FieldTeamExternalID, zeroNil(a.ExternalID), zeroNil(b.ExternalID)})
	}
	return out
}

func normalizeTeam(t *Team) error {
	t.DisplayName = strings.TrimSpace(t.DisplayName)
	if t.DisplayName == "" {
		return invalid(FieldTeamName, "displayName is required")
	}
	if t.Source == "" {
		t.Source = SourceLocal
	}
	return checkText(FieldTeamName, t.DisplayName, t.ExternalID)
}

// MemberChange adds and removes members of one team. Users are named by id;
// a member already there is not added twice, and removing a non-member is
// not an error.
type MemberChange struct {
	Add    []string
	Remove []string
	// Replace, when set, makes Add the whole list: every member not in it
	// is removed.
	Replace bool
}
