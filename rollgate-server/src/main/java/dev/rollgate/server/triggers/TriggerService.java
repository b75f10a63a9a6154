package dev.rollgate.server.triggers;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.IdSource;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.flags.FlagState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Flag triggers: secret URLs that an alerting system calls to switch one flag off (or on) in one
 * environment, without a token. A trigger is made by an editor, who sees its secret once (stored
 * only as a SHA-256 hash, as token secrets are: 192 random bits); it acts through the same patch of
 * the flag's environment that people make, so the change is compiled, audited (as {@code
 * trigger:<name>}, with the reason naming the trigger), streamed and sent to webhooks like theirs.
 *
 * <p>A call says one of three things ({@link Signal}): an Alertmanager {@code firing} notification,
 * which performs the action; an Alertmanager {@code resolved} one, ignored unless the trigger was
 * made to do the opposite then; or anything else (an empty POST, any other JSON), which performs
 * the action. A call that finds the flag as the action would leave it writes nothing.
 */
public final class TriggerService {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Trigger secrets begin so: request ids that look like one are not echoed or logged. */
  public static final String SECRET_PREFIX = "rgtr_";

  static final int MAX_NAME = 100;
  static final int MAX_DESCRIPTION = 1000;
  private static final int MAX_SUMMARY = 200;
  private static final int MAX_SECRET = 200;

  /** Active triggers one flag may have in one environment. */
  static final int MAX_ACTIVE = 50;

  private final Catalog catalog;
  private final FlagService flags;
  private final AuditLog audit;
  private final Clock clock;
  private final IdSource ids;

