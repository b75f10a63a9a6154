package dev.rollgate.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** SDK traffic the UI tests send: request outcomes for rollouts, units for experiments. */
final class UiData {
  private UiData() {}

  /**
   * Request outcomes of one variant of {@code flag}, one window a second from {@code fromSecond} to
   * {@code toSecond} (relative to now), each of {@code count} requests with {@code errors} failed,
   * in latency bucket {@code bucket} (186 is about 40 ms). Outcomes may be up to a minute ahead, so
   * a batch is traffic for the next seconds.
   */
  static List<Object> outcomes(
      String flag,
      String variant,
      int fromSecond,
      int toSecond,
      int count,
      int errors,
      int bucket) {
    long now = System.currentTimeMillis();
    List<Object> events = new ArrayList<>();
    for (int s = fromSecond; s < toSecond; s++) {
      long start = now + s * 1000L;
      events.add(
          Map.of(
              "type", "outcomes",
              "flag", flag,
              "variant", variant,
              "route", "/pay",
              "start", start,
              "end", start + 1000,
              "count", count,
              "errors", errors,
              "latency", Map.of("gamma", 1.02, "buckets", Map.of(String.valueOf(bucket), count))));
    }
    return events;
  }

  /**
   * Units of {@code flag} split evenly over {@code variants}; {@code winner} converts (event {@code
   * purchase}) at 30 %, the others at 10 %; every fifth unit bought once before its exposure (a
   * pre-period for CUPED). A unit's events go in one batch, in time order.
   */
  static void units(
      ApiClient sdk, String flag, List<String> variants, String winner, int perVariant) {
    long now = System.currentTimeMillis();
    List<Object> events = new ArrayList<>();
    for (int u = 0; u < variants.size() * perVariant; u++) {
      String unit = "user-" + u;
      String variant = variants.get(u % variants.size());
      int j = u / variants.size();
      if (j % 5 == 0) {
        events.add(purchase(unit, now - 60_000));
      }
      events.add(
          Map.of(
              "type", "exposure",
              "flag", flag,
              "variant", variant,
              "targetingKey", unit,
              "time", now - 30_000));
      if (j % 10 < (variant.equals(winner) ? 3 : 1)) {
        events.add(purchase(unit, now - 10_000));
      }
    }
    send(sdk, events);
  }

  private static Map<String, Object> purchase(String unit, long time) {
    return Map.of(
        "type", "track", "name", "purchase", "targetingKey", unit, "value", 1, "time", time);
  }

  /**
   * Sends events in batches the API takes (at most 1,000), each accepted whole; a unit's events
   * stay together.
   */
  @SuppressWarnings("unchecked")
  static void send(ApiClient sdk, List<Object> events) {
    int from = 0;
    while (from < events.size()) {
      int to = Math.min(events.size(), from + 900);
      // Do not split a unit between batches: end after an exposure's own purchases.
      while (to < events.size() && isPurchaseAfterExposure(events, to)) {
        to++;
      }
      ApiClient.Response r = sdk.post("/api/v1/events", Map.of("events", events.subList(from, to)));
      assertThat(r.status()).as(r.text()).isEqualTo(202);
      assertThat((List<Object>) r.object().get("rejected")).isEmpty();
      from = to;
    }
  }

  private static boolean isPurchaseAfterExposure(List<Object> events, int i) {
    Map<?, ?> event = (Map<?, ?>) events.get(i);
    Map<?, ?> before = (Map<?, ?>) events.get(i - 1);
    return "track".equals(event.get("type")) && "exposure".equals(before.get("type"));
  }
}
