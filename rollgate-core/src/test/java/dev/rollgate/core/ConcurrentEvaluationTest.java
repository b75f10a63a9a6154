package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One snapshot shared by many threads, without locks, gives every thread the same answers. */
class ConcurrentEvaluationTest {

  @Test
  void threadsSharingASnapshotAgreeWithASingleThread() throws Exception {
    FlagSnapshot flags =
        FlagSnapshot.parse(
            EvaluationTest.FLAGS,
            ParseOptions.defaults().withEnvironment(Map.of()).withClock(EvaluationTest.NOW));
    String[] keys = {
      "static-bool", "targeted", "split", "bool-from-condition", "no-default", "clock"
    };
    List<EvaluationContext> users = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      users.add(
          EvaluationContext.of(
              "user-" + i,
              Map.of(
                  "country",
                  i % 2 == 0 ? "DE" : "US",
                  "email",
                  "u" + i + "@rollgate.dev",
                  "age",
                  i % 90,
                  "plan",
                  i % 3 == 0 ? "pro" : "free")));
    }
    List<String> expected = answers(flags, keys, users);

    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> answers(flags, keys, users)));
      }
      for (Future<List<String>> result : results) {
        assertThat(result.get()).isEqualTo(expected);
      }
    }
  }

  private static List<String> answers(
      FlagSnapshot flags, String[] keys, List<EvaluationContext> users) {
    List<String> out = new ArrayList<>();
    for (EvaluationContext user : users) {
      for (String key : keys) {
        out.add(flags.evaluate(key, ValueType.ANY, null, user).toString());
      }
    }
    return out;
  }
}
