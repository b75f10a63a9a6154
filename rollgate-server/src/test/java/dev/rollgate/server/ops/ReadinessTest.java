package dev.rollgate.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.MutableClock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The readiness state a probe keeps, on a clock the test moves and probes the test runs. */
class ReadinessTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final MutableClock clock = new MutableClock(1_000_000);
  // The test probes by hand; the scheduled probes would come a day later.
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void followsTheLastProbeWithNoHoldDown() {
    AtomicBoolean up = new AtomicBoolean(true);
    Readiness readiness = new Readiness(up::get, scheduler, clock, Duration.ofDays(1), TIMEOUT);
    assertThat(readiness.storeAnswers()).as("probed once at start").isTrue();

    up.set(false);
    readiness.probe();
    assertThat(readiness.storeAnswers()).isFalse();

    up.set(true);
    readiness.probe();
    assertThat(readiness.storeAnswers()).as("ready at the first answer").isTrue();
  }

  @Test
  void aProbeWaitingLongerThanItsTimeoutIsNoAnswer() {
    AtomicReference<Readiness> self = new AtomicReference<>();
    AtomicReference<Long> waited = new AtomicReference<>(0L);
    AtomicReference<Boolean> seenWhileWaiting = new AtomicReference<>();
    Readiness readiness =
        new Readiness(
            () -> {
              if (self.get() != null) { // the store hangs: the answer is seen meanwhile
                clock.advance(waited.get());
                seenWhileWaiting.set(self.get().storeAnswers());
              }
              return true;
            },
            scheduler,
            clock,
            Duration.ofDays(1),
            TIMEOUT);
    self.set(readiness);

    waited.set(TIMEOUT.toMillis() - 1);
    readiness.probe();
    assertThat(seenWhileWaiting.get()).as("within the timeout: the last answer").isTrue();

    waited.set(TIMEOUT.toMillis() + 1);
    readiness.probe();
    assertThat(seenWhileWaiting.get()).as("past the timeout").isFalse();
    assertThat(readiness.storeAnswers()).as("once it answered").isTrue();
  }

  @Test
  void aProbeThatThrowsIsNoAnswer() {
    Readiness readiness =
        new Readiness(
            () -> {
              throw new IllegalStateException("driver bug");
            },
            scheduler,
            clock,
            Duration.ofDays(1),
            TIMEOUT);
    assertThat(readiness.storeAnswers()).isFalse();
  }
}
