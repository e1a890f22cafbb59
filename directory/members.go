package directory

import "context"

// MemberQuery selects a page of a team's members, in user id order.
type MemberQuery struct {
	// After continues after this user id (the last one of the previous
	// page); "" starts at the beginning.
	After string
	// Limit is the page size; 0 returns no rows, only the total when Count
	// is set.
	Limit int
	// Count asks for Total.
	Count bool
}

// MemberPage is one page of a team's members.
type MemberPage struct {
	Members []Member
	Total   int    // when MemberQuery.Count was set
	Next    string // the After of the next page; "" on the last
}

// TeamMembers returns a page of a live team's members without reading the
// rest of them. It returns ErrNotFound for a team that is not live, and a
// ValidationError for an After that is not a user id.
func (s *Service) TeamMembers(ctx context.Context, tenant int64, team string, q MemberQuery) (*MemberPage, error) {
	if _, err := s.store.Team(ctx, tenant, team, false); err != nil {
		return nil, err
	}
	if q.After != "" {
		id, ok := CanonicalID(q.After)
		if !ok {
			return nil, invalid("cursor", "the cursor is not one this server gave; start again without it")
		}
		q.After = id
	}
	id, _ := CanonicalID(team)
	return s.store.TeamMembers(ctx, tenant, id, q)
}
