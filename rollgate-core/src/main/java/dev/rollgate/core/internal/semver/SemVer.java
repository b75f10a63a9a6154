package dev.rollgate.core.internal.semver;

import java.util.Arrays;

/**
 * A semantic version as flagd's {@code sem_ver} reads it: an optional {@code v} or {@code V}
 * prefix, one to three numeric parts (missing ones are zero: {@code 1.2} is {@code 1.2.0}), an
 * optional pre-release and build metadata (ignored in comparisons). Ordering follows SemVer 2.0.0
 * section 11.
 */
public final class SemVer implements Comparable<SemVer> {
  /** What {@link #compare(String, SemVer)} returns for text that is not a version. */
  public static final int NOT_A_VERSION = Integer.MIN_VALUE;

  /** The magnitude of a comparison decided by the major version. */
  public static final int MAJOR = 4;

  /** The magnitude of a comparison decided by the minor version. */
  public static final int MINOR = 3;

  /** The magnitude of a comparison decided by the patch version. */
  public static final int PATCH = 2;

  /** The magnitude of a comparison decided by the pre-release. */
  public static final int PRE_RELEASE = 1;

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
    return validIdentifiers(text, 0, text.length(), preRelease);
  }

  /**
   * Whether {@code text[from, to)} is dot-separated identifiers of letters, digits and hyphens; in
   * a pre-release, numeric ones without leading zeros.
   */
  private static boolean validIdentifiers(String text, int from, int to, boolean preRelease) {
    if (from == to) {
      return false;
    }
    int idFrom = from;
    for (int i = from; i <= to; i++) {
      if (i < to && text.charAt(i) != '.') {
        char c = text.charAt(i);
        if (!Character.isLetterOrDigit(c) && c != '-') {
          return false;
        }
        continue;
      }
      if (i == idFrom) {
        return false; // an empty identifier
      }
      if (preRelease
          && i - idFrom > 1
          && text.charAt(idFrom) == '0'
          && isNumeric(text, idFrom, i)) {
        return false;
      }
      idFrom = i + 1;
    }
    return true;
  }

  private static boolean isNumeric(String s) {
    return isNumeric(s, 0, s.length());
  }

  private static boolean isNumeric(String s, int from, int to) {
    if (from == to) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
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
    return matches(operator, compareByPart(target));
  }

  /**
   * Applies a {@code sem_ver} operator to a comparison from {@link #compare(String, SemVer)} (not
   * {@link #NOT_A_VERSION}). Returns null for an unknown operator.
   */
  public static Boolean matches(String operator, int comparison) {
    int part = Math.abs(comparison);
    return switch (operator) {
      case "=" -> comparison == 0;
      case "!=" -> comparison != 0;
      case "<" -> comparison < 0;
      case "<=" -> comparison <= 0;
      case ">" -> comparison > 0;
      case ">=" -> comparison >= 0;
      case "^" -> part != MAJOR;
      case "~" -> part != MAJOR && part != MINOR;
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
    return compareByPart(o);
  }

  /** Like {@link #compare(String, SemVer)}, for a parsed version. */
  private int compareByPart(SemVer o) {
    int c = Long.compare(major, o.major);
    if (c != 0) {
      return c * MAJOR;
    }
    c = Long.compare(minor, o.minor);
    if (c != 0) {
      return c * MINOR;
    }
    c = Long.compare(patch, o.patch);
    if (c != 0) {
      return c * PATCH;
    }
    return Integer.signum(comparePreRelease(preRelease, o.preRelease)) * PRE_RELEASE;
  }

  private static int comparePreRelease(String[] a, String[] b) {
    if (a.length == 0 || b.length == 0) {
      return Integer.compare(b.length, a.length); // a release ranks above its pre-releases
    }
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      int c = compareIdentifiers(a[i], 0, a[i].length(), b[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  /**
   * SemVer's order of one pre-release identifier, {@code text[from, to)}, against {@code other}:
   * numbers by value, below any alphanumeric identifier, which compare as strings do.
   */
  private static int compareIdentifiers(String text, int from, int to, String other) {
    boolean aNum = isNumeric(text, from, to);
    boolean bNum = isNumeric(other, 0, other.length());
    int aLength = to - from;
    int bLength = other.length();
    if (aNum != bNum) {
      return aNum ? -1 : 1;
    }
    if (aNum && aLength != bLength) {
      return Integer.compare(aLength, bLength); // no leading zeros: the longer is the larger
    }
    for (int i = 0; i < Math.min(aLength, bLength); i++) {
      int c = text.charAt(from + i) - other.charAt(i);
      if (c != 0) {
        return c;
      }
    }
    return aLength - bLength;
  }

  /**
   * Compares the version {@code text} with {@code target} as {@link #parse} and {@link #compareTo}
   * would, without building anything: evaluating {@code sem_ver} against a version written in the
   * rule allocates nothing. The sign is the order; the magnitude says which part decided it: {@link
   * #MAJOR}, {@link #MINOR}, {@link #PATCH} or {@link #PRE_RELEASE} (0 when equal). {@link
   * #NOT_A_VERSION} when {@code text} is not a version.
   */
  public static int compare(String text, SemVer target) {
    int start = 0;
    int end = text.length();
    while (start < end && text.charAt(start) <= ' ') {
      start++; // as String.trim does
    }
    while (end > start && text.charAt(end - 1) <= ' ') {
      end--;
    }
    if (start < end && (text.charAt(start) == 'v' || text.charAt(start) == 'V')) {
      start++;
    }
    int plus = indexOf(text, '+', start, end);
    if (plus >= 0) {
      if (!validIdentifiers(text, plus + 1, end, false)) {
        return NOT_A_VERSION;
      }
      end = plus;
    }
    int preFrom = -1;
    int preTo = end;
    int dash = indexOf(text, '-', start, end);
    if (dash >= 0) {
      if (!validIdentifiers(text, dash + 1, end, true)) {
        return NOT_A_VERSION;
      }
      preFrom = dash + 1;
      end = dash;
    }
    long major = 0;
    long minor = 0;
    long patch = 0;
    int part = 0;
    int i = start;
    while (true) {
      int digitsFrom = i;
      long value = 0;
      while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        value = value * 10 + (text.charAt(i) - '0');
        i++;
      }
      int digits = i - digitsFrom;
      if (digits == 0 || digits > 18 || (i < end && text.charAt(i) != '.')) {
        return NOT_A_VERSION;
      }
      switch (part) {
        case 0 -> major = value;
        case 1 -> minor = value;
        default -> patch = value;
      }
      part++;
      if (i == end) {
        break;
      }
      if (part == 3) {
        return NOT_A_VERSION; // a fourth part
      }
      i++; // the '.'
    }
    int c = Long.compare(major, target.major);
    if (c != 0) {
      return c * MAJOR;
    }
    c = Long.compare(minor, target.minor);
    if (c != 0) {
      return c * MINOR;
    }
    c = Long.compare(patch, target.patch);
    if (c != 0) {
      return c * PATCH;
    }
    return comparePreRelease(text, preFrom, preTo, target.preRelease) * PRE_RELEASE;
  }

  /** {@link #comparePreRelease(String[], String[])} with the first side still in {@code text}. */
  private static int comparePreRelease(String text, int from, int to, String[] other) {
    if (from < 0 || other.length == 0) {
      return Integer.compare(other.length == 0 ? 0 : 1, from < 0 ? 0 : 1);
    }
    int count = 0;
    int idFrom = from;
    while (true) {
      int idTo = indexOf(text, '.', idFrom, to);
      if (idTo < 0) {
        idTo = to;
      }
      if (count == other.length) {
        return 1; // more identifiers, same prefix
      }
      int c = compareIdentifiers(text, idFrom, idTo, other[count]);
      if (c != 0) {
        return Integer.signum(c);
      }
      count++;
      if (idTo == to) {
        return count == other.length ? 0 : -1;
      }
      idFrom = idTo + 1;
    }
  }

  private static int indexOf(String text, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == c) {
        return i;
      }
    }
    return -1;
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
