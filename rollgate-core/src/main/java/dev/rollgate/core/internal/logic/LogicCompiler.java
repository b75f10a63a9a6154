package dev.rollgate.core.internal.logic;

import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles JsonLogic targeting, with flagd's operators and {@code $ref} to shared evaluators, into
 * {@link Node}s.
 *
 * <p>Compiling reports issues instead of throwing. A <em>fatal</em> issue (unknown operator,
 * unknown or cyclic {@code $ref}) means the targeting cannot be evaluated at all; any other issue
 * marks an operator used in a way that yields null when evaluated, which is how flagd behaves. The
 * caller decides whether issues reject the document.
 *
 * <p>A shared evaluator is compiled once per document and every {@code $ref} to it points at the
 * same node, so the compiled form is a DAG as large as the document, not the tree that expanding
 * each {@code $ref} would be (which doubles with each level of "a or b" over refs). An evaluator
 * that reads the flag key or its position ({@code fractional}, {@code $flagd.flagKey}) is shared
 * only within what has the same key and position. Depth and worst-case evaluation cost still grow
 * with every use of a ref, so both are bounded ({@link ParseOptions.Limits}), and so is the number
 * of nodes a document compiles into: going past a limit throws {@link LimitExceeded}.
 *
 * <p>One compiler serves one document and is not thread-safe.
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

  /**
   * Targeting past one of the {@link ParseOptions.Limits}: nothing of it is usable. Thrown at the
   * first point where the limit is crossed, so that compiling stops there.
   */
  public static final class LimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String path;

    LimitExceeded(String path, String message) {
      super(message, null, false, false); // an answer to bad input: no stack trace to fill
      this.path = path;
    }

    /** Where the limit was crossed, from the document root. */
    public String path() {
      return path;
    }
  }

  /** How one operator is built from its compiled arguments. */
  interface Factory {
    Node create(Call call);
  }

  private record Operator(int minArgs, int maxArgs, Factory factory) {}

  /** One operator application being compiled. */
  static final class Call {
    private final Compilation compilation;
    private final String path;
    private final Node[] args;
    private final List<Object> rawArgs;
    private final boolean resultPosition;

    private Call(
        Compilation compilation,
        String path,
        Node[] args,
        List<Object> rawArgs,
        boolean resultPosition) {
      this.compilation = compilation;
      this.path = path;
      this.args = args;
      this.rawArgs = rawArgs;
      this.resultPosition = resultPosition;
    }

    String path() {
      return path;
    }

    Node[] args() {
      return args;
    }

    List<Object> rawArgs() {
      return rawArgs;
    }

    /** Whether the value is the flag's result; an operator that asks cannot be shared freely. */
    boolean resultPosition() {
      compilation.contextual = true;
      return resultPosition;
    }

    /** The flag being compiled; an operator that asks cannot be shared between flags. */
    String flagKey() {
      compilation.contextual = true;
      return compilation.flagKey;
    }

    Clock clock() {
      return compilation.compiler().clock;
    }

    void issue(String at, String message) {
      compilation.found.add(new Issue(at, message, false));
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
    op("unleash_rollout", 3, 3, Unleash::rollout);
    op("unleash_variant", 3, 3, Unleash::variant);
    op("unleash_constraint", 1, 1, UnleashConstraint::create);
  }

  private static void op(String name, int min, int max, Factory factory) {
    OPERATORS.put(name, new Operator(min, max, factory));
  }

  private final Map<String, Object> evaluators;
  private final Clock clock;
  private final ParseOptions.Limits limits;
  // Compiled evaluators: those that read neither flag key nor position by name, the others by
  // (name, flag key, position).
  private final Map<String, Shared> shared = new HashMap<>();
  private final Map<Context, Shared> sharedInContext = new HashMap<>();
  private long nodes;

  /**
   * @param evaluators the document's {@code $evaluators}: name to raw JsonLogic
   * @param clock what {@code $flagd.timestamp} reads
   * @param limits the bounds on depth, evaluation cost and compiled size
   */
  public LogicCompiler(Map<String, Object> evaluators, Clock clock, ParseOptions.Limits limits) {
    this.evaluators = Map.copyOf(evaluators);
    this.clock = clock;
    this.limits = limits;
  }

  /**
   * Compiles the targeting of flag {@code flagKey}, which stands at {@code path}.
   *
   * @throws LimitExceeded when the targeting goes past one of the limits
   */
  public Result compile(String flagKey, Object json, String path) {
    Compilation compilation = new Compilation(flagKey, path, false);
    Node root = compilation.compile(json, path, true);
    return new Result(root, issues(compilation.found));
  }

  /**
   * Compiles shared evaluator {@code name} on its own, as a {@code $ref} to it would (and for the
   * refs that follow): to check one that no flag uses yet.
   *
   * @throws LimitExceeded when the evaluator goes past one of the limits
   */
  public Result compileEvaluator(String name) {
    String path = JsonPath.member("$evaluators", name);
    Compilation compilation = new Compilation("", path, true);
    Node root = compilation.reference(name, path, true);
    return new Result(root, issues(compilation.found));
  }

  /**
   * Counts {@code count} nodes compiled before, by another compiler, into this document's total
   * (flags reused unchanged from an earlier snapshot), so that the document's limit still holds.
   */
  public void countReused(long count) {
    nodes += count;
  }

  /** How many nodes this compiler has built so far, shared ones once. */
  public long compiledNodes() {
    return nodes;
  }

  /** The compact JSON of a piece of targeting, for explanations. */
  static String source(Object json) {
    return Json.write(json);
  }

  private record Context(String name, String flagKey, boolean resultPosition) {}

  /**
   * A compiled evaluator and what using it brings along.
   *
   * @param found its issues and the evaluators it uses, in the order met (see {@link #issues})
   * @param height how many levels it nests, its own root included
   * @param cost how many nodes one evaluation visits at worst
   * @param contextual whether it (or an evaluator it uses) read the flag key or position
   */
  private record Shared(Node node, List<Object> found, int height, long cost, boolean contextual) {}

  /**
   * The issues of an expression: its own and, once each, those of the evaluators it uses, in the
   * order met. Walking the DAG with a visited set keeps this linear however often refs repeat.
   */
  private static List<Issue> issues(List<Object> found) {
    Set<Issue> issues = new LinkedHashSet<>();
    collect(found, issues, Collections.newSetFromMap(new IdentityHashMap<>()));
    return List.copyOf(issues);
  }

  private static void collect(List<Object> found, Set<Issue> into, Set<Shared> visited) {
    for (Object item : found) {
      if (item instanceof Issue issue) {
        into.add(issue);
      } else if (item instanceof Shared evaluator && visited.add(evaluator)) {
        collect(evaluator.found(), into, visited);
      }
    }
  }

  private final class Compilation {
    private final String flagKey;
    private final String rootPath;
    private final List<String> refs = new ArrayList<>(); // evaluators being expanded, in order
    private final boolean ownRef; // an evaluator compiled on its own: refs starts with it
    private int depth;
    private long cost;
    // Of the evaluator being compiled (or the root expression): saved and restored around a ref.
    private List<Object> found = new ArrayList<>();
    private boolean contextual;
    private int deepest;

    Compilation(String flagKey, String rootPath, boolean ownRef) {
      this.flagKey = flagKey;
      this.rootPath = rootPath;
      this.ownRef = ownRef;
    }

    LogicCompiler compiler() {
      return LogicCompiler.this;
    }

    Node compile(Object json, String path, boolean resultPosition) {
      if (json instanceof Map<?, ?> map && map.size() == 1 && map.containsKey("$ref")) {
        return reference(map.get("$ref"), JsonPath.member(path, "$ref"), resultPosition);
      }
      if (++depth > limits.maxDepth()) {
        throw new LimitExceeded(
            path,
            "nests deeper than "
                + limits.maxDepth()
                + " levels"
                + (refs.size() > (ownRef ? 1 : 0)
                    ? " (through $ref " + String.join(" -> ", refs) + ")"
                    : "")
                + ", the limit on nesting");
      }
      deepest = Math.max(deepest, depth);
      long costBefore = cost;
      long nodesBefore = nodes;
      Node node = build(json, path, resultPosition);
      depth--;
      if (node.isConstant()) {
        // A literal (an array of constants folds into one): visited once, and what it was
        // folded from is gone. Not checked here, so a long list of ids does not count per id.
        cost = costBefore + 1;
        nodes = nodesBefore + 1;
        return node;
      }
      cost++;
      nodes++;
      checkCost();
      if (nodes > limits.maxCompiledNodes()) {
        throw new LimitExceeded(
            path,
            "the document compiles to more than "
                + limits.maxCompiledNodes()
                + " expressions, the limit on compiled size");
      }
      return node;
    }

    private void checkCost() {
      if (cost > limits.maxEvaluationCost()) {
        throw new LimitExceeded(
            rootPath,
            "one evaluation could visit more than "
                + limits.maxEvaluationCost()
                + " expressions, the limit on evaluation cost (each use of a $ref counts all of"
                + " its evaluator)");
      }
    }

    private Node build(Object json, String path, boolean resultPosition) {
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
      Operator operator = OPERATORS.get(name);
      if (operator == null) {
        found.add(new Issue(opPath, "unknown operator \"" + name + "\"", true));
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
        found.add(new Issue(opPath, message, false));
        return new Invalid(opPath, message);
      }
      return operator.factory().create(new Call(this, opPath, args, raw, resultPosition));
    }

    private Node reference(Object target, String path, boolean resultPosition) {
      if (!(target instanceof String name)) {
        return fatal(path, "$ref takes the name of an evaluator (a string)", "invalid $ref");
      }
      if (!evaluators.containsKey(name)) {
        String message = "$ref to unknown evaluator \"" + name + "\"";
        return fatal(path, message, message);
      }
      int at = refs.indexOf(name);
      if (at >= 0) {
        List<String> cycle = new ArrayList<>(refs.subList(at, refs.size()));
        cycle.add(name);
        String message = "$ref cycle: " + String.join(" -> ", cycle);
        return fatal(path, message, message);
      }
      Context context = new Context(name, flagKey, resultPosition);
      Shared evaluator = shared.get(name);
      if (evaluator == null) {
        evaluator = sharedInContext.get(context);
      }
      if (evaluator == null) {
        evaluator = compileShared(name, context, resultPosition);
      } else if (depth + evaluator.height() > limits.maxDepth()) {
        throw new LimitExceeded(
            path,
            "nests deeper than "
                + limits.maxDepth()
                + " levels, the limit on nesting: $evaluators."
                + name
                + " is "
                + evaluator.height()
                + " levels deep and is used "
                + depth
                + " levels down");
      }
      found.add(evaluator);
      contextual |= evaluator.contextual();
      deepest = Math.max(deepest, depth + evaluator.height());
      cost += evaluator.cost();
      checkCost();
      return evaluator.node();
    }

    /** Compiles an evaluator on its own account: its issues, depth and cost are its own. */
    private Shared compileShared(String name, Context context, boolean resultPosition) {
      List<Object> outerFound = found;
      boolean outerContextual = contextual;
      int outerDeepest = deepest;
      long costBefore = cost;
      found = new ArrayList<>();
      contextual = false;
      deepest = depth;
      refs.add(name);
      Node node =
          compile(evaluators.get(name), JsonPath.member("$evaluators", name), resultPosition);
      refs.removeLast();
      Shared evaluator =
          new Shared(node, List.copyOf(found), deepest - depth, cost - costBefore, contextual);
      if (contextual) {
        sharedInContext.put(context, evaluator);
      } else {
        shared.put(name, evaluator);
      }
      found = outerFound;
      contextual = outerContextual;
      deepest = outerDeepest;
      cost = costBefore; // the caller adds the evaluator's cost, as for any later use
      return evaluator;
    }

    private Node fatal(String path, String message, String problem) {
      found.add(new Issue(path, message, true));
      return new Invalid(path, problem);
    }
  }
}
