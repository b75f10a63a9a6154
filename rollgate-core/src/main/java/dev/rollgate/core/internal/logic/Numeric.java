package dev.rollgate.core.internal.logic;

/** Numbers: {@code < <= > >=} (with the between forms), {@code min}, {@code max}, arithmetic. */
final class Numeric {
  private Numeric() {}

  /** Relational operators; {@code <} and {@code <=} take three arguments for "between". */
  static final class Compare extends Node {
    private final Node[] args;
    private final boolean less;
    private final boolean orEqual;

    Compare(String path, Node[] args, String op) {
      super(path);
      this.args = args;
      this.less = op.charAt(0) == '<';
      this.orEqual = op.length() == 2;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      Object a = args[0].eval(data, trace);
      Object b = args[1].eval(data, trace);
      if (!holds(a, b)) {
        return Boolean.FALSE;
      }
      return args.length == 3 ? Js.bool(holds(b, args[2].eval(data, trace))) : Boolean.TRUE;
    }

    private boolean holds(Object a, Object b) {
      int c = Js.compare(a, b);
      if (c == Integer.MIN_VALUE) {
        return false;
      }
      if (c == 0) {
        return orEqual;
      }
      return less == (c < 0);
    }
  }

  /** {@code max} and {@code min} of numbers; null when given none. */
  static final class MinMax extends Node {
    private final Node[] args;
    private final boolean max;

    MinMax(String path, Node[] args, boolean max) {
      super(path);
      this.args = args;
      this.max = max;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      if (args.length == 0) {
        return null;
      }
      double result = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      for (Node arg : args) {
        double v = Js.toNumber(arg.eval(data, trace));
        if (Double.isNaN(v)) {
          return Double.NaN;
        }
        result = max ? Math.max(result, v) : Math.min(result, v);
      }
      return result;
    }
  }

  /** {@code + - * / %}; unary {@code +} converts to a number, unary {@code -} negates. */
  static final class Arithmetic extends Node {
    private final Node[] args;
    private final char op;

    Arithmetic(String path, Node[] args, char op) {
      super(path);
      this.args = args;
      this.op = op;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      if (op == '-' && args.length == 1) {
        return -Js.toNumber(args[0].eval(data, trace));
      }
      double result = op == '+' ? 0 : Js.toNumber(args[0].eval(data, trace));
      for (int i = op == '+' ? 0 : 1; i < args.length; i++) {
        double v = Js.toNumber(args[i].eval(data, trace));
        result =
            switch (op) {
              case '+' -> result + v;
              case '-' -> result - v;
              case '*' -> result * v;
              case '/' -> result / v;
              default -> result % v;
            };
      }
      return result;
    }
  }
}
