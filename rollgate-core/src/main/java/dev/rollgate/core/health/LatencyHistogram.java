package dev.rollgate.core.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mergeable latency histogram with logarithmic buckets: any quantile it reports is within 1% of a
 * duration that was recorded, however the histogram was split and merged.
 *
 * <p>This is the mapping of DDSketch (Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable
 * quantile sketch with relative-error guarantees", VLDB 2019): a duration of x ms goes to bucket
 * {@code ceil(ln x / ln γ)} with γ = 1.02, and a bucket stands for {@code 2γ^k / (γ + 1)}. Buckets
 * are fixed, so two histograms merge by adding counts, and a histogram travels as its non-empty
 * buckets: {@code {"gamma": 1.02, "buckets": {"<k>": count, ...}}}. Durations under 1 µs count as 1
 * µs. Not thread-safe.
 */
public final class LatencyHistogram {
  public static final double GAMMA = 1.02;
  private static final double LOG_GAMMA = Math.log(GAMMA);
  private static final double MIN_MS = 0.001;

  /** Bucket indexes a sender may use: 1 µs up to about 15 hours. */
  static final int MIN_INDEX = index(MIN_MS);

  static final int MAX_INDEX = index(5.4e7);

  private final TreeMap<Integer, Long> buckets = new TreeMap<>();
  private long count;

  public static int index(double ms) {
    double x = Double.isNaN(ms) ? MIN_MS : Math.min(Math.max(ms, MIN_MS), 5.4e7);
    return (int) Math.ceil(Math.log(x) / LOG_GAMMA);
  }

  public void record(double ms) {
    add(index(ms), 1);
  }

  public void merge(LatencyHistogram other) {
    other.buckets.forEach(this::add);
  }

  private void add(int index, long n) {
    buckets.merge(index, n, Long::sum);
    count += n;
  }

  public long count() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /**
   * The q-quantile (0 ≤ q ≤ 1) in milliseconds: the value of rank {@code q·(count − 1)}, as
   * DDSketch defines it; 0 when empty.
   */
  public double quantile(double q) {
    if (count == 0) {
      return 0;
    }
    double rank = Math.max(0, Math.min(1, q)) * (count - 1);
    long seen = 0;
    for (Map.Entry<Integer, Long> bucket : buckets.entrySet()) {
      seen += bucket.getValue();
      if (seen > rank) {
        return value(bucket.getKey());
      }
    }
    return value(buckets.lastKey());
  }

  /** The sum of the recorded durations, each counted as its bucket's value (within 1%). */
  public double approximateSum() {
    double sum = 0;
    for (Map.Entry<Integer, Long> b : buckets.entrySet()) {
      sum += b.getValue() * value(b.getKey());
    }
    return sum;
  }

  /** The sum of the squares of the recorded durations, each counted as its bucket's value. */
  public double approximateSumOfSquares() {
    double sum = 0;
    for (Map.Entry<Integer, Long> b : buckets.entrySet()) {
      double v = value(b.getKey());
      sum += b.getValue() * v * v;
    }
    return sum;
  }

  private static double value(int index) {
    return 2 * Math.pow(GAMMA, index) / (GAMMA + 1);
  }

  public Map<String, Object> toJson() {
    Map<String, Object> counts = new LinkedHashMap<>();
    buckets.forEach((k, v) -> counts.put(Integer.toString(k), v));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("gamma", GAMMA);
    json.put("buckets", counts);
    return json;
  }

  /**
   * Reads the form {@link #toJson} writes.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static LatencyHistogram fromJson(Object json) {
    if (!(json instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("must be an object with gamma and buckets");
    }
    if (!(map.get("gamma") instanceof Number gamma) || gamma.doubleValue() != GAMMA) {
      throw new IllegalArgumentException("gamma must be " + GAMMA);
    }
    if (!(map.get("buckets") instanceof Map<?, ?> counts)) {
      throw new IllegalArgumentException("buckets must be an object of bucket index to count");
    }
    LatencyHistogram histogram = new LatencyHistogram();
    for (Map.Entry<?, ?> e : counts.entrySet()) {
      int index;
      try {
        index = Integer.parseInt((String) e.getKey());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("bucket '" + e.getKey() + "' is not a whole number");
      }
      if (index < MIN_INDEX || index > MAX_INDEX) {
        throw new IllegalArgumentException(
            "bucket " + index + " is outside " + MIN_INDEX + ".." + MAX_INDEX);
      }
      if (!(e.getValue() instanceof Number n)
          || n.doubleValue() < 0
          || n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException("bucket " + index + " needs a count of 0 or more");
      }
      if (n.longValue() > 0) {
        histogram.add(index, n.longValue());
      }
    }
    return histogram;
  }
}
