package dev.rollgate.server.experiments;

import dev.rollgate.server.domain.Plain;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A metric of a project.
 *
 * <ul>
 *   <li>{@code conversion}: 1 for a unit that sent {@code event} after exposure, else 0 (a
 *       proportion);
 *   <li>{@code sum}: the sum of the unit's {@code event} values (compared as a mean per unit);
 *   <li>{@code mean}: the mean value of {@code event} per occurrence, a ratio of sums over units;
 *   <li>{@code ratio}: the sum of {@code event}'s values over the sum of {@code
 *       denominatorEvent}'s, a ratio of sums over units;
 *   <li>built in, from request outcomes: {@code error_rate} (errors per request) and {@code
 *       latency} (mean milliseconds per request).
 * </ul>
 */
public record MetricDefinition(
    String key, String name, MetricKind kind, String event, String denominatorEvent)
    implements Plain.Shown {
  static final MetricDefinition ERROR_RATE =
      new MetricDefinition("error_rate", "Error rate", MetricKind.ERROR_RATE, null, null);
  static final MetricDefinition LATENCY =
      new MetricDefinition("latency", "Mean latency (ms)", MetricKind.LATENCY, null, null);

  boolean builtIn() {
    return kind.builtIn();
  }

  boolean ratio() {
    return kind.ratio();
  }

  /** Whether this metric's unit value moves with {@code eventName}. */
  boolean uses(String eventName) {
    return eventName.equals(event) || eventName.equals(denominatorEvent);
  }

  /** Its components and whether it is built in. */
  @Override
  public Object plain() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("key", key);
    json.put("name", name);
    json.put("kind", kind.label());
    json.put("event", event);
    json.put("denominatorEvent", denominatorEvent);
    json.put("builtIn", builtIn());
    return json;
  }
}
