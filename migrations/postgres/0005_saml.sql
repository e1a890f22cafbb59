-- +goose Up
-- SAML's replay cache: the ID of every assertion a connection accepted,
-- kept until the assertion's NotOnOrAfter plus the allowed clock skew, so
-- that the same assertion is refused if it comes again, on any replica.
CREATE TABLE sso_assertions (
    connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    assertion_id  text NOT NULL,
    tenant_id     bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX sso_assertions_expires ON sso_assertions (expires_at);

-- +goose Down
DROP TABLE sso_assertions;
