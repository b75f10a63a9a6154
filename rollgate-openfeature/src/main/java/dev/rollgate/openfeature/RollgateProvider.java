package dev.rollgate.openfeature;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.TrackingEventDetails;
import dev.openfeature.sdk.Value;
import dev.rollgate.core.Resolution;
import dev.rollgate.openfeature.PreparedEvaluations.Kind;
import dev.rollgate.sdk.RollgateClient;
import dev.rollgate.sdk.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An OpenFeature provider that evaluates in-process through a {@link RollgateClient}: no network
 * round trip per evaluation. Provider events follow the client: READY, STALE, ERROR, and
 * CONFIGURATION_CHANGED with the keys of the flags that changed.
 */
public final class RollgateProvider extends EventProvider {
  private static final Metadata METADATA = () -> "rollgate";

  private final RollgateClient client;
  private final Duration initTimeout;
  private final PreparedEvaluations prepared = new PreparedEvaluations();

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
    return METADATA;
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

  /** No provider hooks: nothing for the SDK to run, and no list made per evaluation. */
  @Override
  @SuppressWarnings("rawtypes") // the SDK's signature
  public List<Hook> getProviderHooks() {
    return List.of();
  }

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(
      String key, Boolean defaultValue, EvaluationContext ctx) {
    Resolution r = client.booleanDetails(key, context(ctx), defaultValue);
    return answer(r, Kind.BOOLEAN, RollgateProvider::asBoolean);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(
      String key, String defaultValue, EvaluationContext ctx) {
    Resolution r = client.stringDetails(key, context(ctx), defaultValue);
    return answer(r, Kind.STRING, RollgateProvider::asString);
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
    return answer(r, Kind.INTEGER, RollgateProvider::asInteger);
  }

  @Override
  public ProviderEvaluation<Long> getLongEvaluation(
      String key, Long defaultValue, EvaluationContext ctx) {
    Resolution r = client.longDetails(key, context(ctx), defaultValue);
    return answer(r, Kind.LONG, RollgateProvider::asLong);
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(
      String key, Double defaultValue, EvaluationContext ctx) {
    Resolution r = client.doubleDetails(key, context(ctx), defaultValue);
    return answer(r, Kind.DOUBLE, RollgateProvider::asDouble);
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(
      String key, Value defaultValue, EvaluationContext ctx) {
    Resolution r = client.objectDetails(key, context(ctx), null);
    if (r.value() == null) {
      return evaluation(r, defaultValue);
    }
    return answer(r, Kind.OBJECT, RollgateProvider::asObject);
  }

  /**
   * The answer for {@code r}: shared when a variant was served (the core's prepared resolutions),
   * made for this call otherwise (the caller's default, an error).
   */
  private <T> ProviderEvaluation<T> answer(
      Resolution r, Kind kind, Function<Resolution, ProviderEvaluation<T>> build) {
    if (r.variant() != null && r.errorCode() == null) {
      return prepared.get(r, kind, build);
    }
    return build.apply(r);
  }

  private static ProviderEvaluation<Boolean> asBoolean(Resolution r) {
    return evaluation(r, (Boolean) r.value());
  }

  private static ProviderEvaluation<String> asString(Resolution r) {
    return evaluation(r, (String) r.value());
  }

  private static ProviderEvaluation<Integer> asInteger(Resolution r) {
    return evaluation(r, ((Number) r.value()).intValue());
  }

  private static ProviderEvaluation<Long> asLong(Resolution r) {
    return evaluation(r, ((Number) r.value()).longValue());
  }

  private static ProviderEvaluation<Double> asDouble(Resolution r) {
    return evaluation(r, ((Number) r.value()).doubleValue());
  }

  private static ProviderEvaluation<Value> asObject(Resolution r) {
    return evaluation(r, value(r.value()));
  }

  private static <T> ProviderEvaluation<T> evaluation(Resolution r, T value) {
    var builder =
        ProviderEvaluation.<T>builder()
            .value(value)
            .variant(r.variant())
            .reason(r.reason().name())
            .flagMetadata(metadata(r.metadata()));
    if (r.errorCode() != null) {
      builder.errorCode(ErrorCode.valueOf(r.errorCode().name())).errorMessage(r.errorMessage());
    }
    return builder.build();
  }

  /**
   * A JSON-like value as an OpenFeature value that nobody can change (an answer may be shared):
   * immutable structures and lists.
   */
  static Value value(Object v) {
    return switch (v) {
      case null -> new Value();
      case String s -> new Value(s);
      case Boolean b -> new Value(b);
      case Integer i -> new Value(i);
      case Long l -> new Value(l);
      case Number n -> new Value(n.doubleValue());
      case Map<?, ?> m -> {
        Map<String, Value> members = new LinkedHashMap<>();
        m.forEach((k, e) -> members.put(String.valueOf(k), value(e)));
        yield new Value(new ImmutableStructure(members));
      }
      case List<?> l -> new Value(l.stream().map(RollgateProvider::value).toList());
      default -> new Value(String.valueOf(v));
    };
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

  /** OpenFeature's context as Rollgate's: a view, nothing copied. */
  static dev.rollgate.core.EvaluationContext context(EvaluationContext ctx) {
    return ContextView.of(ctx);
  }
}
