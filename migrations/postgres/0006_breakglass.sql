-- +goose Up
-- Break-glass: the credentials of break-glass accounts (users with
-- break_glass set), their recovery codes, enrollment and recover links, and
-- the failed-attempt counters that lock an account or a source address.
-- Counters live here, not in a process, so every replica counts the same
-- attempts.

CREATE TABLE breakglass_credentials (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tenant_id       bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- argon2id, PHC string format (internal/password)
    password_hash   text NOT NULL,
    -- the TOTP key, sealed (internal/secretbox); never clear
    totp_secret     bytea NOT NULL,
    -- the time step of the last TOTP code accepted: no code is accepted twice
    totp_last_step  bigint NOT NULL DEFAULT 0,
    enrolled_at     timestamptz,
    last_sign_in_at timestamptz,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX breakglass_credentials_tenant ON breakglass_credentials (tenant_id);

-- Recovery codes, each kept as its SHA-256; used ones stay, marked.
CREATE TABLE breakglass_recovery_codes (
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash      bytea NOT NULL,
    tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    used_at   timestamptz,
    PRIMARY KEY (user_id, hash)
);

-- Enrollment and recover links: one use each, kept as the SHA-256 of the
-- secret in the URL.
CREATE TABLE breakglass_links (
    hash       bytea PRIMARY KEY,
    tenant_id  bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX breakglass_links_user ON breakglass_links (tenant_id, user_id, purpose);
CREATE INDEX breakglass_links_expires ON breakglass_links (expires_at);

-- Failed break-glass sign-ins per key ("account:<userName>" or
-- "address:<ip>") of a tenant, and the lock they put on it.
CREATE TABLE signin_throttles (
    tenant_id       bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key             text NOT NULL,
    failures        integer NOT NULL,
    last_failure_at timestamptz NOT NULL,
    locked_until    timestamptz,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX signin_throttles_last ON signin_throttles (last_failure_at);

-- +goose Down
DROP TABLE signin_throttles;
DROP TABLE breakglass_links;
DROP TABLE breakglass_recovery_codes;
DROP TABLE breakglass_credentials;
