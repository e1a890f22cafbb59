-- +goose Up
-- The SQLite twin of postgres/0004_sso.sql: connections, links, pending
-- sign-ins and sessions, with the same names and SQLite's types.

CREATE TABLE sso_connections (
    id          TEXT PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    config      TEXT NOT NULL DEFAULT '{}',
    secret      BLOB,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sso_connections_name ON sso_connections (tenant_id, lower(name));

CREATE TABLE sso_links (
    connection_id   TEXT NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    subject         TEXT NOT NULL,
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method          TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    last_sign_in_at TIMESTAMP,
    PRIMARY KEY (connection_id, subject)
);
CREATE UNIQUE INDEX sso_links_user ON sso_links (connection_id, user_id);
CREATE INDEX sso_links_tenant_user ON sso_links (tenant_id, user_id);

CREATE TABLE sso_pending (
    hash          BLOB PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    browser_hash  BLOB NOT NULL,
    nonce         TEXT,
    verifier      TEXT,
    request_id    TEXT,
    return_to     TEXT,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);
CREATE INDEX sso_pending_expires ON sso_pending (expires_at);
CREATE INDEX sso_pending_request ON sso_pending (tenant_id, request_id) WHERE request_id IS NOT NULL;

CREATE TABLE sessions (
    id              TEXT PRIMARY KEY,
    hash            BLOB NOT NULL,
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    connection_id   TEXT REFERENCES sso_connections (id) ON DELETE SET NULL,
    created_at      TIMESTAMP NOT NULL,
    last_seen_at    TIMESTAMP NOT NULL,
    idle_expires_at TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    ended_at        TIMESTAMP,
    end_reason      TEXT
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
