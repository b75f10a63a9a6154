package dev.rollgate.sdk;

import dev.rollgate.core.ErrorCode;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Evaluates Rollgate flags in-process, on a snapshot the server streams to it.
 *
 * <pre>{@code
 * try (RollgateClient flags = RollgateClient.builder()
 *     .baseUrl("https://rollgate.internal")
 *     .sdkToken(System.getenv("ROLLGATE_SDK_TOKEN"))
 *     .cacheFile(Path.of("/var/cache/my-service/flags.json"))
 *     .build()) {
 *   flags.awaitReady(Duration.ofSeconds(2));
 *   if (flags.booleanValue("new-checkout", EvaluationContext.of(userId), false)) { ... }
 * }
 * }</pre>
 *
 * <p>One background thread follows the server's event stream ({@code /api/v1/stream}); when the
 * stream fails it polls {@code /api/v1/sdk/flags} with an ETag and tries the stream again with
 * backoff and jitter. Evaluation reads the current snapshot without locks and never throws: any
 * failure answers the caller's default. The {@code ROLLGATE_FLAG_<KEY>} kill switch applies.
 */
public final class RollgateClient implements AutoCloseable {
  // This class is the application's boundary: the builder, evaluation, events, status and
  // listeners. The machinery behind it is package-private so that it can change without breaking
  // anyone: StreamFollower and Poller talk to the server, CacheFile keeps the on-disk copy,
  // ChangeDiff finds the flags a configuration changes, Events sends events.
  private final CacheFile cacheFile;
  private final ParseOptions parseOptions;
  private final HttpClient http;
  private final StreamFollower follower;
  private final Events events; // null when events are off
  private final CountDownLatch ready = new CountDownLatch(1);
  private final List<Consumer<Status>> statusListeners = new CopyOnWriteArrayList<>();
  private final Map<String, List<Runnable>> changeListeners = new HashMap<>();
  private final List<Consumer<Set<String>>> anyChangeListeners = new CopyOnWriteArrayList<>();

  private volatile FlagSnapshot snapshot = FlagSnapshot.empty();
  private volatile Map<String, String> flagSources = Map.of(); // key -> flag JSON, to see changes
  private volatile Status status = Status.NOT_READY;

  private RollgateClient(Builder b) {
    URI base =
        URI.create(
            b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl);
    this.cacheFile = new CacheFile(b.cacheFile);
    this.parseOptions =
        ParseOptions.defaults()
            .withStrictness(ParseOptions.Strictness.FLAGD)
            .withEnvironment(b.environment);
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(b.connectTimeout)
            .build();
    this.events =
        b.events
            ? new Events(
                base, b.sdkToken, http, Clock.systemUTC(), b.flushInterval, b.eventQueueCapacity)
            : null;
    // Something to serve before the server answers: the last good copy, else the bootstrap file.
    if (!load(b.cacheFile) && b.bootstrapFile != null) {
      load(b.bootstrapFile);
    }
    this.follower = new StreamFollower(base, b.sdkToken, http, b.pollInterval, new Sink());
    follower.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link RollgateClient}. */
  public static final class Builder {
    private String baseUrl;
    private String sdkToken;
    private Path bootstrapFile;
    private Path cacheFile;
    private Duration pollInterval = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Map<String, String> environment = System.getenv();
    private boolean events = true;
    private Duration flushInterval = Duration.ofSeconds(1);
    private int eventQueueCapacity = 10_000;

    private Builder() {}

    /** Whether to send exposures, track events and outcomes (default true). */
    public Builder events(boolean value) {
      this.events = value;
      return this;
    }

    /** How long events wait before they are sent (default 1 s). */
    public Builder flushInterval(Duration value) {
      this.flushInterval = value;
      return this;
    }

    /** How many events may wait; more are dropped and counted (default 10,000). */
    public Builder eventQueueCapacity(int value) {
      this.eventQueueCapacity = value;
      return this;
    }

    /** The Rollgate server, such as {@code https://rollgate.internal}. */
    public Builder baseUrl(String value) {
      this.baseUrl = Objects.requireNonNull(value, "baseUrl");
      return this;
    }

    /** An sdk token: it selects the project and environment. */
    public Builder sdkToken(String value) {
      this.sdkToken = Objects.requireNonNull(value, "sdkToken");
      return this;
    }

