package dev.rollgate.core.internal.logic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogicCompilerTest {
  private final LogicCompiler compiler =
      new LogicCompiler(
          Map.of(
              "isAdmin", Json.parse("{\"==\": [{\"var\": \"role\"}, \"admin\"]}"),
              "loopA", Json.parse("{\"$ref\": \"loopB\"}"),
              "loopB", Json.parse("{\"$ref\": \"loopA\"}")),
          OperatorTest.CLOCK);

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
  void refCyclesAreFatal() {
    var result = compile("{\"$ref\": \"loopA\"}");
    assertThat(result.hasFatal()).isTrue();
    assertThat(result.issues().getFirst().message())
        .isEqualTo("$ref cycle: loopB -> loopA -> loopA");
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
