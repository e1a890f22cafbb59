-- +goose Up
-- Local administration. Deleting an organization takes its customers out of
-- it, and admins list an organization's customers (organizationId eq ...):
-- both find them here instead of reading every user of the tenant.
CREATE INDEX users_organization ON users (tenant_id, organization_id) WHERE organization_id IS NOT NULL AND deleted_at IS NULL;

-- +goose Down
DROP INDEX users_organization;
