-- Short-lived tokens (those an OIDC identity token is exchanged for): the time, in epoch
-- milliseconds, from which the token no longer authenticates. NULL for tokens that last until they
-- are revoked, which every token made before this version is. An expired token stays in the list.
-- Editor and viewer tokens may now carry project_key (and environment_key) as a scope; only sdk
-- tokens did before, and their binding keeps its meaning.
ALTER TABLE tokens ADD COLUMN expires_at BIGINT;
