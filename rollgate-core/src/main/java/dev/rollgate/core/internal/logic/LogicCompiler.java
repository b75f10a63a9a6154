package dev.rollgate.core.internal.logic;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles JsonLogic targeting, with flagd's operators and {@code $ref} to shared evaluators, into
 * a tree of {@link Node}s.
 *
 * <p>Compiling reports issues instead of throwing. A <em>fatal</em> issue (unknown operator,
 * unknown or cyclic {@code $ref}) means the targeting cannot be evaluated at all; any other issue
 * marks an operator used in a way that yields null when evaluated, which is how flagd behaves. The
 * caller decides whether issues reject the document.
 */
public final class LogicCompiler {
  /** Something wrong in targeting, at a path from the document root. */
  public record Issue(String path, String message, boolean fatal) {}

  /**
   * A compiled expression and the issues found in it; the node is usable only without fatal issues.
   */
  public record Result(Node root, List<Issue> issues) {
    public boolean hasFatal() {
      return issues.stream().anyMatch(Issue::fatal);
    }
  }

  /** How one operator is built from its compiled arguments. */
  interface Factory {
    Node create(Call call);
  }

  private record Operator(int minArgs, int maxArgs, Factory factory) {}

  /** One operator application being compiled. */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  record Call(
      String name,
      String path,
      Node[] args,
      List<Object> rawArgs,
      boolean resultPosition,
      String flagKey,
      Clock clock,
      List<Issue> issues) {
    void issue(String at, String message) {
      issues.add(new Issue(at, message, false));
    }

    String argPath(int i) {
      return JsonPath.element(path, i);
    }
  }

  private static final int UNBOUNDED = Integer.MAX_VALUE;
  private static final Map<String, Operator> OPERATORS = new HashMap<>();

  static {
    op("var", 0, 2, Access::var);
    op("missing", 0, UNBOUNDED, c -> new Access.Missing(c.path(), c.args()));
    op("missing_some", 2, 2, c -> new Access.MissingSome(c.path(), c.args()));
    op("if", 0, UNBOUNDED, Logic::conditional);
    op("?:", 3, 3, Logic::conditional);
    op("==", 2, 2, c -> new Logic.Equals(c.path(), c.args(), false, false));
    op("!=", 2, 2, c -> new Logic.Equals(c.path(), c.args(), false, true));
    op("===", 2, 2, c -> new Logic.Equals(c.path(), c.args(), true, false));
    op("!==", 2, 2, c -> new Logic.Equals(c.path(), c.args(), true, true));
    op("!", 1, 1, c -> new Logic.Truthy(c.path(), c.args()[0], true));
    op("!!", 1, 1, c -> new Logic.Truthy(c.path(), c.args()[0], false));
    op("and", 1, UNBOUNDED, c -> new Logic.AndOr(c, true));
    op("or", 1, UNBOUNDED, c -> new Logic.AndOr(c, false));
    op("<", 2, 3, c -> new Numeric.Compare(c.path(), c.args(), "<"));
    op("<=", 2, 3, c -> new Numeric.Compare(c.path(), c.args(), "<="));
    op(">", 2, 2, c -> new Numeric.Compare(c.path(), c.args(), ">"));
    op(">=", 2, 2, c -> new Numeric.Compare(c.path(), c.args(), ">="));
    op("max", 0, UNBOUNDED, c -> new Numeric.MinMax(c.path(), c.args(), true));
    op("min", 0, UNBOUNDED, c -> new Numeric.MinMax(c.path(), c.args(), false));
    op("+", 0, UNBOUNDED, c -> new Numeric.Arithmetic(c.path(), c.args(), '+'));
    op("*", 1, UNBOUNDED, c -> new Numeric.Arithmetic(c.path(), c.args(), '*'));
    op("-", 1, 2, c -> new Numeric.Arithmetic(c.path(), c.args(), '-'));
    op("/", 2, 2, c -> new Numeric.Arithmetic(c.path(), c.args(), '/'));
    op("%", 2, 2, c -> new Numeric.Arithmetic(c.path(), c.args(), '%'));
    op("map", 2, 2, c -> new ArrayOps.Iterate(c.path(), c.args(), ArrayOps.Kind.MAP));
    op("filter", 2, 2, c -> new ArrayOps.Iterate(c.path(), c.args(), ArrayOps.Kind.FILTER));
    op("all", 2, 2, c -> new ArrayOps.Iterate(c.path(), c.args(), ArrayOps.Kind.ALL));
    op("none", 2, 2, c -> new ArrayOps.Iterate(c.path(), c.args(), ArrayOps.Kind.NONE));
    op("some", 2, 2, c -> new ArrayOps.Iterate(c.path(), c.args(), ArrayOps.Kind.SOME));
    op("reduce", 2, 3, c -> new ArrayOps.Reduce(c.path(), c.args()));
    op("merge", 0, UNBOUNDED, c -> new ArrayOps.Merge(c.path(), c.args()));
    op("in", 2, 2, ArrayOps::in);
    op("cat", 0, UNBOUNDED, c -> new Strings.Cat(c.path(), c.args()));
    op("substr", 2, 3, c -> new Strings.Substr(c.path(), c.args()));
    op("starts_with", 2, 2, c -> new Strings.Affix(c.path(), c.args(), true));
    op("ends_with", 2, 2, c -> new Strings.Affix(c.path(), c.args(), false));
    op("log", 1, 1, c -> c.args()[0]);
    op("sem_ver", 3, 3, SemVerOperator::create);
    op("fractional", 1, UNBOUNDED, Fractional::create);
  }

