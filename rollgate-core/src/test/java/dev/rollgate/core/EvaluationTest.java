package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.rollgate.core.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Resolution semantics: reasons, types, defaults, metadata, explanations, the kill switch. */
class EvaluationTest {
  static final String FLAGS =
      """
      {
        "metadata": {"owner": "platform", "tier": 1},
        "flags": {
          "static-bool": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
          "disabled": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
          "whole-float": {"state": "ENABLED", "variants": {"ten": 10.0, "half": 0.5}, "defaultVariant": "ten"},
          "half": {"state": "ENABLED", "variants": {"ten": 10.0, "half": 0.5}, "defaultVariant": "half"},
          "object": {"state": "ENABLED", "variants": {"cfg": {"a": [1, 2]}}, "defaultVariant": "cfg"},
          "targeted": {
            "state": "ENABLED",
            "variants": {"beta": "beta", "stable": "stable"},
            "defaultVariant": "stable",
            "metadata": {"tier": 2},
            "targeting": {"if": [
              {"and": [
                {"in": [{"var": "country"}, ["DE", "FR"]]},
                {"ends_with": [{"var": "email"}, "@rollgate.dev"]},
                {">=": [{"var": "age"}, 18]}
              ]},
              "beta"
            ]}
          },
          "split": {
            "state": "ENABLED",
            "variants": {"a": "A", "b": "B"},
            "defaultVariant": "a",
            "targeting": {"fractional": [["a", 50], ["b", 50]]}
          },
          "bool-from-condition": {
            "state": "ENABLED",
            "variants": {"true": "yes", "false": "no"},
            "defaultVariant": "false",
            "targeting": {"==": [{"var": "plan"}, "pro"]}
          },
          "bad-result": {
            "state": "ENABLED",
            "variants": {"a": "A"},
            "defaultVariant": "a",
            "targeting": {"if": [true, "nonexistent"]}
          },
          "number-result": {
            "state": "ENABLED",
            "variants": {"a": "A"},
            "defaultVariant": "a",
            "targeting": {"+": [1, 2]}
          },
          "no-default": {"state": "ENABLED", "variants": {"a": "A"}},
          "clock": {
            "state": "ENABLED",
            "variants": {"before": "before", "after": "after"},
            "defaultVariant": "before",
            "targeting": {"if": [{">=": [{"var": "$flagd.timestamp"}, 1800000000]}, "after"]}
          }
        }
      }
      """;

  static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

  private final FlagSnapshot flags =
      FlagSnapshot.parse(FLAGS, ParseOptions.defaults().withEnvironment(Map.of()).withClock(NOW));

  private static final EvaluationContext MATCHING =
      EvaluationContext.of(
          "user-1", Map.of("country", "DE", "email", "ada@rollgate.dev", "age", 36));

  @Test
  void staticFlagServesItsDefaultVariant() {
    Resolution r =
        flags.evaluate("static-bool", ValueType.BOOLEAN, false, EvaluationContext.empty());
    assertThat(r.value()).isEqualTo(true);
    assertThat(r.variant()).isEqualTo("on");
    assertThat(r.reason()).isEqualTo(Reason.STATIC);
    assertThat(r.errorCode()).isNull();
    assertThat(r.metadata()).containsExactly(Map.entry("owner", "platform"), Map.entry("tier", 1L));
  }

  @Test
  void staticEvaluationReturnsTheSamePreparedResolution() {
    Resolution first = flags.evaluate("static-bool", ValueType.BOOLEAN, false, null);
    assertThat(flags.evaluate("static-bool", ValueType.BOOLEAN, true, MATCHING)).isSameAs(first);
  }

  @Test
  void disabledFlagServesTheCallersDefault() {
    Resolution r = flags.evaluate("disabled", ValueType.BOOLEAN, false, MATCHING);
    assertThat(r.value()).isEqualTo(false);
    assertThat(r.variant()).isNull();
    assertThat(r.reason()).isEqualTo(Reason.DISABLED);
  }

