-- Releases: a service's version carried by a flag, moved through pre-checks, waves and
-- post-checks; their timelines, signed approvals, and the server's approval-signing key.

CREATE TABLE releases (
    release_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
    project_key     VARCHAR(128) NOT NULL REFERENCES projects (project_key) ON DELETE CASCADE,
    environment_key VARCHAR(128) NOT NULL,
    service         VARCHAR(128) NOT NULL,
    version         VARCHAR(128) NOT NULL,
    type            VARCHAR(16)  NOT NULL,
    flag_key        VARCHAR(128) NOT NULL,
    phase           VARCHAR(32)  NOT NULL,
    row_version     BIGINT       NOT NULL,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    body            TEXT         NOT NULL -- the rest of the record (plan, wave, evidence, checks), JSON
);
CREATE INDEX releases_list ON releases (project_key, environment_key, created_at);
CREATE INDEX releases_service ON releases (project_key, environment_key, service);
CREATE INDEX releases_phase ON releases (phase);
CREATE UNIQUE INDEX releases_version ON releases (project_key, environment_key, service, version);

CREATE TABLE release_events (
    release_id VARCHAR(64)  NOT NULL REFERENCES releases (release_id) ON DELETE CASCADE,
    seq        INTEGER      NOT NULL,
    at         BIGINT       NOT NULL,
    actor      VARCHAR(256) NOT NULL,
    event      VARCHAR(64)  NOT NULL,
    phase      VARCHAR(32)  NOT NULL,
    wave       INTEGER,
    reason     TEXT,
    comment    TEXT, -- why, as the actor said (X-Rollgate-Comment or the body's comment)
    details    TEXT, -- JSON: the evidence or results behind the event
    PRIMARY KEY (release_id, seq)
);

CREATE TABLE release_approvals (
    release_id VARCHAR(64)  NOT NULL REFERENCES releases (release_id) ON DELETE CASCADE,
    seq        INTEGER      NOT NULL,
    approver   VARCHAR(256) NOT NULL,
    comment    TEXT         NOT NULL,
    phase      VARCHAR(32)  NOT NULL,
    at         BIGINT       NOT NULL,
    key_id     VARCHAR(64)  NOT NULL,
    signature  TEXT         NOT NULL, -- Ed25519 over the signed text, base64
    PRIMARY KEY (release_id, seq)
);

-- Keys the server creates at its first start and shares with every replica through the store;
-- the private half sealed with the server's secret key.
CREATE TABLE server_keys (
    purpose     VARCHAR(64) NOT NULL PRIMARY KEY,
    public_key  TEXT        NOT NULL, -- X.509, base64
    private_key TEXT        NOT NULL, -- PKCS#8, sealed
    created_at  BIGINT      NOT NULL
);
