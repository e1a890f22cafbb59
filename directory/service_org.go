package directory

import "context"

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
