-- Rollgate schema. One set of migrations serves SQLite and PostgreSQL, so it keeps to their
-- common ground: VARCHAR/TEXT, BIGINT epoch milliseconds for times, SMALLINT for booleans, JSON
-- stored as TEXT, natural or application-made keys (no database sequences).

CREATE TABLE projects (
    project_key   VARCHAR(128) NOT NULL PRIMARY KEY,
    name          VARCHAR(256) NOT NULL,
    description   TEXT         NOT NULL,
    version       BIGINT       NOT NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL
);

CREATE TABLE environments (
    project_key     VARCHAR(128) NOT NULL REFERENCES projects (project_key) ON DELETE CASCADE,
    environment_key VARCHAR(128) NOT NULL,
    name            VARCHAR(256) NOT NULL,
    description     TEXT         NOT NULL,
    version         BIGINT       NOT NULL,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    PRIMARY KEY (project_key, environment_key)
);

-- A flag's project-wide definition; its per-environment configuration is in flag_environments.
CREATE TABLE flags (
    project_key   VARCHAR(128) NOT NULL REFERENCES projects (project_key) ON DELETE CASCADE,
    flag_key      VARCHAR(128) NOT NULL,
    name          VARCHAR(256) NOT NULL,
    description   TEXT         NOT NULL,
    kind          VARCHAR(16)  NOT NULL,
    variants      TEXT         NOT NULL,
    tags          TEXT         NOT NULL,
    archived      SMALLINT     NOT NULL,
    version       BIGINT       NOT NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    PRIMARY KEY (project_key, flag_key)
);

CREATE TABLE flag_environments (
    project_key     VARCHAR(128) NOT NULL,
    flag_key        VARCHAR(128) NOT NULL,
    environment_key VARCHAR(128) NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    default_variant VARCHAR(256),
    targeting       TEXT,
    metadata        TEXT         NOT NULL,
    PRIMARY KEY (project_key, flag_key, environment_key),
    FOREIGN KEY (project_key, flag_key) REFERENCES flags (project_key, flag_key) ON DELETE CASCADE,
    FOREIGN KEY (project_key, environment_key)
        REFERENCES environments (project_key, environment_key) ON DELETE CASCADE
);

-- Shared targeting (flagd's $evaluators), referred to with {"$ref": segment_key}.
CREATE TABLE segments (
    project_key   VARCHAR(128) NOT NULL REFERENCES projects (project_key) ON DELETE CASCADE,
    segment_key   VARCHAR(128) NOT NULL,
    name          VARCHAR(256) NOT NULL,
    description   TEXT         NOT NULL,
    rules         TEXT         NOT NULL,
    version       BIGINT       NOT NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    PRIMARY KEY (project_key, segment_key)
);

CREATE TABLE tokens (
    token_id        VARCHAR(64)  NOT NULL PRIMARY KEY,
    name            VARCHAR(256) NOT NULL,
    role            VARCHAR(16)  NOT NULL,
    project_key     VARCHAR(128),
    environment_key VARCHAR(128),
    secret_hash     VARCHAR(64)  NOT NULL UNIQUE,
    created_at      BIGINT       NOT NULL,
    revoked_at      BIGINT
);

-- The audit trail: append-only, each event chained to the previous one by hash.
CREATE TABLE audit_events (
    seq         BIGINT       NOT NULL PRIMARY KEY,
    event_id    VARCHAR(64)  NOT NULL UNIQUE,
    at          BIGINT       NOT NULL,
    actor       VARCHAR(256) NOT NULL,
    action      VARCHAR(64)  NOT NULL,
    resource    VARCHAR(512) NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    comment     TEXT,
    prev_hash   VARCHAR(64)  NOT NULL,
    hash        VARCHAR(64)  NOT NULL
);
CREATE INDEX audit_events_resource ON audit_events (resource);
CREATE INDEX audit_events_actor ON audit_events (actor);
CREATE INDEX audit_events_at ON audit_events (at);

-- The chain's head. Appending updates this single row first, which serialises writers on
-- PostgreSQL (a row lock held to commit); SQLite serialises writers by itself.
CREATE TABLE audit_head (
    id   SMALLINT    NOT NULL PRIMARY KEY,
    seq  BIGINT      NOT NULL,
    hash VARCHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
