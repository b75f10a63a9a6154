package dev.rollgate.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.Allocations;
import dev.rollgate.core.EvaluationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluating through the client allocates nothing once a user's exposure has been recorded, events
 * and usage counts included: a static flag, a rule with {@code in}, {@code ==} and {@code sem_ver},
 * and a fractional split. Counted with the JVM's per-thread allocation counter, as the core's
 * {@code AllocationTest} does.
 */
class ClientAllocationTest {
  private static final String FLAGS =
      """
      {"flags": {
        "static": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "rule": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"and": [
            {"in": [{"var": "country"}, ["DE", "FR", "NL"]]},
            {"==": [{"var": "plan"}, "pro"]},
            {"sem_ver": [{"var": "appVersion"}, ">=", "2.1.0"]}]}, "on", "off"]}},
        "split": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"fractional": [["on", 25], ["off", 75]]}}
      }}
      """;

  @Test
  void evaluatingAllocatesNothing(@TempDir Path dir) throws Exception {
    Path bootstrap = dir.resolve("flags.json");
    Files.writeString(bootstrap, FLAGS);
    EvaluationContext[] users = new EvaluationContext[1000];
    String[] versions = {"2.3.1", "1.9.0", "2.1.0-rc.1", "v3.0.0"};
    for (int i = 0; i < users.length; i++) {
      users[i] =
          EvaluationContext.of(
              "user-" + i,
              Map.of(
                  "country",
                  i % 4 == 0 ? "US" : "DE",
                  "plan",
                  "pro",
                  "appVersion",
                  versions[i / 4 % versions.length]));
    }
    try (RollgateClient client =
        RollgateClient.builder()
            .baseUrl("http://127.0.0.1:9") // nothing listens: the bootstrap file is served
            .sdkToken("test")
            .bootstrapFile(bootstrap)
            .pollInterval(Duration.ofMinutes(10))
            .environment(Map.of())
            .build()) {
      assertThat(client.booleanValue("rule", users[1], false)).isTrue();
      assertThat(client.booleanValue("rule", users[5], false)).isFalse(); // 1.9.0
      for (String flag : new String[] {"static", "rule", "split"}) {
        long bytes =
            Allocations.steadyState(() -> {
              for (int round = 0; round < 100; round++) {
                for (EvaluationContext user : users) {
                  client.booleanValue(flag, user, false);
                }
              }
            });
        assertThat(bytes).as("bytes for 100,000 evaluations of %s", flag).isLessThan(1_000);
      }
    }
  }

  /**
   * Exposures whose fingerprints fall in the same set of slots are each recorded once, not sent
   * again every time the other evicts them.
   */
  @Test
  void exposuresSharingASetAreEachSeenOnce() {
    try (Events events =
        new Events(
            URI.create("http://127.0.0.1:9"),
            "test",
            HttpClient.newHttpClient(),
            Clock.systemUTC(),
            Duration.ofMinutes(1),
            10)) {
      long a = 0x1234_0000_0000_0001L; // the set is chosen by the top bits
      long b = 0x1234_0000_0000_0003L;
      assertThat(events.firstSeen(a)).isTrue();
      assertThat(events.firstSeen(b)).isTrue();
      for (int i = 0; i < 3; i++) {
        assertThat(events.firstSeen(a)).isFalse();
        assertThat(events.firstSeen(b)).isFalse();
      }
    }
  }
}
