package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Invalid documents are rejected whole, every problem named by its path. */
class FlagDocumentParserTest {

  private static List<String> problems(String json) {
    try {
      FlagSnapshot.parse(json, ParseOptions.defaults().withEnvironment(Map.of()));
    } catch (InvalidFlagDocumentException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("document was accepted: " + json);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{|$: invalid JSON at line 1, column 2: Unexpected end-of-input: expected close marker for Object",
        "[]|$: a flag document is a JSON object, not an array",
        "{}|flags: is required",
        "{\"flags\": []}|flags: must be an object of flags by key",
        "{\"flags\": {}, \"flag\": 1}|flag: unknown property (expected one of [$evaluators, $schema, flags, metadata])",
        "{\"flags\": {\"a\": 1}}|flags.a: a flag is an object, not a number",
        "{\"flags\": {\"a\": {\"state\": \"ON\", \"variants\": {\"x\": 1}}}}|flags.a.state: must be ENABLED or DISABLED, not \"ON\"",
        "{\"flags\": {\"a\": {\"variants\": {\"x\": 1}}}}|flags.a.state: is required (ENABLED or DISABLED)",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\"}}}|flags.a.variants: is required: an object of variant name to value",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {}}}}|flags.a.variants: must be a non-empty object of variant name to value",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": null}}}}|flags.a.variants.x: a variant's value must not be null",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1, \"y\": \"1\"}}}}|flags.a.variants.y: is a string, but variant \"x\" is a number: a flag's variants share one type",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}, \"defaultVariant\": \"z\"}}}|flags.a.defaultVariant: \"z\" is not one of the variants [x]",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}, \"targetting\": {}}}}|flags.a.targetting: unknown property (expected one of [defaultVariant, metadata, prerequisites, state, targeting, variants])",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}, \"targeting\": \"x\"}}}|flags.a.targeting: must be a JsonLogic object, not a string",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}, \"metadata\": {\"m\": [1]}}}}|flags.a.metadata.m: metadata values are strings, numbers or booleans, not an array",
        "{\"flags\": {\"a.b\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}, \"targeting\": {\"nope\": []}}}}|flags[\"a.b\"].targeting.nope: unknown operator \"nope\"",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}, \"targeting\": {\"$ref\": \"missing\"}}}}|flags.a.targeting.$ref: $ref to unknown evaluator \"missing\"",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}}}, \"$evaluators\": []}|$evaluators: must be an object of named JsonLogic expressions",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1}}, \"a\": {}}}|$: invalid JSON at line 1, column 61: duplicate key \"a\"",
        "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"x\": 1e400}}}}|$: invalid JSON at line 1, column 56: number out of range: 1e400"
      })
  void namesThePathAndTheProblem(String json, String expected) {
    assertThat(problems(json)).containsExactly(expected);
  }

  @Test
  void collectsEveryProblemAtOnce() {
    String json =
        """
        {"flags": {
          "ok":  {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
          "bad1": {"state": "enabled", "variants": {"on": true}},
          "bad2": {"state": "ENABLED", "variants": {"on": true}, "targeting": {"starts_with": ["x"]}}
        }}
        """;
    assertThat(problems(json))
        .containsExactly(
            "flags.bad1.state: must be ENABLED or DISABLED, not \"enabled\"",
            "flags.bad2.targeting.starts_with: \"starts_with\" takes 2 argument(s), got 1");
  }

  @Test
  void unusedEvaluatorsAreCheckedTooAndSharedProblemsReportedOnce() {
    String json =
        """
        {"flags": {
          "a": {"state": "ENABLED", "variants": {"on": true}, "targeting": {"if": [{"$ref": "used"}, "on"]}},
          "b": {"state": "ENABLED", "variants": {"on": true}, "targeting": {"if": [{"$ref": "used"}, "on"]}}
         },
         "$evaluators": {
          "used": {"ends_with": [{"var": "email"}]},
          "unused": {"regex": ["a", "b"]}
        }}
        """;
    assertThat(problems(json))
        .containsExactly(
            "$evaluators.used.ends_with: \"ends_with\" takes 2 argument(s), got 1",
            "$evaluators.unused.regex: unknown operator \"regex\"");
  }

  @Test
  void aDocumentWithOneBadFlagLoadsNothing() {
    String json =
        """
        {"flags": {
          "good": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
          "bad":  {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "off"}
        }}
        """;
    assertThatThrownBy(() -> FlagSnapshot.parse(json))
        .isInstanceOf(InvalidFlagDocumentException.class)
        .hasMessage(
            "invalid flag document: flags.bad.defaultVariant: \"off\" is not one of the variants [on]");
  }

  @Test
  void flagdModeLoadsUncompilableTargetingAsParseErrors() {
    String json =
        """
        {"flags": {
          "good":   {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
          "broken": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on",
                     "targeting": {"if": [{"regex": ["a", "b"]}, "on"]}},
          "lenient": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on",
                     "targeting": {"starts_with": ["a"]}}
        }}
        """;
    FlagSnapshot snapshot =
        FlagSnapshot.parse(
            json, ParseOptions.defaults().withStrictness(ParseOptions.Strictness.FLAGD));

    Resolution broken = snapshot.evaluate("broken", ValueType.BOOLEAN, false, null);
    assertThat(broken.errorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(broken.errorMessage())
        .isEqualTo("flags.broken.targeting.if[0].regex: unknown operator \"regex\"");
    assertThat(broken.value()).isEqualTo(false);

    Resolution lenient = snapshot.evaluate("lenient", ValueType.BOOLEAN, false, null);
    assertThat(lenient.reason()).isEqualTo(Reason.DEFAULT);
    assertThat(lenient.value()).isEqualTo(true);

    assertThat(snapshot.evaluate("good", ValueType.BOOLEAN, false, null).value()).isEqualTo(true);
  }

  /** A document whose flag "deep" uses 19 levels of "or" over two refs to the level below. */
  private static String doublingDocument() {
    StringBuilder evaluators =
        new StringBuilder("\"l0\": {\"in\": [\"@staff\", {\"var\": \"email\"}]}");
    for (int i = 1; i <= 19; i++) {
      evaluators.append(
          ", \"l%d\": {\"or\": [{\"$ref\": \"l%d\"}, {\"$ref\": \"l%d\"}]}"
              .formatted(i, i - 1, i - 1));
    }
    return """
    {"flags": {
      "deep": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
               "targeting": {"if": [{"$ref": "l19"}, "on"]}},
      "plain": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
               "targeting": {"if": [{"$ref": "l2"}, "on"]}}
     },
     "$evaluators": {%s}}
    """
        .formatted(evaluators);
  }

  @Test
  void targetingPastTheLimitsIsAProblemNamingTheLimitAndThePath() {
    String cost =
        ": one evaluation could visit more than 100000 expressions, the limit on evaluation cost"
            + " (each use of a $ref counts all of its evaluator)";
    assertThat(problems(doublingDocument()))
        .containsExactly(
            "$evaluators.l15" + cost,
            "$evaluators.l16" + cost,
            "$evaluators.l17" + cost,
            "$evaluators.l18" + cost,
            "$evaluators.l19" + cost,
            "flags.deep.targeting" + cost);

    ParseOptions shallow =
        ParseOptions.defaults().withLimits(new ParseOptions.Limits(4, 100_000, 1_000_000));
    assertThatThrownBy(() ->
            FlagSnapshot.parse(
                """
                {"flags": {"a": {"state": "ENABLED", "variants": {"on": true},
                  "targeting": {"if": [{"!": {"!": {"!": {"var": "x"}}}}, "on"]}}}}
                """,
                shallow))
        .isInstanceOf(InvalidFlagDocumentException.class)
        .hasMessage(
            "invalid flag document: flags.a.targeting.if[0][\"!\"][0][\"!\"][0][\"!\"][0]:"
                + " nests deeper than 4 levels, the limit on nesting");
  }

  @Test
  void flagdModeServesTheFlagsWithinTheLimitsAndParseErrorsTheOthers() {
    FlagSnapshot snapshot =
        FlagSnapshot.parse(
            doublingDocument(),
            ParseOptions.defaults().withStrictness(ParseOptions.Strictness.FLAGD));
    Resolution deep = snapshot.evaluate("deep", ValueType.BOOLEAN, false, null);
    assertThat(deep.errorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(deep.errorMessage())
        .startsWith("flags.deep.targeting: one evaluation could visit more than 100000");
    EvaluationContext staff = EvaluationContext.fromJson(Map.of("email", "ann@staff"));
    assertThat(snapshot.evaluate("plain", ValueType.BOOLEAN, false, staff).value()).isEqualTo(true);
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> new ParseOptions.Limits(0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ParseOptions.defaults().limits()).isEqualTo(ParseOptions.Limits.DEFAULTS);
  }
}
