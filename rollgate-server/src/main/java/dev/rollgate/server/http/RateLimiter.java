package dev.rollgate.server.http;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A token bucket per caller (Bucket4j): {@code perSecond} sustained, bursts of {@code burst}. */
public final class RateLimiter {
  private final long perSecond;
  private final long burst;
  private final TimeMeter time; // null: the system's nanosecond timer
  private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(long perSecond, long burst) {
    this(perSecond, burst, null);
  }

  /** A limiter that measures time on {@code clock} (a test's), to the millisecond. */
  public RateLimiter(long perSecond, long burst, Clock clock) {
    this.perSecond = perSecond;
    this.burst = Math.max(burst, perSecond);
    this.time =
        clock == null
            ? null
            : new TimeMeter() {
              @Override
              public long currentTimeNanos() {
                return clock.millis() * 1_000_000L;
              }

              @Override
              public boolean isWallClockBased() {
                return true;
              }
            };
  }

  /** Takes one request from {@code caller}'s bucket; throws 429 with a retry delay when empty. */
  public void acquire(String caller) {
    if (perSecond <= 0) {
      return; // disabled
    }
    Bucket bucket =
        buckets.computeIfAbsent(
            caller,
            k -> {
              LocalBucketBuilder builder =
                  Bucket.builder()
                      .addLimit(
                          Bandwidth.builder()
                              .capacity(burst)
                              .refillGreedy(perSecond, Duration.ofSeconds(1))
                              .build());
              return (time == null ? builder : builder.withCustomTimePrecision(time)).build();
            });
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (!probe.isConsumed()) {
      long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
      throw new RateLimited(seconds);
    }
  }

  /** 429 with the seconds to wait, for the Retry-After header. */
  public static final class RateLimited extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    RateLimited(long retryAfterSeconds) {
      super("too many requests: retry in " + retryAfterSeconds + " s");
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }
}
