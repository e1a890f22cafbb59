-- +goose Up
-- The SQLite twin of postgres/0001_directory.sql: the same tables, indexes and
-- names, with SQLite's types (TEXT ids and JSON, TIMESTAMP text in UTC,
-- INTEGER booleans).
-- The directory: tenants, users and their identities, teams and their
-- members, organizations, custom fields, tokens, the audit log and the
-- provisioning log. Every row carries its tenant; every lookup an IdP makes
-- has an index.

CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    seats       INTEGER NOT NULL DEFAULT 0 CHECK (seats >= 0),
    -- kept exactly while seats > 0; see directory.Tenant.SeatsUsed
    seats_used  INTEGER NOT NULL DEFAULT 0,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    CONSTRAINT tenants_seats_limit CHECK (seats = 0 OR seats_used <= seats)
);
CREATE UNIQUE INDEX tenants_slug ON tenants (slug);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    tenant_id           INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_name           TEXT NOT NULL,
    external_id         TEXT,
    name_formatted      TEXT,
    family_name         TEXT,
    given_name          TEXT,
    middle_name         TEXT,
    honorific_prefix    TEXT,
    honorific_suffix    TEXT,
    display_name        TEXT,
    nick_name           TEXT,
    profile_url         TEXT,
    title               TEXT,
    user_type           TEXT,
    preferred_language  TEXT,
    locale              TEXT,
    timezone            TEXT,
    active              INTEGER NOT NULL,
    role                TEXT NOT NULL,
    source              TEXT NOT NULL,
    idp_owned           TEXT NOT NULL DEFAULT '[]',
    organization_id     TEXT,
    extension           TEXT,
    availability        TEXT NOT NULL,
    custom              TEXT NOT NULL DEFAULT '{}',
    employee_number     TEXT,
    cost_center         TEXT,
    organization        TEXT,
    division            TEXT,
    department          TEXT,
    manager_id          TEXT,
    multi               TEXT NOT NULL DEFAULT '{}',
    password_hash       TEXT,
    break_glass         INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    deleted_at          TIMESTAMP
);
-- Live users page in id order (UUIDv7: creation order).
CREATE INDEX users_live ON users (tenant_id, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_user_name_live ON users (tenant_id, lower(user_name)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_extension_live ON users (tenant_id, extension) WHERE deleted_at IS NULL AND extension IS NOT NULL;
CREATE INDEX users_external_id ON users (tenant_id, external_id) WHERE deleted_at IS NULL;
CREATE INDEX users_admins ON users (tenant_id) WHERE deleted_at IS NULL AND active = TRUE AND role IN ('owner', 'admin');
CREATE INDEX users_seats ON users (tenant_id) WHERE deleted_at IS NULL AND active = TRUE AND role <> 'customer';
CREATE INDEX users_manager ON users (manager_id) WHERE manager_id IS NOT NULL;

CREATE TABLE identities (
    id          TEXT PRIMARY KEY,
    tenant_id   INTEGER NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    type        TEXT,
    display     TEXT,
    is_primary  INTEGER NOT NULL DEFAULT 0,
    verified    INTEGER NOT NULL DEFAULT 0,
    registered  INTEGER NOT NULL DEFAULT 0,
    deleted_at  TIMESTAMP
);
CREATE INDEX identities_user ON identities (user_id, position);
-- An email belongs to one live user in a tenant.
CREATE UNIQUE INDEX identities_email_live ON identities (tenant_id, lower(value)) WHERE kind = 'email' AND deleted_at IS NULL;
CREATE INDEX identities_value_live ON identities (tenant_id, kind, lower(value)) WHERE deleted_at IS NULL;

CREATE TABLE teams (
    id            TEXT PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    display_name  TEXT NOT NULL,
    external_id   TEXT,
    source        TEXT NOT NULL,
    idp_owned     TEXT NOT NULL DEFAULT '[]',
    version       INTEGER NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    deleted_at    TIMESTAMP
);
CREATE INDEX teams_live ON teams (tenant_id, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX teams_display_name_live ON teams (tenant_id, lower(display_name)) WHERE deleted_at IS NULL;
CREATE INDEX teams_external_id ON teams (tenant_id, external_id) WHERE deleted_at IS NULL;

-- One row per member: adding one member to a team of 100,000 touches one row.
CREATE TABLE memberships (
    team_id     TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organizations_name ON organizations (tenant_id, lower(name));

CREATE TABLE organization_domains (
    tenant_id        INTEGER NOT NULL,
    domain           TEXT NOT NULL,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, domain)
);

CREATE TABLE custom_fields (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    options     TEXT NOT NULL DEFAULT '[]',
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
CREATE UNIQUE INDEX custom_fields_name ON custom_fields (tenant_id, lower(name));

CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scope         TEXT NOT NULL,
    hash          BLOB NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP,
    revoked_at    TIMESTAMP
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
CREATE INDEX tokens_tenant ON tokens (tenant_id, created_at);

CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    at           TIMESTAMP NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT,
    actor_scope  TEXT,
    actor_role   TEXT,
    action       TEXT NOT NULL,
    target_kind  TEXT,
    target_id    TEXT,
    target_name  TEXT,
    changes      TEXT,
    outcome      TEXT NOT NULL,
    reason       TEXT,
    request_id   TEXT
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);
CREATE INDEX audit_events_target ON audit_events (tenant_id, target_id, id);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, id);

CREATE TABLE provisioning_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    at           TIMESTAMP NOT NULL,
    token_id     TEXT,
    request_id   TEXT,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    resource_id  TEXT,
    status       INTEGER NOT NULL,
    scim_type    TEXT,
    detail       TEXT,
    duration_us  INTEGER NOT NULL
);
CREATE INDEX provisioning_log_tenant ON provisioning_log (tenant_id, id);

-- +goose Down
DROP TABLE provisioning_log;
DROP TABLE audit_events;
DROP TABLE tokens;
DROP TABLE custom_fields;
DROP TABLE organization_domains;
DROP TABLE organizations;
DROP TABLE memberships;
DROP TABLE teams;
DROP TABLE identities;
DROP TABLE users;
DROP TABLE tenants;
