-- Health data, progressive rollouts and webhooks.

-- Request outcomes per flag, variant (the cohort), route ('' for none) and second: what rollouts
-- judge a canary on. Writers merge into a row (read, add, write) under its row lock.
CREATE TABLE outcome_windows (
    project_key     VARCHAR(128) NOT NULL,
    environment_key VARCHAR(128) NOT NULL,
    flag_key        VARCHAR(128) NOT NULL,
    window_start    BIGINT       NOT NULL,
    variant         VARCHAR(256) NOT NULL,
    route           VARCHAR(256) NOT NULL,
    requests        BIGINT       NOT NULL,
    errors          BIGINT       NOT NULL,
    latency         TEXT         NOT NULL,
    PRIMARY KEY (project_key, environment_key, flag_key, window_start, variant, route)
);
CREATE INDEX outcome_windows_start ON outcome_windows (window_start);

-- One rollout of a flag's variant in one environment; at most one not yet ended per flag and
-- environment (checked under the audit head lock, which every write holds).
CREATE TABLE rollouts (
    rollout_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
    project_key      VARCHAR(128) NOT NULL,
    environment_key  VARCHAR(128) NOT NULL,
    flag_key         VARCHAR(128) NOT NULL,
    number           INTEGER      NOT NULL, -- 1, 2, ... per flag and environment
    treatment        VARCHAR(256) NOT NULL,
    control          VARCHAR(256) NOT NULL,
    plan             TEXT         NOT NULL,
    state            VARCHAR(24)  NOT NULL,
    stage            INTEGER      NOT NULL,
    percent          DOUBLE PRECISION NOT NULL, -- the treatment's share now, which the flag serves
    stage_started_at BIGINT       NOT NULL,
    judged_until     BIGINT       NOT NULL,
    evidence         TEXT,
    reason           TEXT,
    version          BIGINT       NOT NULL,
    created_at       BIGINT       NOT NULL,
    updated_at       BIGINT       NOT NULL,
    FOREIGN KEY (project_key, flag_key) REFERENCES flags (project_key, flag_key) ON DELETE CASCADE
);
CREATE UNIQUE INDEX rollouts_flag ON rollouts (project_key, environment_key, flag_key, number);
CREATE INDEX rollouts_state ON rollouts (state);

CREATE TABLE rollout_transitions (
    rollout_id  VARCHAR(64)  NOT NULL REFERENCES rollouts (rollout_id) ON DELETE CASCADE,
    seq         INTEGER      NOT NULL,
    at          BIGINT       NOT NULL,
    actor       VARCHAR(256) NOT NULL,
    action      VARCHAR(32)  NOT NULL,
    from_state  VARCHAR(24),
    to_state    VARCHAR(24)  NOT NULL,
    stage       INTEGER      NOT NULL,
    percent     DOUBLE PRECISION NOT NULL,
    reason      TEXT,
    comment     TEXT,
    evidence    TEXT,
    PRIMARY KEY (rollout_id, seq)
);

CREATE TABLE webhooks (
    webhook_id  VARCHAR(64)  NOT NULL PRIMARY KEY,
    url         VARCHAR(2048) NOT NULL,
    events      TEXT         NOT NULL,
    secret      VARCHAR(128) NOT NULL,
    description TEXT         NOT NULL,
    created_at  BIGINT       NOT NULL
);

-- The outbox: a delivery is written in the transaction of the change it reports, so none is
-- lost and none is sent for a change that rolled back.
CREATE TABLE webhook_deliveries (
    delivery_id     VARCHAR(64)  NOT NULL PRIMARY KEY,
    webhook_id      VARCHAR(64)  NOT NULL REFERENCES webhooks (webhook_id) ON DELETE CASCADE,
    event           VARCHAR(64)  NOT NULL,
    payload         TEXT         NOT NULL,
    created_at      BIGINT       NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    attempts        INTEGER      NOT NULL,
    next_attempt_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id VARCHAR(64) NOT NULL REFERENCES webhook_deliveries (delivery_id) ON DELETE CASCADE,
    attempt     INTEGER     NOT NULL,
    at          BIGINT      NOT NULL,
    status_code INTEGER,
    error       TEXT,
    duration_ms BIGINT      NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
