package dev.rollgate.openfeature;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.TrackingEventDetails;
import dev.openfeature.sdk.Value;
import dev.rollgate.core.Resolution;
import dev.rollgate.sdk.RollgateClient;
import dev.rollgate.sdk.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OpenFeature provider that evaluates in-process through a {@link RollgateClient}: no network
 * round trip per evaluation. Provider events follow the client: READY, STALE, ERROR, and
 * CONFIGURATION_CHANGED with the keys of the flags that changed.
 */
public final class RollgateProvider extends EventProvider {
  private final RollgateClient client;
  private final Duration initTimeout;

  /** A provider over {@code client}, waiting up to 5 s for the first configuration. */
  public RollgateProvider(RollgateClient client) {
    this(client, Duration.ofSeconds(5));
  }

  public RollgateProvider(RollgateClient client, Duration initTimeout) {
    this.client = client;
    this.initTimeout = initTimeout;
  }

  @Override
  public Metadata getMetadata() {
    return () -> "rollgate";
  }

  /**
   * Waits for the server's configuration. Without it, a configuration from the bootstrap file or
   * the on-disk copy is enough to start (as STALE); with nothing at all, initialisation fails and
   * the provider turns READY when the client does.
   */
  @Override
  public void initialize(EvaluationContext context) throws Exception {
    client.onStatus(this::statusChanged);
    client.onChanges(keys ->
        emitProviderConfigurationChanged(
            ProviderEventDetails.builder().flagsChanged(new ArrayList<>(keys)).build()));
    if (client.awaitReady(initTimeout)) {
      return;
    }
    if (client.status() == Status.STALE) {
      emitProviderStale(
          ProviderEventDetails.builder().message("serving a stored configuration").build());
      return;
    }
    throw new IllegalStateException("no flag configuration yet (status " + client.status() + ")");
  }

  private void statusChanged(Status status) {
    switch (status) {
      case READY -> emitProviderReady(ProviderEventDetails.builder().build());
      case STALE ->
          emitProviderStale(
              ProviderEventDetails.builder().message("Rollgate cannot be reached").build());
      case ERROR ->
          emitProviderError(
              ProviderEventDetails.builder().message("Rollgate refused the client").build());
      default -> {}
    }
  }

  /** OpenFeature's track events go out with the client's batched events. */
  @Override
  public void track(String eventName, EvaluationContext ctx, TrackingEventDetails details) {
    Double value =
        details == null ? null : details.getValue().map(Number::doubleValue).orElse(null);
    client.track(eventName, context(ctx), value);
  }

  @Override
  public void shutdown() {
    client.close();
    super.shutdown();
  }

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(
      String key, Boolean defaultValue, EvaluationContext ctx) {
    return evaluation(client.booleanDetails(key, context(ctx), defaultValue), v -> (Boolean) v);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(
      String key, String defaultValue, EvaluationContext ctx) {
    return evaluation(client.stringDetails(key, context(ctx), defaultValue), v -> (String) v);
  }

  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(
      String key, Integer defaultValue, EvaluationContext ctx) {
    Resolution r = client.longDetails(key, context(ctx), defaultValue);
    long value = ((Number) r.value()).longValue();
    if (value != (int) value) {
      return ProviderEvaluation.<Integer>builder()
          .value(defaultValue)
          .reason("ERROR")
          .errorCode(ErrorCode.TYPE_MISMATCH)
          .errorMessage("flag " + key + " is " + value + ", outside the int range")
          .build();
    }
    return evaluation(r, v -> ((Number) v).intValue());
  }

  @Override
  public ProviderEvaluation<Long> getLongEvaluation(
      String key, Long defaultValue, EvaluationContext ctx) {
    return evaluation(
        client.longDetails(key, context(ctx), defaultValue), v -> ((Number) v).longValue());
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(
      String key, Double defaultValue, EvaluationContext ctx) {
    return evaluation(
        client.doubleDetails(key, context(ctx), defaultValue), v -> ((Number) v).doubleValue());
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(
      String key, Value defaultValue, EvaluationContext ctx) {
    Resolution r = client.objectDetails(key, context(ctx), null);
    if (r.value() == null) {
      return evaluation(r, v -> defaultValue);
    }
    return evaluation(r, Value::objectToValue);
  }

  private static <T> ProviderEvaluation<T> evaluation(
      Resolution r, java.util.function.Function<Object, T> convert) {
    var builder =
        ProviderEvaluation.<T>builder()
            .value(convert.apply(r.value()))
            .variant(r.variant())
            .reason(r.reason().name())
            .flagMetadata(metadata(r.metadata()));
    if (r.errorCode() != null) {
      builder.errorCode(ErrorCode.valueOf(r.errorCode().name())).errorMessage(r.errorMessage());
    }
    return builder.build();
  }

  private static ImmutableMetadata metadata(Map<String, Object> metadata) {
    if (metadata.isEmpty()) {
      return ImmutableMetadata.EMPTY;
    }
    var builder = ImmutableMetadata.builder();
    metadata.forEach((k, v) -> {
      switch (v) {
        case String s -> builder.addString(k, s);
        case Boolean b -> builder.addBoolean(k, b);
        case Long l -> builder.addLong(k, l);
        case Double d -> builder.addDouble(k, d);
        default -> builder.addString(k, String.valueOf(v));
      }
    });
    return builder.build();
  }

  /** OpenFeature's context as Rollgate's: the targeting key plus plain Java attribute values. */
  static dev.rollgate.core.EvaluationContext context(EvaluationContext ctx) {
    if (ctx == null) {
      return dev.rollgate.core.EvaluationContext.empty();
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    ctx.asObjectMap().forEach((k, v) -> attributes.put(k, plain(v)));
    String key = ctx.getTargetingKey();
    return dev.rollgate.core.EvaluationContext.of(
        key == null || key.isEmpty() ? null : key, attributes);
  }

  private static Object plain(Object value) {
    return switch (value) {
      case Instant i -> i.toString();
      case Integer i -> i.longValue();
      case Map<?, ?> m -> {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
        yield out;
      }
      case List<?> l -> l.stream().map(RollgateProvider::plain).toList();
      case null, default -> value;
    };
  }
}
