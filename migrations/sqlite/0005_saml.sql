-- +goose Up
-- The SQLite twin of postgres/0005_saml.sql: SAML's replay cache.
CREATE TABLE sso_assertions (
    connection_id TEXT NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    assertion_id  TEXT NOT NULL,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    expires_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX sso_assertions_expires ON sso_assertions (expires_at);

-- +goose Down
DROP TABLE sso_assertions;
