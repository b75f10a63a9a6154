package dev.rollgate.server.releases;

import dev.rollgate.server.domain.Plain;
import java.util.Locale;

/** What kind of change a release carries; each has a default plan ({@link ReleasePlan}). */
public enum ReleaseType implements Plain.Shown {
  PATCH,
  MINOR,
  MAJOR,
  HOTFIX,
  MIGRATION;

  static ReleaseType parse(String name) {
    for (ReleaseType t : values()) {
      if (t.label().equals(name)) {
        return t;
      }
    }
    return null;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public Object plain() {
    return label();
  }
}
