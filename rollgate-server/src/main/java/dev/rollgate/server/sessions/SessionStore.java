package dev.rollgate.server.sessions;

import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The sessions table: secrets only as their hashes. */
final class SessionStore {
  private SessionStore() {}

  /** A stored session. */
  record Row(String id, String tokenId, Instant createdAt, Instant expiresAt) {}

  static void insert(Tx tx, Row row, String secretHash) throws SQLException {
    tx.update(
        "INSERT INTO sessions (session_id, secret_hash, token_id, created_at, expires_at)"
            + " VALUES (?, ?, ?, ?, ?)",
        row.id(),
        secretHash,
        row.tokenId(),
        row.createdAt().toEpochMilli(),
        row.expiresAt().toEpochMilli());
  }

  static Optional<Row> bySecretHash(Tx tx, String secretHash) throws SQLException {
    return tx.one(
        "SELECT session_id, token_id, created_at, expires_at FROM sessions WHERE secret_hash = ?",
        rs ->
            new Row(
                rs.getString("session_id"),
                rs.getString("token_id"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("expires_at"))),
        secretHash);
  }

  static int delete(Tx tx, String id) throws SQLException {
    return tx.update("DELETE FROM sessions WHERE session_id = ?", id);
  }

  static int deleteExpired(Tx tx, long nowMillis) throws SQLException {
    return tx.update("DELETE FROM sessions WHERE expires_at <= ?", nowMillis);
  }
}
