package dev.rollgate.server.auth;

import dev.rollgate.server.domain.Role;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The tokens table: secrets only as their hashes. */
final class TokenStore {
  private TokenStore() {}

  /** Admin tokens that last until revoked and are not: short-lived ones do not count. */
  static long activeAdmins(Tx tx) throws SQLException {
    return tx.count(
        "SELECT COUNT(*) FROM tokens WHERE role = 'admin' AND revoked_at IS NULL"
            + " AND expires_at IS NULL");
  }

  static boolean projectExists(Tx tx, String project) throws SQLException {
    return tx.count("SELECT COUNT(*) FROM projects WHERE project_key = ?", project) > 0;
  }

  static boolean environmentExists(Tx tx, String project, String environment) throws SQLException {
    return tx.count(
            "SELECT COUNT(*) FROM environments WHERE project_key = ? AND environment_key = ?",
            project,
            environment)
        > 0;
  }

  /** Whether a token, active or revoked, has the name whose lower case is {@code nameKey}. */
  static boolean nameTaken(Tx tx, String nameKey) throws SQLException {
    return tx.count("SELECT COUNT(*) FROM tokens WHERE name_key = ?", nameKey) > 0;
  }

  static void insert(Tx tx, Token token, String nameKey, String secretHash) throws SQLException {
    tx.update(
        "INSERT INTO tokens (token_id, name, name_key, role, project_key, environment_key,"
            + " secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        token.id(),
        token.name(),
        nameKey,
        token.role().label(),
        token.project(),
        token.environment(),
        secretHash,
        token.createdAt().toEpochMilli(),
        token.expiresAt() == null ? null : token.expiresAt().toEpochMilli());
  }

  static List<Token> list(Tx tx) throws SQLException {
    return tx.list("SELECT * FROM tokens ORDER BY created_at, token_id", TokenStore::token);
  }

  static Optional<Token> find(Tx tx, String id) throws SQLException {
    return tx.one("SELECT * FROM tokens WHERE token_id = ?", TokenStore::token, id);
  }

  static void revoke(Tx tx, String id, long at) throws SQLException {
    tx.update("UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL", at, id);
  }

  /** The tokens neither revoked nor expired at {@code now} (epoch milliseconds), by secret hash. */
  static Map<String, Token> active(Tx tx, long now) throws SQLException {
    Map<String, Token> active = new HashMap<>();
    tx.list(
        "SELECT * FROM tokens WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
        r -> active.put(r.getString("secret_hash"), token(r)),
        now);
    return active;
  }

  private static Token token(ResultSet r) throws SQLException {
    long revoked = r.getLong("revoked_at");
    Instant revokedAt = r.wasNull() ? null : Instant.ofEpochMilli(revoked);
    long expires = r.getLong("expires_at");
    Instant expiresAt = r.wasNull() ? null : Instant.ofEpochMilli(expires);
    return new Token(
        r.getString("token_id"),
        r.getString("name"),
        Role.parse(r.getString("role")),
        r.getString("project_key"),
        r.getString("environment_key"),
        Instant.ofEpochMilli(r.getLong("created_at")),
        revokedAt,
        expiresAt);
  }
}
