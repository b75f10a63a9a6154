package dev.rollgate.core.internal.logic;

import dev.rollgate.core.EvaluationContext;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * JavaScript's coercions, which JsonLogic's reference implementation (json-logic-js) inherits and
 * flag files are written against: truthiness, {@code ==} and {@code ===}, number and string
 * conversion, relational comparison.
 */
final class Js {
  private static final Long ONE = 1L;
  private static final Long ZERO = 0L;

  private Js() {}

  /** JsonLogic truthiness: JS truthiness, except that an empty array is false too. */
  static boolean truthy(Object v) {
    return switch (v) {
      case null -> false;
      case Boolean b -> b;
      case Number n -> {
        double d = n.doubleValue();
        yield d != 0 && !Double.isNaN(d);
      }
      case String s -> !s.isEmpty();
      case List<?> l -> !l.isEmpty();
      default -> true;
    };
  }

  /** JS {@code Number(v)}. */
  static double toNumber(Object v) {
    return switch (v) {
      case null -> 0;
      case Number n -> n.doubleValue();
      case Boolean b -> b ? 1 : 0;
      case String s -> parseNumber(s);
      case List<?> l ->
          l.isEmpty() ? 0 : l.size() == 1 ? toNumber(toJsString(l.get(0))) : Double.NaN;
      default -> Double.NaN;
    };
  }

  private static double parseNumber(String raw) {
    String s = raw.strip();
    if (s.isEmpty()) {
      return 0;
    }
    if (s.equals("Infinity") || s.equals("+Infinity")) {
      return Double.POSITIVE_INFINITY;
    }
    if (s.equals("-Infinity")) {
      return Double.NEGATIVE_INFINITY;
    }
    // Only decimal literals; Java would also take "1d", "NaN" or hex floats, which JS does not.
    boolean digit = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
        return Double.NaN;
      }
    }
    if (!digit) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** JS {@code String(v)}; for arrays, elements joined by commas with null as empty. */
  static String toJsString(Object v) {
    return switch (v) {
      case null -> "null";
      case String s -> s;
      case Boolean b -> b.toString();
      case Double d -> numberToString(d);
      case Float f -> numberToString(f.doubleValue());
      case Number n -> n.toString();
      case List<?> l -> {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < l.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          Object e = l.get(i);
          if (e != null) {
            sb.append(toJsString(e));
          }
        }
        yield sb.toString();
      }
      case Map<?, ?> m -> "[object Object]";
      case EvaluationContext c -> "[object Object]";
      default -> v.toString();
    };
  }

  /** How JS prints a number: {@code 2} not {@code 2.0}, {@code 0.000001} not {@code 1.0E-6}. */
  static String numberToString(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      return Math.abs(d) < 9.0e15 ? Long.toString((long) d) : new BigDecimal(d).toPlainString();
    }
    double abs = Math.abs(d);
    if (abs >= 1e-6 && abs < 1e21) {
      return new BigDecimal(Double.toString(d)).toPlainString();
    }
    String exponent = Double.toString(d).replace(".0E", "E");
    return exponent.replace("E", abs < 1 ? "e" : "e+");
  }

  /** JS {@code a === b}, with numbers compared by value whatever their Java type. */
  @SuppressWarnings("ReferenceEquality") // JS compares objects and arrays by identity
  static boolean strictEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof String || a instanceof Boolean) {
      return a.equals(b);
    }
    return a == b; // objects and arrays compare by identity in JS
  }

  /** JS {@code a == b}. */
  @SuppressWarnings("ReferenceEquality") // JS compares objects and arrays by identity
  static boolean looseEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Boolean x) {
      return looseEquals(x ? ONE : ZERO, b);
    }
    if (b instanceof Boolean y) {
      return looseEquals(a, y ? ONE : ZERO);
    }
    boolean aPrimitive = a instanceof Number || a instanceof String;
    boolean bPrimitive = b instanceof Number || b instanceof String;
    if (aPrimitive && bPrimitive) {
      if (a instanceof String && b instanceof String) {
        return a.equals(b);
      }
      return toNumber(a) == toNumber(b);
    }
    if (aPrimitive) {
      return looseEquals(a, toJsString(b));
    }
    if (bPrimitive) {
      return looseEquals(toJsString(a), b);
    }
    return a == b;
  }

  /**
   * JS relational comparison: two strings compare by UTF-16 code units, anything else as numbers.
   * Returns negative, zero or positive, or {@link Integer#MIN_VALUE} when the values do not compare
   * (a NaN), which makes every comparison false.
   */
  static int compare(Object a, Object b) {
    if (a instanceof String x && b instanceof String y) {
      return Integer.signum(x.compareTo(y));
    }
    double x = toNumber(a);
    double y = toNumber(b);
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Integer.MIN_VALUE;
    }
    return Double.compare(x == 0 ? 0 : x, y == 0 ? 0 : y); // -0 == 0 in JS
  }

  /** Reads {@code path} from {@code data}: the evaluation context, maps and lists (by index). */
  static Object lookup(Object data, String[] path) {
    Object current = data;
    for (String segment : path) {
      current =
          switch (current) {
            case EvaluationContext c -> c.get(segment);
            case Map<?, ?> m -> m.get(segment);
            case List<?> l -> element(l, segment);
            case null, default -> null;
          };
      if (current == null) {
        return null;
      }
    }
    return current instanceof EvaluationContext c ? c.asMap() : current;
  }

  private static Object element(List<?> list, String segment) {
    int index = 0;
    if (segment.isEmpty() || segment.length() > 9) {
      return null;
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      index = index * 10 + (c - '0');
    }
    return index < list.size() ? list.get(index) : null;
  }

  static Boolean bool(boolean b) {
    return b ? Boolean.TRUE : Boolean.FALSE;
  }
}
