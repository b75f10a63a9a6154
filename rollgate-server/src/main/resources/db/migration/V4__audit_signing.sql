-- Audit actors by token id, signed audit events, and unique token names.

-- Who acted, by the token's immutable id (the name at the time stays in actor). Null on events
-- written before this version, which recorded only the name.
ALTER TABLE audit_events ADD COLUMN actor_id VARCHAR(64);
-- The Ed25519 signature of the event's hash (hex) and the fingerprint of the public key that
-- made it. Null on events written before this version: the server signs over them once, at its
-- first start after the upgrade, with an audit.signing event.
ALTER TABLE audit_events ADD COLUMN key_id VARCHAR(64);
ALTER TABLE audit_events ADD COLUMN signature VARCHAR(128);
CREATE INDEX audit_events_actor_id ON audit_events (actor_id);

-- Token names are unique regardless of case, so that a name in the audit trail stands for one
-- token. Older versions allowed duplicates: all but the oldest of each get their id appended.
UPDATE tokens SET name = name || '-' || token_id
WHERE EXISTS (
    SELECT 1 FROM tokens older
    WHERE lower(older.name) = lower(tokens.name)
      AND (older.created_at < tokens.created_at
           OR (older.created_at = tokens.created_at AND older.token_id < tokens.token_id)));
-- The name in lower case, as the server compares names; filled by the server from now on.
ALTER TABLE tokens ADD COLUMN name_key VARCHAR(256);
UPDATE tokens SET name_key = lower(name);
CREATE UNIQUE INDEX tokens_name_key ON tokens (name_key);