  @Test
  void targetingMatchAndDefault() {
    Resolution match = flags.evaluate("targeted", ValueType.STRING, "x", MATCHING);
    assertThat(match.value()).isEqualTo("beta");
    assertThat(match.reason()).isEqualTo(Reason.TARGETING_MATCH);
    assertThat(match.metadata()).containsEntry("tier", 2L).containsEntry("owner", "platform");

    EvaluationContext minor =
        EvaluationContext.of(
            "user-2", Map.of("country", "DE", "email", "kid@rollgate.dev", "age", 12));
    Resolution fallback = flags.evaluate("targeted", ValueType.STRING, "x", minor);
    assertThat(fallback.value()).isEqualTo("stable");
    assertThat(fallback.reason()).isEqualTo(Reason.DEFAULT);

    Resolution missing =
        flags.evaluate("targeted", ValueType.STRING, "x", EvaluationContext.empty());
    assertThat(missing.value()).isEqualTo("stable");
    assertThat(missing.reason()).isEqualTo(Reason.DEFAULT);
  }

  @Test
  void fractionalSplitReportsSplit() {
    Resolution r = flags.evaluate("split", ValueType.STRING, "x", EvaluationContext.of("user-1"));
    assertThat(r.reason()).isEqualTo(Reason.SPLIT);
    assertThat(r.variant()).isIn("a", "b");
    assertThat(r.value()).isEqualTo(r.variant().toUpperCase(Locale.ROOT));
  }

  @Test
  void fractionalWithoutTargetingKeyFallsBackToDefault() {
    Resolution r = flags.evaluate("split", ValueType.STRING, "x", EvaluationContext.empty());
    assertThat(r.reason()).isEqualTo(Reason.DEFAULT);
    assertThat(r.value()).isEqualTo("A");
  }

  @Test
  void booleanTargetingResultNamesTheVariant() {
    var pro = EvaluationContext.of(null, Map.of("plan", "pro"));
    assertThat(flags.evaluate("bool-from-condition", ValueType.STRING, "", pro).value())
        .isEqualTo("yes");
    assertThat(flags.evaluate("bool-from-condition", ValueType.STRING, "", null).value())
        .isEqualTo("no");
  }

