-- Experiments: metric definitions, experiments, and the per-unit and per-variant aggregates
-- their results are computed from.

-- What a project measures. kind: conversion (event happened), sum (of the event's values per
-- unit), mean (the event's value per occurrence: a ratio of sums), ratio (numerator event's value
-- sum over denominator event's). The built-in error_rate and latency are not stored here.
CREATE TABLE metrics (
    project_key       VARCHAR(128) NOT NULL REFERENCES projects (project_key) ON DELETE CASCADE,
    metric_key        VARCHAR(128) NOT NULL,
    name              VARCHAR(256) NOT NULL,
    kind              VARCHAR(16)  NOT NULL,
    event_name        VARCHAR(256) NOT NULL,
    denominator_event VARCHAR(256),
    created_at        BIGINT       NOT NULL,
    PRIMARY KEY (project_key, metric_key)
);

CREATE TABLE experiments (
    experiment_id   VARCHAR(64)  NOT NULL PRIMARY KEY,
    project_key     VARCHAR(128) NOT NULL,
    environment_key VARCHAR(128) NOT NULL,
    experiment_key  VARCHAR(128) NOT NULL,
    flag_key        VARCHAR(128) NOT NULL,
    definition      TEXT         NOT NULL, -- variants and weights, metrics, alpha, N*, plan
    state           VARCHAR(16)  NOT NULL, -- DRAFT, RUNNING, STOPPED
    version         BIGINT       NOT NULL,
    created_at      BIGINT       NOT NULL,
    started_at      BIGINT,
    stopped_at      BIGINT,
    FOREIGN KEY (project_key, flag_key) REFERENCES flags (project_key, flag_key) ON DELETE CASCADE
);
CREATE UNIQUE INDEX experiments_key ON experiments (project_key, environment_key, experiment_key);

-- The variant each unit (targeting key) was first exposed to: assignment is sticky.
CREATE TABLE experiment_units (
    experiment_id VARCHAR(64)  NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    unit          VARCHAR(256) NOT NULL,
    variant       VARCHAR(256) NOT NULL,
    exposed_at    BIGINT       NOT NULL,
    PRIMARY KEY (experiment_id, unit)
);

-- Every unit's running totals per event, all time: the pre-period of a unit exposed later.
CREATE TABLE unit_event_totals (
    project_key     VARCHAR(128) NOT NULL,
    environment_key VARCHAR(128) NOT NULL,
    unit            VARCHAR(256) NOT NULL,
    event_name      VARCHAR(256) NOT NULL,
    occurrences     BIGINT       NOT NULL,
    value_sum       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (project_key, environment_key, unit, event_name)
);

-- One unit's values in one experiment, per metric: after exposure (value, and for ratios the
-- denominator) and before it (pre, for CUPED).
CREATE TABLE experiment_unit_values (
    experiment_id VARCHAR(64)  NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    unit          VARCHAR(256) NOT NULL,
    metric_key    VARCHAR(128) NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    denominator   DOUBLE PRECISION NOT NULL,
    pre           DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (experiment_id, unit, metric_key)
);

-- Per variant and metric, the sufficient statistics of the unit values above, kept up to date as
-- values change (never recomputed by scanning units).
CREATE TABLE experiment_stats (
    experiment_id     VARCHAR(64)  NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    variant           VARCHAR(256) NOT NULL,
    metric_key        VARCHAR(128) NOT NULL,
    n                 BIGINT       NOT NULL,
    value_sum         DOUBLE PRECISION NOT NULL,
    value_squares     DOUBLE PRECISION NOT NULL,
    denominator_sum   DOUBLE PRECISION NOT NULL,
    denominator_squares DOUBLE PRECISION NOT NULL,
    value_denominator DOUBLE PRECISION NOT NULL,
    pre_sum           DOUBLE PRECISION NOT NULL,
    pre_squares       DOUBLE PRECISION NOT NULL,
    value_pre         DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (experiment_id, variant, metric_key)
);

-- Per variant and metric, the smallest sequential p-value seen at any look: an always-valid
-- p-value may be reported as its running minimum.
CREATE TABLE experiment_looks (
    experiment_id VARCHAR(64)  NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    variant       VARCHAR(256) NOT NULL,
    metric_key    VARCHAR(128) NOT NULL,
    min_p         DOUBLE PRECISION NOT NULL,
    looks         BIGINT       NOT NULL,
    PRIMARY KEY (experiment_id, variant, metric_key)
);
