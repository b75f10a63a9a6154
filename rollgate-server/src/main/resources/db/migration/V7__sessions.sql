-- Web UI sign-ins. A session stands for one token until it expires, is signed out, or its token is
-- revoked; the browser holds the secret in an HttpOnly cookie, the store only its SHA-256 hash.
CREATE TABLE sessions (
    session_id  VARCHAR(64) NOT NULL PRIMARY KEY,
    secret_hash VARCHAR(64) NOT NULL UNIQUE,
    token_id    VARCHAR(64) NOT NULL,
    created_at  BIGINT      NOT NULL,
    expires_at  BIGINT      NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
