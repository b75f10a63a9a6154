package dev.rollgate.server.rollouts;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import java.util.List;
import java.util.Locale;

/** What moved a rollout: a person's manual control, or the controller acting on a verdict. */
public enum RolloutAction implements Plain.Shown {
  START,
  PAUSE,
  RESUME,
  ADVANCE,
  PROMOTE,
  ROLLBACK,
  ABORT,
  /** The controller: a stage that requires approval has passed. */
  AWAIT_APPROVAL;

  /** The manual controls, in the order the API lists them. */
  static final List<RolloutAction> MANUAL =
      List.of(PAUSE, RESUME, ADVANCE, PROMOTE, ROLLBACK, ABORT);

  /** The manual control named {@code label} ({@code pause}); not found for anything else. */
  public static RolloutAction manual(String label) {
    for (RolloutAction action : MANUAL) {
      if (action.label().equals(label)) {
        return action;
      }
    }
    throw Failure.notFound(
        "rollout action "
            + label
            + " ("
            + String.join(", ", MANUAL.stream().map(RolloutAction::label).toList())
            + ")");
  }

  /** As stored and shown: {@code pause}, {@code await_approval}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public Object plain() {
    return label();
  }
}
