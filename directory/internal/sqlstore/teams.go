package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/scimd/scimd/directory"
)

const teamColumns = `t.id, t.tenant_id, t.display_name, t.external_id, t.source, t.idp_owned, t.version, t.created_at, t.updated_at, t.deleted_at`

func scanTeam(r Row, extra ...any) (*directory.Team, error) {
	var t directory.Team
	var owned string
	dest := []any{&t.ID, &t.TenantID, &t.DisplayName, scanText(&t.ExternalID), &t.Source, &owned, &t.Version,
		scanTime(&t.Created), scanTime(&t.Updated), scanNullTime(&t.Deleted)}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(owned), &t.IdPOwned); err != nil {
		return nil, fmt.Errorf("team %s idp_owned: %w", t.ID, err)
	}
	return &t, nil
}

// Team returns a live team.
func (s *Store) Team(ctx context.Context, tenant int64, id string, withMembers bool) (*directory.Team, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	t, err := scanTeam(s.db.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.tenant_id = $1 AND t.id = $2 AND t.deleted_at IS NULL`, tenant, id))
	if err != nil {
		return nil, s.mapError(err)
	}
	if withMembers {
		if err := s.loadMembers(ctx, []*directory.Team{t}); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Teams returns a page of teams matching q.
func (s *Store) Teams(ctx context.Context, tenant int64, q directory.Query) (*directory.TeamPage, error) {
	sel, err := s.compileList(teamScope, tenant, q)
	if err != nil {
		return nil, err
	}
	page := &directory.TeamPage{}
	if q.Count {
		if err := s.db.QueryRow(ctx, sel.count, sel.countArgs...).Scan(&page.Total); err != nil {
			return nil, s.mapError(err)
		}
	}
	if q.Limit <= 0 {
		return page, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+teamColumns+`, `+sel.sortKey+` FROM teams t `+sel.rest, sel.args...)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var last any
	for rows.Next() {
		t, err := scanTeam(rows, &last)
		if err != nil {
			return nil, s.mapError(err)
		}
		page.Teams = append(page.Teams, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(err)
	}
	rows.Close()
	if len(page.Teams) == q.Limit {
		page.Next = &directory.Cursor{Value: cursorValue(last), ID: page.Teams[len(page.Teams)-1].ID}
	}
	if q.WithMembers {
		if err := s.loadMembers(ctx, page.Teams); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// loadMembers fills in the members of teams, in one query.
func (s *Store) loadMembers(ctx context.Context, teams []*directory.Team) error {
	if len(teams) == 0 {
		return nil
	}
	byID := make(map[string]*directory.Team, len(teams))
	list := make([]string, len(teams))
	for i, t := range teams {
		byID[t.ID] = t
		list[i] = t.ID
		t.Members = []directory.Member{}
	}
	q := `SELECT m.team_id, m.user_id, u.display_name, u.user_name FROM memberships m JOIN users u ON u.id = m.user_id WHERE `
	var rows Rows
	var err error
	if len(teams) == 1 {
		rows, err = s.db.Query(ctx, q+`m.team_id = $1 ORDER BY m.user_id`, list[0])
	} else {
		rows, err = s.db.Query(ctx, q+`m.team_id IN `+s.d.IDRows("$1")+` ORDER BY m.team_id, m.user_id`, ids(list))
	}
	if err != nil {
		return s.mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var teamID string
		var m directory.Member
		if err := rows.Scan(&teamID, &m.UserID, scanText(&m.DisplayName), &m.UserName); err != nil {
			return s.mapError(err)
		}
		if t := byID[teamID]; t != nil {
			t.Members = append(t.Members, m)
		}
	}
	if err := rows.Err(); err != nil {
		return s.mapError(err)
	}
	for _, t := range teams {
		t.MemberCount = len(t.Members)
	}
	return nil
}

func (t *tx) TeamForUpdate(ctx context.Context, tenant int64, id string) (*directory.Team, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	tm, err := scanTeam(t.db.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.tenant_id = $1 AND t.id = $2 AND t.deleted_at IS NULL`+t.s.d.ForUpdate, tenant, id))
	return tm, t.s.mapError(err)
}

func ownedJSON(f directory.FieldSet) string {
	if f == nil {
		f = directory.FieldSet{}
	}
	return jsonText(f)
}