    /** A flagd document to serve until the server answers, when there is no on-disk copy. */
    public Builder bootstrapFile(Path value) {
      this.bootstrapFile = value;
      return this;
    }

    /** Where to keep the last good configuration, served at start when the server is down. */
    public Builder cacheFile(Path value) {
      this.cacheFile = value;
      return this;
    }

    /** How often to poll while the event stream is unavailable (default 30 s). */
    public Builder pollInterval(Duration value) {
      this.pollInterval = value;
      return this;
    }

    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    /**
     * The environment the kill switch ({@code ROLLGATE_FLAG_<KEY>}) is read from; the process's by
     * default.
     */
    public Builder environment(Map<String, String> value) {
      this.environment = Map.copyOf(value);
      return this;
    }

    /** Starts the client; it connects in the background. */
    public RollgateClient build() {
      if (baseUrl == null || sdkToken == null) {
        throw new IllegalStateException("baseUrl and sdkToken are required");
      }
      return new RollgateClient(this);
    }
  }

  // Evaluation

  public boolean booleanValue(String key, EvaluationContext context, boolean defaultValue) {
    return (Boolean) booleanDetails(key, context, defaultValue).value();
  }

  public String stringValue(String key, EvaluationContext context, String defaultValue) {
    return (String) stringDetails(key, context, defaultValue).value();
  }

  public long longValue(String key, EvaluationContext context, long defaultValue) {
    return (Long) longDetails(key, context, defaultValue).value();
  }

  /** A whole-number flag as an int; a value outside the int range answers the default. */
  public int intValue(String key, EvaluationContext context, int defaultValue) {
    long value = longValue(key, context, defaultValue);
    return value == (int) value ? (int) value : defaultValue;
  }

  public double doubleValue(String key, EvaluationContext context, double defaultValue) {
    return (Double) doubleDetails(key, context, defaultValue).value();
  }

  /** A JSON object or array flag, as unmodifiable maps and lists. */
  public Object objectValue(String key, EvaluationContext context, Object defaultValue) {
    return objectDetails(key, context, defaultValue).value();
  }

  public Resolution booleanDetails(String key, EvaluationContext context, boolean defaultValue) {
    return evaluate(key, ValueType.BOOLEAN, defaultValue, context);
  }

  public Resolution stringDetails(String key, EvaluationContext context, String defaultValue) {
    return evaluate(key, ValueType.STRING, defaultValue, context);
  }

  public Resolution longDetails(String key, EvaluationContext context, long defaultValue) {
    return evaluate(key, ValueType.INTEGER, defaultValue, context);
  }

  public Resolution doubleDetails(String key, EvaluationContext context, double defaultValue) {
    return evaluate(key, ValueType.DOUBLE, defaultValue, context);
  }

  public Resolution objectDetails(String key, EvaluationContext context, Object defaultValue) {
    return evaluate(key, ValueType.OBJECT, defaultValue, context);
  }

  /** Evaluates with the steps that led to the result ({@link Resolution#explanation()}). */
  public Resolution explain(
      String key, ValueType type, Object defaultValue, EvaluationContext context) {
    return snapshot.explain(key, type, defaultValue, context);
  }

  private Resolution evaluate(
      String key, ValueType type, Object defaultValue, EvaluationContext context) {
    Resolution r = snapshot.evaluate(key, type, defaultValue, context); // never throws
    if (events != null) {
      if (r.errorCode() != ErrorCode.FLAG_NOT_FOUND) {
        events.evaluated(r);
      }
      if (r.variant() != null) {
        events.exposure(
            key, r.variant(), r.reason().name(), context == null ? null : context.targetingKey());
      }
    }
    return r;
  }

  // Events

  /** Records a business event (a conversion, a purchase with its value) for experiments. */
  public void track(String eventName, EvaluationContext context, Double value) {
    if (events != null && eventName != null) {
      events.track(eventName, context == null ? null : context.targetingKey(), value);
    }
  }

  /**
   * Records how a request went for the variant {@code flagKey} gives {@code context}: rollouts
   * judge a canary's health on these. Outcomes are added up per second and sent as one window each.
   */
  public void recordOutcome(
      String flagKey, EvaluationContext context, long durationNanos, boolean error) {
    recordOutcome(flagKey, context, null, durationNanos, error);
  }

