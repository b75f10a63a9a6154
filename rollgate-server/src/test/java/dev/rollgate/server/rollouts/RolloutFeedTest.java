package dev.rollgate.server.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.health.FlagMetrics;
import dev.rollgate.server.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The live feed's sharing and timing rules, without a store or a socket: the feed's work runs at
 * once on the test's thread, and the test says when a tick happens.
 */
@SuppressWarnings("unchecked") // JSON read back as maps
class RolloutFeedTest {
  private static final long T0 = 1_800_000_000_000L;
  private static final RolloutPlan PLAN =
      RolloutPlan.parse(null, "plan", RolloutPlan.Defaults.STANDARD);

  /** A store stand-in: each flag's rollout and metrics, and how often each was read. */
  private static final class Source implements RolloutFeed.Source {
    final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();
    final Map<String, Long> requests = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> rolloutReads = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> metricsReads = new ConcurrentHashMap<>();
    final List<long[]> spans = new ArrayList<>();
    String missing; // a flag that does not exist

    @Override
    public Optional<Rollout> rollout(String project, String environment, String flag) {
      rolloutReads.computeIfAbsent(flag, f -> new AtomicInteger()).incrementAndGet();
      if (flag.equals(missing)) {
        throw Failure.notFound("flag " + flag);
      }
      return Optional.ofNullable(rollouts.get(flag));
    }

    @Override
    public FlagMetrics metrics(
        String project, String environment, String flag, long from, long to, long stepMs) {
      metricsReads.computeIfAbsent(flag, f -> new AtomicInteger()).incrementAndGet();
      spans.add(new long[] {from, to, stepMs});
      long n = requests.getOrDefault(flag, 0L);
      List<FlagMetrics.Point> points =
          n == 0
              ? List.of()
              : List.of(
                  new FlagMetrics.Point(
                      Instant.ofEpochMilli(from),
                      Map.of("on", Map.of("requests", n, "errorRate", 0.0))));
      return new FlagMetrics(
          flag,
          environment,
          Instant.ofEpochMilli(from),
          Instant.ofEpochMilli(to),
          stepMs / 1000,
          points);
    }

    int metricsReads(String flag) {
      AtomicInteger n = metricsReads.get(flag);
      return n == null ? 0 : n.get();
    }

    int rolloutReads(String flag) {
      AtomicInteger n = rolloutReads.get(flag);
      return n == null ? 0 : n.get();
    }

    void resetCounts() {
      rolloutReads.clear();
      metricsReads.clear();
    }
  }

  /** One browser: the events it was sent, and whether it is still there. */
  private static final class Browser implements RolloutFeed.Sink {
    final List<String[]> events = new ArrayList<>();
    boolean gone;
    boolean closed;

    @Override
    public boolean send(String event, String json) {
      if (gone) {
        return false;
      }
      events.add(new String[] {event, json});
      return true;
    }

    @Override
    public void close() {
      closed = true;
    }

    List<String> names() {
      return events.stream().map(e -> e[0]).toList();
    }

    Map<String, Object> last() {
      return (Map<String, Object>) Json.parse(events.getLast()[1]);
    }
  }

  private final MutableClock clock = new MutableClock(T0);
  private final Source source = new Source();
  private final RolloutFeed feed = new RolloutFeed(source, clock, 10_000, Runnable::run, null);

  private static Rollout rollout(String flag, int stage, long version, long judgedUntil) {
    return new Rollout(
        "r-" + flag,
        "default",
        "production",
        flag,
        "on",
        "off",
        PLAN,
        RolloutState.RUNNING,
        stage,
        T0,
        judgedUntil,
        null,
        "started",
        version,
        T0,
        T0);
  }

  private Browser watch(String flag) {
    Browser b = new Browser();
    feed.watch("default", "production", flag, b);
    return b;
  }

  @Test
  void aWatcherIsSentTheRolloutWithItsMetricsFirst() {
    source.rollouts.put("checkout", rollout("checkout", 0, 1, T0));
    source.requests.put("checkout", 7L);
    Browser b = watch("checkout");
    assertThat(b.names()).containsExactly("rollout");
    Map<String, Object> data = b.last();
    assertThat(data)
        .containsEntry("state", "RUNNING")
        .containsEntry("stage", 0L)
        .containsEntry("percent", 1.0)
        .containsEntry("version", 1L)
        .containsKeys("plan", "evidence", "timeInStageSeconds");
    Map<String, Object> metrics = (Map<String, Object>) data.get("metrics");
    assertThat(metrics).containsEntry("flag", "checkout").containsEntry("stepSeconds", 10L);
    assertThat(metrics.get("points").toString()).contains("requests=7");
    // The last 30 windows of the plan, up to the end of the current one.
    long[] span = source.spans.getLast();
    assertThat(span[2]).isEqualTo(10_000);
    assertThat(span[1]).isEqualTo(T0 + 10_000);
    assertThat(span[1] - span[0]).isEqualTo(RolloutFeed.WINDOWS * 10_000L);
  }

