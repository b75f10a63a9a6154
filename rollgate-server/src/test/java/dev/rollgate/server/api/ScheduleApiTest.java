package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scheduled changes over HTTP on both stores. The server runs on a clock the test moves; the
 * scheduler runs on its own thread every quarter second, so after moving the clock a test waits
 * (bounded) for it to act, and never for time to pass.
 */
class ScheduleApiTest extends ServerTestBase {
  private static final long T0 = Instant.parse("2026-12-01T09:00:00Z").toEpochMilli();
  private static final String FLAG = P + "/flags/new-checkout";
  private static final String SCHEDULES = FLAG + "/environments/production/schedules";

  private final MutableClock clock = new MutableClock(T0);

  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_WEBHOOK_ALLOW_PRIVATE", "true");
  }

  @Override
  Clock clock() {
    return clock;
  }

  private static String at(Duration fromStart) {
    return Instant.ofEpochMilli(T0).plus(fromStart).toString();
  }

  private Map<String, Object> schedule(Duration in, Map<String, Object> change) {
    Response r =
        admin.post(SCHEDULES, Map.of("at", at(in), "change", change, "comment", "launch day"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.object();
  }

  /** Waits for the scheduler thread to end {@code id}; the clock has been moved past its time. */
  private Map<String, Object> awaitDone(String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      Map<String, Object> s = admin.get(SCHEDULES + "/" + id).object();
      if (!"PENDING".equals(s.get("state")) || System.nanoTime() > deadline) {
        return s;
      }
      Thread.sleep(20);
    }
  }

  private Map<String, Object> production() {
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> envs =
        (Map<String, Map<String, Object>>) admin.get(FLAG).object().get("environments");
    return envs.get("production");
  }

  @Test
  void aScheduledKillSwitchIsAppliedOnceAtItsTimeByTheScheduler() throws InterruptedException {
    admin.post(P + "/flags", checkoutFlag());
    Response registered =
        admin.post(
            "/api/v1/webhooks",
            Map.of(
                "url",
                "http://127.0.0.1:9/hook",
                "events",
                List.of("flag.scheduled_change_applied")));
    assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
    String hook = (String) registered.object().get("id");
    Map<String, Object> created = schedule(Duration.ofHours(2), Map.of("state", "DISABLED"));
    String id = (String) created.get("id");
    assertThat(created)
        .containsEntry("state", "PENDING")
        .containsEntry("at", at(Duration.ofHours(2)))
        .containsEntry("comment", "launch day")
        .containsEntry("change", Map.of("state", "DISABLED"));
    assertThat(admin.get(FLAG).object().get("schedules").toString()).contains(id);

    clock.advance(Duration.ofMinutes(119).toMillis());
    Thread.sleep(600); // the scheduler ran at least twice: still too early
    assertThat(admin.get(SCHEDULES + "/" + id).object()).containsEntry("state", "PENDING");
    assertThat(production()).containsEntry("state", "ENABLED");

    clock.advance(Duration.ofMinutes(1).toMillis());
    Map<String, Object> done = awaitDone(id);
    assertThat(done).containsEntry("state", "APPLIED").containsEntry("late", false);
    assertThat(production()).containsEntry("state", "DISABLED");
    assertThat(admin.get(FLAG).object().get("schedules")).isEqualTo(List.of());

    Map<String, Object> audit =
        admin.get("/api/v1/audit?resource=projects/default/flags/new-checkout").object();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> events = (List<Map<String, Object>>) audit.get("items");
    assertThat(events)
        .anySatisfy(e ->
            assertThat(e)
                .containsEntry("action", "flag.disable")
                .containsEntry("actorId", "scheduler")
                .containsEntry("comment", "launch day"))
        .anySatisfy(e -> assertThat(e).containsEntry("action", "flag.schedule.create"))
        .anySatisfy(e -> assertThat(e).containsEntry("action", "flag.schedule.applied"));
    assertThat(events.stream().filter(e -> e.get("action").equals("flag.disable")).count())
        .as("applied once")
        .isEqualTo(1);
    assertThat(
            (String)
                events.stream()
                    .filter(e -> e.get("action").equals("flag.disable"))
                    .findFirst()
                    .orElseThrow()
                    .get("actor"))
        .startsWith("scheduler for ");
    assertThat(admin.get("/api/v1/webhooks/" + hook + "/deliveries").text())
        .contains("flag.scheduled_change_applied");
  }

  @Test
  void twoReplicasApplyEachScheduleOnce() throws InterruptedException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        store == dev.rollgate.server.testing.StoreKind.POSTGRES, "replicas share PostgreSQL");
    admin.post(P + "/flags", checkoutFlag());
    try (dev.rollgate.server.testing.TestServer other = server.replica(null, Map.of())) {
      List<String> ids = new java.util.ArrayList<>();
      for (int minute = 1; minute <= 4; minute++) {
        ids.add(
            (String)
                schedule(
                        Duration.ofMinutes(minute),
                        Map.of("state", minute % 2 == 1 ? "DISABLED" : "ENABLED"))
                    .get("id"));
      }
      long before = ((Number) admin.get(FLAG).object().get("version")).longValue();
      clock.advance(Duration.ofMinutes(4).toMillis()); // both replicas' schedulers see all four due
      for (String id : ids) {
        assertThat(awaitDone(id)).containsEntry("state", "APPLIED");
      }
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> events =
          (List<Map<String, Object>>)
              other
                  .admin()
                  .get("/api/v1/audit?resource=projects/default/flags/new-checkout")
                  .object()
                  .get("items");
      assertThat(events.stream().filter(e -> "flag.schedule.applied".equals(e.get("action"))))
          .as("each applied once, by one replica")
          .hasSize(4);
      assertThat(
              events.stream()
                  .filter(e -> "scheduler".equals(e.get("actorId")))
                  .filter(e -> !"flag.schedule.applied".equals(e.get("action"))))
          .hasSize(4);
      assertThat(((Number) admin.get(FLAG).object().get("version")).longValue())
          .isEqualTo(before + 4);
      assertThat(production()).containsEntry("state", "ENABLED");
    }
  }

  @Test
  void aPercentageStepAndWeightsMoveOnlyTheSplitsBoundary() throws InterruptedException {
    admin.post(P + "/flags", checkoutFlag());
    Map<String, Object> noRules = new java.util.HashMap<>();
    noRules.put("targeting", null);
    assertThat(admin.patch(FLAG + "/environments/production", noRules).status()).isEqualTo(200);
    String step = (String) schedule(Duration.ofMinutes(10), Map.of("percentage", 25)).get("id");
    clock.advance(Duration.ofMinutes(10).toMillis());
    assertThat(awaitDone(step)).containsEntry("state", "APPLIED");
    assertThat(production().get("targeting"))
        .isEqualTo(Map.of("fractional", List.of(List.of("on", 1L), List.of("off", 3L))));

    String reweight =
        (String)
            schedule(Duration.ofMinutes(20), Map.of("weights", Map.of("on", 1, "off", 1)))
                .get("id");
    clock.advance(Duration.ofMinutes(10).toMillis());
    assertThat(awaitDone(reweight)).containsEntry("state", "APPLIED");
    assertThat(production().get("targeting"))
        .isEqualTo(Map.of("fractional", List.of(List.of("on", 1L), List.of("off", 1L))));
  }

  @Test
  void aChangeThatNoLongerAppliesFailsVisibly() throws InterruptedException {
    admin.post(
        P + "/flags",
        Map.of(
            "key", "new-checkout",
            "variants", Map.of("a", "A", "b", "B", "c", "C"),
            "defaultVariant", "a"));
    String id = (String) schedule(Duration.ofHours(1), Map.of("defaultVariant", "c")).get("id");
    // The variant is removed before the schedule's time.
    assertThat(admin.patch(FLAG, Map.of("variants", Map.of("a", "A", "b", "B"))).status())
        .isEqualTo(200);
    clock.advance(Duration.ofHours(1).toMillis());
    Map<String, Object> failed = awaitDone(id);
    assertThat(failed).containsEntry("state", "FAILED");
    assertThat((String) failed.get("reason")).contains("\"c\" is not one of the variants");
    assertThat(production()).containsEntry("defaultVariant", "a");
    assertThat(admin.get("/api/v1/audit?action=flag.schedule.failed").text()).contains(id);
  }

  @Test
  void aScheduleMissedWhileTheServerWasDownIsAppliedAtTheNextStartAndSaysSo()
      throws InterruptedException {
    admin.post(P + "/flags", checkoutFlag());
    String id = (String) schedule(Duration.ofMinutes(30), Map.of("state", "DISABLED")).get("id");
    server.stop();
    clock.advance(Duration.ofHours(3).toMillis());
    server.start();
    admin = server.admin();
    Map<String, Object> done = awaitDone(id);
    assertThat(done).containsEntry("state", "APPLIED").containsEntry("late", true);
    assertThat((String) done.get("reason"))
        .contains("applied late: due at " + at(Duration.ofMinutes(30)));
    assertThat(production()).containsEntry("state", "DISABLED");
  }

  @Test
  void cancelledSchedulesAreNotAppliedAndCannotBeCancelledTwice() throws InterruptedException {
    admin.post(P + "/flags", checkoutFlag());
    String id = (String) schedule(Duration.ofMinutes(5), Map.of("state", "DISABLED")).get("id");
    Response stale = admin.send("DELETE", SCHEDULES + "/" + id, null, "If-Match", "\"7\"");
    assertThat(stale.status()).isEqualTo(412);
    Response cancelled = admin.delete(SCHEDULES + "/" + id);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.object()).containsEntry("state", "CANCELLED");
    assertThat(admin.delete(SCHEDULES + "/" + id).status()).isEqualTo(409);
    clock.advance(Duration.ofMinutes(10).toMillis());
    Thread.sleep(600);
    assertThat(production()).containsEntry("state", "ENABLED");
    assertThat(admin.get(SCHEDULES + "?state=CANCELLED").text()).contains(id);
    assertThat(admin.get(SCHEDULES + "?state=PENDING").object().get("items")).isEqualTo(List.of());
  }

  @Test
  void badSchedulesAreRefusedAndViewersAndSdkTokensCannotSchedule() {
    admin.post(P + "/flags", checkoutFlag());
    List<Map<String, Object>> bad =
        List.of(
            Map.of("at", at(Duration.ofMinutes(-1)), "change", Map.of("state", "DISABLED")),
            Map.of("at", at(Duration.ofDays(400)), "change", Map.of("state", "DISABLED")),
            Map.of("at", "tomorrow", "change", Map.of("state", "DISABLED")),
            Map.of("at", at(Duration.ofHours(1)), "change", Map.of()),
            Map.of("at", at(Duration.ofHours(1)), "change", Map.of("state", "SOMETIMES")),
            Map.of("at", at(Duration.ofHours(1)), "change", Map.of("defaultVariant", "maybe")),
            Map.of("at", at(Duration.ofHours(1)), "change", Map.of("percentage", 101)),
            Map.of("at", at(Duration.ofHours(1)), "change", Map.of("percentage", 12.345)),
            Map.of("at", at(Duration.ofHours(1)), "change", Map.of("weights", Map.of("on", -1))),
            Map.of(
                "at",
                at(Duration.ofHours(1)),
                "change",
                Map.of("state", "DISABLED", "percentage", 5)),
            Map.of("at", at(Duration.ofHours(1)), "change", Map.of("targeting", Map.of("nope", 1))),
            Map.of(
                "at", at(Duration.ofHours(1)), "change", Map.of("state", "DISABLED"), "extra", 1));
    for (Map<String, Object> body : bad) {
      Response r = admin.post(SCHEDULES, body);
      assertThat(r.status()).as(body + " -> " + r).isEqualTo(400);
      assertThat(r.object()).containsKeys("code", "message", "requestId");
    }
    assertThat(admin.get(SCHEDULES).object().get("items")).isEqualTo(List.of());
    Map<String, Object> good =
        Map.of("at", at(Duration.ofHours(1)), "change", Map.of("state", "DISABLED"));
    ApiClient viewer = admin.withToken(token("viewer"));
    assertThat(viewer.post(SCHEDULES, good).status()).isEqualTo(403);
    assertThat(viewer.get(SCHEDULES).status()).isEqualTo(200);
    ApiClient sdk = admin.withToken(token("sdk"));
    assertThat(sdk.post(SCHEDULES, good).status()).isEqualTo(403);
    assertThat(sdk.get(SCHEDULES).status()).isEqualTo(403);
    assertThat(admin.post(P + "/flags/ghost/environments/production/schedules", good).status())
        .isEqualTo(404);
  }
}
