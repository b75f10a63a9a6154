package dev.rollgate.core.internal.logic;

import dev.rollgate.core.json.JsonPath;

/** Strings: {@code cat}, {@code substr}, and flagd's {@code starts_with} and {@code ends_with}. */
final class Strings {
  private Strings() {}

  /** {@code cat}: concatenation, null counting as empty (JavaScript's {@code join}). */
  static final class Cat extends Node {
    private final Node[] args;

    Cat(String path, Node[] args) {
      super(path);
      this.args = args;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      StringBuilder sb = new StringBuilder();
      for (Node arg : args) {
        Object v = arg.eval(data, trace);
        if (v != null) {
          sb.append(Js.toJsString(v));
        }
      }
      return sb.toString();
    }
  }

  /**
   * {@code substr [text, start, length?]}; negative start counts from the end, negative length
   * drops from the end.
   */
  static final class Substr extends Node {
    private final Node[] args;

    Substr(String path, Node[] args) {
      super(path);
      this.args = args;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      String s = Js.toJsString(args[0].eval(data, trace));
      int n = s.length();
      int start = clampIndex(Js.toNumber(args[1].eval(data, trace)), n);
      int end = n;
      if (args.length > 2) {
        double length = Js.toNumber(args[2].eval(data, trace));
        if (Double.isNaN(length)) {
          length = 0;
        }
        end =
            length < 0
                ? Math.max(start, n + (int) Math.max(length, -n))
                : (int) Math.min(n, start + length);
      }
      return s.substring(start, Math.max(start, end));
    }

    private static int clampIndex(double index, int length) {
      if (Double.isNaN(index)) {
        return 0;
      }
      if (index < 0) {
        return (int) Math.max(0, length + Math.max(index, -length));
      }
      return (int) Math.min(index, length);
    }
  }

  /**
   * {@code starts_with} / {@code ends_with} {@code [text, affix]}: case-sensitive. Anything but two
   * strings yields null, not false, so that targeting falls back to the default variant instead of
   * looking for a variant named "false" (flagd issue 1874).
   */
  static final class Affix extends Node {
    private final Node text;
    private final Node affix;
    private final boolean prefix;

    Affix(String path, Node[] args, boolean prefix) {
      super(path);
      this.text = args[0];
      this.affix = args[1];
      this.prefix = prefix;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      Object t = text.eval(data, trace);
      Object a = affix.eval(data, trace);
      if (t instanceof String s && a instanceof String x) {
        return Js.bool(prefix ? s.startsWith(x) : s.endsWith(x));
      }
      if (trace != null) {
        trace.step(
            path,
            null,
            null,
            (prefix ? "starts_with" : "ends_with")
                + " needs two strings, got "
                + JsonPath.typeName(t)
                + " and "
                + JsonPath.typeName(a)
                + ": yields null");
      }
      return null;
    }
  }
}
