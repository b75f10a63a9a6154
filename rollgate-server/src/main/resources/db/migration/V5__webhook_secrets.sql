-- Webhook signing secrets sealed (AES-256-GCM) under the server's secret key, which is kept outside
-- the database. Rows from before keep their secret readable in `secret` until the server seals them
-- at start; a sealed row's `secret` is '', which no signature can be made with (HMAC refuses an
-- empty key), so a replica of an earlier version fails those deliveries instead of signing them
-- wrongly.
ALTER TABLE webhooks ADD COLUMN sealed_secret TEXT;

-- The delivery log recorded an exception's message for a failed attempt, which could name hosts
-- and ports; it now records a category only, and the attempts from before get one too.
UPDATE webhook_attempts SET error = 'http_' || status_code
    WHERE error IS NOT NULL AND status_code IS NOT NULL;
UPDATE webhook_attempts SET error = 'connection_failed'
    WHERE error IS NOT NULL AND status_code IS NULL;
