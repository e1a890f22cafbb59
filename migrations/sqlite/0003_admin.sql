-- +goose Up
-- The SQLite twin of postgres/0003_admin.sql: an organization's customers
-- are found without reading every user of the tenant.
CREATE INDEX users_organization ON users (tenant_id, organization_id) WHERE organization_id IS NOT NULL AND deleted_at IS NULL;

-- +goose Down
DROP INDEX users_organization;
