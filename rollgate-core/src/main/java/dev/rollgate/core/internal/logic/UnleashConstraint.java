package dev.rollgate.core.internal.logic;

import dev.rollgate.core.internal.semver.SemVer;
import dev.rollgate.core.protocol.UnleashOperators;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code unleash_constraint [{"contextName": ..., "operator": ..., "values": [...], "value": ...,
 * "inverted": ..., "caseInsensitive": ...}]}: one Unleash strategy constraint, as Unleash's SDKs
 * evaluate it. The constraint is a literal, checked and prepared once (value sets, numbers, dates,
 * versions, regular expressions, address ranges); a value Unleash could not use (a malformed
 * number, date or version, a regular expression RE2 refuses) makes the constraint false, as in
 * Unleash.
 *
 * <p>Operators: {@code IN}, {@code NOT_IN} (true when the field is absent), {@code
 * STR_STARTS_WITH}, {@code STR_ENDS_WITH}, {@code STR_CONTAINS} (any of the values; {@code
 * caseInsensitive} honoured), {@code NUM_EQ/GT/GTE/LT/LTE}, {@code DATE_AFTER/BEFORE} (against
 * {@code currentTime} from the context, else the clock), {@code SEMVER_EQ/GT/GTE/LT/LTE} (strict
 * SemVer 2.0), {@code REGEX} (RE2 syntax, searched anywhere in the value) and {@code IN_CIDR} (IPv4
 * and IPv6 addresses and ranges; invalid entries ignored). {@code inverted} negates the result, an
 * absent field included.
 */
final class UnleashConstraint extends Node {
  static final Set<String> OPERATORS = UnleashOperators.CONSTRAINTS;

  private final String contextName;
  private final String operator;
  private final boolean inverted;
  private final boolean caseInsensitive;
  private final Clock clock;
  private final String[] values; // lower-cased when case-insensitive
  private final Set<String> valueSet;
  private final double number; // NaN: unusable
  private final Instant date; // null: unusable
  private final SemVer version; // null: unusable
  private final Pattern pattern; // null: unusable
  private final byte[][] networks;
  private final int[] prefixes;
  private final String source;

