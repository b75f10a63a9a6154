-- Webhook signing secrets sealed (AES-256-GCM) under the server's secret key, which is kept outside
-- the database. Rows from before keep their secret readable in `secret` until the server seals them
-- at start; a sealed row's `secret` is '', which no signature can be made with (HMAC refuses an
-- empty key), so a replica of an earlier version fails those deliveries instead of signing them
-- wrongly.
ALTER TABLE webhooks ADD COLUMN sealed_secret TEXT;
