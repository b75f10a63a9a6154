package dev.rollgate.server.flags;

import dev.rollgate.server.domain.Failure;

/** Whether a flag is switched on in an environment; DISABLED is the kill switch. */
public enum FlagState {
  ENABLED,
  DISABLED;

  /** The state named {@code value}; an invalid field at {@code path} for anything else. */
  public static FlagState parse(String value, String path) {
    for (FlagState state : values()) {
      if (state.name().equals(value)) {
        return state;
      }
    }
    throw Failure.invalidField(path, "must be ENABLED or DISABLED");
  }
}
