package dev.rollgate.sdk;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

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
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final URI base;
  private final String token;
  private final Path cacheFile;
  private final Duration pollInterval;
  private final ParseOptions parseOptions;
  private final HttpClient http;
  private final Thread sync;
  private final Events events; // null when events are off
  private final CountDownLatch ready = new CountDownLatch(1);
  private final List<Consumer<Status>> statusListeners = new CopyOnWriteArrayList<>();
  private final Map<String, List<Runnable>> changeListeners = new HashMap<>();
  private final List<Consumer<Set<String>>> anyChangeListeners = new CopyOnWriteArrayList<>();

  private volatile FlagSnapshot snapshot = FlagSnapshot.empty();
  private volatile Map<String, String> flagSources = Map.of(); // key -> flag JSON, to see changes
  private volatile Status status = Status.NOT_READY;
  private volatile String etag;
  private volatile boolean closed;
  private volatile HttpResponse<Stream<String>> stream;

  private RollgateClient(Builder b) {
    this.base =
        URI.create(
            b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl);
    this.token = b.sdkToken;
    this.cacheFile = b.cacheFile;
    this.pollInterval = b.pollInterval;
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
                base, token, http, Clock.systemUTC(), b.flushInterval, b.eventQueueCapacity)
            : null;
    // Something to serve before the server answers: the last good copy, else the bootstrap file.
    if (!load(b.cacheFile) && b.bootstrapFile != null) {
      load(b.bootstrapFile);
    }
    this.sync = Thread.ofPlatform().daemon().name("rollgate-sdk-sync").start(this::follow);
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
    if (events != null && r.variant() != null) {
      events.exposure(
          key, r.variant(), r.reason().name(), context == null ? null : context.targetingKey());
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

  // Following the server

  private void follow() {
    int failures = 0;
    while (!closed) {
      try {
        stream(); // returns when the stream ends
        failures = 0;
      } catch (IOException | RuntimeException e) {
        failures++;
      } catch (InterruptedException e) {
        return;
      }
      if (closed) {
        return;
      }
      if (status == Status.READY) {
        status(Status.STALE);
      }
      try {
        poll();
        long backoff = Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(failures, 7));
        long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        Thread.sleep(Math.min(jittered, pollInterval.toMillis()));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void stream() throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/api/v1/stream"))
            .header("Accept", "text/event-stream")
            .header("X-API-Key", token)
            .build();
    HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      response.body().close();
      if (response.statusCode() == 401 || response.statusCode() == 403) {
        status(Status.ERROR);
      }
      throw new IOException("stream answered " + response.statusCode());
    }
    stream = response;
    String event = null;
    StringBuilder data = new StringBuilder();
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if ("configuration".equals(event) && !data.isEmpty()) {
            install(data.toString(), true);
          }
          event = null;
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).strip());
        }
      }
    } finally {
      stream = null;
    }
  }

  private void poll() throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve("/api/v1/sdk/flags"))
            .header("X-API-Key", token)
            .timeout(Duration.ofSeconds(10));
    if (etag != null) {
      request.header("If-None-Match", etag);
    }
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        etag = response.headers().firstValue("ETag").orElse(null);
        install(response.body(), true);
      } else if (response.statusCode() == 304) {
        status(Status.READY);
      } else if (response.statusCode() == 401 || response.statusCode() == 403) {
        status(Status.ERROR);
      }
    } catch (IOException e) {
      // the server is down: keep serving what we have
    }
  }

  /** Compiles and serves a flagd document; {@code live} when it came from the server just now. */
  private boolean install(String document, boolean live) {
    FlagSnapshot next;
    Map<String, String> sources;
    try {
      next = FlagSnapshot.parse(document, parseOptions);
      sources = flagSources(document);
    } catch (RuntimeException e) {
      return false; // keep the last good configuration
    }
    Map<String, String> before = flagSources;
    snapshot = next;
    flagSources = sources;
    if (live) {
      saveCopy(document);
      status(Status.READY);
      ready.countDown();
    } else if (status == Status.NOT_READY) {
      status(Status.STALE);
    }
    notifyChanges(before, sources);
    return true;
  }

  private static Map<String, String> flagSources(String document) {
    Map<String, String> sources = new HashMap<>();
    if (Json.parse(document) instanceof Map<?, ?> doc
        && doc.get("flags") instanceof Map<?, ?> flags) {
      flags.forEach((k, v) -> sources.put((String) k, Json.write(v)));
    }
    return sources;
  }

  private void notifyChanges(Map<String, String> before, Map<String, String> after) {
    Set<String> changed = new TreeSet<>();
    for (String key : before.keySet()) {
      if (!Objects.equals(before.get(key), after.get(key))) {
        changed.add(key);
      }
    }
    for (String key : after.keySet()) {
      if (!before.containsKey(key)) {
        changed.add(key);
      }
    }
    if (!changed.isEmpty()) {
      for (Consumer<Set<String>> l : anyChangeListeners) {
        try {
          l.accept(Set.copyOf(changed));
        } catch (RuntimeException e) {
          // a listener's failure is its own
        }
      }
    }
    Map<String, List<Runnable>> listeners;
    synchronized (this) {
      listeners = Map.copyOf(changeListeners);
    }
    listeners.forEach((key, list) -> {
      if (!Objects.equals(before.get(key), after.get(key))) {
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

  private boolean load(Path file) {
    if (file == null || !Files.isRegularFile(file)) {
      return false;
    }
    try {
      return install(Files.readString(file), false);
    } catch (IOException e) {
      return false;
    }
  }

  private void saveCopy(String document) {
    if (cacheFile == null) {
      return;
    }
    try {
      Path parent = cacheFile.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path temp = Files.createTempFile(parent, ".rollgate-flags", ".tmp");
      Files.writeString(temp, document, StandardCharsets.UTF_8);
      Files.move(
          temp, cacheFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // the copy is a convenience; evaluation does not depend on it
    }
  }

  /** Stops following the server and waits for the client's thread to end. */
  @Override
  public void close() {
    closed = true;
    HttpResponse<Stream<String>> open = stream;
    if (open != null) {
      open.body().close();
    }
    sync.interrupt();
    try {
      sync.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (events != null) {
      events.close(); // flushes what is queued
    }
    http.close();
  }
}
