package dev.rollgate.openfeature;

import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.Structure;
import dev.openfeature.sdk.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenFeature's context as Rollgate's, without copying it: targeting reads the few attributes it
 * needs from the OpenFeature context when it needs them. Scalars come out as they are (integers as
 * longs), so reading one allocates nothing; structures and lists are converted when read.
 *
 * <p>There is no cache by context identity: the OpenFeature SDK (1.22) hands the provider a new
 * layered context (API, transaction, client and invocation contexts) on every evaluation, so such a
 * cache would never hit, while the view costs two small objects.
 */
final class ContextView implements dev.rollgate.core.EvaluationContext.Attributes {
  private final EvaluationContext context;

  private ContextView(EvaluationContext context) {
    this.context = context;
  }

  /** Rollgate's context over {@code context}; the empty context for null. */
  static dev.rollgate.core.EvaluationContext of(EvaluationContext context) {
    if (context == null) {
      return dev.rollgate.core.EvaluationContext.empty();
    }
    String key = context.getTargetingKey();
    return dev.rollgate.core.EvaluationContext.view(
        key == null || key.isEmpty() ? null : key, new ContextView(context));
  }

  @Override
  public Object get(String name) {
    Value value = context.getValue(name);
    return value == null ? null : plain(value);
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    for (String name : context.keySet()) {
      map.put(name, get(name));
    }
    return map;
  }

  /** A value as the core reads values: strings, longs, doubles, booleans, lists and maps. */
  static Object plain(Value value) {
    Object inner = value.asObject();
    return switch (inner) {
      case Integer i -> i.longValue();
      case Instant i -> i.toString();
      case Structure s -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String name : s.keySet()) {
          Value member = s.getValue(name);
          map.put(name, member == null ? null : plain(member));
        }
        yield map;
      }
      case List<?> list -> {
        List<Object> out = new ArrayList<>(list.size());
        for (Object element : list) {
          out.add(element instanceof Value v ? plain(v) : element);
        }
        yield out;
      }
      case null, default -> inner;
    };
  }
}
