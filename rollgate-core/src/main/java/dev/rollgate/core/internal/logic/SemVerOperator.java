package dev.rollgate.core.internal.logic;

import dev.rollgate.core.internal.semver.SemVer;

/**
 * flagd's {@code sem_ver [version, operator, version]}. Numbers are read as versions ({@code 2} is
 * 2.0.0, {@code 1.2} is 1.2.0). Anything that is not a version, or an unknown operator, yields
 * null. Constant operands are parsed once, at compile time.
 */
final class SemVerOperator extends Node {
  private final Node left;
  private final Node operator;
  private final Node right;
  private final SemVer constantLeft;
  private final SemVer constantRight;

  private SemVerOperator(String path, Node[] args) {
    super(path);
    this.left = args[0];
    this.operator = args[1];
    this.right = args[2];
    this.constantLeft = args[0].isConstant() ? version(args[0].constantValue()) : null;
    this.constantRight = args[2].isConstant() ? version(args[2].constantValue()) : null;
  }

  static Node create(LogicCompiler.Call call) {
    Node[] args = call.args();
    if (args[1].isConstant()
        && !(args[1].constantValue() instanceof String op && SemVer.isOperator(op))) {
      call.issue(
          call.argPath(1),
          "unknown sem_ver operator "
              + LogicCompiler.source(args[1].constantValue())
              + " (expected =, !=, <, <=, >, >=, ^ or ~)");
    }
    for (int i : new int[] {0, 2}) {
      if (args[i].isConstant() && version(args[i].constantValue()) == null) {
        call.issue(
            call.argPath(i),
            LogicCompiler.source(args[i].constantValue()) + " is not a semantic version");
      }
    }
    return new SemVerOperator(call.path(), args);
  }

  static SemVer version(Object value) {
    return switch (value) {
      case String s -> SemVer.parse(s);
      case Number n -> SemVer.parse(Js.toJsString(n));
      case null, default -> null;
    };
  }

  @Override
  public Object eval(Object data, Trace trace) {
    Object a = left.eval(data, trace);
    Object op = operator.eval(data, trace);
    Object b = right.eval(data, trace);
    int comparison = compare(a, b);
    if (comparison == SemVer.NOT_A_VERSION || !(op instanceof String o) || !SemVer.isOperator(o)) {
      if (trace != null) {
        SemVer x = constantLeft != null ? constantLeft : version(a);
        SemVer y = constantRight != null ? constantRight : version(b);
        String why =
            x == null
                ? LogicCompiler.source(a) + " is not a semantic version"
                : y == null
                    ? LogicCompiler.source(b) + " is not a semantic version"
                    : "unknown operator " + LogicCompiler.source(op);
        trace.step(path, null, null, "sem_ver: " + why + ": yields null");
      }
      return null;
    }
    return SemVer.matches(o, comparison);
  }

  /**
   * {@code a} against {@code b} as {@link SemVer#compare(String, SemVer)} says. A version from the
   * context is read in place against the rule's constant, so that the usual rule allocates nothing.
   */
  private int compare(Object a, Object b) {
    if (constantRight != null && a instanceof String text) {
      return SemVer.compare(text, constantRight);
    }
    if (constantLeft != null && b instanceof String text) {
      int c = SemVer.compare(text, constantLeft);
      return c == SemVer.NOT_A_VERSION ? c : -c;
    }
    SemVer x = constantLeft != null ? constantLeft : version(a);
    SemVer y = constantRight != null ? constantRight : version(b);
    return x == null || y == null ? SemVer.NOT_A_VERSION : x.compareTo(y);
  }
}
