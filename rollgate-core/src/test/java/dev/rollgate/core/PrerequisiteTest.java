package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flags that evaluate their rules only when the flags they require serve the right variant. */
class PrerequisiteTest {
  private static final ParseOptions STRICT = ParseOptions.defaults().withEnvironment(Map.of());
  private static final ParseOptions FLAGD = STRICT.withStrictness(ParseOptions.Strictness.FLAGD);

  private static final String DOCUMENT =
      """
      {"flags": {
        "payments-v2": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"in": [{"var": "tenant"}, ["acme", "globex"]]}, "on"]}},
        "checkout": {"state": "ENABLED", "variants": {"new": "new", "old": "old", "beta": "beta"},
          "defaultVariant": "old",
          "prerequisites": [{"flag": "payments-v2", "variants": ["on"]}],
          "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "beta", "new"]}},
        "receipts": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "prerequisites": [{"flag": "checkout", "variants": ["new", "beta"]}],
          "targeting": {"if": [true, "on"]}},
        "no-default": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "prerequisites": [{"flag": "payments-v2", "variants": ["on"]}]},
        "switched-off": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "needs-off-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on",
          "prerequisites": [{"flag": "switched-off", "variants": ["on", "off"]}]}
      }}
      """;

  private static final FlagSnapshot FLAGS = FlagSnapshot.parse(DOCUMENT, STRICT);

  private static EvaluationContext tenant(String tenant) {
    return EvaluationContext.of("user-1", Map.of("tenant", tenant, "plan", "free"));
  }

  @Test
  void aMetPrerequisiteLetsTheFlagEvaluateItsRules() {
    Resolution r = FLAGS.evaluate("checkout", ValueType.STRING, "x", tenant("acme"));
    assertThat(r.variant()).isEqualTo("new");
    assertThat(r.reason()).isEqualTo(Reason.TARGETING_MATCH);
  }

