package dev.rollgate.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Reason;
import dev.rollgate.core.ValueType;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Evaluations made in process reach the server's flag usage (and so the stale-flag report), added
 * up per flag, variant and reason.
 */
@SuppressWarnings("unchecked") // JSON read back as maps
class UsageEndToEndTest {
  private static final String P = "/api/v1/projects/default";

  @Test
  void inProcessEvaluationsAreCountedByTheServer() throws Exception {
    try (TestServer server = TestServer.start(StoreKind.SQLITE)) {
      ApiClient admin = server.admin();
      admin.post(TestFlags.FLAGS, TestFlags.checkout());
      RollgateClient client =
          RollgateClient.builder()
              .baseUrl(admin.base())
              .sdkToken(server.sdkToken())
              .flushInterval(Duration.ofMillis(50))
              .build();
      try (client) {
        assertThat(client.awaitReady(Duration.ofSeconds(10))).isTrue();
        for (int i = 0; i < 5; i++) {
          client.booleanDetails(
              "new-checkout", EvaluationContext.of("u" + i, Map.of("plan", "pro")), false);
        }
        client.booleanDetails("new-checkout", EvaluationContext.of("u9", Map.of()), false);
        client.booleanDetails("no-such-flag", EvaluationContext.of("u9", Map.of()), false);
      } // close sends what is left
      Map<String, Object> usage =
          admin.get(P + "/environments/production/flags/new-checkout/usage").object();
      assertThat(usage).containsEntry("total", 6L);
      assertThat(usage.get("byVariant")).isEqualTo(Map.of("on", 5L, "off", 1L));
      assertThat(usage.get("byReason")).isEqualTo(Map.of("TARGETING_MATCH", 5L, "DEFAULT", 1L));
    }
  }

  @Test
  void countsAreSentAsDeltasAndBounded() {
    EvaluationCounts counts = new EvaluationCounts();
    assertThat(counts.record("a", "on", Reason.SPLIT)).isTrue();
    assertThat(counts.record("a", "on", Reason.SPLIT)).isTrue();
    assertThat(counts.record("a", null, Reason.DISABLED)).isTrue();
    List<Map<String, Object>> first = counts.drain(3_000);
    assertThat(first)
        .containsExactlyInAnyOrder(
            Map.of(
                "type",
                "evaluations",
                "flag",
                "a",
                "variant",
                "on",
                "reason",
                "SPLIT",
                "count",
                2L,
                "time",
                3_000L),
            Map.of(
                "type",
                "evaluations",
                "flag",
                "a",
                "variant",
                "",
                "reason",
                "DISABLED",
                "count",
                1L,
                "time",
                3_000L));
    assertThat(counts.drain(4_000)).as("nothing new, nothing sent").isEmpty();
    counts.record("a", "on", Reason.SPLIT);
    assertThat(counts.drain(5_000))
        .singleElement()
        .satisfies(e -> assertThat(e).containsEntry("count", 1L));

    for (int i = 0; i < EvaluationCounts.MAX_SERIES; i++) {
      counts.record("f" + i, "on", Reason.STATIC);
    }
    assertThat(counts.record("one-too-many", "on", Reason.STATIC)).isFalse();
    assertThat(counts.record("a", "on", Reason.STATIC)).as("a known series still counts").isTrue();
  }

  /**
   * Counting by resolution (the client's path, with its table of the core's shared resolutions)
   * adds up the same as counting by flag, variant and reason, for prepared resolutions and for
   * resolutions made per call.
   */
  @Test
  void resolutionsAreCountedByTheirFlagVariantAndReason() {
    FlagSnapshot flags =
        FlagSnapshot.parse(
            """
            {"flags": {
              "a": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
              "b": {"state": "DISABLED", "variants": {"on": true}, "defaultVariant": "on"}
            }}
            """,
            ParseOptions.defaults().withEnvironment(Map.of()));
    EvaluationCounts counts = new EvaluationCounts();
    EvaluationContext user = EvaluationContext.of("u1");
    for (int i = 0; i < 3; i++) {
      assertThat(counts.record(flags.evaluate("a", ValueType.BOOLEAN, false, user))).isTrue();
      assertThat(counts.record(flags.evaluate("a", ValueType.ANY, false, user))).isTrue();
      assertThat(counts.record(flags.evaluate("b", ValueType.BOOLEAN, false, user))).isTrue();
    }
    counts.record("a", "on", Reason.STATIC);
    assertThat(counts.drain(1_000))
        .extracting(
            e -> e.get("flag") + "/" + e.get("variant") + "/" + e.get("reason"),
            e -> e.get("count"))
        .containsExactlyInAnyOrder(tuple("a/on/STATIC", 7L), tuple("b//DISABLED", 3L));
  }
}
