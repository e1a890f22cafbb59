-- +goose Up
-- Sign-in: a tenant's connections to its identity providers, the links from
-- a provider's subject to a directory user, sign-ins on their way through a
-- provider (so that any replica can finish one), and sessions. A tenant's
-- sign-in settings live in tenants.settings.

CREATE TABLE sso_connections (
    id          uuid PRIMARY KEY,
    tenant_id   bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    name        text NOT NULL,
    enabled     boolean NOT NULL,
    -- the kind's settings: directory.OIDCConfig or directory.SAMLConfig
    config      jsonb NOT NULL DEFAULT '{}',
    -- the client secret or SP key, sealed (internal/secretbox); never clear
    secret      bytea,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX sso_connections_name ON sso_connections (tenant_id, lower(name));

-- The durable key of a person: (connection, the provider's subject).
CREATE TABLE sso_links (
    connection_id   uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    subject         text NOT NULL,
    tenant_id       bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method          text NOT NULL,
    created_at      timestamptz NOT NULL,
    last_sign_in_at timestamptz,
    PRIMARY KEY (connection_id, subject)
);
-- One subject per user per connection: a second account at the same
-- provider can't take over a linked user.
CREATE UNIQUE INDEX sso_links_user ON sso_links (connection_id, user_id);
CREATE INDEX sso_links_tenant_user ON sso_links (tenant_id, user_id);

-- Sign-ins sent to a provider and not back yet: deleted on use, or after
-- expires_at by the sweep. Keyed by the state's SHA-256.
CREATE TABLE sso_pending (
    hash          bytea PRIMARY KEY,
    tenant_id     bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    browser_hash  bytea NOT NULL,
    nonce         text,
    verifier      text,
    request_id    text,
    return_to     text,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sso_pending_expires ON sso_pending (expires_at);
-- SAML matches a response's InResponseTo against the request it answers.
CREATE INDEX sso_pending_request ON sso_pending (tenant_id, request_id) WHERE request_id IS NOT NULL;

-- Signed-in browsers. The cookie holds a secret; only its SHA-256 is here.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    hash            bytea NOT NULL,
    tenant_id       bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    connection_id   uuid REFERENCES sso_connections (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    idle_expires_at timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    ended_at        timestamptz,
    end_reason      text
);
CREATE UNIQUE INDEX sessions_hash ON sessions (hash);
CREATE INDEX sessions_user_live ON sessions (tenant_id, user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_connection_live ON sessions (connection_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE sso_pending;
DROP TABLE sso_links;
DROP TABLE sso_connections;
