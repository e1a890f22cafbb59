package directory

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// CreateOrganization adds a customer organization with its email domains.
// A domain another organization has is a ConflictError.
func (s *Service) CreateOrganization(ctx context.Context, actor Actor, tenant int64, o *Organization) (*Organization, error) {
	c := *o
	c.Domains = append([]string(nil), o.Domains...)
	c.ID, c.TenantID = NewID(), tenant
	c.Created = s.clock()
	c.Updated = c.Created
	if err := normalizeOrganization(&c); err != nil {
		return nil, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertOrganization(ctx, &c); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "organization.create", "organization", c.ID, c.Name,
			[]Change{{Field: FieldOrgName, After: c.Name}, {Field: FieldOrgDomains, After: zeroNil(c.Domains)}}))
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Organizations returns the tenant's organizations.
func (s *Service) Organizations(ctx context.Context, tenant int64) ([]*Organization, error) {
	return s.store.Organizations(ctx, tenant)
}

// DefineCustomField adds a custom field to the tenant's users. A name
// already defined is a ConflictError.
func (s *Service) DefineCustomField(ctx context.Context, actor Actor, tenant int64, f *CustomField) (*CustomField, error) {
	c := *f
	c.Options = append([]string(nil), f.Options...)
	c.TenantID = tenant
	c.Created = s.clock()
	if err := normalizeCustomField(&c); err != nil {
		return nil, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.InsertCustomField(ctx, &c); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "customfield.create", "customfield", c.Name, c.Name,
			[]Change{{Field: "type", After: c.Type}}))
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CustomFields returns the tenant's custom field definitions.
func (s *Service) CustomFields(ctx context.Context, tenant int64) ([]*CustomField, error) {
	return s.store.CustomFields(ctx, tenant)
}

// Organization returns one of the tenant's organizations. It returns
// ErrNotFound.
func (s *Service) Organization(ctx context.Context, tenant int64, id string) (*Organization, error) {
	return s.store.Organization(ctx, tenant, id)
}

// UpdateOrganization changes an organization in one transaction: update
// edits a copy (its name, its domains) and the result is checked and
// saved with its audit event. Domains place customers created from now
// on; customers already placed stay where they are. It returns
// ErrNotFound, ValidationError, ConflictError on the name or a domain,
// or what update returns.
func (s *Service) UpdateOrganization(ctx context.Context, actor Actor, tenant int64, id string, update func(*Organization) error) (*Organization, error) {
	var out *Organization
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.OrganizationForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		next := *before
		next.Domains = slices.Clone(before.Domains)
		if err := update(&next); err != nil {
			return err
		}
		next.ID, next.TenantID, next.Created = before.ID, before.TenantID, before.Created
		if err := normalizeOrganization(&next); err != nil {
			return err
		}
		slices.Sort(next.Domains)
		next.Domains = slices.Compact(next.Domains)
		var changes []Change
		if next.Name != before.Name {
			changes = append(changes, Change{Field: FieldOrgName, Before: before.Name, After: next.Name})
		}
		if !slices.Equal(next.Domains, before.Domains) {
			changes = append(changes, Change{Field: FieldOrgDomains, Before: zeroNil(before.Domains), After: zeroNil(next.Domains)})
		}
		if len(changes) == 0 {
			out = before
			return nil
		}
		next.Updated = s.clock()
		if err := tx.UpdateOrganization(ctx, &next); err != nil {
			return err
		}
		out = &next
		return tx.InsertAudit(ctx, s.event(actor, tenant, "organization.update", "organization", next.ID, next.Name, changes))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteOrganization removes an organization and its domains. Its
// customers stay, outside any organization: deleting a company's record
// must not delete its people, and there is no tombstone to keep an
// organization for (its history is in the audit log). It returns
// ErrNotFound.
func (s *Service) DeleteOrganization(ctx context.Context, actor Actor, tenant int64, id string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.OrganizationForUpdate(ctx, tenant, id)
		if err != nil {
			return err
		}
		n, err := tx.DeleteOrganization(ctx, tenant, before.ID, s.clock())
		if err != nil {
			return err
		}
		changes := []Change{{Field: FieldOrgName, Before: before.Name}}
		if len(before.Domains) > 0 {
			changes = append(changes, Change{Field: FieldOrgDomains, Before: before.Domains})
		}
		if n > 0 {
			// A count, not the list: an organization may hold many
			// thousands of customers, and each user's own history shows
			// the change of version.
			changes = append(changes, Change{Field: "customers", Before: n})
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "organization.delete", "organization", before.ID, before.Name, changes))
	})
}

// DeleteCustomField removes a custom field definition (its name matched in
// any case) and the values users hold for it, so that no user is left
// with a value no definition describes (which would make every later
// write to that user fail validation). The values are gone for good; the
// audit log keeps how many users had one. An identity provider that still
// sends the field will have its writes refused until its mapping drops
// it. It returns ErrNotFound.
func (s *Service) DeleteCustomField(ctx context.Context, actor Actor, tenant int64, name string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		defs, err := tx.CustomFields(ctx, tenant)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(defs, func(d *CustomField) bool { return strings.EqualFold(d.Name, name) })
		if i < 0 {
			return ErrNotFound
		}
		d := defs[i]
		n, err := tx.DeleteCustomField(ctx, tenant, d.Name, s.clock())
		if err != nil {
			return err
		}
		changes := []Change{{Field: "type", Before: d.Type}}
		if n > 0 {
			changes = append(changes, Change{Field: "users", Before: n})
		}
		return tx.InsertAudit(ctx, s.event(actor, tenant, "customfield.delete", "customfield", d.Name, d.Name, changes))
	})
}

// checkOrganization refuses to place a user in an organization the tenant
// does not have. The organization is locked until the transaction ends,
// so that a concurrent delete can't leave the user pointing at nothing.
func checkOrganization(ctx context.Context, tx Tx, tenant int64, before, next *User) error {
	if next.OrganizationID == "" || before != nil && before.OrganizationID == next.OrganizationID {
		return nil
	}
	_, err := tx.OrganizationForUpdate(ctx, tenant, next.OrganizationID)
	if errors.Is(err, ErrNotFound) {
		return invalid(FieldOrganizationID, "organization %s does not exist in this tenant", next.OrganizationID)
	}
	return err
}
