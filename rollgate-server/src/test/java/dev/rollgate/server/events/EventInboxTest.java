package dev.rollgate.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.server.health.CohortStats;
import dev.rollgate.server.health.Outcomes;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The inbox keeps acknowledged events in the store: what was appended is there for a server that
 * starts later, a consumer that fails keeps it, and outcomes taken by two replicas are applied
 * once.
 */
class EventInboxTest {
  private static final long T0 = 1_800_000_000_000L;

  private static String url(StoreKind kind) {
    return kind == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void appendedEventsOutliveTheProcessAndComeBackWhole(StoreKind kind) throws Exception {
    Path dir = Files.createTempDirectory("rollgate-inbox");
    MutableClock clock = new MutableClock(T0);
    LatencyHistogram latency = new LatencyHistogram();
    latency.record(12.5);
    List<Inbound> events =
        List.of(
            new Inbound.Exposure("f", "on", "u1", T0 - 10),
            new Inbound.Track("u1", "buy", 2.5, T0 - 5),
            new Inbound.Outcome("f", "on", "/a", T0 - 1000, 1, 0, latency));
    String url = url(kind);
    try (Database db = Database.open(url, null, null, dir, null)) {
      new EventInbox(db, clock).append("p", "prod", events);
    }
    // A new process on the same store: the inbox still holds both streams' rows.
    try (Database db = Database.open(url, null, null, dir, null)) {
      EventInbox inbox = new EventInbox(db, clock);
      assertThat(inbox.waiting()).isEqualTo(2);
      List<EventBatch> experiments =
          db.inTransaction(tx -> inbox.take(tx, EventInbox.Stream.EXPERIMENTS, 10));
      assertThat(experiments)
          .singleElement()
          .satisfies(b -> {
            assertThat(b.project()).isEqualTo("p");
            assertThat(b.environment()).isEqualTo("prod");
            assertThat(b.events()).containsExactly(events.get(0), events.get(1));
          });
      List<EventBatch> outcomes =
          db.inTransaction(tx -> inbox.take(tx, EventInbox.Stream.OUTCOMES, 10));
      Inbound.Outcome outcome = (Inbound.Outcome) outcomes.getFirst().events().getFirst();
      assertThat(outcome.count()).isEqualTo(1);
      assertThat(outcome.route()).isEqualTo("/a");
      assertThat(outcome.latency().quantile(0.5)).isBetween(12.0, 13.0);

      // A consumer whose transaction fails removes nothing.
      assertThatThrownBy(() ->
              db.inTransaction(tx -> {
                inbox.remove(tx, inbox.take(tx, EventInbox.Stream.EXPERIMENTS, 10));
                throw new IllegalStateException("apply failed");
              }))
          .hasMessage("apply failed");
      assertThat(inbox.waiting()).isEqualTo(2);
      db.inTransaction(tx -> {
        inbox.remove(tx, inbox.take(tx, EventInbox.Stream.EXPERIMENTS, 10));
        return null;
      });
      assertThat(inbox.waiting()).isEqualTo(1);
    } finally {
      if (url != null) {
        TestPostgres.dropSchema(url);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void outcomesInTheInboxAreWrittenOnceWhicheverReplicaFlushes(StoreKind kind) throws Exception {
    Path dir = Files.createTempDirectory("rollgate-inbox");
    MutableClock clock = new MutableClock(T0);
    String url = url(kind);
    try (Database db = Database.open(url, null, null, dir, null)) {
      EventInbox inbox = new EventInbox(db, clock);
      for (int i = 0; i < 450; i++) { // more than a page
        inbox.append(
            "p",
            "prod",
            List.of(new Inbound.Outcome("f", i % 2 == 0 ? "on" : "off", "", T0, 2, 1, null)));
      }
      Outcomes one = new Outcomes(db, inbox, clock, new SimpleMeterRegistry(), Duration.ofHours(1));
      Outcomes two = new Outcomes(db, inbox, clock, new SimpleMeterRegistry(), Duration.ofHours(1));
      one.flush();
      two.flush();
      one.flush();

      Map<String, CohortStats> all = one.byVariant("p", "prod", "f", T0, T0 + 1000);
      assertThat(all.get("on").requests()).isEqualTo(450);
      assertThat(all.get("on").errors()).isEqualTo(225);
      assertThat(all.get("off").requests()).isEqualTo(450);
      assertThat(inbox.waiting()).isZero();
    } finally {
      if (url != null) {
        TestPostgres.dropSchema(url);
      }
    }
  }
}
