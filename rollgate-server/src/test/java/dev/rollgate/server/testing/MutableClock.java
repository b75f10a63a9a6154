package dev.rollgate.server.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that tests set and advance. */
public final class MutableClock extends Clock {
  private final java.util.concurrent.atomic.AtomicLong millis;

  public MutableClock(long millis) {
    this.millis = new java.util.concurrent.atomic.AtomicLong(millis);
  }

  public void set(long value) {
    millis.set(value);
  }

  public void advance(long delta) {
    millis.addAndGet(delta);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
