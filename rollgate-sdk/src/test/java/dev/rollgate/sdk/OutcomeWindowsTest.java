package dev.rollgate.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OutcomeWindowsTest {
  @Test
  void addsUpPerFlagVariantRouteAndSecond() {
    OutcomeWindows windows = new OutcomeWindows();
    windows.record("f", "on", "/pay", 10_100, 5, false);
    windows.record("f", "on", "/pay", 10_900, 7, true);
    windows.record("f", "on", "/pay", 11_000, 5, false); // the next second
    windows.record("f", "off", null, 10_500, 5, false);

    List<Map<String, Object>> first = windows.drain(11_000);
    assertThat(first).hasSize(2);
    Map<String, Object> on =
        first.stream().filter(e -> e.get("variant").equals("on")).findFirst().orElseThrow();
    assertThat(on)
        .containsEntry("type", "outcomes")
        .containsEntry("route", "/pay")
        .containsEntry("start", 10_000L)
        .containsEntry("end", 11_000L)
        .containsEntry("count", 2L)
        .containsEntry("errors", 1L);
    assertThat(windows.drain(11_000)).isEmpty();
    assertThat(windows.drain(12_000))
        .singleElement()
        .satisfies(e -> assertThat(e).containsEntry("count", 1L));
  }

  /**
   * Recorders racing a drainer on the same window lose nothing: a recorder that found a window just
   * before it was sent opens a new one instead of counting into the one already sent.
   */
  @Test
  void noOutcomeIsLostToAConcurrentDrain() throws Exception {
    OutcomeWindows windows = new OutcomeWindows();
    int threads = 4;
    int perThread = 200_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> recorders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread recorder =
          Thread.ofPlatform()
              .start(() -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  windows.record("f", "on", null, 1_000, 1, false);
                }
              });
      recorders.add(recorder);
    }
    AtomicBoolean recording = new AtomicBoolean(true);
    long counted = 0;
    go.countDown();
    Thread.ofPlatform()
        .start(() -> {
          for (Thread r : recorders) {
            try {
              r.join();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          recording.set(false);
        });
    while (recording.get()) {
      counted += total(windows.drain(Long.MAX_VALUE));
    }
    counted += total(windows.drain(Long.MAX_VALUE));
    assertThat(counted).isEqualTo((long) threads * perThread);
  }

  private static long total(List<Map<String, Object>> events) {
    return events.stream().mapToLong(e -> (Long) e.get("count")).sum();
  }
}
