package dev.rollgate.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.core.json.Json;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void quantilesAreWithinOnePercentOfTheExactOnes() {
    SplittableRandom random = new SplittableRandom(11);
    double[] values = new double[10_001];
    LatencyHistogram histogram = new LatencyHistogram();
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.exp(random.nextGaussian() * 1.2 + 3); // log-normal around 20 ms
      histogram.record(values[i]);
    }
    Arrays.sort(values);
    for (double q : new double[] {0, 0.5, 0.95, 0.99, 1}) {
      double exact = values[(int) (q * (values.length - 1))];
      assertThat(histogram.quantile(q)).as("q=%s", q).isBetween(exact * 0.99, exact * 1.01);
    }
  }

  @Test
  void mergingEqualsRecordingEverythingInOne() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    LatencyHistogram all = new LatencyHistogram();
    for (int i = 1; i <= 500; i++) {
      (i % 3 == 0 ? a : b).record(i * 0.7);
      all.record(i * 0.7);
    }
    a.merge(b);
    assertThat(a.toJson()).isEqualTo(all.toJson());
    assertThat(a.count()).isEqualTo(500);
  }

  @Test
  void survivesItsJsonForm() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(0); // counted as 1 µs
    h.record(12.5);
    h.record(12.6);
    LatencyHistogram back = LatencyHistogram.fromJson(Json.parse(Json.write(h.toJson())));
    assertThat(back.toJson()).isEqualTo(h.toJson());
    assertThat(back.quantile(0)).isBetween(0.00099, 0.00101);
    assertThat(new LatencyHistogram().quantile(0.99)).isZero();
  }

  @Test
  void rejectsForeignOrBrokenHistograms() {
    assertThatThrownBy(() -> LatencyHistogram.fromJson(Map.of("gamma", 1.01, "buckets", Map.of())))
        .hasMessageContaining("gamma must be 1.02");
    assertThatThrownBy(
            () -> LatencyHistogram.fromJson(Json.parse("{\"gamma\":1.02,\"buckets\":{\"x\":1}}")))
        .hasMessageContaining("not a whole number");
    assertThatThrownBy(
            () -> LatencyHistogram.fromJson(Json.parse("{\"gamma\":1.02,\"buckets\":{\"5\":-1}}")))
        .hasMessageContaining("count of 0 or more");
    assertThatThrownBy(() ->
            LatencyHistogram.fromJson(Json.parse("{\"gamma\":1.02,\"buckets\":{\"99999\":1}}")))
        .hasMessageContaining("outside");
  }
}
