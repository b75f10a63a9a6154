-- The servers sharing this store: each writes its own row when it starts and again every few
-- seconds (its heartbeat), and deletes it when it stops cleanly. GET /api/v1/status lists those seen
-- within a window; a row that stops being written (a replica that crashed) is left out, then
-- pruned. Times are epoch milliseconds, leader is 1 while the replica runs the rollout controller.
CREATE TABLE replicas (
    replica_id   VARCHAR(64) NOT NULL PRIMARY KEY,
    started_at   BIGINT      NOT NULL,
    last_seen_at BIGINT      NOT NULL,
    leader       SMALLINT    NOT NULL,
    version      VARCHAR(64) NOT NULL
);
CREATE INDEX replicas_last_seen ON replicas (last_seen_at);
