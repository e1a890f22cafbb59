package sqlstore

import (
	"context"
	"time"

	"github.com/scimd/scimd/directory"
)

// The store methods the admin API added: one organization, changing and
// deleting organizations and custom fields, a team's members a page at a
// time, and the audit log oldest first.

const orgWithDomains = `SELECT o.id, o.tenant_id, o.name, o.created_at, o.updated_at, d.domain
	FROM organizations o LEFT JOIN organization_domains d ON d.organization_id = o.id
	WHERE o.tenant_id = $1 AND o.id = $2`

// scanOrganization reads orgWithDomains: one row per domain, or one row
// with a NULL domain.
func scanOrganization(s *Store, rows Rows) (*directory.Organization, error) {
	defer rows.Close()
	var o *directory.Organization
	for rows.Next() {
		var r directory.Organization
		var domain string
		if err := rows.Scan(&r.ID, &r.TenantID, &r.Name, scanTime(&r.Created), scanTime(&r.Updated), scanText(&domain)); err != nil {
			return nil, s.mapError(err)
		}
		if o == nil {
			o = &r
		}
		if domain != "" {
			o.Domains = append(o.Domains, domain)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(err)
	}
	if o == nil {
		return nil, directory.ErrNotFound
	}
	return o, nil
}

// Organization returns one organization with its domains.
func (s *Store) Organization(ctx context.Context, tenant int64, id string) (*directory.Organization, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	rows, err := s.db.Query(ctx, orgWithDomains+` ORDER BY d.domain`, tenant, id)
	if err != nil {
		return nil, s.mapError(err)
	}
	return scanOrganization(s, rows)
}

func (t *tx) OrganizationForUpdate(ctx context.Context, tenant int64, id string) (*directory.Organization, error) {
	id, ok := canonical(id)
	if !ok {
		return nil, directory.ErrNotFound
	}
	// Lock the organization's row alone: PostgreSQL refuses FOR UPDATE on
	// the nullable side of an outer join.
	var locked string
	if err := t.db.QueryRow(ctx, `SELECT id FROM organizations WHERE tenant_id = $1 AND id = $2`+t.s.d.ForUpdate, tenant, id).Scan(&locked); err != nil {
		return nil, t.s.mapError(err)
	}
	rows, err := t.db.Query(ctx, orgWithDomains+` ORDER BY d.domain`, tenant, id)
	if err != nil {
		return nil, t.s.mapError(err)
	}
	return scanOrganization(t.s, rows)
}

func (t *tx) UpdateOrganization(ctx context.Context, o *directory.Organization) error {
	n, err := t.db.Exec(ctx, `UPDATE organizations SET name = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2`,
		o.TenantID, o.ID, o.Name, o.Updated)
	if err != nil {
		return conflictWith(t.s.mapError(err), o.Name)
	}
	if n == 0 {
		return directory.ErrNotFound
	}
	if _, err := t.db.Exec(ctx, `DELETE FROM organization_domains WHERE tenant_id = $1 AND organization_id = $2`, o.TenantID, o.ID); err != nil {
		return t.s.mapError(err)
	}
	for _, d := range o.Domains {
		if _, err := t.db.Exec(ctx, `INSERT INTO organization_domains (tenant_id, domain, organization_id) VALUES ($1, $2, $3)`,
			o.TenantID, d, o.ID); err != nil {
			return conflictWith(t.s.mapError(err), d)
		}
	}
	return nil
}

func (t *tx) DeleteOrganization(ctx context.Context, tenant int64, id string, now time.Time) (int, error) {
	id, ok := canonical(id)
	if !ok {
		return 0, directory.ErrNotFound
	}
	// users_organization (migration 0003) finds the customers without
	// reading the rest of the tenant.
	users, err := t.db.Exec(ctx, `UPDATE users SET organization_id = NULL, version = version + 1, updated_at = $3
		WHERE tenant_id = $1 AND organization_id = $2 AND deleted_at IS NULL`, tenant, id, now)
	if err != nil {
		return 0, t.s.mapError(err)
	}
	if _, err := t.db.Exec(ctx, `DELETE FROM organization_domains WHERE tenant_id = $1 AND organization_id = $2`, tenant, id); err != nil {
		return 0, t.s.mapError(err)
	}
	n, err := t.db.Exec(ctx, `DELETE FROM organizations WHERE tenant_id = $1 AND id = $2`, tenant, id)
	if err != nil {
		return 0, t.s.mapError(err)
	}
	if n == 0 {
		return 0, directory.ErrNotFound
	}
	return int(users), nil
}

func (t *tx) DeleteCustomField(ctx context.Context, tenant int64, name string, now time.Time) (int, error) {
	n, err := t.db.Exec(ctx, `DELETE FROM custom_fields WHERE tenant_id = $1 AND name = $2`, tenant, name)
	if err != nil {
		return 0, t.s.mapError(err)
	}
	if n == 0 {
		return 0, directory.ErrNotFound
	}
	users, err := t.db.Exec(ctx, `UPDATE users SET custom = `+t.s.d.JSONRemove("custom", "$2")+`, version = version + 1, updated_at = $3
		WHERE tenant_id = $1 AND deleted_at IS NULL AND `+t.s.d.JSONHas("custom", "$2"), tenant, name, now)
	if err != nil {
		return 0, t.s.mapError(err)
	}
	return int(users), nil
}

// TeamMembers returns a page of a team's members, walking the membership
// key (team_id, user_id) from q.After.
func (s *Store) TeamMembers(ctx context.Context, tenant int64, team string, q directory.MemberQuery) (*directory.MemberPage, error) {
	page := &directory.MemberPage{}
	team, ok := canonical(team)
	if !ok {
		return nil, directory.ErrNotFound
	}
	if q.Count {
		if err := s.db.QueryRow(ctx, `SELECT count(*) FROM memberships WHERE team_id = $1 AND tenant_id = $2`, team, tenant).Scan(&page.Total); err != nil {
			return nil, s.mapError(err)
		}
	}
	if q.Limit <= 0 {
		return page, nil
	}
	limit := min(q.Limit, maxPage)
	sql := `SELECT m.user_id, u.display_name, u.user_name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = $1 AND m.tenant_id = $2`
	args := []any{team, tenant, limit}
	if q.After != "" {
		after, ok := canonical(q.After)
		if !ok {
			return nil, &directory.ValidationError{Field: "cursor", Detail: "the cursor is not one this server gave"}
		}
		sql += ` AND m.user_id > $4`
		args = append(args, after)
	}
	rows, err := s.db.Query(ctx, sql+` ORDER BY m.user_id LIMIT $3`, args...)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var m directory.Member
		if err := rows.Scan(&m.UserID, scanText(&m.DisplayName), &m.UserName); err != nil {
			return nil, s.mapError(err)
		}
		page.Members = append(page.Members, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapError(err)
	}
	if len(page.Members) == limit {
		page.Next = page.Members[len(page.Members)-1].UserID
	}
	return page, nil
}
