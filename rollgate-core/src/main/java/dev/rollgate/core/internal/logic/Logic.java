package dev.rollgate.core.internal.logic;

import dev.rollgate.core.json.JsonPath;
import java.util.List;

/**
 * Branching and boolean logic: {@code if}/{@code ?:}, equality, {@code !}, {@code !!}, {@code and},
 * {@code or}.
 */
final class Logic {
  private Logic() {}

  static Node conditional(LogicCompiler.Call call) {
    String[] sources = new String[call.rawArgs().size()];
    for (int i = 0; i + 1 < sources.length; i += 2) {
      sources[i] = LogicCompiler.source(call.rawArgs().get(i));
    }
    return new If(call.path(), call.args(), sources);
  }

  /**
   * {@code if [c1, v1, c2, v2, ..., else]}: the value after the first truthy condition, else the
   * last argument when the count is odd, else null. Only the chosen branch is evaluated.
   */
  static final class If extends Node {
    private final Node[] args;
    private final String[] conditionSources;

    If(String path, Node[] args, String[] conditionSources) {
      super(path);
      this.args = args;
      this.conditionSources = conditionSources;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      int i = 0;
      for (; i + 1 < args.length; i += 2) {
        boolean matched = Js.truthy(args[i].eval(data, trace));
        if (trace != null) {
          trace.step(
              JsonPath.element(path, i),
              conditionSources[i],
              matched,
              matched
                  ? "condition matched: taking " + JsonPath.element(path, i + 1)
                  : "condition did not match");
        }
        if (matched) {
          return args[i + 1].eval(data, trace);
        }
      }
      if (i < args.length) {
        if (trace != null && args.length > 1) {
          trace.step(
              JsonPath.element(path, i),
              null,
              null,
              "no condition matched: taking the else branch");
        }
        return args[i].eval(data, trace);
      }
      if (trace != null) {
        trace.step(path, null, null, "no condition matched and there is no else branch: null");
      }
      return null;
    }
  }

  /** {@code ==}, {@code ===}, {@code !=}, {@code !==}. */
  static final class Equals extends Node {
    private final Node left;
    private final Node right;
    private final boolean strict;
    private final boolean negate;

    Equals(String path, Node[] args, boolean strict, boolean negate) {
      super(path);
      this.left = args[0];
      this.right = args[1];
      this.strict = strict;
      this.negate = negate;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      Object a = left.eval(data, trace);
      Object b = right.eval(data, trace);
      boolean equal = strict ? Js.strictEquals(a, b) : Js.looseEquals(a, b);
      return Js.bool(equal != negate);
    }
  }

  /** {@code !} (negate) and {@code !!} (truthiness). */
  static final class Truthy extends Node {
    private final Node arg;
    private final boolean negate;

    Truthy(String path, Node arg, boolean negate) {
      super(path);
      this.arg = arg;
      this.negate = negate;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      return Js.bool(Js.truthy(arg.eval(data, trace)) != negate);
    }
  }

  /**
   * {@code and} returns the first falsy argument or the last; {@code or} the first truthy or the
   * last. Evaluation stops at the deciding argument, which the explanation names.
   */
  static final class AndOr extends Node {
    private final Node[] args;
    private final boolean and;
    private final String[] sources;

    AndOr(LogicCompiler.Call call, boolean and) {
      super(call.path());
      this.args = call.args();
      this.and = and;
      List<Object> raw = call.rawArgs();
      this.sources = new String[raw.size()];
      for (int i = 0; i < sources.length; i++) {
        sources[i] = LogicCompiler.source(raw.get(i));
      }
    }

    @Override
    public Object eval(Object data, Trace trace) {
      Object value = null;
      for (int i = 0; i < args.length; i++) {
        value = args[i].eval(data, trace);
        if (Js.truthy(value) != and) {
          if (trace != null) {
            trace.step(
                JsonPath.element(path, i),
                sources[i],
                Js.truthy(value),
                and
                    ? "this condition failed, so \"and\" is false"
                    : "this condition held, so \"or\" is true");
          }
          return value;
        }
      }
      if (trace != null) {
        trace.step(
            path,
            null,
            Js.truthy(value),
            and
                ? "all " + args.length + " conditions held"
                : "none of the " + args.length + " conditions held");
      }
      return value;
    }
  }
}
