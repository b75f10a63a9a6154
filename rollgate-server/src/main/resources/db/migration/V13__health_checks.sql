-- The health monitor: checks run on a schedule by the leading replica, their results, the
-- violations they open, and the metric values services push.

CREATE TABLE health_checks (
    check_id             VARCHAR(64)  NOT NULL PRIMARY KEY,
    project_key          VARCHAR(128) NOT NULL REFERENCES projects (project_key) ON DELETE CASCADE,
    name                 VARCHAR(128) NOT NULL,
    description          TEXT         NOT NULL,
    type                 VARCHAR(16)  NOT NULL,
    spec                 TEXT         NOT NULL, -- the type's settings, JSON
    interval_ms          BIGINT       NOT NULL,
    failures_to_open     INTEGER      NOT NULL,
    action               TEXT,                  -- JSON; null: none
    next_run_at          BIGINT       NOT NULL,
    consecutive_failures INTEGER      NOT NULL,
    first_failure_at     BIGINT,                -- of the current run of failures
    last_run_at          BIGINT,
    last_ok              SMALLINT,
    version              BIGINT       NOT NULL,
    created_at           BIGINT       NOT NULL,
    updated_at           BIGINT       NOT NULL
);
CREATE UNIQUE INDEX health_checks_name ON health_checks (project_key, name);
CREATE INDEX health_checks_due ON health_checks (next_run_at);

CREATE TABLE health_results (
    check_id    VARCHAR(64) NOT NULL REFERENCES health_checks (check_id) ON DELETE CASCADE,
    seq         BIGINT      NOT NULL,
    at          BIGINT      NOT NULL,
    ok          SMALLINT    NOT NULL,
    duration_ms BIGINT      NOT NULL,
    observed    DOUBLE PRECISION,
    message     TEXT        NOT NULL,
    PRIMARY KEY (check_id, seq)
);

CREATE TABLE health_violations (
    violation_id     VARCHAR(64)  NOT NULL PRIMARY KEY,
    check_id         VARCHAR(64)  NOT NULL REFERENCES health_checks (check_id) ON DELETE CASCADE,
    project_key      VARCHAR(128) NOT NULL,
    opened_at        BIGINT       NOT NULL,
    first_failure_at BIGINT       NOT NULL,
    last_failure_at  BIGINT       NOT NULL,
    failures         INTEGER      NOT NULL,
    resolved_at      BIGINT,
    evidence         TEXT         NOT NULL, -- the failing result that opened it, JSON
    action_taken     TEXT                   -- what the check's action did, in words
);
CREATE INDEX health_violations_check ON health_violations (check_id, resolved_at);
CREATE INDEX health_violations_project ON health_violations (project_key, opened_at);

-- Values services push as {"type": "metric"} events, per environment.
CREATE TABLE metric_values (
    project_key     VARCHAR(128) NOT NULL,
    environment_key VARCHAR(128) NOT NULL,
    name            VARCHAR(128) NOT NULL,
    at              BIGINT       NOT NULL,
    value           DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (project_key, environment_key, name, at)
);
