-- +goose Up
-- The directory: tenants, users and their identities, teams and their
-- members, organizations, custom fields, tokens, the audit log and the
-- provisioning log. Every row carries its tenant; every lookup an IdP makes
-- has an index.

CREATE TABLE tenants (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL,
    name        text NOT NULL,
    seats       integer NOT NULL DEFAULT 0 CHECK (seats >= 0),
    -- kept exactly while seats > 0; see directory.Tenant.SeatsUsed
    seats_used  integer NOT NULL DEFAULT 0,
    settings    jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL,
    CONSTRAINT tenants_seats_limit CHECK (seats = 0 OR seats_used <= seats)
);
CREATE UNIQUE INDEX tenants_slug ON tenants (slug);

CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    tenant_id           bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_name           text NOT NULL,
    external_id         text,
    name_formatted      text,
    family_name         text,
    given_name          text,
    middle_name         text,
    honorific_prefix    text,
    honorific_suffix    text,
    display_name        text,
    nick_name           text,
    profile_url         text,
    title               text,
    user_type           text,
    preferred_language  text,
    locale              text,
    timezone            text,
    active              boolean NOT NULL,
    role                text NOT NULL,
    source              text NOT NULL,
    idp_owned           jsonb NOT NULL DEFAULT '[]',
    organization_id     uuid,
    extension           text,
    availability        text NOT NULL,
    custom              jsonb NOT NULL DEFAULT '{}',
    employee_number     text,
    cost_center         text,
    organization        text,
    division            text,
    department          text,
    manager_id          uuid,
    multi               jsonb NOT NULL DEFAULT '{}',
    password_hash       text,
    break_glass         boolean NOT NULL DEFAULT false,
    version             bigint NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    deleted_at          timestamptz
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
    id          uuid PRIMARY KEY,
    tenant_id   bigint NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    kind        text NOT NULL,
    value       text NOT NULL,
    type        text,
    display     text,
    is_primary  boolean NOT NULL DEFAULT false,
    verified    boolean NOT NULL DEFAULT false,
    registered  boolean NOT NULL DEFAULT false,
    deleted_at  timestamptz
);
CREATE INDEX identities_user ON identities (user_id, position);
-- An email belongs to one live user in a tenant.
CREATE UNIQUE INDEX identities_email_live ON identities (tenant_id, lower(value)) WHERE kind = 'email' AND deleted_at IS NULL;
CREATE INDEX identities_value_live ON identities (tenant_id, kind, lower(value)) WHERE deleted_at IS NULL;

CREATE TABLE teams (
    id            uuid PRIMARY KEY,
    tenant_id     bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    display_name  text NOT NULL,
    external_id   text,
    source        text NOT NULL,
    idp_owned     jsonb NOT NULL DEFAULT '[]',
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    deleted_at    timestamptz
);
CREATE INDEX teams_live ON teams (tenant_id, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX teams_display_name_live ON teams (tenant_id, lower(display_name)) WHERE deleted_at IS NULL;
CREATE INDEX teams_external_id ON teams (tenant_id, external_id) WHERE deleted_at IS NULL;

-- One row per member: adding one member to a team of 100,000 touches one row.
CREATE TABLE memberships (
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    tenant_id   bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX organizations_name ON organizations (tenant_id, lower(name));

CREATE TABLE organization_domains (
    tenant_id        bigint NOT NULL,
    domain           text NOT NULL,
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, domain)
);

CREATE TABLE custom_fields (
    tenant_id   bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL,
    type        text NOT NULL,
    options     jsonb NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
CREATE UNIQUE INDEX custom_fields_name ON custom_fields (tenant_id, lower(name));

CREATE TABLE tokens (
    id            uuid PRIMARY KEY,
    tenant_id     bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    scope         text NOT NULL,
    hash          bytea NOT NULL,
    description   text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
CREATE INDEX tokens_tenant ON tokens (tenant_id, created_at);

CREATE TABLE audit_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    at           timestamptz NOT NULL,
    actor_kind   text NOT NULL,
    actor_id     text,
    actor_scope  text,
    actor_role   text,
    action       text NOT NULL,
    target_kind  text,
    target_id    text,
    target_name  text,
    changes      jsonb,
    outcome      text NOT NULL,
    reason       text,
    request_id   text
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);
CREATE INDEX audit_events_target ON audit_events (tenant_id, target_id, id);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, id);

CREATE TABLE provisioning_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    at           timestamptz NOT NULL,
    token_id     text,
    request_id   text,
    method       text NOT NULL,
    path         text NOT NULL,
    resource_id  text,
    status       integer NOT NULL,
    scim_type    text,
    detail       text,
    duration_us  bigint NOT NULL
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