  public TriggerService(
      Catalog catalog, FlagService flags, AuditLog audit, Clock clock, IdSource ids) {
    this.catalog = catalog;
    this.flags = flags;
    this.audit = audit;
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * A trigger to make, as the caller wrote it: checked here.
   *
   * @param action {@code switch_off} or {@code switch_on}
   * @param onResolved {@code ignore} (null: the same) or the opposite action
   */
  public record Create(String name, String action, String onResolved, String description) {}

  /** A trigger just made, with the secret its maker sees once. */
  public record Created(Trigger trigger, String secret) {}

  /** What a call of a trigger's URL says. */
  public enum Signal {
    /** An empty POST, or a body that is not an Alertmanager notification: act. */
    PLAIN,
    /** Alertmanager's {@code "status": "firing"}: act. */
    FIRING,
    /** Alertmanager's {@code "status": "resolved"}: what the trigger's onResolved says. */
    RESOLVED
  }

  /**
   * One call of a trigger's URL.
   *
   * @param summary what the caller said, for the audit trail's reason (the alert names and count);
   *     may be null
   */
  public record Call(Signal signal, String summary) {}

  /**
   * What a call did.
   *
   * @param state the flag's state in the trigger's environment after the call
   */
  public record Outcome(Trigger trigger, Trigger.Result result, FlagState state, String reason) {}

  /** Makes a trigger on a flag in one environment; its secret is in the result and nowhere else. */
  public Created create(
      Actor actor, String project, String flag, String environment, Create command) {
    String name = checkName(command.name());
    Trigger.Action action = Trigger.Action.parse(command.action());
    if (action == null) {
      throw Failure.invalidField("action", "must be switch_off or switch_on");
    }
    Trigger.Action onResolved = onResolved(action, command.onResolved());
    String description = command.description();
    if (description != null && description.length() > MAX_DESCRIPTION) {
      throw Failure.invalidField("description", "at most " + MAX_DESCRIPTION + " characters");
    }
    String secret = newSecret();
    Supplier<String> id = ids.once();
    long now = clock.millis();
    Trigger created =
        catalog.writeIfChanged(
            project,
            null,
            tx -> {
              FlagService.view(tx, project, flag, environment); // 404s
              if (TriggerStore.active(tx, project, flag, environment) >= MAX_ACTIVE) {
                throw Failure.conflict(
                    "flag "
                        + flag
                        + " has "
                        + MAX_ACTIVE
                        + " triggers in "
                        + environment
                        + "; revoke some first");
              }
              if (TriggerStore.nameTaken(tx, project, flag, environment, key(name))) {
                throw Failure.conflict(
                    "flag "
                        + flag
                        + " has a trigger named '"
                        + name
                        + "' in "
                        + environment
                        + " already (names are unique among its triggers, whatever their case)");
              }
              Trigger trigger =
                  new Trigger(
                      id.get(),
                      project,
                      flag,
                      environment,
                      name,
                      description,
                      action,
                      onResolved,
                      new Trigger.Author(actor.id(), actor.name()),
                      Instant.ofEpochMilli(now),
                      null,
                      null,
                      null,
                      0);
              TriggerStore.insert(tx, trigger, key(name), hash(secret));
              audit.append(tx, actor, "trigger.create", trigger.resource(), null, trigger);
              return new Catalog.Written<>(trigger, false);
            });
    return new Created(created, secret);
  }

  /** A flag's triggers in one environment, oldest first; revoked ones too when asked. */
  public List<Trigger> list(String project, String flag, String environment, boolean withRevoked) {
    return catalog.read(tx -> {
      FlagService.view(tx, project, flag, environment); // 404s
      return TriggerStore.of(tx, project, flag, environment, withRevoked);
    });
  }

  /** Revokes a trigger: its URL stops working at once. Revoking twice changes nothing. */
  public Trigger revoke(Actor actor, String project, String flag, String environment, String id) {
    long now = clock.millis();
    return catalog.writeIfChanged(
        project,
        null,
        tx -> {
          Trigger before =
              TriggerStore.find(tx, id)
                  .filter(t ->
                      t.project().equals(project)
                          && t.flag().equals(flag)
                          && t.environment().equals(environment))
                  .orElseThrow(() ->
                      Failure.notFound(
                          "trigger " + id + " of flag " + flag + " in " + environment));
          if (before.revoked() || !TriggerStore.revoke(tx, id, now)) {
            return new Catalog.Written<>(before, false);
          }
          Trigger after = before.revokedAt(Instant.ofEpochMilli(now));
          audit.append(tx, actor, "trigger.revoke", before.resource(), before, after);
          return new Catalog.Written<>(after, false);
        });
  }

  /**
   * The active trigger whose secret this is; a 404 when none is (unknown and revoked secrets alike,
   * so that a caller learns nothing from the difference). Found by the secret's hash; the stored
   * hash is compared again in constant time.
   */
  public Trigger authenticate(String secret) {
    if (secret == null || !secret.startsWith(SECRET_PREFIX) || secret.length() > MAX_SECRET) {
      throw unknown();
    }
    String hash = hash(secret);
    TriggerStore.Hashed found =
        catalog
            .read(tx -> TriggerStore.bySecretHash(tx, hash))
            .orElseThrow(TriggerService::unknown);
    if (!MessageDigest.isEqual(
            found.secretHash().getBytes(StandardCharsets.US_ASCII),
            hash.getBytes(StandardCharsets.US_ASCII))
        || found.trigger().revoked()) {
      throw unknown();
    }
    return found.trigger();
  }

  /**
   * Answers one call of {@code trigger} (from {@link #authenticate}): does its action, the opposite
   * or nothing, as {@link Signal} says; writes the flag only when that changes its state.
   */
  public Outcome call(Trigger trigger, Call call) {
    Trigger.Action action =
        call.signal() == Signal.RESOLVED ? trigger.onResolved() : trigger.action();
    String reason = reason(trigger, call, action);
    Actor actor = trigger.actor(reason);
    long now = clock.millis();
    return catalog.writeIfChanged(
        trigger.project(),
        null,
        tx -> {
          Trigger current =
              TriggerStore.find(tx, trigger.id())
                  .filter(t -> !t.revoked())
                  .orElseThrow(TriggerService::unknown); // revoked meanwhile
          FlagService.EnvironmentView view =
              FlagService.view(tx, current.project(), current.flag(), current.environment());
          Trigger.Result result =
              action == null
                  ? Trigger.Result.IGNORED
                  : view.state() == action.state()
                      ? Trigger.Result.UNCHANGED
                      : Trigger.Result.of(action);
          TriggerStore.called(tx, current.id(), now, result);
          boolean changes =
              result == Trigger.Result.SWITCHED_OFF || result == Trigger.Result.SWITCHED_ON;
          if (changes) {
            flags.patchInside(
                tx,
                actor,
                current.project(),
                current.flag(),
                current.environment(),
                new FlagService.ConfigPatch(action.state(), false, null, false, null, null));
          }
          return new Catalog.Written<>(
              new Outcome(current, result, changes ? action.state() : view.state(), reason),
              changes);
        });
  }

  /** The audit trail's comment on a call: the trigger's name and what the caller said. */
  private static String reason(Trigger trigger, Call call, Trigger.Action action) {
    String said =
        switch (call.signal()) {
          case FIRING -> "Alertmanager firing";
          case RESOLVED -> "Alertmanager resolved";
          case PLAIN -> "called";
        };
    String summary = call.summary() == null ? null : printable(call.summary());
    return "trigger "
        + trigger.name()
        + " ("
        + trigger.id()
        + "): "
        + said
        + (summary == null || summary.isBlank() ? "" : ": " + summary)
        + (action == null ? " (ignored: onResolved is ignore)" : "");
  }

  /** Text from the caller as one bounded line: control characters become spaces. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .limit(MAX_SUMMARY)
        .forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return out.toString().strip();
  }

  private static Trigger.Action onResolved(Trigger.Action action, String text) {
    if (text == null || text.equals(Trigger.IGNORE)) {
      return null;
    }
    if (text.equals(action.opposite().label())) {
      return action.opposite();
    }
    throw Failure.invalidField(
        "onResolved",
        "must be "
            + Trigger.IGNORE
            + " (the default) or "
            + action.opposite().label()
            + ", the opposite of "
            + action.label());
  }

  private static String checkName(String name) {
    if (name == null || name.isBlank() || name.length() > MAX_NAME) {
      throw Failure.invalidField("name", "must be 1-" + MAX_NAME + " characters");
    }
    if (!name.strip().equals(name)) {
      throw Failure.invalidField("name", "must not begin or end with white space");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw Failure.invalidField("name", "must not contain control characters");
    }
    return name;
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static Failure unknown() {
    return new Failure(
        Failure.Kind.NOT_FOUND, "not_found", "no such trigger: the URL is unknown or was revoked");
  }

  private static String newSecret() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String hash(String secret) {
    return Sha256.hex(secret);
  }
}
