-- +goose Up
-- The SQLite twin of postgres/0006_breakglass.sql: break-glass credentials,
-- recovery codes, links and sign-in throttles, with the same names and
-- SQLite's types.

CREATE TABLE breakglass_credentials (
    user_id         TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    password_hash   TEXT NOT NULL,
    totp_secret     BLOB NOT NULL,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    enrolled_at     TIMESTAMP,
    last_sign_in_at TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX breakglass_credentials_tenant ON breakglass_credentials (tenant_id);

CREATE TABLE breakglass_recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash      BLOB NOT NULL,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    used_at   TIMESTAMP,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE breakglass_links (
    hash       BLOB PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX breakglass_links_user ON breakglass_links (tenant_id, user_id, purpose);
CREATE INDEX breakglass_links_expires ON breakglass_links (expires_at);

CREATE TABLE signin_throttles (
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX signin_throttles_last ON signin_throttles (last_failure_at);

-- +goose Down
DROP TABLE signin_throttles;
DROP TABLE breakglass_links;
DROP TABLE breakglass_recovery_codes;
DROP TABLE breakglass_credentials;
