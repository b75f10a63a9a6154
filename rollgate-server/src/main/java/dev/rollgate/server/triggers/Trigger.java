package dev.rollgate.server.triggers;

import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.flags.FlagState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A flag trigger, without its secret: calling its secret URL switches one flag off or on in one
 * environment.
 *
 * @param onResolved what an Alertmanager {@code resolved} notification does: null ignores it,
 *     otherwise the opposite of {@code action}
 * @param createdBy the actor who made it, as the audit trail names actors
 * @param lastCalledAt when its URL was last called and accepted (null: never)
 * @param lastResult what that call did ({@link Result#label})
 * @param calls how many calls it accepted
 */
public record Trigger(
    String id,
    String project,
    String flag,
    String environment,
    String name,
    String description,
    Action action,
    Action onResolved,
    Author createdBy,
    Instant createdAt,
    Instant revokedAt,
    Instant lastCalledAt,
    String lastResult,
    long calls)
    implements Plain.Shown {

  /** What a trigger does to its flag. */
  public enum Action {
    SWITCH_OFF(FlagState.DISABLED),
    SWITCH_ON(FlagState.ENABLED);

    private final FlagState state;

    Action(FlagState state) {
      this.state = state;
    }

    /** The flag's state once the action is done. */
    public FlagState state() {
      return state;
    }

    public Action opposite() {
      return this == SWITCH_OFF ? SWITCH_ON : SWITCH_OFF;
    }

    /** As clients write it: {@code switch_off}, {@code switch_on}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action labelled {@code text}, or null. */
    public static Action parse(String text) {
      for (Action action : values()) {
        if (action.label().equals(text)) {
          return action;
        }
      }
      return null;
    }
  }

  /** What one call of a trigger did. */
  public enum Result {
    SWITCHED_OFF,
    SWITCHED_ON,
    /** The flag was in the action's state already: nothing was written. */
    UNCHANGED,
    /** The call asked for nothing (an Alertmanager {@code resolved} that the trigger ignores). */
    IGNORED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Result of(Action done) {
      return done == Action.SWITCH_OFF ? SWITCHED_OFF : SWITCHED_ON;
    }
  }

  /** Who made a trigger. */
  public record Author(String id, String name) {}

  /** The label {@code onResolved} is written with: {@code ignore} or the opposite action's. */
  public static final String IGNORE = "ignore";

  public boolean revoked() {
    return revokedAt != null;
  }

  /**
   * The actor a call of this trigger acts as: {@code trigger:<id>}, named {@code trigger:<name>};
   * no token may take such a name.
   */
  Actor actor(String comment) {
    return new Actor(Actor.TRIGGER_PREFIX + id, Actor.TRIGGER_PREFIX + name, comment);
  }

  String resource() {
    return "projects/"
        + project
        + "/flags/"
        + flag
        + "/environments/"
        + environment
        + "/triggers/"
        + id;
  }

  Trigger revokedAt(Instant at) {
    return new Trigger(
        id,
        project,
        flag,
        environment,
        name,
        description,
        action,
        onResolved,
        createdBy,
        createdAt,
        at,
        lastCalledAt,
        lastResult,
        calls);
  }

  /** Leaves out what does not apply (no description, no revocation, never called). */
  @Override
  public Object plain() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("name", name);
    json.put("project", project);
    json.put("flag", flag);
    json.put("environment", environment);
    json.put("action", action.label());
    json.put("onResolved", onResolved == null ? IGNORE : onResolved.label());
    if (description != null) {
      json.put("description", description);
    }
    Map<String, Object> author = new LinkedHashMap<>();
    author.put("id", createdBy.id());
    author.put("name", createdBy.name());
    json.put("createdBy", author);
    json.put("createdAt", createdAt.toString());
    json.put("revoked", revoked());
    if (revokedAt != null) {
      json.put("revokedAt", revokedAt.toString());
    }
    if (lastCalledAt != null) {
      json.put("lastCalledAt", lastCalledAt.toString());
      json.put("lastResult", lastResult);
    }
    json.put("calls", calls);
    return json;
  }
}