  /**
   * {@link #recordOutcome(String, EvaluationContext, long, boolean)} for one route of a service.
   */
  public void recordOutcome(
      String flagKey, EvaluationContext context, String route, long durationNanos, boolean error) {
    if (events != null && flagKey != null) {
      String variant = snapshot.evaluate(flagKey, ValueType.ANY, null, context).variant();
      events.outcome(flagKey, variant, route, durationNanos, error);
    }
  }

  /** Events dropped because the queue was full or the server did not take them. */
  public long droppedEvents() {
    return events == null ? 0 : events.dropped();
  }

  /** Events the server accepted. */
  public long sentEvents() {
    return events == null ? 0 : events.sent();
  }

  // Status and changes

  public Status status() {
    return status;
  }

  /**
   * Waits until the server's configuration has arrived; false when {@code timeout} passed first.
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Hears every status change, on the client's thread. */
  public void onStatus(Consumer<Status> listener) {
    statusListeners.add(listener);
  }

  /**
   * Hears every configuration change, with the keys of the flags that changed, on the client's
   * thread.
   */
  public void onChanges(Consumer<Set<String>> listener) {
    anyChangeListeners.add(listener);
  }

  /** Hears changes to one flag's configuration, on the client's thread. */
  public synchronized void onChange(String flagKey, Runnable listener) {
    changeListeners.computeIfAbsent(flagKey, k -> new CopyOnWriteArrayList<>()).add(listener);
  }

  private void status(Status next) {
    if (status != next) {
      status = next;
      for (Consumer<Status> l : statusListeners) {
        try {
          l.accept(next);
        } catch (RuntimeException e) {
          // a listener's failure is its own
        }
      }
    }
  }

  // Following the server: StreamFollower and Poller talk HTTP, this decides what answers mean.

  /** What the server's answers do to what is served and to the status. */
  private final class Sink implements ConfigurationSink {
    @Override
    public void configuration(String document) {
      install(document, true);
    }

    @Override
    public void current() {
      status(Status.READY);
    }

    @Override
    public void refused() {
      status(Status.ERROR);
    }

    @Override
    public void lost() {
      if (status == Status.READY) {
        status(Status.STALE);
      }
    }
  }

  /** Compiles and serves a flagd document; {@code live} when it came from the server just now. */
  private boolean install(String document, boolean live) {
    FlagSnapshot next;
    Map<String, String> sources;
    try {
      next = FlagSnapshot.parse(document, parseOptions);
      sources = ChangeDiff.flagSources(document);
    } catch (RuntimeException e) {
      return false; // keep the last good configuration
    }
    Map<String, String> before = flagSources;
    snapshot = next;
    flagSources = sources;
    if (live) {
      cacheFile.write(document);
      status(Status.READY);
      ready.countDown();
    } else if (status == Status.NOT_READY) {
      status(Status.STALE);
    }
    notifyChanges(ChangeDiff.changed(before, sources));
    return true;
  }

  private void notifyChanges(Set<String> changed) {
    if (changed.isEmpty()) {
      return;
    }
    for (Consumer<Set<String>> l : anyChangeListeners) {
      try {
        l.accept(Set.copyOf(changed));
      } catch (RuntimeException e) {
        // a listener's failure is its own
      }
    }
    Map<String, List<Runnable>> listeners;
    synchronized (this) {
      listeners = Map.copyOf(changeListeners);
    }
    listeners.forEach((key, list) -> {
      if (changed.contains(key)) {
        list.forEach(l -> {
          try {
            l.run();
          } catch (RuntimeException e) {
            // a listener's failure is its own
          }
        });
      }
    });
  }

  /**
   * Serves a flag file found at start (the copy or the bootstrap file); false when there is none.
   */
  private boolean load(Path file) {
    String document = CacheFile.read(file);
    if (document == null) {
      return false;
    }
    if (!install(document, false)) {
      System.getLogger(CacheFile.LOGGER)
          .log(
              System.Logger.Level.WARNING,
              "Rollgate ignores " + file + ": it is not a valid flagd document");
      return false;
    }
    return true;
  }

  /** Stops following the server and waits for the client's thread to end. */
  @Override
  public void close() {
    follower.close();
    if (events != null) {
      events.close(); // flushes what is queued
    }
    http.close();
  }
}
