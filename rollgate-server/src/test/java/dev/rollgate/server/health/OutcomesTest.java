package dev.rollgate.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.server.events.EventInbox;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Outcomes written by several replicas into the same seconds, read back, and pruned. */
class OutcomesTest {
  private static final long T0 = 1_800_000_000_000L;

  private static LatencyHistogram latencies(double... ms) {
    LatencyHistogram h = new LatencyHistogram();
    for (double m : ms) {
      h.record(m);
    }
    return h;
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void replicasMergeIntoTheSameSecondsAndOldRowsArePruned(StoreKind kind) throws IOException {
    String url = kind == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    MutableClock clock = new MutableClock(T0);
    try (Database db =
        Database.open(url, null, null, Files.createTempDirectory("rollgate-outcomes"), null)) {
      Outcomes one =
          new Outcomes(
              db, new EventInbox(db, clock), clock, new SimpleMeterRegistry(), Duration.ofHours(1));
      Outcomes two =
          new Outcomes(
              db, new EventInbox(db, clock), clock, new SimpleMeterRegistry(), Duration.ofHours(1));
      one.record("p", "prod", "f", "on", "/a", T0 + 100, 2, 1, latencies(10, 20));
      two.record("p", "prod", "f", "on", "/a", T0 + 900, 1, 0, latencies(30));
      two.record("p", "prod", "f", "off", "", T0 + 1500, 5, 0, null);
      one.flush();
      two.flush();
      Map<String, CohortStats> all = one.byVariant("p", "prod", "f", T0, T0 + 10_000);
      assertThat(all.get("on").requests()).isEqualTo(3);
      assertThat(all.get("on").errors()).isEqualTo(1);
      assertThat(all.get("on").latency().count()).isEqualTo(3);
      assertThat(all.get("on").latency().quantile(1)).isBetween(29.7, 30.3);
      assertThat(all.get("off").requests()).isEqualTo(5);
      assertThat(one.byVariant("p", "prod", "f", T0 + 1000, T0 + 2000)).containsOnlyKeys("off");
      var series = one.series("p", "prod", "f", T0, T0 + 2000, 1000);
      assertThat(series).containsOnlyKeys(T0, T0 + 1000);
      assertThat(series.get(T0).get("on")).containsOnlyKeys("/a");

      clock.advance(Duration.ofHours(2).toMillis());
      one.record("p", "prod", "f", "on", "", clock.millis(), 1, 0, null);
      one.flush(); // writes, then prunes what is older than the retention
      assertThat(one.byVariant("p", "prod", "f", T0, T0 + 10_000)).isEmpty();
      assertThat(one.byVariant("p", "prod", "f", clock.millis() - 1000, clock.millis() + 1000))
          .containsOnlyKeys("on");
    } finally {
      if (url != null) {
        TestPostgres.dropSchema(url);
      }
    }
  }
}
