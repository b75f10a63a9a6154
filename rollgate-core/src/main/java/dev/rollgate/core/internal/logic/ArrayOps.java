package dev.rollgate.core.internal.logic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Arrays: literals, {@code map filter reduce all none some}, {@code merge}, {@code in}. */
final class ArrayOps {
  private ArrayOps() {}

  enum Kind {
    MAP,
    FILTER,
    ALL,
    NONE,
    SOME
  }

  /** An array literal; folded into a constant when every element is one. */
  static Node literal(String path, Node[] elements) {
    List<Object> values = new ArrayList<>(elements.length);
    for (Node e : elements) {
      if (!e.isConstant()) {
        return new Literal(path, elements);
      }
      values.add(e.constantValue());
    }
    return new Constant(path, Collections.unmodifiableList(values));
  }

  static final class Literal extends Node {
    private final Node[] elements;

    Literal(String path, Node[] elements) {
      super(path);
      this.elements = elements;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      List<Object> values = new ArrayList<>(elements.length);
      for (Node e : elements) {
        values.add(e.eval(data, trace));
      }
      return values;
    }
  }

  /** Applies logic to each element of an array, the element being the data {@code var} reads. */
  static final class Iterate extends Node {
    private final Node array;
    private final Node logic;
    private final Kind kind;

    Iterate(String path, Node[] args, Kind kind) {
      super(path);
      this.array = args[0];
      this.logic = args[1];
      this.kind = kind;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      List<?> items = array.eval(data, trace) instanceof List<?> l ? l : List.of();
      switch (kind) {
        case MAP -> {
          List<Object> out = new ArrayList<>(items.size());
          for (Object item : items) {
            out.add(logic.eval(item, trace));
          }
          return out;
        }
        case FILTER -> {
          List<Object> out = new ArrayList<>();
          for (Object item : items) {
            if (Js.truthy(logic.eval(item, trace))) {
              out.add(item);
            }
          }
          return out;
        }
        case ALL -> {
          if (items.isEmpty()) {
            return Boolean.FALSE; // JsonLogic: "all" of nothing is false
          }
          for (Object item : items) {
            if (!Js.truthy(logic.eval(item, trace))) {
              return Boolean.FALSE;
            }
          }
          return Boolean.TRUE;
        }
        default -> {
          for (Object item : items) {
            if (Js.truthy(logic.eval(item, trace))) {
              return Js.bool(kind == Kind.SOME);
            }
          }
          return Js.bool(kind == Kind.NONE);
        }
      }
    }
  }

  /**
   * {@code reduce [array, logic, initial]}: logic reads {@code current} and {@code accumulator}.
   */
  static final class Reduce extends Node {
    private final Node array;
    private final Node logic;
    private final Node initial;

    Reduce(String path, Node[] args) {
      super(path);
      this.array = args[0];
      this.logic = args[1];
      this.initial = args.length > 2 ? args[2] : null;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      Object accumulator = initial == null ? null : initial.eval(data, trace);
      if (!(array.eval(data, trace) instanceof List<?> items)) {
        return accumulator;
      }
      for (Object item : items) {
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("current", item);
        scope.put("accumulator", accumulator);
        accumulator = logic.eval(scope, trace);
      }
      return accumulator;
    }
  }

  /** {@code merge}: flattens its arguments one level into one array. */
  static final class Merge extends Node {
    private final Node[] args;

    Merge(String path, Node[] args) {
      super(path);
      this.args = args;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      List<Object> out = new ArrayList<>();
      for (Node arg : args) {
        Object v = arg.eval(data, trace);
        if (v instanceof List<?> l) {
          out.addAll(l);
        } else {
          out.add(v);
        }
      }
      return out;
    }
  }

  static Node in(LogicCompiler.Call call) {
    Node[] args = call.args();
    if (args[1].isConstant() && args[1].constantValue() instanceof List<?> list) {
      return new InConstantList(call.path(), args[0], list);
    }
    return new In(call.path(), args[0], args[1]);
  }

  /** {@code in}: substring of a string, or strict membership in an array. */
  static final class In extends Node {
    private final Node needle;
    private final Node haystack;

    In(String path, Node needle, Node haystack) {
      super(path);
      this.needle = needle;
      this.haystack = haystack;
    }

    @Override
    public Object eval(Object data, Trace trace) {
      Object n = needle.eval(data, trace);
      Object h = haystack.eval(data, trace);
      if (h instanceof String s) {
        return Js.bool(s.contains(Js.toJsString(n)));
      }
      if (h instanceof List<?> list) {
        for (Object item : list) {
          if (Js.strictEquals(n, item)) {
            return Boolean.TRUE;
          }
        }
      }
      return Boolean.FALSE;
    }
  }

  /**
   * {@code in} a literal array: strings are looked up in a hash set, other values compared one by
   * one.
   */
  static final class InConstantList extends Node {
    private final Node needle;
    private final Set<String> strings = new HashSet<>();
    private final List<Object> others = new ArrayList<>();

    InConstantList(String path, Node needle, List<?> list) {
      super(path);
      this.needle = needle;
      for (Object item : list) {
        if (item instanceof String s) {
          strings.add(s);
        } else {
          others.add(item);
        }
      }
    }

    @Override
    public Object eval(Object data, Trace trace) {
      Object n = needle.eval(data, trace);
      if (n instanceof String s) {
        return Js.bool(strings.contains(s));
      }
      for (Object item : others) {
        if (Js.strictEquals(n, item)) {
          return Boolean.TRUE;
        }
      }
      return Boolean.FALSE;
    }
  }
}