  private static void op(String name, int min, int max, Factory factory) {
    OPERATORS.put(name, new Operator(min, max, factory));
  }

  private final Map<String, Object> evaluators;
  private final Clock clock;

  /**
   * @param evaluators the document's {@code $evaluators}: name to raw JsonLogic
   * @param clock what {@code $flagd.timestamp} reads
   */
  public LogicCompiler(Map<String, Object> evaluators, Clock clock) {
    this.evaluators = Map.copyOf(evaluators);
    this.clock = clock;
  }

  /** Compiles the targeting of flag {@code flagKey}, which stands at {@code path}. */
  public Result compile(String flagKey, Object json, String path) {
    Compilation compilation = new Compilation(flagKey);
    Node root = compilation.compile(json, path, true);
    return new Result(root, List.copyOf(compilation.issues));
  }

  /** The compact JSON of a piece of targeting, for explanations. */
  static String source(Object json) {
    return Json.write(json);
  }

  private final class Compilation {
    private final String flagKey;
    private final List<Issue> issues = new ArrayList<>();
    private final Deque<String> refs = new ArrayDeque<>();

    Compilation(String flagKey) {
      this.flagKey = flagKey;
    }

    Node compile(Object json, String path, boolean resultPosition) {
      if (json instanceof List<?> list) {
        Node[] elements = new Node[list.size()];
        for (int i = 0; i < elements.length; i++) {
          elements[i] = compile(list.get(i), JsonPath.element(path, i), false);
        }
        return ArrayOps.literal(path, elements);
      }
      if (!(json instanceof Map<?, ?> map) || map.size() != 1) {
        return new Constant(path, json); // JsonLogic reads objects of other sizes as data
      }
      Map.Entry<?, ?> entry = map.entrySet().iterator().next();
      String name = (String) entry.getKey();
      String opPath = JsonPath.member(path, name);
      if (name.equals("$ref")) {
        return reference(entry.getValue(), opPath, resultPosition);
      }
      Operator operator = OPERATORS.get(name);
      if (operator == null) {
        issues.add(new Issue(opPath, "unknown operator \"" + name + "\"", true));
        return new Invalid(opPath, "unknown operator \"" + name + "\"");
      }
      List<Object> raw =
          entry.getValue() instanceof List<?> l
              ? new ArrayList<>(l)
              : Collections.singletonList(entry.getValue());
      boolean branching = name.equals("if") || name.equals("?:");
      Node[] args = new Node[raw.size()];
      for (int i = 0; i < args.length; i++) {
        boolean branch = branching && (i % 2 == 1 || i == args.length - 1);
        args[i] = compile(raw.get(i), JsonPath.element(opPath, i), resultPosition && branch);
      }
      if (args.length < operator.minArgs() || args.length > operator.maxArgs()) {
        String expected =
            operator.minArgs() == operator.maxArgs()
                ? String.valueOf(operator.minArgs())
                : operator.maxArgs() == UNBOUNDED
                    ? "at least " + operator.minArgs()
                    : operator.minArgs() + " to " + operator.maxArgs();
        String message = "\"" + name + "\" takes " + expected + " argument(s), got " + args.length;
        issues.add(new Issue(opPath, message, false));
        return new Invalid(opPath, message);
      }
      Call call = new Call(name, opPath, args, raw, resultPosition, flagKey, clock, issues);
      return operator.factory().create(call);
    }

    private Node reference(Object target, String path, boolean resultPosition) {
      if (!(target instanceof String name)) {
        issues.add(new Issue(path, "$ref takes the name of an evaluator (a string)", true));
        return new Invalid(path, "invalid $ref");
      }
      if (!evaluators.containsKey(name)) {
        String message = "$ref to unknown evaluator \"" + name + "\"";
        issues.add(new Issue(path, message, true));
        return new Invalid(path, message);
      }
      if (refs.contains(name)) {
        String message = "$ref cycle: " + String.join(" -> ", refs) + " -> " + name;
        issues.add(new Issue(path, message, true));
        return new Invalid(path, message);
      }
      refs.push(name);
      try {
        return compile(evaluators.get(name), JsonPath.member("$evaluators", name), resultPosition);
      } finally {
        refs.pop();
      }
    }
  }
}
