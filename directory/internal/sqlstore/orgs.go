package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/scimd/scimd/directory"
)

func (t *tx) InsertOrganization(ctx context.Context, o *directory.Organization) error {
	if _, err := t.db.Exec(ctx, `INSERT INTO organizations (id, tenant_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.TenantID, o.Name, o.Created, o.Updated); err != nil {
		return conflictWith(t.s.mapError(err), o.Name)
	}
	for _, d := range o.Domains {
		if _, err := t.db.Exec(ctx, `INSERT INTO organization_domains (tenant_id, domain, organization_id) VALUES ($1, $2, $3)`,
			o.TenantID, d, o.ID); err != nil {
			return conflictWith(t.s.mapError(err), d)
		}
	}
	return nil
}

func conflictWith(err error, value string) error {
	if ce, ok := errors.AsType[*directory.ConflictError](err); ok && ce.Value == "" {
		ce.Value = value
	}
	return err
}

func (t *tx) OrganizationByDomain(ctx context.Context, tenant int64, domain string) (*directory.Organization, error) {
	var o directory.Organization
	err := t.db.QueryRow(ctx, `SELECT o.id, o.tenant_id, o.name, o.created_at, o.updated_at FROM organization_domains d
		JOIN organizations o ON o.id = d.organization_id WHERE d.tenant_id = $1 AND d.domain = $2`, tenant, domain).
		Scan(&o.ID, &o.TenantID, &o.Name, scanTime(&o.Created), scanTime(&o.Updated))
	if err != nil {
		return nil, t.s.mapError(err)
	}
	return &o, nil
}

// Organizations returns the tenant's organizations by name, with their
// domains.
func (s *Store) Organizations(ctx context.Context, tenant int64) ([]*directory.Organization, error) {
	rows, err := s.db.Query(ctx, `SELECT o.id, o.tenant_id, o.name, o.created_at, o.updated_at, d.domain
		FROM organizations o LEFT JOIN organization_domains d ON d.organization_id = o.id
		WHERE o.tenant_id = $1 ORDER BY lower(o.name), o.id, d.domain`, tenant)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.Organization
	for rows.Next() {
		var o directory.Organization
		var domain string
		if err := rows.Scan(&o.ID, &o.TenantID, &o.Name, scanTime(&o.Created), scanTime(&o.Updated), scanText(&domain)); err != nil {
			return nil, s.mapError(err)
		}
		if n := len(out); n > 0 && out[n-1].ID == o.ID {
			out[n-1].Domains = append(out[n-1].Domains, domain)
			continue
		}
		if domain != "" {
			o.Domains = []string{domain}
		}
		out = append(out, &o)
	}
	return out, s.mapError(rows.Err())
}

func (t *tx) InsertCustomField(ctx context.Context, f *directory.CustomField) error {
	opts := f.Options
	if opts == nil {
		opts = []string{}
	}
	_, err := t.db.Exec(ctx, `INSERT INTO custom_fields (tenant_id, name, type, options, created_at) VALUES ($1, $2, $3, $4, $5)`,
		f.TenantID, f.Name, string(f.Type), jsonText(opts), f.Created)
	return conflictWith(t.s.mapError(err), f.Name)
}

func (t *tx) CustomFields(ctx context.Context, tenant int64) ([]*directory.CustomField, error) {
	return customFields(ctx, t.s, t.db, tenant)
}

// CustomFields returns the tenant's custom field definitions by name.
func (s *Store) CustomFields(ctx context.Context, tenant int64) ([]*directory.CustomField, error) {
	return customFields(ctx, s, s.db, tenant)
}

func customFields(ctx context.Context, s *Store, db DB, tenant int64) ([]*directory.CustomField, error) {
	rows, err := db.Query(ctx, `SELECT tenant_id, name, type, options, created_at FROM custom_fields WHERE tenant_id = $1 ORDER BY name`, tenant)
	if err != nil {
		return nil, s.mapError(err)
	}
	defer rows.Close()
	var out []*directory.CustomField
	for rows.Next() {
		var f directory.CustomField
		var opts string
		if err := rows.Scan(&f.TenantID, &f.Name, &f.Type, &opts, scanTime(&f.Created)); err != nil {
			return nil, s.mapError(err)
		}
		if err := json.Unmarshal([]byte(opts), &f.Options); err != nil {
			return nil, fmt.Errorf("custom field %s options: %w", f.Name, err)
		}
		if len(f.Options) == 0 {
			f.Options = nil
		}
		out = append(out, &f)
	}
	return out, s.mapError(rows.Err())
}
