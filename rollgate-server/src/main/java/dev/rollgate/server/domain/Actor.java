package dev.rollgate.server.domain;

import java.util.Locale;
import java.util.Set;

/**
 * Who makes a change, as the audit trail records it.
 *
 * @param id the token's immutable id, or the name of one of the server's own actors: what the audit
 *     trail identifies the actor by
 * @param name the token's name at the time of the change, for people to read
 * @param comment why, from the {@code X-Rollgate-Comment} header; may be null
 */
public record Actor(String id, String name, String comment) {
  /** The server itself (first-start setup, signing the events of an upgraded store). */
  public static final Actor SYSTEM = server("system");

  /** The rollout controller, which advances and rolls back rollouts by itself. */
  public static final Actor ROLLOUT_CONTROLLER = server("rollout-controller");

  /** The health monitor, which opens violations and takes their actions. */
  public static final Actor HEALTH_MONITOR = server("health-monitor");

  /** The release controller, which moves releases through their runbooks. */
  public static final Actor RELEASE_CONTROLLER = server("release-controller");

  /** The id of {@code ROLLGATE_ADMIN_TOKEN}, which is not a stored token. */
  public static final String ENVIRONMENT_ADMIN_ID = "bootstrap";

  /** The name of {@code ROLLGATE_ADMIN_TOKEN}, and of the admin token created on first start. */
  public static final String BOOTSTRAP_ADMIN_NAME = "bootstrap-admin";

  /**
   * Names that stand for the server's own actors, in lower case: no token may be called so, or an
   * admin could make a token that reads as the server in the audit trail. {@code scheduler} and
   * {@code rollgate} are kept for actors to come.
   */
  private static final Set<String> RESERVED =
      Set.of(
          SYSTEM.name(),
          ROLLOUT_CONTROLLER.name(),
          HEALTH_MONITOR.name(),
          RELEASE_CONTROLLER.name(),
          ENVIRONMENT_ADMIN_ID,
          BOOTSTRAP_ADMIN_NAME,
          "scheduler",
          "rollgate");

  private static Actor server(String name) {
    return new Actor(name, name, null);
  }

  /** Whether a token may not take {@code name} (compared without regard to case). */
  public static boolean reserved(String name) {
    return RESERVED.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * What the actors of flag triggers are named by: {@code trigger:<name>}, with the id {@code
   * trigger:<id>}. No token may take a name that begins so.
   */
  public static final String TRIGGER_PREFIX = "trigger:";

  /** The same actor with another comment (null keeps this one's). */
  public Actor withComment(String why) {
    return why == null ? this : new Actor(id, name, why);
  }
}
