package dev.rollgate.core.internal.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogicCompilerTest {
  private final LogicCompiler compiler =
      new LogicCompiler(
          Map.of(
              "isAdmin", Json.parse("{\"==\": [{\"var\": \"role\"}, \"admin\"]}"),
              "loopA", Json.parse("{\"$ref\": \"loopB\"}"),
              "loopB", Json.parse("{\"$ref\": \"loopA\"}")),
          OperatorTest.CLOCK,
          ParseOptions.Limits.DEFAULTS);

  private LogicCompiler.Result compile(String json) {
    return compiler.compile("f", Json.parse(json), "targeting");
  }

  @Test
  void unknownOperatorIsFatalAndNamesItsPath() {
    var result = compile("{\"if\": [{\"regex_match\": [1, 2]}, \"a\"]}");
    assertThat(result.hasFatal()).isTrue();
    assertThat(result.issues())
        .containsExactly(
            new LogicCompiler.Issue(
                "targeting.if[0].regex_match", "unknown operator \"regex_match\"", true));
  }

  @Test
  void refsInlineSharedEvaluators() {
    var result = compile("{\"if\": [{\"$ref\": \"isAdmin\"}, \"on\", \"off\"]}");
    assertThat(result.issues()).isEmpty();
    assertThat(result.root().eval(EvaluationContext.fromJson(Map.of("role", "admin")), null))
        .isEqualTo("on");
    assertThat(result.root().eval(EvaluationContext.empty(), null)).isEqualTo("off");
  }

  @Test
  void refCyclesAreFatalAndReadInReferenceOrder() {
    var result = compile("{\"$ref\": \"loopA\"}");
    assertThat(result.hasFatal()).isTrue();
    assertThat(result.issues())
        .containsExactly(
            new LogicCompiler.Issue(
                "$evaluators.loopB.$ref", "$ref cycle: loopA -> loopB -> loopA", true));

    // Entered from outside the cycle: the message names the cycle, as the refs are followed.
    var entered =
        new LogicCompiler(
                Map.of(
                    "entry", Json.parse("{\"!\": {\"$ref\": \"staff\"}}"),
                    "staff", Json.parse("{\"or\": [true, {\"$ref\": \"seg-b\"}]}"),
                    "seg-b", Json.parse("{\"and\": [{\"$ref\": \"staff\"}]}")),
                OperatorTest.CLOCK,
                ParseOptions.Limits.DEFAULTS)
            .compile("f", Json.parse("{\"$ref\": \"entry\"}"), "targeting");
    assertThat(entered.issues())
        .extracting(LogicCompiler.Issue::message)
        .containsExactly("$ref cycle: staff -> seg-b -> staff");
  }

  /**
   * {@code levels} evaluators, each "or" over two refs to the one below; the top is "l{levels}".
   */
  private static Map<String, Object> doublingRefs(int levels) {
    Map<String, Object> evaluators = new java.util.HashMap<>();
    evaluators.put("l0", Json.parse("{\"==\": [{\"var\": \"tier\"}, \"gold\"]}"));
    for (int i = 1; i <= levels; i++) {
      evaluators.put(
          "l" + i,
          Json.parse(
              "{\"or\": [{\"$ref\": \"l" + (i - 1) + "\"}, {\"$ref\": \"l" + (i - 1) + "\"}]}"));
    }
    return evaluators;
  }

  private static final ParseOptions.Limits UNBOUNDED_COST =
      new ParseOptions.Limits(32, 1L << 40, 1_000_000);

  @Test
  void nestedRefsAreCompiledOnceAndSharedSoTheSizeIsLinearInDepth() {
    var compiler = new LogicCompiler(doublingRefs(19), OperatorTest.CLOCK, UNBOUNDED_COST);
    var result = compiler.compile("f", Json.parse("{\"$ref\": \"l19\"}"), "targeting");
    assertThat(result.issues()).isEmpty();
    // l0 is 4 nodes ("==", var, its name, "gold"), each level one "or": expanded, 2^19 copies.
    assertThat(compiler.compiledNodes()).isEqualTo(4 + 19);

    // Another flag using the same evaluators adds only its own nodes.
    compiler.compile("g", Json.parse("{\"!\": {\"$ref\": \"l19\"}}"), "targeting");
    assertThat(compiler.compiledNodes()).isEqualTo(4 + 19 + 1);

    var small =
        new LogicCompiler(doublingRefs(5), OperatorTest.CLOCK, ParseOptions.Limits.DEFAULTS);
    Node root = small.compile("f", Json.parse("{\"$ref\": \"l5\"}"), "targeting").root();
    assertThat(root.eval(EvaluationContext.fromJson(Map.of("tier", "gold")), null)).isEqualTo(true);
    assertThat(root.eval(EvaluationContext.fromJson(Map.of("tier", "tin")), null)).isEqualTo(false);
  }

  @Test
  void theWorstCaseEvaluationCostIsBoundedEvenWhenTheSizeIsNot() {
    var compiler =
        new LogicCompiler(doublingRefs(19), OperatorTest.CLOCK, ParseOptions.Limits.DEFAULTS);
    assertThatThrownBy(() ->
            compiler.compile(
                "f", Json.parse("{\"if\": [{\"$ref\": \"l19\"}, 1, 2]}"), "flags.f.targeting"))
        .isInstanceOfSatisfying(
            LogicCompiler.LimitExceeded.class,
            e -> {
              assertThat(e.path()).isEqualTo("flags.f.targeting");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "one evaluation could visit more than 100000 expressions, the limit on"
                          + " evaluation cost (each use of a $ref counts all of its evaluator)");
            });
    // l14 costs 2^14 * 5 - 1 = 81919 visits: allowed; l15 is not.
    var cost = new ParseOptions.Limits(32, 81_919, 1_000);
    var exact = new LogicCompiler(doublingRefs(15), OperatorTest.CLOCK, cost);
    assertThat(exact.compile("f", Json.parse("{\"$ref\": \"l14\"}"), "t").issues()).isEmpty();
    assertThatThrownBy(() -> exact.compile("f", Json.parse("{\"!\": {\"$ref\": \"l14\"}}"), "t"))
        .isInstanceOf(LogicCompiler.LimitExceeded.class);
  }

  @Test
  void aLongLiteralCountsOnceInCostAndSize() {
    List<Object> ids = new ArrayList<>();
    for (int i = 0; i < 150_000; i++) {
      ids.add("user-" + i);
    }
    var compiler =
        new LogicCompiler(
            Map.of("pilots", Map.of("in", List.of(Map.of("var", "id"), ids))),
            OperatorTest.CLOCK,
            ParseOptions.Limits.DEFAULTS);
    var result =
        compiler.compile(
            "f", Json.parse("{\"or\": [{\"$ref\": \"pilots\"}, {\"$ref\": \"pilots\"}]}"), "t");
    assertThat(result.issues()).isEmpty();
    assertThat(compiler.compiledNodes()).isEqualTo(5); // or, in, var, "id", the list
    assertThat(result.root().eval(EvaluationContext.fromJson(Map.of("id", "user-7")), null))
        .isEqualTo(true);
  }

  /** {@code levels} evaluators, each "!" of the one below. */
  private static Map<String, Object> chain(int levels) {
    Map<String, Object> evaluators = new java.util.HashMap<>();
    evaluators.put("c0", Json.parse("{\"var\": \"x\"}"));
    for (int i = 1; i <= levels; i++) {
      evaluators.put("c" + i, Json.parse("{\"!\": {\"$ref\": \"c" + (i - 1) + "\"}}"));
    }
    return evaluators;
  }

  @Test
  void nestingIsBoundedThroughRefs() {
    // c30 is 32 levels: 30 "!", the var and its name.
    var compiler = new LogicCompiler(chain(40), OperatorTest.CLOCK, ParseOptions.Limits.DEFAULTS);
    assertThat(compiler.compile("f", Json.parse("{\"$ref\": \"c30\"}"), "t").issues()).isEmpty();

    assertThatThrownBy(() -> compiler.compile("f", Json.parse("{\"!\": {\"$ref\": \"c30\"}}"), "t"))
        .isInstanceOfSatisfying(
            LogicCompiler.LimitExceeded.class,
            e -> {
              assertThat(e.path()).isEqualTo("t[\"!\"][0].$ref");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "nests deeper than 32 levels, the limit on nesting: $evaluators.c30 is 32"
                          + " levels deep and is used 1 levels down");
            });

    var fresh = new LogicCompiler(chain(40), OperatorTest.CLOCK, ParseOptions.Limits.DEFAULTS);
    assertThatThrownBy(() -> fresh.compile("f", Json.parse("{\"$ref\": \"c40\"}"), "t"))
        .isInstanceOfSatisfying(
            LogicCompiler.LimitExceeded.class,
            e -> {
              assertThat(e.path()).isEqualTo("$evaluators.c8");
              assertThat(e.getMessage())
                  .startsWith("nests deeper than 32 levels (through $ref c40 -> c39 -> ")
                  .endsWith(" -> c9 -> c8), the limit on nesting");
            });
  }

  @Test
  void anEvaluatorCompiledOnItsOwnIsSharedWithTheRefsThatFollow() {
    var compiler = new LogicCompiler(chain(40), OperatorTest.CLOCK, ParseOptions.Limits.DEFAULTS);
    assertThat(compiler.compileEvaluator("c3").issues()).isEmpty();
    long nodes = compiler.compiledNodes();
    compiler.compile("f", Json.parse("{\"$ref\": \"c3\"}"), "t");
    assertThat(compiler.compiledNodes()).isEqualTo(nodes);

    assertThatThrownBy(() -> compiler.compileEvaluator("c40"))
        .isInstanceOfSatisfying(
            LogicCompiler.LimitExceeded.class,
            e -> {
              assertThat(e.path()).isEqualTo("$evaluators.c8");
              assertThat(e.getMessage())
                  .startsWith("nests deeper than 32 levels (through $ref c40 -> c39 -> ");
            });
    Object deep = Map.of("var", "x");
    for (int i = 0; i < 40; i++) {
      deep = Map.of("!", deep);
    }
    var alone =
        new LogicCompiler(Map.of("deep", deep), OperatorTest.CLOCK, ParseOptions.Limits.DEFAULTS);
    assertThatThrownBy(() -> alone.compileEvaluator("deep"))
        .hasMessage("nests deeper than 32 levels, the limit on nesting");

    var cycle =
        new LogicCompiler(
            Map.of(
                "staff",
                Json.parse("{\"$ref\": \"seg-b\"}"),
                "seg-b",
                Json.parse("{\"$ref\": \"staff\"}")),
            OperatorTest.CLOCK,
            ParseOptions.Limits.DEFAULTS);
    assertThat(cycle.compileEvaluator("staff").issues())
        .extracting(LogicCompiler.Issue::message)
        .containsExactly("$ref cycle: staff -> seg-b -> staff");
  }

  @Test
  void theCompiledSizeOfADocumentIsBounded() {
    var compiler =
        new LogicCompiler(
            Map.of("split", Json.parse("{\"fractional\": [[\"a\", 1], [\"b\", 1]]}")),
            OperatorTest.CLOCK,
            new ParseOptions.Limits(32, 100_000, 8));
    // Bucketing reads the flag key, so each flag compiles the evaluator for itself.
    compiler.compile("a", Json.parse("{\"$ref\": \"split\"}"), "flags.a.targeting");
    compiler.compile("b", Json.parse("{\"$ref\": \"split\"}"), "flags.b.targeting");
    assertThat(compiler.compiledNodes()).isEqualTo(6);
    assertThatThrownBy(() ->
            compiler.compile(
                "c", Json.parse("{\"!\": {\"$ref\": \"split\"}}"), "flags.c.targeting"))
        .isInstanceOfSatisfying(
            LogicCompiler.LimitExceeded.class,
            e -> {
              assertThat(e.path()).isEqualTo("$evaluators.split");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "the document compiles to more than 8 expressions, the limit on compiled"
                          + " size");
            });
  }

  @Test
  void evaluatorsThatReadTheFlagKeyOrPositionAreSharedOnlyWhereTheyAgree() {
    var compiler =
        new LogicCompiler(
            Map.of(
                "split", Json.parse("{\"fractional\": [[\"a\", 1], [\"b\", 1]]}"),
                "key", Json.parse("{\"var\": \"$flagd.flagKey\"}")),
            OperatorTest.CLOCK,
            ParseOptions.Limits.DEFAULTS);
    var first = compiler.compile("first", Json.parse("{\"$ref\": \"split\"}"), "t").root();
    var second = compiler.compile("second", Json.parse("{\"$ref\": \"split\"}"), "t").root();
    Trace trace = new Trace();
    first.eval(EvaluationContext.of("u"), trace);
    second.eval(EvaluationContext.of("u"), trace);
    assertThat(trace.steps())
        .extracting(step -> step.details().get("input"))
        .containsExactly("firstu", "secondu");
    // In a condition, bucketing gives the variant itself; as the result, a split choice.
    var condition =
        compiler.compile(
            "first", Json.parse("{\"in\": [{\"$ref\": \"split\"}, [\"a\", \"b\"]]}"), "t");
    assertThat(condition.root().eval(EvaluationContext.of("u"), null)).isEqualTo(true);
    assertThat(first.eval(EvaluationContext.of("u"), null)).isInstanceOf(SplitChoice.class);

    assertThat(
            compiler
                .compile("one", Json.parse("{\"$ref\": \"key\"}"), "t")
                .root()
                .eval(EvaluationContext.empty(), null))
        .isEqualTo("one");
    assertThat(
            compiler
                .compile("two", Json.parse("{\"$ref\": \"key\"}"), "t")
                .root()
                .eval(EvaluationContext.empty(), null))
        .isEqualTo("two");
  }

  @Test
  void everyUserOfASharedEvaluatorSeesItsIssues() {
    var compiler =
        new LogicCompiler(
            Map.of(
                "bad", Json.parse("{\"and\": [{\"regex\": [1]}, {\"==\": [1]}]}"),
                "wrapper", Json.parse("{\"or\": [{\"$ref\": \"bad\"}, {\"$ref\": \"bad\"}]}")),
            OperatorTest.CLOCK,
            ParseOptions.Limits.DEFAULTS);
    List<LogicCompiler.Issue> expected =
        List.of(
            new LogicCompiler.Issue(
                "targeting.or[0][\"!=\"]", "\"!=\" takes 2 argument(s), got 1", false),
            new LogicCompiler.Issue(
                "$evaluators.bad.and[0].regex", "unknown operator \"regex\"", true),
            new LogicCompiler.Issue(
                "$evaluators.bad.and[1][\"==\"]", "\"==\" takes 2 argument(s), got 1", false));
    for (String flag : List.of("a", "b")) {
      var result =
          compiler.compile(
              flag, Json.parse("{\"or\": [{\"!=\": [1]}, {\"$ref\": \"wrapper\"}]}"), "targeting");
      assertThat(result.hasFatal()).isTrue();
      assertThat(result.issues()).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void wrongArgumentCountIsAnIssueAndYieldsNull() {
    var result = compile("{\"==\": [1]}");
    assertThat(result.hasFatal()).isFalse();
    assertThat(result.issues())
        .extracting(LogicCompiler.Issue::message)
        .containsExactly("\"==\" takes 2 argument(s), got 1");
    assertThat(result.root().eval(EvaluationContext.empty(), null)).isNull();
  }

  @Test
  void staticMistakesInFlagdOperatorsAreReported() {
    assertThat(compile("{\"sem_ver\": [{\"var\": \"v\"}, \"=>\", \"1.0\"]}").issues())
        .extracting(LogicCompiler.Issue::path)
        .containsExactly("targeting.sem_ver[1]");
    assertThat(compile("{\"sem_ver\": [{\"var\": \"v\"}, \">\", \"one\"]}").issues())
        .extracting(LogicCompiler.Issue::message)
        .containsExactly("\"one\" is not a semantic version");
    assertThat(compile("{\"fractional\": [[\"a\", 1.5], [\"b\", -1]]}").issues())
        .extracting(LogicCompiler.Issue::message)
        .containsExactly(
            "a fractional weight must be a whole number",
            "a fractional weight must not be negative (flagd counts it as 0)");
    assertThat(compile("{\"fractional\": [[\"a\", 2147483647], [\"b\", 1]]}").issues())
        .extracting(LogicCompiler.Issue::message)
        .containsExactly("fractional weights add up to more than 2147483647");
    assertThat(compile("{\"fractional\": [5, [\"a\", 1]]}").issues())
        .extracting(LogicCompiler.Issue::message)
        .containsExactly("fractional's first argument is a bucketing input (a string) or an entry");
  }

  @Test
  void fractionalInResultPositionIsMarkedAsASplit() {
    var top = compile("{\"fractional\": [[\"a\", 1]]}");
    assertThat(top.root().eval(EvaluationContext.of("u"), null)).isEqualTo(new SplitChoice("a"));

    var branch = compile("{\"if\": [true, {\"fractional\": [[\"a\", 1]]}, \"b\"]}");
    assertThat(branch.root().eval(EvaluationContext.of("u"), null)).isEqualTo(new SplitChoice("a"));

    var condition = compile("{\"if\": [{\"fractional\": [[true, 1]]}, \"yes\", \"no\"]}");
    assertThat(condition.root().eval(EvaluationContext.of("u"), null)).isEqualTo("yes");
  }

  @Test
  void traceRecordsConditionsAndBucketing() {
    var result =
        compile(
            "{\"if\": [{\"in\": [{\"var\": \"country\"}, [\"DE\"]]}, \"de\","
                + " {\"fractional\": [[\"a\", 50], [\"b\", 50]]}]}");
    Trace trace = new Trace();
    Object value = result.root().eval(EvaluationContext.of("user-7"), trace);

    assertThat(value).isInstanceOf(SplitChoice.class);
    assertThat(trace.steps()).hasSize(3);
    assertThat(trace.steps().get(0).at()).isEqualTo("targeting.if[0]");
    assertThat(trace.steps().get(0).result()).isEqualTo(false);
    assertThat(trace.steps().get(1).note())
        .isEqualTo("no condition matched: taking the else branch");
    var bucketing = trace.steps().get(2);
    assertThat(bucketing.at()).isEqualTo("targeting.if[2].fractional");
    assertThat(bucketing.details())
        .containsEntry("input", "fuser-7")
        .containsEntry("totalWeight", 100L)
        .containsKeys("hash", "bucket");
    long bucket = (Long) bucketing.details().get("bucket");
    assertThat(bucketing.result()).isEqualTo(bucket < 50 ? "a" : "b");
  }
}
