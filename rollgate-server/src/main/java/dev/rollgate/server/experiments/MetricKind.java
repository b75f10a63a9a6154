package dev.rollgate.server.experiments;

import dev.rollgate.server.domain.Plain;
import java.util.List;
import java.util.Locale;

/** What a metric measures per unit; see {@link MetricDefinition}. */
public enum MetricKind implements Plain.Shown {
  CONVERSION,
  SUM,
  MEAN,
  RATIO,
  /** Built in: errors per request, from request outcomes. */
  ERROR_RATE,
  /** Built in: mean milliseconds per request, from request outcomes. */
  LATENCY;

  /** The kinds a project may define. */
  static final List<MetricKind> DEFINABLE = List.of(CONVERSION, SUM, MEAN, RATIO);

  /** The definable kind named {@code label}, or null. */
  static MetricKind definable(String label) {
    for (MetricKind kind : DEFINABLE) {
      if (kind.label().equals(label)) {
        return kind;
      }
    }
    return null;
  }

  static MetricKind parse(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public Object plain() {
    return label();
  }

  boolean builtIn() {
    return this == ERROR_RATE || this == LATENCY;
  }

  /** Measured as a ratio of sums over units (delta method). */
  boolean ratio() {
    return this == MEAN || this == RATIO;
  }

  /** Measured as a proportion of units (or requests). */
  boolean proportion() {
    return this == CONVERSION || this == ERROR_RATE;
  }
}
