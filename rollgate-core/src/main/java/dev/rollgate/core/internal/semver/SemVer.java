package dev.rollgate.core.internal.semver;

import java.util.Arrays;

/**
 * A semantic version as flagd's {@code sem_ver} reads it: an optional {@code v} or {@code V}
 * prefix, one to three numeric parts (missing ones are zero: {@code 1.2} is {@code 1.2.0}), an
 * optional pre-release and build metadata (ignored in comparisons). Ordering follows SemVer 2.0.0
 * section 11.
 */
public final class SemVer implements Comparable<SemVer> {
  private final long major;
  private final long minor;
  private final long patch;
  private final String[] preRelease;

  private SemVer(long major, long minor, long patch, String[] preRelease) {
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.preRelease = preRelease;
  }

  /** Parses {@code text}, or returns null when it is not a version. */
  public static SemVer parse(String text) {
    String s = text.trim();
    if (s.startsWith("v") || s.startsWith("V")) {
      s = s.substring(1);
    }
    int plus = s.indexOf('+');
    if (plus >= 0) {
      if (!validIdentifiers(s.substring(plus + 1), false)) {
        return null;
      }
      s = s.substring(0, plus);
    }
    String[] pre = new String[0];
    int dash = s.indexOf('-');
    if (dash >= 0) {
      String preText = s.substring(dash + 1);
      if (!validIdentifiers(preText, true)) {
        return null;
      }
      pre = preText.split("\\.", -1);
      s = s.substring(0, dash);
    }
    String[] core = s.split("\\.", -1);
    if (core.length > 3) {
      return null;
    }
    long[] parts = new long[3];
    for (int i = 0; i < core.length; i++) {
      if (!isNumeric(core[i]) || core[i].length() > 18) {
        return null;
      }
      parts[i] = Long.parseLong(core[i]);
    }
    return new SemVer(parts[0], parts[1], parts[2], pre);
  }

  private static boolean validIdentifiers(String text, boolean preRelease) {
    if (text.isEmpty()) {
      return false;
    }
    for (String id : text.split("\\.", -1)) {
      if (id.isEmpty() || !id.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')) {
        return false;
      }
      if (preRelease && isNumeric(id) && id.length() > 1 && id.charAt(0) == '0') {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumeric(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  public long major() {
    return major;
  }

  public long minor() {
    return minor;
  }

  /**
   * Applies a {@code sem_ver} operator: {@code = != < <= > >=}, {@code ^} (same major) or {@code ~}
   * (same major and minor). Returns null for an unknown operator.
   */
  public Boolean matches(String operator, SemVer target) {
    int c = compareTo(target);
    return switch (operator) {
      case "=" -> c == 0;
      case "!=" -> c != 0;
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      case "^" -> major == target.major;
      case "~" -> major == target.major && minor == target.minor;
      default -> null;
    };
  }

  /** Whether {@code operator} is one {@link #matches} knows. */
  public static boolean isOperator(String operator) {
    return switch (operator) {
      case "=", "!=", "<", "<=", ">", ">=", "^", "~" -> true;
      default -> false;
    };
  }

  @Override
  public int compareTo(SemVer o) {
    int c = Long.compare(major, o.major);
    if (c == 0) {
      c = Long.compare(minor, o.minor);
    }
    if (c == 0) {
      c = Long.compare(patch, o.patch);
    }
    return c != 0 ? c : comparePreRelease(preRelease, o.preRelease);
  }

  private static int comparePreRelease(String[] a, String[] b) {
    if (a.length == 0 || b.length == 0) {
      return Integer.compare(b.length, a.length); // a release ranks above its pre-releases
    }
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      boolean aNum = isNumeric(a[i]);
      boolean bNum = isNumeric(b[i]);
      int c;
      if (aNum && bNum) {
        c =
            a[i].length() != b[i].length()
                ? Integer.compare(a[i].length(), b[i].length())
                : a[i].compareTo(b[i]);
      } else if (aNum || bNum) {
        c = aNum ? -1 : 1;
      } else {
        c = a[i].compareTo(b[i]);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SemVer v && compareTo(v) == 0;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(major) * 31 * 31
        + Long.hashCode(minor) * 31
        + Long.hashCode(patch)
        + Arrays.hashCode(preRelease);
  }

  @Override
  public String toString() {
    return major
        + "."
        + minor
        + "."
        + patch
        + (preRelease.length == 0 ? "" : "-" + String.join(".", preRelease));
  }
}