  @Test
  void aFailedPrerequisiteServesTheDefaultVariantWithItsReason() {
    Resolution r = FLAGS.evaluate("checkout", ValueType.STRING, "x", tenant("initech"));
    assertThat(r.value()).isEqualTo("old");
    assertThat(r.variant()).isEqualTo("old");
    assertThat(r.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
    assertThat(r.errorCode()).isNull();
  }

  @Test
  void chainsAreFollowedInTheSameContext() {
    assertThat(FLAGS.evaluate("receipts", ValueType.BOOLEAN, false, tenant("acme")).value())
        .isEqualTo(true);
    Resolution failed = FLAGS.evaluate("receipts", ValueType.BOOLEAN, true, tenant("initech"));
    assertThat(failed.value()).isEqualTo(false);
    assertThat(failed.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
  }

  @Test
  void withoutADefaultVariantTheCallersDefaultIsServed() {
    Resolution r = FLAGS.evaluate("no-default", ValueType.BOOLEAN, true, tenant("initech"));
    assertThat(r.value()).isEqualTo(true);
    assertThat(r.variant()).isNull();
    assertThat(r.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
  }

  @Test
  void aSwitchedOffPrerequisiteServesNoVariantSoItAlwaysFails() {
    Resolution r = FLAGS.evaluate("needs-off-flag", ValueType.BOOLEAN, false, tenant("acme"));
    assertThat(r.reason()).isEqualTo(Reason.PREREQUISITE_FAILED);
    assertThat(r.value()).isEqualTo(true); // its default variant "on"
  }

  @Test
  void theKillSwitchOfTheDependentFlagComesFirst() {
    FlagSnapshot off =
        FlagSnapshot.parse(
            DOCUMENT,
            ParseOptions.defaults().withEnvironment(Map.of("ROLLGATE_FLAG_CHECKOUT", "off")));
    assertThat(off.evaluate("checkout", ValueType.STRING, "x", tenant("initech")).reason())
        .isEqualTo(Reason.DISABLED);
    FlagSnapshot forcedOn =
        FlagSnapshot.parse(
            DOCUMENT,
            ParseOptions.defaults().withEnvironment(Map.of("ROLLGATE_FLAG_PAYMENTS_V2", "on")));
    assertThat(forcedOn.evaluate("checkout", ValueType.STRING, "x", tenant("initech")).variant())
        .as("a prerequisite forced on by its environment variable is met")
        .isEqualTo("new");
  }

  @Test
  void theExplanationNamesTheFailingPrerequisite() {
    Resolution r = FLAGS.explain("receipts", ValueType.BOOLEAN, false, tenant("initech"));
    ExplanationStep step =
        r.explanation().stream().filter(s -> s.at().startsWith("prerequisites")).findFirst().get();
    assertThat(step.at()).isEqualTo("prerequisites[0]");
    assertThat(step.result()).isEqualTo(false);
    assertThat(step.note())
        .contains("\"checkout\"")
        .contains("PREREQUISITE_FAILED")
        .contains("not one of [new, beta]");
    assertThat(step.details())
        .containsEntry("flag", "checkout")
        .containsEntry("variant", "old")
        .containsEntry("required", List.of("new", "beta"));
    Resolution met = FLAGS.explain("receipts", ValueType.BOOLEAN, false, tenant("acme"));
    assertThat(met.explanation())
        .anySatisfy(s -> assertThat(s.note()).contains("\"checkout\" served variant \"new\""));
  }

  @Test
  void strictLoadingRejectsMissingFlagsUnknownVariantsAndCyclesWithTheirPaths() {
    String document =
        """
        {"flags": {
          "a": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
            "prerequisites": [{"flag": "b", "variants": ["on"]}]},
          "b": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
            "prerequisites": [{"flag": "c", "variants": ["on"]}]},
          "c": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
            "prerequisites": [{"flag": "a", "variants": ["on"]}]},
          "d": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
            "prerequisites": [{"flag": "ghost", "variants": ["on"]}, {"flag": "a", "variants": ["maybe"]}]},
          "e": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
            "prerequisites": [{"flag": "e", "variants": ["on"]}]}
        }}
        """;
    assertThatThrownBy(() -> FlagSnapshot.parse(document, STRICT))
        .isInstanceOfSatisfying(
            InvalidFlagDocumentException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.path() + ": " + p.message())
                    .containsExactlyInAnyOrder(
                        "flags.c.prerequisites[0].flag: prerequisites form a cycle: a -> b -> c -> a",
                        "flags.d.prerequisites[0].flag: there is no flag \"ghost\"",
                        "flags.d.prerequisites[1].variants: \"maybe\" is not a variant of flag \"a\"",
                        "flags.e.prerequisites[0].flag: prerequisites form a cycle: e -> e"));
  }

  @Test
  void malformedPrerequisitesAreProblemsInEitherMode() {
    String document =
        """
        {"flags": {"a": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on",
          "prerequisites": [{"flag": "", "variants": ["on"]}, {"flag": "a", "variants": []},
                            {"flag": "a", "variants": ["on"], "when": 1}, "b"]}}}
        """;
    for (ParseOptions options : List.of(STRICT, FLAGD)) {
      assertThatThrownBy(() -> FlagSnapshot.parse(document, options))
          .isInstanceOfSatisfying(
              InvalidFlagDocumentException.class,
              e ->
                  assertThat(e.problems())
                      .extracting(Problem::path)
                      .containsExactly(
                          "flags.a.prerequisites[0].flag",
                          "flags.a.prerequisites[1].variants",
                          "flags.a.prerequisites[2].when",
                          "flags.a.prerequisites[3]"));
    }
  }

  @Test
  void flagdModeTurnsBrokenPrerequisitesIntoAParseErrorOfThatFlagOnly() {
    String document =
        """
        {"flags": {
          "a": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on",
            "prerequisites": [{"flag": "b", "variants": ["on"]}]},
          "b": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on",
            "prerequisites": [{"flag": "a", "variants": ["on"]}]},
          "c": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on",
            "prerequisites": [{"flag": "ghost", "variants": ["on"]}]},
          "d": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
          "e": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on",
            "prerequisites": [{"flag": "d", "variants": ["on"]}]}
        }}
        """;
    FlagSnapshot flags = FlagSnapshot.parse(document, FLAGD);
    for (String broken : List.of("a", "b", "c")) {
      Resolution r = flags.evaluate(broken, ValueType.BOOLEAN, false, EvaluationContext.empty());
      assertThat(r.errorCode()).as(broken).isEqualTo(ErrorCode.PARSE_ERROR);
    }
    assertThat(
            flags.evaluate("c", ValueType.BOOLEAN, false, EvaluationContext.empty()).errorMessage())
        .isEqualTo("flags.c.prerequisites[0].flag: there is no flag \"ghost\"");
    assertThat(flags.evaluate("e", ValueType.BOOLEAN, false, EvaluationContext.empty()).reason())
        .isEqualTo(Reason.STATIC);
  }

  @Test
  void aChainDeeperThanTheNestingLimitIsRefused() {
    StringBuilder flags = new StringBuilder("{\"flags\": {");
    for (int i = 0; i <= 40; i++) {
      flags
          .append(i == 0 ? "" : ",")
          .append("\"f")
          .append(i)
          .append("\": {\"state\": \"ENABLED\",")
          .append(" \"variants\": {\"on\": true}, \"defaultVariant\": \"on\"");
      if (i < 40) {
        flags
            .append(", \"prerequisites\": [{\"flag\": \"f")
            .append(i + 1)
            .append("\", \"variants\": [\"on\"]}]");
      }
      flags.append("}");
    }
    String document = flags.append("}}").toString();
    assertThatThrownBy(() -> FlagSnapshot.parse(document, STRICT))
        .hasMessageContaining("prerequisites chain deeper than 32 flags");
    FlagSnapshot lenient = FlagSnapshot.parse(document, FLAGD);
    assertThat(
            lenient.evaluate("f39", ValueType.BOOLEAN, false, EvaluationContext.empty()).reason())
        .isEqualTo(Reason.STATIC);
  }

  @Test
  void evaluatingPrerequisitesAllocatesNothing() {
    EvaluationContext[] users = new EvaluationContext[100];
    for (int i = 0; i < users.length; i++) {
      users[i] = tenant(i % 2 == 0 ? "acme" : "initech");
    }
    Runnable work =
        () -> {
          for (int n = 0; n < 1000; n++) {
            for (EvaluationContext user : users) {
              FLAGS.evaluate("receipts", ValueType.BOOLEAN, false, user);
            }
          }
        };
    assertThat(Allocations.steadyState(work))
        .as("bytes for 100,000 evaluations of a two-deep chain")
        .isLessThan(1_000);
  }
}
