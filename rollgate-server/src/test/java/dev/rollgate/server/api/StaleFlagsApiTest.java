package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Usage persisted in the store (across a restart, summed over replicas) and the stale-flag report
 * built on it, over HTTP on both stores, on a clock the test moves.
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class StaleFlagsApiTest extends ServerTestBase {
  private static final long T0 = Instant.parse("2026-10-01T09:00:00Z").toEpochMilli();
  private static final Map<String, Object> ON_OFF = Map.of("on", true, "off", false);

  private final MutableClock clock = new MutableClock(T0);

  @Override
  Clock clock() {
    return clock;
  }

  private static Map<String, Object> flag(
      String key, String defaultVariant, Map<String, Object> production) {
    return Map.of(
        "key",
        key,
        "variants",
        ON_OFF,
        "defaultVariant",
        defaultVariant,
        "environments",
        Map.of("production", production));
  }

  private void create(Map<String, Object> flag) {
    Response r = admin.post(P + "/flags", flag);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  private static void evaluate(ApiClient sdk, String flag, Map<String, Object> context, int times) {
    for (int i = 0; i < times; i++) {
      Response r = sdk.post("/ofrep/v1/evaluate/flags/" + flag, Map.of("context", context));
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
  }

  private static List<String> keys(Map<String, Object> env, String list) {
    return ((List<Map<String, Object>>) env.get(list))
        .stream().map(f -> (String) f.get("flag")).toList();
  }

  private static Map<String, Object> finding(Map<String, Object> env, String list, String flag) {
    return ((List<Map<String, Object>>) env.get(list))
        .stream().filter(f -> flag.equals(f.get("flag"))).findFirst().orElseThrow();
  }

  @Test
  void theReportFindsUnusedFullyRolledOutAndUnchangedFlagsWithTheirEvidence() {
    Map<String, Object> pro = Map.of("==", List.of(Map.of("var", "plan"), "pro"));
    create(flag("gate", "on", Map.of("state", "ENABLED")));
    create(
        flag(
            "active",
            "off",
            Map.of(
                "state",
                "ENABLED",
                "targeting",
                Map.of("if", List.of(pro, "on", "off")),
                "prerequisites",
                List.of(Map.of("flag", "gate", "variants", List.of("on"))))));
    create(flag("idle", "off", Map.of("state", "ENABLED")));
    create(flag("done", "on", Map.of("state", "ENABLED")));
    create(flag("killed", "on", Map.of("state", "DISABLED")));

    clock.advance(Duration.ofDays(40).toMillis());
    create(flag("fresh", "off", Map.of("state", "ENABLED"))); // too young to be unused
    ApiClient sdk = server.as(server.sdkToken());
    evaluate(sdk, "active", Map.of("targetingKey", "u1", "plan", "pro"), 2);
    evaluate(sdk, "active", Map.of("targetingKey", "u2", "plan", "free"), 1);
    evaluate(sdk, "done", Map.of("targetingKey", "u1"), 3);
    evaluate(sdk, "killed", Map.of("targetingKey", "u1"), 2);

    Response r = admin.get(P + "/stale-flags?days=30");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.object()).containsEntry("project", "default").containsEntry("days", 30L);
    Map<String, Object> environments = (Map<String, Object>) r.object().get("environments");
    assertThat(environments).containsOnlyKeys("development", "production", "staging");
    Map<String, Object> production = (Map<String, Object>) environments.get("production");

    // gate is never asked for, but active evaluates it: it is not unused.
    assertThat(keys(production, "notEvaluated")).containsExactly("idle");
    assertThat(finding(production, "notEvaluated", "idle"))
        .containsEntry("lastEvaluatedAt", null)
        .containsEntry("evidence", "not evaluated in production for 30 days (never evaluated)");
    assertThat((String) finding(production, "notEvaluated", "idle").get("suggestion"))
        .contains("rollgate code-refs")
        .contains("archive");

    assertThat(keys(production, "fullyRolledOut")).containsExactly("done", "killed");
    Map<String, Object> done = finding(production, "fullyRolledOut", "done");
    assertThat(done).containsEntry("variant", "on").containsEntry("evaluations", 3L);
    assertThat((String) done.get("evidence"))
        .startsWith("served on to every evaluation in production for 30 days (3 evaluations)");
    assertThat((String) done.get("suggestion")).contains("keeping the path of on");
    Map<String, Object> killed = finding(production, "fullyRolledOut", "killed");
    assertThat(killed).containsEntry("variant", null).containsEntry("evaluations", 2L);
    assertThat((String) killed.get("suggestion")).contains("keeping the code default's path");

    assertThat(keys(production, "unchanged"))
        .containsExactly("active", "done", "gate", "idle", "killed");
    assertThat(finding(production, "unchanged", "gate"))
        .containsEntry("requiredBy", List.of("active"));
    assertThat((String) finding(production, "unchanged", "gate").get("suggestion"))
        .contains("archive");

    // Nothing is evaluated in staging: every old enough flag is unused there.
    Map<String, Object> staging = (Map<String, Object>) environments.get("staging");
    assertThat(keys(staging, "notEvaluated"))
        .containsExactly("active", "done", "gate", "idle", "killed");

    // A shorter period: done was last changed 40 days ago either way, but over 50 days fresh
    // has not existed long enough to be judged and the flags created at T0 are younger.
    Map<String, Object> fifty =
        (Map<String, Object>)
            ((Map<String, Object>)
                    admin.get(P + "/stale-flags?days=50").object().get("environments"))
                .get("production");
    assertThat(keys(fifty, "notEvaluated")).isEmpty();
    assertThat(keys(fifty, "unchanged")).isEmpty();
  }

  @Test
  void badPeriodsAndUnknownProjectsAreRefused() {
    assertThat(admin.get(P + "/stale-flags?days=0").status()).isEqualTo(400);
    Response words = admin.get(P + "/stale-flags?days=month");
    assertThat(words.status()).isEqualTo(400);
    assertThat(words.text()).contains("days");
    assertThat(admin.get(P + "/stale-flags?days=366").status()).isEqualTo(400);
    assertThat(admin.get("/api/v1/projects/nope/stale-flags").status()).isEqualTo(404);
    assertThat(server.as(server.sdkToken()).get(P + "/stale-flags").status()).isEqualTo(403);
  }

  @Test
  void evaluationsAnSdkAddedUpAreCountedAndBadOnesRefused() {
    create(flag("done", "on", Map.of("state", "ENABLED")));
    ApiClient sdk = server.as(server.sdkToken());
    Map<String, Object> good =
        Map.of(
            "type",
            "evaluations",
            "flag",
            "done",
            "variant",
            "on",
            "reason",
            "STATIC",
            "count",
            40,
            "time",
            T0 - 1000);
    Response r =
        sdk.post(
            "/api/v1/events",
            Map.of(
                "events",
                List.of(
                    good,
                    Map.of("type", "evaluations", "flag", "done", "reason", "NOPE", "count", 1),
                    Map.of("type", "evaluations", "flag", "done", "reason", "STATIC", "count", 0),
                    Map.of("type", "evaluations", "flag", "gone", "reason", "STATIC", "count", 1),
                    Map.of(
                        "type",
                        "evaluations",
                        "flag",
                        "done",
                        "variant",
                        "junk-1",
                        "reason",
                        "STATIC",
                        "count",
                        1),
                    Map.of(
                        "type",
                        "evaluations",
                        "flag",
                        "done",
                        "reason",
                        "STATIC",
                        "count",
                        1,
                        "route",
                        "/x"))));
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    assertThat(r.object()).containsEntry("accepted", 1L);
    assertThat(r.text())
        .contains("is not an evaluation reason: NOPE")
        .contains("no flag gone in this environment")
        .contains("flag done has no variant junk-1")
        .contains("unknown field for a evaluations event");
    Map<String, Object> usage = admin.get(P + "/environments/production/flags/done/usage").object();
    assertThat(usage).containsEntry("total", 40L);
    assertThat(usage.get("byReason")).isEqualTo(Map.of("STATIC", 40L));
    assertThat(usage.get("lastEvaluatedAt")).isEqualTo(Instant.ofEpochMilli(T0 - 1000).toString());
  }

  @Test
  void usageSurvivesARestart() {
    create(flag("done", "on", Map.of("state", "ENABLED")));
    evaluate(server.as(server.sdkToken()), "done", Map.of("targetingKey", "u1"), 3);
    server.stop(); // flushes what it counted
    server.start();
    admin = server.admin();
    Map<String, Object> report =
        admin.get(P + "/environments/production/flags/done/usage").object();
    assertThat(report).containsEntry("total", 3L);
    assertThat(report.get("byVariant")).isEqualTo(Map.of("on", 3L));
    assertThat(report.get("lastEvaluatedAt")).isEqualTo(Instant.ofEpochMilli(T0).toString());
  }

  @Test
  void everyReplicaCountsIntoTheSameTotals() {
    assumeTrue(store == StoreKind.POSTGRES, "replicas share a PostgreSQL store");
    create(flag("done", "on", Map.of("state", "ENABLED")));
    String sdkToken = server.sdkToken();
    try (TestServer other = server.replica(null, Map.of())) {
      evaluate(server.as(sdkToken), "done", Map.of("targetingKey", "u1"), 2);
      evaluate(other.as(sdkToken), "done", Map.of("targetingKey", "u2"), 3);
      // Each replica flushes its own counts before it reads (and every 5 s): once both have,
      // the two read the same sums.
      doneUsage(other.admin());
      Map<String, Object> here = doneUsage(admin);
      Map<String, Object> there = doneUsage(other.admin());
      assertThat(here).containsEntry("total", 5L).isEqualTo(there);
    }
  }

  private static Map<String, Object> doneUsage(ApiClient reader) {
    return (Map<String, Object>)
        ((Map<String, Object>)
                reader.get(P + "/environments/production/usage").object().get("flags"))
            .get("done");
  }
}
