package dev.rollgate.core.internal.logic;

import dev.rollgate.core.EvaluationContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reading data: {@code var}, {@code missing}, {@code missing_some}, and flagd's {@code $flagd.*}.
 */
final class Access {
  private Access() {}

  static Node var(LogicCompiler.Call call) {
    Node[] args = call.args();
    Node fallback = args.length > 1 ? args[1] : null;
    if (args.length == 0) {
      return new Var(call.path(), new String[0], null);
    }
    if (!args[0].isConstant()) {
      return new DynamicVar(call.path(), args[0], fallback);
    }
    Object name = args[0].constantValue();
    if (name instanceof List<?> || name instanceof Map<?, ?>) {
      call.issue(call.argPath(0), "var takes a path (a string or number)");
      return new Invalid(call.path(), "var takes a path");
    }
    String[] path = split(name);
    if (path.length >= 1 && path[0].equals("$flagd")) {
      return new FlagdProperty(call.path(), path, call.flagKey(), call.clock(), fallback);
    }
    return new Var(call.path(), path, fallback);
  }

  /** Splits a var path: "" is the data itself, "a.b" walks members, numbers index arrays. */
  static String[] split(Object name) {
    String text = name == null ? "" : Js.toJsString(name);
    return text.isEmpty() ? new String[0] : text.split("\\.", -1);
  }

  /** A {@code var}: reads a value, and evaluates its default when the value is absent. */
  abstract static class Read extends Node {
    private final Node fallback; // null when the var has no default

    Read(String path, Node fallback) {
      super(path);
      this.fallback = fallback;
    }

    abstract Object read(Object data, Trace trace);

    @Override
    public final Object eval(Object data, Trace trace) {
      Object value = read(data, trace);
      return value == null && fallback != null ? fallback.eval(data, trace) : value;
    }
  }

  /** {@code var} with a path known at compile time. */
  static final class Var extends Read {
    private final String[] segments;

    Var(String path, String[] segments, Node fallback) {
      super(path, fallback);
      this.segments = segments;
    }

    @Override
    Object read(Object data, Trace trace) {
      return Js.lookup(data, segments);
    }
  }

  /** {@code var} whose path is itself computed. */
  static final class DynamicVar extends Read {
    private final Node name;

    DynamicVar(String path, Node name, Node fallback) {
      super(path, fallback);
      this.name = name;
    }

    @Override
    Object read(Object data, Trace trace) {
      return Js.lookup(data, split(name.eval(data, trace)));
    }
  }

  /**
   * flagd's context enrichment: {@code $flagd.flagKey} and {@code $flagd.timestamp} (Unix seconds)
   * at the top level of the data; inside {@code map} and friends the path reads the element, like
   * any other.
   */
  static final class FlagdProperty extends Read {
    private final String[] segments;
    private final String flagKey;
    private final Clock clock;

    FlagdProperty(String path, String[] segments, String flagKey, Clock clock, Node fallback) {
      super(path, fallback);
      this.segments = segments;
      this.flagKey = flagKey;
      this.clock = clock;
    }

    @Override
    Object read(Object data, Trace trace) {
      if (!(data instanceof EvaluationContext)) {
        return Js.lookup(data, segments);
      }
      String property = segments.length == 2 ? segments[1] : "";
      return switch (property) {
        case "flagKey" -> flagKey;
        case "timestamp" -> clock.instant().getEpochSecond();
        default -> {
          Map<String, Object> flagd =
              Map.of("flagKey", flagKey, "timestamp", clock.instant().getEpochSecond());
          yield Js.lookup(flagd, Arrays.copyOfRange(segments, 1, segments.length));
        }
      };
    }
  }

  /** {@code missing}: the listed paths that are absent, null or empty strings. */
  static final class Missing extends Node {
    private final Node[] args;

    Missing(String path, Node[] args) {
      super(path);
      this.args = args;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      return missing(data, keys(args, data, trace));
    }

    static List<Object> keys(Node[] args, Object data, Trace trace) {
      List<Object> keys = new ArrayList<>();
      for (Node arg : args) {
        Object v = arg.eval(data, trace);
        if (v instanceof List<?> l) {
          keys.addAll(l);
        } else {
          keys.add(v);
        }
      }
      return keys;
    }

    static List<Object> missing(Object data, List<?> keys) {
      List<Object> absent = new ArrayList<>();
      for (Object key : keys) {
        Object value = Js.lookup(data, split(key));
        if (value == null || "".equals(value)) {
          absent.add(key);
        }
      }
      return absent;
    }
  }

  /** {@code missing_some}: [need, keys]; empty when at least {@code need} keys are present. */
  static final class MissingSome extends Node {
    private final Node need;
    private final Node keys;

    MissingSome(String path, Node[] args) {
      super(path);
      this.need = args[0];
      this.keys = args[1];
    }

    @Override
    public Object eval(Object data, Trace trace) {
      Object k = keys.eval(data, trace);
      List<?> list = k instanceof List<?> l ? l : List.of();
      List<Object> absent = Missing.missing(data, list);
      double required = Js.toNumber(need.eval(data, trace));
      return list.size() - absent.size() >= required ? List.of() : absent;
    }
  }
}