  private UnleashConstraint(String path, Map<?, ?> json, Clock clock) {
    super(path);
    this.contextName = (String) json.get("contextName");
    this.operator = (String) json.get("operator");
    this.inverted = Boolean.TRUE.equals(json.get("inverted"));
    this.caseInsensitive = Boolean.TRUE.equals(json.get("caseInsensitive"));
    this.clock = clock;
    List<String> list = new ArrayList<>();
    if (json.get("values") instanceof List<?> raw) {
      for (Object v : raw) {
        if (v instanceof String s && !s.isEmpty()) {
          list.add(caseInsensitive ? s.toLowerCase(Locale.ROOT) : s);
        }
      }
    }
    this.values = list.toArray(String[]::new);
    this.valueSet = new HashSet<>(list);
    String value = json.get("value") == null ? null : Js.toJsString(json.get("value"));
    this.number = value == null ? Double.NaN : number(value);
    this.date = value == null ? null : date(value);
    this.version = value == null ? null : strictSemVer(value);
    this.pattern = operator.equals("REGEX") && value != null ? regex(value, caseInsensitive) : null;
    List<byte[]> nets = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    if (operator.equals("IN_CIDR")) {
      for (String range : values) {
        int slash = range.indexOf('/');
        byte[] address = IpAddress.parse(slash < 0 ? range : range.substring(0, slash));
        if (address == null) {
          continue;
        }
        int length = address.length * 8;
        if (slash >= 0) {
          String bits = range.substring(slash + 1);
          if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
            continue;
          }
          length = Integer.parseInt(bits);
          if (length > address.length * 8) {
            continue;
          }
        }
        nets.add(address);
        lengths.add(length);
      }
    }
    this.networks = nets.toArray(byte[][]::new);
    this.prefixes = lengths.stream().mapToInt(Integer::intValue).toArray();
    this.source = LogicCompiler.source(json);
  }

  static Node create(LogicCompiler.Call call) {
    Node arg = call.args()[0];
    String usage =
        "unleash_constraint takes one Unleash constraint: {\"contextName\": ..., \"operator\":"
            + " ...}";
    if (!arg.isConstant()
        || !(arg.constantValue() instanceof Map<?, ?> json)
        || !(json.get("contextName") instanceof String name)
        || name.isEmpty()
        || !(json.get("operator") instanceof String operator)) {
      call.issue(call.argPath(0), usage);
      return new Invalid(call.path(), usage);
    }
    if (!OPERATORS.contains(operator)) {
      call.issue(call.argPath(0), "unknown Unleash constraint operator \"" + operator + "\"");
      return new Invalid(call.path(), "unknown Unleash constraint operator");
    }
    return new UnleashConstraint(call.path(), json, call.clock());
  }

  @Override
  public Object eval(Object data, Trace trace) {
    boolean holds = holds(data) != inverted;
    if (trace != null) {
      trace.step(path, source, holds, "Unleash constraint " + (holds ? "holds" : "fails"));
    }
    return Js.bool(holds);
  }

  private boolean holds(Object data) {
    if (operator.startsWith("DATE_")) {
      Instant now = currentTime(data);
      if (now == null || date == null) {
        return false;
      }
      return operator.equals("DATE_AFTER") ? now.isAfter(date) : now.isBefore(date);
    }
    String value = UnleashContext.field(data, contextName);
    if (value == null) {
      return operator.equals("NOT_IN");
    }
    return switch (operator) {
      case "IN" -> valueSet.contains(caseInsensitive ? value.toLowerCase(Locale.ROOT) : value);
      case "NOT_IN" -> !valueSet.contains(caseInsensitive ? value.toLowerCase(Locale.ROOT) : value);
      case "STR_STARTS_WITH", "STR_ENDS_WITH", "STR_CONTAINS" -> anyString(value);
      case "NUM_EQ", "NUM_GT", "NUM_GTE", "NUM_LT", "NUM_LTE" -> compareNumber(number(value));
      case "SEMVER_EQ", "SEMVER_GT", "SEMVER_GTE", "SEMVER_LT", "SEMVER_LTE" ->
          compareVersion(value);
      case "REGEX" -> pattern != null && pattern.matcher(value).find();
      case "IN_CIDR" -> inNetworks(value);
      default -> false;
    };
  }

  private boolean anyString(String value) {
    for (String v : values) {
      boolean match =
          switch (operator) {
            case "STR_STARTS_WITH" -> value.regionMatches(caseInsensitive, 0, v, 0, v.length());
            case "STR_ENDS_WITH" ->
                value.length() >= v.length()
                    && value.regionMatches(
                        caseInsensitive, value.length() - v.length(), v, 0, v.length());
            default -> contains(value, v);
          };
      if (match) {
        return true;
      }
    }
    return false;
  }

  private boolean contains(String value, String part) {
    for (int i = 0; i + part.length() <= value.length(); i++) {
      if (value.regionMatches(caseInsensitive, i, part, 0, part.length())) {
        return true;
      }
    }
    return false;
  }

  private boolean compareNumber(double actual) {
    if (Double.isNaN(actual) || Double.isNaN(number)) {
      return false;
    }
    return switch (operator) {
      case "NUM_EQ" -> actual == number;
      case "NUM_GT" -> actual > number;
      case "NUM_GTE" -> actual >= number;
      case "NUM_LT" -> actual < number;
      default -> actual <= number;
    };
  }

  private boolean compareVersion(String value) {
    SemVer actual = strictSemVer(value);
    if (actual == null || version == null) {
      return false;
    }
    int c = actual.compareTo(version);
    return switch (operator) {
      case "SEMVER_EQ" -> c == 0;
      case "SEMVER_GT" -> c > 0;
      case "SEMVER_GTE" -> c >= 0;
      case "SEMVER_LT" -> c < 0;
      default -> c <= 0;
    };
  }

  private boolean inNetworks(String value) {
    for (String v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    byte[] address = IpAddress.parse(value);
    if (address == null) {
      return false;
    }
    for (int i = 0; i < networks.length; i++) {
      if (IpAddress.within(address, networks[i], prefixes[i])) {
        return true;
      }
    }
    return false;
  }

  private Instant currentTime(Object data) {
    Object raw =
        switch (data) {
          case dev.rollgate.core.EvaluationContext c -> c.get("currentTime");
          case Map<?, ?> m -> m.get("currentTime");
          case null, default -> null;
        };
    if (raw == null) {
      return clock.instant();
    }
    if (raw instanceof Number n) {
      return Instant.ofEpochMilli(n.longValue());
    }
    return raw instanceof String s ? date(s) : null;
  }

  /** JavaScript's {@code Number(text)} for decimal text; NaN for anything else. */
  static double number(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return Double.NaN;
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
        return Double.NaN;
      }
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** An ISO-8601 instant with an offset ({@code Z} or {@code +02:00}), or null. */
  static Instant date(String text) {
    try {
      return OffsetDateTime.parse(text.strip()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** SemVer 2.0 as the semver package reads it strictly: three numbers, no {@code v}. */
  static SemVer strictSemVer(String text) {
    String t = text.strip();
    int end = t.length();
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) == '-' || t.charAt(i) == '+') {
        end = i;
        break;
      }
    }
    String[] core = t.substring(0, end).split("\\.", -1);
    if (core.length != 3) {
      return null;
    }
    for (String part : core) {
      if (part.isEmpty()
          || !part.chars().allMatch(c -> c >= '0' && c <= '9')
          || (part.length() > 1 && part.charAt(0) == '0')) {
        return null;
      }
    }
    return SemVer.parse(t);
  }

  /**
   * An RE2 expression as a Java pattern, or null when RE2 would refuse it (look-around,
   * backreferences, possessive or atomic groups) or it does not compile. POSIX classes such as
   * {@code [[:alpha:]]} and {@code (?P<name>...)} are translated.
   */
  static Pattern regex(String re2, boolean caseInsensitive) {
    StringBuilder out = new StringBuilder();
    boolean inClass = false;
    for (int i = 0; i < re2.length(); i++) {
      char c = re2.charAt(i);
      char next = i + 1 < re2.length() ? re2.charAt(i + 1) : 0;
      if (c == '\\') {
        if ((next >= '1' && next <= '9') || next == 'k') {
          return null; // a backreference
        }
        out.append(c);
        if (next != 0) {
          out.append(next);
          i++;
        }
        continue;
      }
      if (inClass) {
        if (c == '[' && next == ':') {
          int close = re2.indexOf(":]", i + 2);
          String posix = close < 0 ? null : posix(re2.substring(i + 2, close));
          if (posix == null) {
            return null;
          }
          out.append(posix);
          i = close + 1;
          continue;
        }
        if (c == '[') {
          out.append("\\["); // RE2 has no nested classes
          continue;
        }
        if (c == ']') {
          inClass = false;
        }
        out.append(c);
        continue;
      }
      if (c == '[') {
        inClass = true;
        out.append(c);
        if (next == '^') {
          out.append(next);
          i++;
          next = i + 1 < re2.length() ? re2.charAt(i + 1) : 0;
        }
        if (next == ']') {
          out.append("\\]");
          i++;
        }
        continue;
      }
      if (c == '(' && next == '?') {
        String rest = re2.substring(i + 2);
        if (rest.startsWith("=")
            || rest.startsWith("!")
            || rest.startsWith("<=")
            || rest.startsWith("<!")
            || rest.startsWith(">")) {
          return null; // look-around or an atomic group
        }
        if (rest.startsWith("P<")) {
          out.append("(?<");
          i += 3;
          continue;
        }
      }
      if ((c == '*' || c == '+' || c == '?' || c == '}') && next == '+') {
        return null; // possessive
      }
      out.append(c);
    }
    try {
      return Pattern.compile(out.toString(), caseInsensitive ? Pattern.CASE_INSENSITIVE : 0);
    } catch (PatternSyntaxException e) {
      return null;
    }
  }

  private static String posix(String name) {
    boolean negated = name.startsWith("^");
    String base = negated ? name.substring(1) : name;
    String java =
        switch (base) {
          case "alnum" -> "Alnum";
          case "alpha" -> "Alpha";
          case "ascii" -> "ASCII";
          case "blank" -> "Blank";
          case "cntrl" -> "Cntrl";
          case "digit" -> "Digit";
          case "graph" -> "Graph";
          case "lower" -> "Lower";
          case "print" -> "Print";
          case "punct" -> "Punct";
          case "space" -> "Space";
          case "upper" -> "Upper";
          case "word" -> null;
          case "xdigit" -> "XDigit";
          default -> "";
        };
    if (java == null) {
      return negated ? "\\W" : "\\w";
    }
    if (java.isEmpty()) {
      return null;
    }
    return (negated ? "\\P{" : "\\p{") + java + "}";
  }
}
