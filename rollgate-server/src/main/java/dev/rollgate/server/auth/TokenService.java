package dev.rollgate.server.auth;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.domain.Role;
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
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens: created with a role, shown once, stored only as a SHA-256 hash (secrets are 192
 * random bits, so a fast hash is enough), revocable at once.
 *
 * <p>A token acts in the audit trail as its id, with its name beside it. Names are unique among all
 * tokens, revoked ones included and without regard to case, and none may be one of the server's own
 * actors' ({@link Actor#reserved}), so that a name read in the trail means one token.
 *
 * <p>Tokens issued for a verified identity ({@link #issue}, the OIDC exchange) are short-lived and
 * may be scoped to a project and environment; they authenticate until their expiry, checked at each
 * lookup against the clock, and stay in the list afterwards.
 */
public final class TokenService {
  private static final Logger log = LoggerFactory.getLogger(TokenService.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_NAME = 200;

  /** Names that begin so are kept for the tokens {@link #issue} makes. */
  public static final String ISSUED_PREFIX = "oidc:";

  private static final Principal ENVIRONMENT_ADMIN =
      new Principal(Actor.ENVIRONMENT_ADMIN_ID, Actor.BOOTSTRAP_ADMIN_NAME, Role.ADMIN, null, null);

  private final Database db;
  private final AuditLog audit;
  private final Clock clock;
  private final String environmentAdminHash; // ROLLGATE_ADMIN_TOKEN's hash, or null
  // Active tokens by secret hash: authentication never waits for the store, so evaluation goes
  // on through a database outage. Rebuilt after every token change here and on other replicas,
  // and once the soonest expiry has passed; each lookup checks the expiry too.
  private volatile Map<String, Active> active = Map.of();
  private volatile Map<String, Active> activeById = Map.of();
  private volatile long nextExpiry = Long.MAX_VALUE;
  private volatile Consumer<Set<String>> onWithdrawn = ids -> {};

  public TokenService(Database db, AuditLog audit, Clock clock, String environmentAdminToken) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.environmentAdminHash =
        environmentAdminToken == null || environmentAdminToken.isBlank()
            ? null
            : hash(environmentAdminToken);
  }

  /** A token to create, as the caller wrote it: checked here. */
  public record Create(String name, String role, String project, String environment) {}

  /** A token just created, with the secret the caller sees once. */
  public record Created(Token token, String secret) {}

  /**
   * A short-lived token to issue for an identity that the caller verified and mapped to a role and
   * scope by its own rules (checked there).
   *
   * @param nameStem the name before the token's short id ({@code oidc:<rule>}); names stay unique
   * @param project the scope's project, or null (with a null environment) for none
   * @param environment the scope's environment within the project, or null for all of them
   * @param origin where the token comes from (issuer, subject, rule, the claims that matched): the
   *     audit event records it beside the token
   */
  public record Issue(
      String nameStem,
      Role role,
      String project,
      String environment,
      Duration lifetime,
      Map<String, Object> origin) {}

  /** A principal and the instant (epoch milliseconds) its token expires at, or MAX_VALUE. */
  private record Active(Principal principal, long expiresAt) {
    boolean at(long now) {
      return now < expiresAt;
    }
  }

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
          AuditLog.lockHead(tx);
          if (TokenStore.activeAdmins(tx) > 0) {
            return null;
          }
          String id = UUID.randomUUID().toString();
          // A revoked first token keeps its name; the next one carries its id as well.
          String name =
              TokenStore.nameTaken(tx, key(Actor.BOOTSTRAP_ADMIN_NAME))
                  ? Actor.BOOTSTRAP_ADMIN_NAME + "-" + id
                  : Actor.BOOTSTRAP_ADMIN_NAME;
          return insert(tx, Actor.SYSTEM, id, name, Role.ADMIN, null, null, null);
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
  public Created create(Actor actor, Create command) {
    String name = command.name();
    checkName(name);
    Role role = command.role() == null ? null : Role.parse(command.role());
    if (role == null) {
      throw Failure.invalidField("role", "must be admin, editor, viewer, approver or sdk");
    }
    String project = command.project();
    String environment = command.environment();
    if (role == Role.SDK && (project == null || environment == null)) {
      throw Failure.invalidField(
          project == null ? "project" : "environment", "is required for an sdk token");
    }
    if (role != Role.SDK && (project != null || environment != null)) {
      throw Failure.invalidField(
          project != null ? "project" : "environment",
          "only sdk tokens are bound to a project and environment");
    }
    Created created =
        db.inTransaction(tx -> {
          AuditLog.lockHead(tx); // two creations of one name on two replicas: one waits
          if (role == Role.SDK && !TokenStore.environmentExists(tx, project, environment)) {
            throw Failure.invalidField(
                "environment", "environment " + project + "/" + environment + " does not exist");
          }
          if (TokenStore.nameTaken(tx, key(name))) {
            throw Failure.conflict(
                "a token named '"
                    + name
                    + "' already exists (names are unique, whatever their case, revoked tokens"
                    + " included)");
          }
          return insert(
              tx, actor, UUID.randomUUID().toString(), name, role, project, environment, null);
        });
    refresh();
    return created;
  }

  /**
   * Issues a short-lived token for a verified identity: named {@code <stem>:<short id>}, expiring
   * after {@code lifetime}, audited as {@code token.exchange} with its origin. The token itself is
   * the event's actor, so that its creation and everything it does share one actor id.
   */
  public Created issue(Issue command) {
    if (command.role() == Role.SDK || command.role() == null) {
      throw new IllegalArgumentException("issued tokens are admin, editor or viewer tokens");
    }
    if (command.project() == null && command.environment() != null) {
      throw new IllegalArgumentException("an environment scope needs a project");
    }
    String id = UUID.randomUUID().toString();
    Instant now = Instant.ofEpochMilli(clock.millis());
    Instant expiresAt = now.plus(command.lifetime());
    Created created =
        db.inTransaction(tx -> {
          AuditLog.lockHead(tx);
          String project = command.project();
          String environment = command.environment();
          boolean exists =
              project == null
                  || (environment == null
                      ? TokenStore.projectExists(tx, project)
                      : TokenStore.environmentExists(tx, project, environment));
          if (!exists) {
            throw Failure.conflict(
                "the token's scope "
                    + project
                    + (environment == null ? "" : "/" + environment)
                    + " does not exist");
          }
          String shortName = command.nameStem() + ":" + id.substring(0, 8);
          String name =
              TokenStore.nameTaken(tx, key(shortName)) ? command.nameStem() + ":" + id : shortName;
          Secret secret = Secret.next();
          Token token =
              new Token(id, name, command.role(), project, environment, now, null, expiresAt);
          TokenStore.insert(tx, token, key(name), secret.hash());
          Map<String, Object> recorded = new LinkedHashMap<>();
          recorded.put("token", token);
          recorded.put("origin", command.origin());
          audit.append(
              tx,
              new Actor(token.id(), token.name(), null),
              "token.exchange",
              "tokens/" + token.id(),
              null,
              recorded);
          db.notifyChange(tx, "tokens");
          return new Created(token, secret.plain());
        });
    refresh();
    return created;
  }

  /** A new secret and its hash. */
  private record Secret(String plain, String hash) {
    static Secret next() {
      byte[] bytes = new byte[24];
      RANDOM.nextBytes(bytes);
      String plain = "rgt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      return new Secret(plain, TokenService.hash(plain));
    }
  }

  /** Refuses a name that could be mistaken for another actor's in the audit trail. */
  private static void checkName(String name) {
    if (name == null || name.isBlank() || name.length() > MAX_NAME) {
      throw Failure.invalidField("name", "must be 1-" + MAX_NAME + " characters");
    }
    if (!name.strip().equals(name)) {
      throw Failure.invalidField("name", "must not begin or end with white space");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw Failure.invalidField("name", "must not contain control characters");
    }
    if (Actor.reserved(name)) {
      throw Failure.invalidField(
          "name", "'" + name + "' is reserved for one of Rollgate's own actors");
    }
    if (key(name).startsWith(Actor.TRIGGER_PREFIX)) {
      throw Failure.invalidField(
          "name", "names beginning with '" + Actor.TRIGGER_PREFIX + "' are kept for flag triggers");
    }
    if (key(name).startsWith(ISSUED_PREFIX)) {
      throw Failure.invalidField(
          "name", "names beginning with '" + ISSUED_PREFIX + "' are kept for OIDC-issued tokens");
    }
  }

  /** A name as names are compared: in lower case. */
  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private Created insert(
      Tx tx,
      Actor actor,
      String id,
      String name,
      Role role,
      String project,
      String environment,
      Instant expiresAt)
      throws SQLException {
    Secret secret = Secret.next();
    Token token =
        new Token(
            id,
            name,
            role,
            project,
            environment,
            Instant.ofEpochMilli(clock.millis()), // stored in milliseconds
            null,
            expiresAt);
    TokenStore.insert(tx, token, key(name), secret.hash());
    audit.append(tx, actor, "token.create", "tokens/" + token.id(), null, token);
    db.notifyChange(tx, "tokens");
    return new Created(token, secret.plain());
  }

  public List<Token> list() {
    return db.inTransaction(TokenStore::list);
  }

  /** Revokes a token; it stops working with the next request. Revoking twice is a no-op. */
  public Token revoke(Actor actor, String id) {
    Token revoked =
        db.inTransaction(tx -> {
          Token before = TokenStore.find(tx, id).orElseThrow(() -> Failure.notFound("token " + id));
          if (before.revoked()) {
            return before;
          }
          TokenStore.revoke(tx, id, clock.millis());
          Token after = TokenStore.find(tx, id).orElseThrow();
          audit.append(tx, actor, "token.revoke", "tokens/" + id, before, after);
          db.notifyChange(tx, "tokens");
          return after;
        });
    refresh();
    return revoked;
  }

  /** The principal a bearer secret stands for, or null when it is unknown, revoked or expired. */
  public Principal authenticate(String secret) {
    if (secret == null || secret.isEmpty() || secret.length() > 200) {
      return null;
    }
    String hash = hash(secret);
    if (environmentAdminHash != null
        && MessageDigest.isEqual(
            hash.getBytes(StandardCharsets.US_ASCII),
            environmentAdminHash.getBytes(StandardCharsets.US_ASCII))) {
      return ENVIRONMENT_ADMIN;
    }
    Active found = active.get(hash);
    return found != null && found.at(clock.millis()) ? found.principal() : null;
  }

  /**
   * Whether {@code principal}, as {@link #authenticate} gave it, still stands for a stored token:
   * false once that token is revoked (here or, after the notice, on another replica) or expired.
   * {@code ROLLGATE_ADMIN_TOKEN}'s principal stands while the setting does: it cannot be revoked.
   */
  public boolean current(Principal principal) {
    return principal.equals(principalOf(principal.tokenId()));
  }

  /**
   * Who the token with this id stands for now, or null once it is revoked (here or, after the
   * notice, on another replica) or expired: what a web UI session acts as.
   */
  public Principal principalOf(String tokenId) {
    if (Actor.ENVIRONMENT_ADMIN_ID.equals(tokenId)) {
      return environmentAdminHash == null ? null : ENVIRONMENT_ADMIN;
    }
    Active found = activeById.get(tokenId);
    return found != null && found.at(clock.millis()) ? found.principal() : null;
  }

  /**
   * Reloads the tokens once the soonest expiry among them has passed, so that what an expired token
   * holds open (event streams) ends as it would at a revocation; a background job calls it.
   */
  public void expire() {
    if (clock.millis() >= nextExpiry) {
      refresh();
    }
  }

  /**
   * Tells {@code listener}, after each reload, the ids of the tokens that stopped working or whose
   * role or binding changed: whatever they hold open (event streams) must end.
   */
  public void onWithdrawn(Consumer<Set<String>> listener) {
    this.onWithdrawn = listener;
  }

  /**
   * Reloads the active tokens from the store. One reload at a time: a reload started before a token
   * was committed (another replica's notice) must not finish after, and replace, the one that the
   * change itself started.
   */
  public synchronized void refresh() {
    long at = clock.millis();
    Map<String, Active> fresh = new HashMap<>();
    db.inTransaction(tx -> TokenStore.active(tx, at))
        .forEach((hash, t) ->
            fresh.put(
                hash,
                new Active(
                    new Principal(t.id(), t.name(), t.role(), t.project(), t.environment()),
                    t.expiresAt() == null ? Long.MAX_VALUE : t.expiresAt().toEpochMilli())));
    Map<String, Active> before = active;
    Map<String, Active> byId = new HashMap<>();
    fresh.values().forEach(a -> byId.put(a.principal().tokenId(), a));
    active = Map.copyOf(fresh);
    activeById = Map.copyOf(byId);
    nextExpiry = fresh.values().stream().mapToLong(Active::expiresAt).min().orElse(Long.MAX_VALUE);
    Set<String> withdrawn = new HashSet<>();
    for (Active was : before.values()) {
      Principal old = was.principal();
      Active found = byId.get(old.tokenId());
      Principal now = found == null ? null : found.principal();
      if (now == null
          || now.role() != old.role()
          || !Objects.equals(now.project(), old.project())
          || !Objects.equals(now.environment(), old.environment())) {
        withdrawn.add(old.tokenId());
      }
    }
    if (!withdrawn.isEmpty()) {
      onWithdrawn.accept(Set.copyOf(withdrawn));
    }
  }

  static String hash(String secret) {
    return Sha256.hex(secret);
  }
}
