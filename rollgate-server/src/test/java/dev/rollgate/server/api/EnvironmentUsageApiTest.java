package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.TestFlags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code GET …/environments/{env}/usage}: every evaluated flag's usage in one answer, the same
 * counts as each flag's own report. Through a real socket on both stores.
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class EnvironmentUsageApiTest extends ServerTestBase {
  private static final String USAGE = P + "/environments/production/usage";

  @Test
  void everyEvaluatedFlagOfTheEnvironmentInOneAnswer() {
    admin.post(P + "/flags", checkoutFlag());
    admin.post(P + "/flags", TestFlags.enabled("a", Map.of("x", 1, "y", 2), "x"));
    admin.post(P + "/flags", TestFlags.enabled("b", Map.of("on", true, "off", false), "on"));
    ApiClient sdk = server.as(token("sdk"));
    Map<String, Object> pro = Map.of("context", Map.of("targetingKey", "u1", "plan", "pro"));
    for (int i = 0; i < 3; i++) {
      assertThat(sdk.post("/ofrep/v1/evaluate/flags/new-checkout", pro).status()).isEqualTo(200);
    }
    assertThat(sdk.post("/ofrep/v1/evaluate/flags/a", pro).status()).isEqualTo(200);
    assertThat(sdk.post("/ofrep/v1/evaluate/flags", pro).status()).isEqualTo(200); // each once
    admin.post(P + "/flags", TestFlags.enabled("idle", Map.of("on", true), "on"));
    admin.post(P + "/environments/production/flags/idle/explain", Map.of()); // no evaluation either

    Response r = admin.get(USAGE);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.object())
        .containsEntry("environment", "production")
        .containsEntry("windowSeconds", 60L)
        .containsKeys("from", "scope");
    Map<String, Map<String, Object>> flags =
        (Map<String, Map<String, Object>>) r.object().get("flags");
    assertThat(flags.keySet())
        .as("flags never evaluated are left out")
        .containsExactly("a", "b", "new-checkout");
    assertThat(flags.get("new-checkout")).containsEntry("total", 4L);
    assertThat(flags.get("a")).containsEntry("total", 2L);
    assertThat(flags.get("b")).containsEntry("total", 1L);

    Instant from = Instant.parse((String) r.object().get("from"));
    flags.forEach((key, usage) -> {
      List<Long> perMinute = (List<Long>) usage.get("perMinute");
      assertThat(perMinute).as(key).hasSize(60);
      assertThat(perMinute.stream().mapToLong(Long::longValue).sum())
          .as(key)
          .isEqualTo(usage.get("total"));
      // Oldest first: what was just evaluated is in the last minute (or the one before, if a
      // minute turned meanwhile).
      assertThat(perMinute.subList(0, 58)).as(key).containsOnly(0L);
      Instant last = Instant.parse((String) usage.get("lastEvaluatedAt"));
      assertThat(last).isAfter(from).isBeforeOrEqualTo(Instant.now());

      // The same counts as the flag's own report.
      Map<String, Object> own =
          admin.get(P + "/environments/production/flags/" + key + "/usage").object();
      assertThat(own).containsEntry("total", usage.get("total"));
      assertThat(own).containsEntry("lastEvaluatedAt", usage.get("lastEvaluatedAt"));
      List<Object> counts = new ArrayList<>();
      for (Object w : (List<Object>) own.get("windows")) {
        counts.add(((Map<String, Object>) w).get("count"));
      }
      assertThat(counts)
          .isEqualTo(perMinute.stream().filter(n -> n > 0).map(n -> (Object) n).toList());
    });

    assertThat(
            (Map<String, Object>)
                admin.get(P + "/environments/staging/usage").object().get("flags"))
        .as("another environment's")
        .isEmpty();
  }

  @Test
  void readersOnlyAndKnownEnvironmentsOnly() {
    assertThat(admin.get(P + "/environments/nope/usage").status()).isEqualTo(404);
    assertThat(admin.get("/api/v1/projects/nope/environments/production/usage").status())
        .isEqualTo(404);
    assertThat(server.as(token("viewer")).get(USAGE).status()).isEqualTo(200);
    assertThat(server.as(token("sdk")).get(USAGE).status()).isEqualTo(403);
    assertThat(server.as(null).get(USAGE).status()).isEqualTo(401);
  }
}
