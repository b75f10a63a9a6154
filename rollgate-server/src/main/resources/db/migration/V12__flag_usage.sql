-- Evaluations per flag, variant and reason, added up by every replica: per minute (kept two
-- days, for the last hour's sparklines) and per day (kept 400 days, for stale flags).
CREATE TABLE flag_usage_minutes (
    project_key       VARCHAR(128) NOT NULL,
    environment_key   VARCHAR(128) NOT NULL,
    minute_start      BIGINT       NOT NULL,
    flag_key          VARCHAR(128) NOT NULL,
    variant           VARCHAR(256) NOT NULL,
    reason            VARCHAR(32)  NOT NULL,
    evaluations       BIGINT       NOT NULL,
    last_evaluated_at BIGINT       NOT NULL,
    PRIMARY KEY (project_key, environment_key, minute_start, flag_key, variant, reason)
);

CREATE TABLE flag_usage_days (
    project_key       VARCHAR(128) NOT NULL,
    environment_key   VARCHAR(128) NOT NULL,
    day_start         BIGINT       NOT NULL,
    flag_key          VARCHAR(128) NOT NULL,
    variant           VARCHAR(256) NOT NULL,
    reason            VARCHAR(32)  NOT NULL,
    evaluations       BIGINT       NOT NULL,
    last_evaluated_at BIGINT       NOT NULL,
    PRIMARY KEY (project_key, environment_key, day_start, flag_key, variant, reason)
);

CREATE INDEX flag_usage_minutes_age ON flag_usage_minutes (minute_start);
CREATE INDEX flag_usage_days_age ON flag_usage_days (day_start);
