-- Changes to one flag in one environment, applied once at a time by the leading replica.
CREATE TABLE flag_schedules (
    schedule_id     VARCHAR(64)  NOT NULL PRIMARY KEY,
    project_key     VARCHAR(128) NOT NULL,
    flag_key        VARCHAR(128) NOT NULL,
    environment_key VARCHAR(128) NOT NULL,
    run_at          BIGINT       NOT NULL,
    change_json     TEXT         NOT NULL,
    comment         TEXT,
    state           VARCHAR(16)  NOT NULL,
    author_id       VARCHAR(256) NOT NULL,
    author_name     VARCHAR(256) NOT NULL,
    created_at      BIGINT       NOT NULL,
    applied_at      BIGINT,
    late            SMALLINT     NOT NULL DEFAULT 0,
    reason          TEXT,
    version         BIGINT       NOT NULL,
    FOREIGN KEY (project_key, flag_key) REFERENCES flags (project_key, flag_key) ON DELETE CASCADE
);

CREATE INDEX flag_schedules_due ON flag_schedules (state, run_at);
CREATE INDEX flag_schedules_flag ON flag_schedules (project_key, flag_key, environment_key);