  @Test
  void targetingThatNamesNoVariantIsAGeneralError() {
    Resolution r = flags.evaluate("bad-result", ValueType.STRING, "dflt", null);
    assertThat(r.reason()).isEqualTo(Reason.ERROR);
    assertThat(r.errorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(r.value()).isEqualTo("dflt");
    assertThat(r.errorMessage())
        .isEqualTo(
            "targeting returned \"nonexistent\", which is not a variant of flag \"bad-result\"");

    Resolution number = flags.evaluate("number-result", ValueType.STRING, "dflt", null);
    assertThat(number.errorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(number.errorMessage())
        .isEqualTo("targeting returned a number (3.0), not a variant name");
  }

  @Test
  void missingFlagIsFlagNotFound() {
    Resolution r = flags.evaluate("nope", ValueType.BOOLEAN, true, null);
    assertThat(r.errorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(r.value()).isEqualTo(true);
    assertThat(r.metadata()).isEmpty();
    assertThat(flags.evaluate(null, ValueType.BOOLEAN, true, null).errorCode())
        .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
  }

  @Test
  void noDefaultVariantServesTheCallersDefault() {
    Resolution r = flags.evaluate("no-default", ValueType.STRING, "mine", null);
    assertThat(r.value()).isEqualTo("mine");
    assertThat(r.reason()).isEqualTo(Reason.DEFAULT);
    assertThat(r.variant()).isNull();
  }

  @Test
  void typedResolution() {
    assertThat(flags.evaluate("whole-float", ValueType.INTEGER, 0L, null).value()).isEqualTo(10L);
    assertThat(flags.evaluate("whole-float", ValueType.DOUBLE, 0.0, null).value()).isEqualTo(10.0);
    assertThat(flags.evaluate("half", ValueType.DOUBLE, 0.0, null).value()).isEqualTo(0.5);
    assertThat(flags.evaluate("object", ValueType.OBJECT, Map.of(), null).value())
        .isEqualTo(Map.of("a", List.of(1L, 2L)));
    assertThat(flags.evaluate("static-bool", ValueType.ANY, null, null).value()).isEqualTo(true);

    Resolution mismatch = flags.evaluate("half", ValueType.INTEGER, 7L, null);
    assertThat(mismatch.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(mismatch.value()).isEqualTo(7L);
    assertThat(mismatch.errorMessage())
        .isEqualTo("flag \"half\" has number variants; integer was asked for");
    assertThat(flags.evaluate("static-bool", ValueType.STRING, "", null).errorCode())
        .isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(flags.evaluate("targeted", ValueType.OBJECT, Map.of(), MATCHING).errorCode())
        .isEqualTo(ErrorCode.TYPE_MISMATCH);
  }

  @Test
  void flagdTimestampComesFromTheInjectedClock() {
    assertThat(flags.evaluate("clock", ValueType.STRING, "", null).value()).isEqualTo("before");
    FlagSnapshot later =
        FlagSnapshot.parse(
            FLAGS,
            ParseOptions.defaults()
                .withEnvironment(Map.of())
                .withClock(Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC)));
    assertThat(later.evaluate("clock", ValueType.STRING, "", null).value()).isEqualTo("after");
  }

  @Test
  void explanationWalksTheRuleAndNamesTheFailingCondition() {
    EvaluationContext minor =
        EvaluationContext.of(
            "user-2", Map.of("country", "DE", "email", "kid@rollgate.dev", "age", 12));
    Resolution r = flags.explain("targeted", ValueType.STRING, "x", minor);
    assertThat(r.explanation())
        .extracting(ExplanationStep::at, ExplanationStep::note)
        .containsExactly(
            tuple(
                "flags.targeted.targeting.if[0].and[2]",
                "this condition failed, so \"and\" is false"),
            tuple("flags.targeted.targeting.if[0]", "condition did not match"),
            tuple(
                "flags.targeted.targeting.if",
                "no condition matched and there is no else branch: null"),
            tuple("targeting", "targeting chose no variant"),
            tuple("defaultVariant", "serving the default variant \"stable\""));
    assertThat(r.explanation().getFirst().expression())
        .isEqualTo("{\">=\":[{\"var\":\"age\"},18]}");
    assertThat(r.toJson()).containsKey("explanation");
    assertThat(flags.evaluate("targeted", ValueType.STRING, "x", minor).explanation()).isNull();
  }

  @Test
  void explanationShowsBucketing() {
    Resolution r = flags.explain("split", ValueType.STRING, "x", EvaluationContext.of("user-1"));
    ExplanationStep bucketing = r.explanation().getFirst();
    assertThat(bucketing.at()).isEqualTo("flags.split.targeting.fractional");
    assertThat(bucketing.details())
        .containsEntry("input", "splituser-1")
        .containsEntry("totalWeight", 100L);
    long bucket = (Long) bucketing.details().get("bucket");
    assertThat(r.variant()).isEqualTo(bucket < 50 ? "a" : "b");
  }

  @Test
  void resolutionJsonLeavesOutAbsentFields() {
    assertThat(Json.write(flags.evaluate("disabled", ValueType.ANY, null, null).toJson()))
        .isEqualTo(
            "{\"key\":\"disabled\",\"value\":null,\"reason\":\"DISABLED\",\"metadata\":{\"owner\":\"platform\",\"tier\":1}}");
    assertThat(Json.write(flags.evaluate("nope", ValueType.ANY, null, null).toJson()))
        .isEqualTo(
            "{\"key\":\"nope\",\"value\":null,\"reason\":\"ERROR\",\"errorCode\":\"FLAG_NOT_FOUND\",\"errorMessage\":\"flag \\\"nope\\\" not found\"}");
  }
}
