-- SDK events that were acknowledged and wait to be applied to experiments and rollout health:
-- one row per request and stream (EXPERIMENTS: exposures and tracks; OUTCOMES), events as JSON.
-- A row is removed in the transaction that applies it.
CREATE TABLE event_inbox (
    batch_id        VARCHAR(64)  NOT NULL PRIMARY KEY,
    stream          VARCHAR(16)  NOT NULL,
    project_key     VARCHAR(128) NOT NULL,
    environment_key VARCHAR(128) NOT NULL,
    received_at     BIGINT       NOT NULL,
    events          TEXT         NOT NULL
);
CREATE INDEX event_inbox_order ON event_inbox (stream, received_at, batch_id);
