-- Flag triggers: a secret URL that an alerting system (Prometheus Alertmanager, or a plain POST)
-- calls to switch one flag off or on in one environment. The secret is stored only as its SHA-256
-- hash, as token secrets are. A revoked trigger stays listed (with revoked_at) and never fires.
CREATE TABLE flag_triggers (
    trigger_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
    project_key     VARCHAR(128) NOT NULL,
    flag_key        VARCHAR(128) NOT NULL,
    environment_key VARCHAR(128) NOT NULL,
    name            VARCHAR(256) NOT NULL,
    name_key        VARCHAR(256) NOT NULL,
    description     TEXT,
    action          VARCHAR(16)  NOT NULL,
    on_resolved     VARCHAR(16)  NOT NULL,
    secret_hash     VARCHAR(64)  NOT NULL UNIQUE,
    author_id       VARCHAR(256) NOT NULL,
    author_name     VARCHAR(256) NOT NULL,
    created_at      BIGINT       NOT NULL,
    revoked_at      BIGINT,
    last_called_at  BIGINT,
    last_result     VARCHAR(32),
    calls           BIGINT       NOT NULL DEFAULT 0,
    FOREIGN KEY (project_key, flag_key) REFERENCES flags (project_key, flag_key) ON DELETE CASCADE,
    -- A deleted environment takes its triggers along: one made again with the same key starts
    -- without them.
    FOREIGN KEY (project_key, environment_key)
        REFERENCES environments (project_key, environment_key) ON DELETE CASCADE
);

CREATE INDEX flag_triggers_flag ON flag_triggers (project_key, flag_key, environment_key);
