package directory

import (
	"context"
	"fmt"
	"strings"
)

// RenameTenant changes the tenant's display name (its slug, which URLs and
// the CLI use, never changes). It returns ErrNotFound and ValidationError.
func (s *Service) RenameTenant(ctx context.Context, actor Actor, tenant int64, name string) (*Tenant, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, invalid("name", "a tenant's name can't be empty")
	}
	if err := checkText("name", name); err != nil {
		return nil, err
	}
	var out *Tenant
	err := s.store.Write(ctx, func(tx Tx) error {
		// Locked, so the seats used it writes back are the settled count.
		t, err := tx.LockTenant(ctx, tenant)
		if err != nil {
			return err
		}
		out = t
		if t.Name == name {
			return nil
		}
		before := t.Name
		t.Name = name
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "tenant.rename", "tenant", fmt.Sprint(tenant), t.Slug,
			[]Change{{Field: "name", Before: before, After: name}}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AuditEventsAfter returns the tenant's audit events matching q whose id is
// above after, oldest first, for an export that resumes where it stopped.
func (s *Service) AuditEventsAfter(ctx context.Context, tenant int64, after int64, q AuditQuery) ([]*AuditEvent, error) {
	return s.store.AuditEventsAfter(ctx, tenant, after, q)
}
