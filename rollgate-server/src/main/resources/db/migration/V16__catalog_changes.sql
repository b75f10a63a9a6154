-- Which flags each write changed, by the audit chain position of its commit: a replica that holds a
-- project compiled at generation g reads and compiles again only the flags changed since, instead of
-- the whole project. Old rows are pruned; catalog_log.floor is the generation below which they may
-- be gone (a replica further behind reloads the project in full).
CREATE TABLE catalog_changes (
    generation  BIGINT       NOT NULL,
    project_key VARCHAR(128) NOT NULL,
    flag_key    VARCHAR(128) NOT NULL
);
CREATE INDEX catalog_changes_by_project ON catalog_changes (project_key, generation);

CREATE TABLE catalog_log (
    id    INTEGER NOT NULL PRIMARY KEY,
    floor BIGINT  NOT NULL
);
INSERT INTO catalog_log (id, floor) VALUES (1, 0);
