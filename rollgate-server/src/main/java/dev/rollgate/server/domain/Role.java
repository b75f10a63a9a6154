package dev.rollgate.server.domain;

import java.util.Locale;

/** What a token may do. */
public enum Role implements Plain.Shown {
  /** Everything, tokens included. */
  ADMIN,
  /** Read everything; write flags, segments, rollouts and experiments. */
  EDITOR,
  /** Read only. */
  VIEWER,
  /** Read everything; approve releases. */
  APPROVER,
  /** Evaluate and stream one project's environment; nothing else. */
  SDK;

  public static Role parse(String name) {
    for (Role role : values()) {
      if (role.label().equals(name)) {
        return role;
      }
    }
    return null;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Roles are written in lower case, as clients send them. */
  @Override
  public Object plain() {
    return label();
  }

  /** Whether this role may read the admin API. */
  public boolean canRead() {
    return this != SDK;
  }

  /** Whether this role may approve releases. */
  public boolean canApprove() {
    return this == ADMIN || this == APPROVER;
  }

  /** Whether this role may change flags, segments and their configuration. */
  public boolean canEdit() {
    return this == ADMIN || this == EDITOR;
  }
}
