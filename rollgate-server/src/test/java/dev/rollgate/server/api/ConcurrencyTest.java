package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Concurrent writers cannot lose each other's updates, and the audit chain stays whole. */
class ConcurrencyTest extends ServerTestBase {

  @Test
  void twoWritersWithTheSameVersionOneWinsOneGets412() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<Response> a =
          pool.submit(() -> {
            start.await();
            return admin.send(
                "PATCH",
                P + "/flags/new-checkout",
                Map.of("description", "from A"),
                "If-Match",
                "\"1\"");
          });
      Future<Response> b =
          pool.submit(() -> {
            start.await();
            return admin.send(
                "PATCH",
                P + "/flags/new-checkout",
                Map.of("description", "from B"),
                "If-Match",
                "\"1\"");
          });
      start.countDown();
      List<Integer> statuses = List.of(a.get().status(), b.get().status());
      assertThat(statuses).containsExactlyInAnyOrder(200, 412);
      String winner = a.get().status() == 200 ? "from A" : "from B";
      assertThat(admin.get(P + "/flags/new-checkout").object())
          .containsEntry("description", winner)
          .containsEntry("version", 2L);
    }
  }

  /**
   * Eight editors each add a tag by read-modify-write with If-Match, retrying on 412: all eight
   * land.
   */
  @Test
  void optimisticWritersRetryingOn412LoseNothing() throws Exception {
    admin.post(P + "/flags", Map.of("key", "tagged", "variants", Map.of("on", true)));
    int writers = 8;
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
      List<Future<Integer>> conflicts = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String tag = "t" + i;
        conflicts.add(
            pool.submit(() -> {
              start.await();
              int seen412 = 0;
              while (true) {
                Response current = admin.get(P + "/flags/tagged");
                List<Object> tags = new ArrayList<>((List<?>) current.object().get("tags"));
                tags.add(tag);
                Response r =
                    admin.send(
                        "PATCH",
                        P + "/flags/tagged",
                        Map.of("tags", tags),
                        "If-Match",
                        current.header("ETag"));
                if (r.status() == 200) {
                  return seen412;
                }
                assertThat(r.status()).as(r.toString()).isEqualTo(412);
                seen412++;
              }
            }));
      }
      start.countDown();
      for (Future<Integer> f : conflicts) {
        f.get();
      }
    }
    Map<String, Object> flag = admin.get(P + "/flags/tagged").object();
    assertThat(flag.get("tags").toString())
        .contains("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7");
    assertThat((List<?>) flag.get("tags")).hasSize(writers);
    assertThat(flag).containsEntry("version", 1L + writers);
  }

  /**
   * Writers that send no version are serialised by the server: every change lands, the chain holds.
   */
  @Test
  void unversionedConcurrentWritesAllLandAndTheChainStaysValid() throws Exception {
    int writers = 6;
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
      List<Future<Response>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String key = "flag-" + i;
        results.add(
            pool.submit(() -> {
              start.await();
              assertThat(
                      admin
                          .post(P + "/flags", Map.of("key", key, "variants", Map.of("on", true)))
                          .status())
                  .isEqualTo(201);
              admin.patch(
                  P + "/flags/" + key + "/environments/production", Map.of("state", "ENABLED"));
              return admin.patch(P, Map.of("description", "touched by " + key));
            }));
        results.add(
            pool.submit(() -> {
              start.await();
              return admin.patch(P + "/environments/staging", Map.of("description", "by " + key));
            }));
      }
      start.countDown();
      for (Future<Response> r : results) {
        assertThat(r.get().status()).as(r.get().toString()).isEqualTo(200);
      }
    }
    assertThat(server.snapshot("production").flagKeys()).hasSize(writers);
    assertThat(admin.get(P).object()).containsEntry("version", 1L + writers);
    assertThat(admin.get(P + "/environments/staging").object())
        .containsEntry("version", 1L + writers);
    Map<String, Object> verify = admin.get("/api/v1/audit/verify").object();
    assertThat(verify).containsEntry("valid", true);
    // default project creation + per writer: flag.create, flag.enable, project.update,
    // environment.update
    assertThat(verify).containsEntry("events", 1L + 4L * writers);
  }
}