func (t *tx) InsertTeam(ctx context.Context, tm *directory.Team) error {
	return t.s.mapError(t.db.Queue(ctx, `INSERT INTO teams (id, tenant_id, display_name, external_id, source, idp_owned, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		[]any{tm.ID, tm.TenantID, tm.DisplayName, null(tm.ExternalID), string(tm.Source), ownedJSON(tm.IdPOwned), tm.Version, tm.Created, tm.Updated}, nil))
}

func (t *tx) UpdateTeam(ctx context.Context, tm *directory.Team, prev int64) error {
	// The caller read the team FOR UPDATE in this transaction: a version
	// that moved is ErrPrecondition.
	return t.s.mapError(t.db.Queue(ctx, `UPDATE teams SET display_name = $4, external_id = $5, source = $6, idp_owned = $7, version = $8, updated_at = $9, deleted_at = $10
		WHERE tenant_id = $1 AND id = $2 AND version = $3 AND deleted_at IS NULL RETURNING id`,
		[]any{tm.TenantID, tm.ID, prev, tm.DisplayName, null(tm.ExternalID), string(tm.Source), ownedJSON(tm.IdPOwned), tm.Version, tm.Updated, nullTime(tm.Deleted)},
		func(rows Rows) error {
			if !rows.Next() {
				if err := rows.Err(); err != nil {
					return err
				}
				return directory.ErrPrecondition
			}
			return nil
		}))
}

func (t *tx) TouchTeam(ctx context.Context, tenant int64, id string, ifVersion int64, now time.Time) (*directory.Team, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	q := `UPDATE teams SET version = version + 1, updated_at = $3 WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`
	args := []any{tenant, id, now}
	if ifVersion != 0 {
		q += ` AND version = $4`
		args = append(args, ifVersion)
	}
	q += ` RETURNING id, tenant_id, display_name, external_id, source, idp_owned, version, created_at, updated_at, deleted_at`
	tm, err := scanTeam(t.db.QueryRow(ctx, q, args...))
	if err == nil {
		return tm, nil
	}
	if err = t.s.mapError(err); errors.Is(err, directory.ErrNotFound) && ifVersion != 0 {
		return nil, t.missingOrMoved(ctx, "teams", tenant, id)
	}
	return nil, err
}

func (t *tx) AddMembers(ctx context.Context, tenant int64, team string, users []string, now time.Time) ([]string, error) {
	if len(users) == 0 {
		return nil, nil
	}
	// WHERE TRUE keeps SQLite from reading ON CONFLICT as a join's ON.
	rows, err := t.db.Query(ctx, `INSERT INTO memberships (team_id, user_id, tenant_id, created_at)
		SELECT $2, x.id, $1, $3 FROM `+t.s.d.IDRows("$4")+` x WHERE TRUE
		ON CONFLICT (team_id, user_id) DO NOTHING RETURNING user_id`, tenant, team, now, ids(users))
	if err != nil {
		return nil, t.s.mapError(err)
	}
	return collectIDs(rows, t.s)
}

func (t *tx) RemoveMembers(ctx context.Context, tenant int64, team string, users []string) ([]string, error) {
	if len(users) == 0 {
		return nil, nil
	}
	rows, err := t.db.Query(ctx, `DELETE FROM memberships WHERE team_id = $1 AND tenant_id = $2 AND user_id IN `+t.s.d.IDRows("$3")+` RETURNING user_id`,
		team, tenant, ids(users))
	if err != nil {
		return nil, t.s.mapError(err)
	}
	return collectIDs(rows, t.s)
}

func (t *tx) RetainMembers(ctx context.Context, tenant int64, team string, keep []string) ([]string, error) {
	if keep == nil {
		keep = []string{}
	}
	rows, err := t.db.Query(ctx, `DELETE FROM memberships WHERE team_id = $1 AND tenant_id = $2 AND user_id NOT IN `+t.s.d.IDRows("$3")+` RETURNING user_id`,
		team, tenant, ids(keep))
	if err != nil {
		return nil, t.s.mapError(err)
	}
	return collectIDs(rows, t.s)
}

func (t *tx) RemoveFromAllTeams(ctx context.Context, tenant int64, user string, now time.Time) ([]string, error) {
	rows, err := t.db.Query(ctx, `DELETE FROM memberships WHERE user_id = $1 AND tenant_id = $2 RETURNING team_id`, user, tenant)
	if err != nil {
		return nil, t.s.mapError(err)
	}
	teams, err := collectIDs(rows, t.s)
	if err != nil || len(teams) == 0 {
		return teams, err
	}
	_, err = t.db.Exec(ctx, `UPDATE teams SET version = version + 1, updated_at = $2 WHERE id IN `+t.s.d.IDRows("$1"), ids(teams), now)
	return teams, t.s.mapError(err)
}
