package dev.rollgate.server.domain;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Domain records as plain JSON values (maps in component order, lists, strings, numbers, booleans
 * and nulls): what the audit trail records as a resource's state, and what the HTTP edge renders.
 * One conversion for every record, so that no feature writes its own {@code toJson}.
 *
 * <p>Enums become their names and instants ISO-8601 strings; a type that must look otherwise
 * implements {@link Shown}.
 */
public final class Plain {
  private Plain() {}

  /** A value that chooses its own plain form. */
  public interface Shown {
    Object plain();
  }

  /** {@code value} as plain JSON values. */
  public static Object of(Object value) {
    return switch (value) {
      case null -> null;
      case String s -> s;
      case Number n -> n;
      case Boolean b -> b;
      case Shown s -> of(s.plain());
      case Enum<?> e -> e.name();
      case Instant i -> i.toString();
      case Map<?, ?> map -> {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), of(v)));
        yield out;
      }
      case Collection<?> items -> {
        List<Object> out = new ArrayList<>(items.size());
        items.forEach(item -> out.add(of(item)));
        yield out;
      }
      case Record r -> record(r);
      default ->
          throw new IllegalArgumentException("no plain form for " + value.getClass().getName());
    };
  }

  /** A record as an object of its components. */
  public static Map<String, Object> record(Record r) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      try {
        java.lang.reflect.Method accessor = c.getAccessor();
        accessor.trySetAccessible(); // records of a feature may be package-private
        out.put(c.getName(), of(accessor.invoke(r)));
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + c + " of " + r.getClass(), e);
      }
    }
    return out;
  }
}
