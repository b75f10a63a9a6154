package dev.rollgate.server.auth;

import dev.rollgate.server.audit.Actor;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens: created with a role, shown once, stored only as a SHA-256 hash (secrets are 192
 * random bits, so a fast hash is enough), revocable at once.
 */
public final class TokenService {
  private static final Logger log = LoggerFactory.getLogger(TokenService.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  static final String BOOTSTRAP_NAME = "bootstrap-admin";

  private final Database db;
  private final AuditLog audit;
  private final Clock clock;
  private final String environmentAdminHash; // ROLLGATE_ADMIN_TOKEN's hash, or null
  // Active tokens by secret hash: authentication never waits for the store, so evaluation goes
  // on through a database outage. Rebuilt after every token change here and on other replicas.
  private volatile Map<String, Principal> active = Map.of();

  public TokenService(Database db, AuditLog audit, Clock clock, String environmentAdminToken) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.environmentAdminHash =
        environmentAdminToken == null || environmentAdminToken.isBlank()
            ? null
            : hash(environmentAdminToken);
  }

  /** A stored token, without its secret. */
  public record Token(
      String id,
      String name,
      Role role,
      String project,
      String environment,
      long createdAt,
      Long revokedAt) {
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", id);
      json.put("name", name);
      json.put("role", role.label());
      if (project != null) {
        json.put("project", project);
        json.put("environment", environment);
      }
      json.put("createdAt", Instant.ofEpochMilli(createdAt).toString());
      json.put("revoked", revokedAt != null);
      if (revokedAt != null) {
        json.put("revokedAt", Instant.ofEpochMilli(revokedAt).toString());
      }
      return json;
    }
  }

  /** A token just created, with the secret the caller sees once. */
  public record Created(Token token, String secret) {}

  /**
   * On first start without {@code ROLLGATE_ADMIN_TOKEN} and without any admin token, creates one,
   * logs it once and writes it to {@code <dataDir>/admin-token} (mode 0600).
   */
  public void bootstrap(Path dataDir) {
    refresh();
    if (environmentAdminHash != null) {
      log.info("admin: ROLLGATE_ADMIN_TOKEN is accepted as an admin token");
      return;
    }
    Created created =
        db.inTransaction(tx -> {
          long admins =
              tx.count("SELECT COUNT(*) FROM tokens WHERE role = 'admin' AND revoked_at IS NULL");
          return admins > 0
              ? null
              : insert(tx, Actor.SYSTEM, BOOTSTRAP_NAME, Role.ADMIN, null, null);
        });
    if (created == null) {
      return;
    }
    refresh();
    Path file = dataDir.resolve("admin-token");
    try {
      Files.createDirectories(dataDir);
      Files.deleteIfExists(file);
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system
      }
      Files.writeString(
          file,
          created.secret() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      log.warn("admin: could not write {}: {}", file, e.getMessage());
    }
    log.warn(
        "admin: created the first admin token (shown once, also in {}): {}",
        file,
        created.secret());
  }

  /** Creates a token; the secret is in the result and nowhere else. */
  public Created create(Actor actor, String name, Role role, String project, String environment) {
    Created created =
        db.inTransaction(tx -> {
          if (role == Role.SDK) {
            long envs =
                tx.count(
                    "SELECT COUNT(*) FROM environments WHERE project_key = ? AND environment_key = ?",
                    project,
                    environment);
            if (envs == 0) {
              throw Failure.invalidField(
                  "environment", "environment " + project + "/" + environment + " does not exist");
            }
          }
          return insert(tx, actor, name, role, project, environment);
        });
    refresh();
    return created;
  }

  private Created insert(
      Tx tx, Actor actor, String name, Role role, String project, String environment)
      throws SQLException {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String secret = "rgt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Token token =
        new Token(
            UUID.randomUUID().toString(), name, role, project, environment, clock.millis(), null);
    tx.update(
        "INSERT INTO tokens (token_id, name, role, project_key, environment_key, secret_hash, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
        token.id(),
        name,
        role.label(),
        project,
        environment,
        hash(secret),
        token.createdAt());
    audit.append(tx, actor, "token.create", "tokens/" + token.id(), null, token.toJson());
    db.notifyChange(tx, "tokens");
    return new Created(token, secret);
  }

  public List<Token> list() {
    return db.inTransaction(
        tx -> tx.list("SELECT * FROM tokens ORDER BY created_at, token_id", TokenService::token));
  }

  /** Revokes a token; it stops working with the next request. Revoking twice is a no-op. */
  public Token revoke(Actor actor, String id) {
    Token revoked =
        db.inTransaction(tx -> {
          Token before =
              tx.one("SELECT * FROM tokens WHERE token_id = ?", TokenService::token, id)
                  .orElseThrow(() -> Failure.notFound("token " + id));
          if (before.revokedAt() != null) {
            return before;
          }
          tx.update("UPDATE tokens SET revoked_at = ? WHERE token_id = ?", clock.millis(), id);
          Token after =
              tx.one("SELECT * FROM tokens WHERE token_id = ?", TokenService::token, id)
                  .orElseThrow();
          audit.append(tx, actor, "token.revoke", "tokens/" + id, before.toJson(), after.toJson());
          db.notifyChange(tx, "tokens");
          return after;
        });
    refresh();
    return revoked;
  }

  /** The principal a bearer secret stands for, or null when it is unknown or revoked. */
  public Principal authenticate(String secret) {
    if (secret == null || secret.isEmpty() || secret.length() > 200) {
      return null;
    }
    String hash = hash(secret);
    if (environmentAdminHash != null
        && MessageDigest.isEqual(
            hash.getBytes(StandardCharsets.US_ASCII),
            environmentAdminHash.getBytes(StandardCharsets.US_ASCII))) {
      return new Principal("bootstrap", BOOTSTRAP_NAME, Role.ADMIN, null, null);
    }
    return active.get(hash);
  }

  /** Reloads the active tokens from the store. */
  public void refresh() {
    Map<String, Principal> fresh = new HashMap<>();
    db.inTransaction(tx ->
        tx.list(
            "SELECT * FROM tokens WHERE revoked_at IS NULL",
            r -> {
              Token t = token(r);
              return fresh.put(
                  r.getString("secret_hash"),
                  new Principal(t.id(), t.name(), t.role(), t.project(), t.environment()));
            }));
    active = Map.copyOf(fresh);
  }

  static String hash(String secret) {
    return Sha256.hex(secret);
  }

  private static Token token(ResultSet r) throws SQLException {
    long revoked = r.getLong("revoked_at");
    Long revokedAt = r.wasNull() ? null : revoked;
    return new Token(
        r.getString("token_id"),
        r.getString("name"),
        Role.parse(r.getString("role")),
        r.getString("project_key"),
        r.getString("environment_key"),
        r.getLong("created_at"),
        revokedAt);
  }
}