  @Test
  void aFlagWithoutARolloutIsSentWithANullState() {
    Browser b = watch("plain");
    assertThat(b.names()).containsExactly("rollout");
    assertThat(b.last())
        .containsEntry("flag", "plain")
        .containsEntry("environment", "production")
        .containsEntry("state", null)
        .containsKey("metrics");

    source.rollouts.put("plain", rollout("plain", 0, 1, T0));
    feed.written("default");
    assertThat(b.names()).containsExactly("rollout", "rollout");
    assertThat(b.last()).containsEntry("state", "RUNNING");
  }

  @Test
  void eachTickComputesAWatchedFlagOnceWhateverTheNumberOfWatchers() {
    source.rollouts.put("a", rollout("a", 0, 1, T0));
    List<Browser> onA = List.of(watch("a"), watch("a"), watch("a"));
    Browser onB = watch("b");
    assertThat(feed.flags()).isEqualTo(2);
    assertThat(feed.watchers()).isEqualTo(4);
    source.resetCounts();

    for (int i = 0; i < 4; i++) {
      feed.tick();
    }
    assertThat(source.metricsReads("a")).isEqualTo(4);
    assertThat(source.metricsReads("b")).isEqualTo(4);
    assertThat(source.rolloutReads("a")).isEqualTo(4);
    onA.forEach(b -> assertThat(b.names()).as("nothing changed").containsExactly("rollout"));

    source.requests.put("a", 42L);
    feed.tick();
    for (Browser b : onA) {
      assertThat(b.names()).containsExactly("rollout", "metrics");
      assertThat(b.last()).containsEntry("flag", "a").doesNotContainKey("state");
      assertThat(b.last().get("points").toString()).contains("requests=42");
    }
    assertThat(onB.names()).containsExactly("rollout");
    assertThat(source.metricsReads("a")).isEqualTo(5);
  }

  @Test
  void nothingIsComputedForAFlagNobodyWatches() {
    Browser first = watch("a");
    Browser second = watch("a");
    feed.unwatch("default", "production", "a", first);
    assertThat(feed.flags()).isEqualTo(1);
    feed.unwatch("default", "production", "a", second);
    assertThat(feed.flags()).isZero();
    source.resetCounts();

    feed.tick();
    feed.written("default");
    assertThat(source.metricsReads("a")).isZero();
    assertThat(source.rolloutReads("a")).isZero();
  }

  @Test
  void aWriteToTheProjectSendsTheChangedRolloutWithoutWaitingForATick() {
    source.rollouts.put("a", rollout("a", 0, 1, T0));
    Browser b = watch("a");
    source.resetCounts();

    feed.written("other-project");
    assertThat(source.rolloutReads("a")).isZero();

    feed.written("default"); // a write that left the rollout as it was
    assertThat(b.names()).containsExactly("rollout");
    assertThat(source.metricsReads("a")).as("metrics wait for the tick").isZero();

    source.rollouts.put("a", rollout("a", 1, 2, T0));
    feed.written("default");
    assertThat(b.names()).containsExactly("rollout", "rollout");
    assertThat(b.last()).containsEntry("stage", 1L).containsEntry("percent", 10.0);
    assertThat(source.metricsReads("a")).as("sent with fresh metrics").isEqualTo(1);

    // A judged window adds evidence without a new version or a notification: the tick sees it.
    source.rollouts.put("a", rollout("a", 1, 2, T0 + 10_000));
    feed.tick();
    assertThat(b.names()).containsExactly("rollout", "rollout", "rollout");
  }

  @Test
  void aLateWatcherIsSentTheCurrentStateAndTheOthersNothingAgain() {
    source.rollouts.put("a", rollout("a", 0, 1, T0));
    Browser early = watch("a");
    source.rollouts.put("a", rollout("a", 2, 3, T0));
    Browser late = watch("a");
    assertThat(late.names()).containsExactly("rollout");
    assertThat(late.last()).containsEntry("stage", 2L);
    // The early one hears of the change once, as a change.
    assertThat(early.names()).containsExactly("rollout", "rollout");
    assertThat(early.last()).containsEntry("stage", 2L);
  }

  @Test
  void aWatcherThatLeftIsDroppedAtItsNextSend() {
    source.rollouts.put("a", rollout("a", 0, 1, T0));
    Browser stays = watch("a");
    Browser leaves = watch("a");
    leaves.gone = true;
    source.requests.put("a", 1L);
    feed.tick();
    assertThat(feed.watchers()).isEqualTo(1);
    assertThat(stays.names()).containsExactly("rollout", "metrics");

    stays.gone = true;
    source.requests.put("a", 2L);
    feed.tick();
    assertThat(feed.flags()).isZero();
  }

  @Test
  void watchersOfAFlagThatWentAwayAreClosed() {
    Browser b = watch("a");
    source.missing = "a";
    feed.tick();
    assertThat(b.closed).isTrue();
    assertThat(feed.flags()).isZero();

    Browser late = watch("a");
    assertThat(late.closed).isTrue();
    assertThat(late.events).isEmpty();
  }

  @Test
  void watchersOfARemovedEnvironmentAreClosed() {
    Browser b = watch("a");
    feed.removed("default", "staging");
    assertThat(b.closed).isFalse();
    feed.removed("default", "production");
    assertThat(b.closed).isTrue();
    assertThat(feed.flags()).isZero();
  }
}
