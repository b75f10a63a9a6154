package dev.rollgate.server;

import dev.rollgate.server.audit.AuditKey;
import dev.rollgate.server.crypto.SecretBox;
import dev.rollgate.server.events.KafkaEvents;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.oidc.OidcTrust;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How the server runs. Every setting comes from the environment ({@code ROLLGATE_*}) with a
 * default; the command line sets the same variables for port, data directory and database URL.
 *
 * @param host interface to listen on ({@code ROLLGATE_HOST}, default 0.0.0.0)
 * @param port {@code ROLLGATE_PORT}, default 8420; 0 picks a free port
 * @param dataDir {@code ROLLGATE_DATA_DIR}, default ./rollgate-data: the SQLite file, the bootstrap
 *     admin token, the secret key; created 0700, its files 0600
 * @param dbUrl {@code ROLLGATE_DB_URL}: a {@code jdbc:postgresql:} URL, or null for SQLite
 * @param adminToken {@code ROLLGATE_ADMIN_TOKEN}: accepted as an admin token when set
 * @param maxBodyBytes {@code ROLLGATE_MAX_BODY_BYTES}, default 1 MiB
 * @param corsOrigins {@code ROLLGATE_CORS_ORIGINS}, comma-separated; empty (the default) turns CORS
 *     off
 * @param writesPerSecond {@code ROLLGATE_RATE_LIMIT_WRITES}: admin writes per second per token,
 *     default 20 (bursts of 5×); 0 turns the limit off
 * @param evaluationsPerSecond {@code ROLLGATE_RATE_LIMIT_EVALUATIONS}: OFREP evaluations per second
 *     per token, default 20000 (bursts of 5×); 0 turns the limit off
 * @param heartbeatSeconds {@code ROLLGATE_STREAM_HEARTBEAT_SECONDS}: comment lines on idle event
 *     streams, default 15
 * @param syncSeconds {@code ROLLGATE_SYNC_SECONDS}: how often a replica on PostgreSQL checks that
 *     it has every change, in case a notification was lost; default 5
 * @param rolloutWindowSeconds {@code ROLLGATE_ROLLOUT_WINDOW_S}: the default length of a rollout's
 *     judged window, default 10
 * @param rollbackErrorRatePercent {@code ROLLGATE_ROLLBACK_ERROR_RATE}: the default limit of a
 *     canary's error rate, in percent, default 5
 * @param rollbackP99Ms {@code ROLLGATE_ROLLBACK_P99_MS}: the default limit of a canary's p99
 *     latency, default 2000
 * @param outcomeRetentionHours {@code ROLLGATE_OUTCOME_RETENTION_HOURS}: how long request outcomes
 *     are kept, default 168 (a week)
 * @param auditSigningKey {@code ROLLGATE_AUDIT_SIGNING_KEY}: the Ed25519 private key (base64
 *     PKCS#8) that signs audit events and checkpoints; when not set, the key in {@code
 *     <dataDir>/audit-signing.key}, created there on first start. Replicas sharing one PostgreSQL
 *     must all set the same one
 * @param secretKey {@code ROLLGATE_SECRET_KEY}: 32 bytes in base64, the key that seals webhook
 *     signing secrets in the store; when not set, {@code <dataDir>/secret.key} (created on first
 *     start). Replicas on PostgreSQL must all have the same key, so set it there.
 * @param webhookAllowPrivate {@code ROLLGATE_WEBHOOK_ALLOW_PRIVATE}: {@code true} lets webhooks
 *     target loopback, private and link-local addresses; default false (public addresses only)
 * @param maxStreamsPerToken {@code ROLLGATE_MAX_STREAMS_PER_TOKEN}: event streams one token may
 *     hold open on a replica, default 1000; 0 turns the limit off
 * @param headerTimeoutMs {@code ROLLGATE_HEADER_TIMEOUT_MS}: how long a request's head (request
 *     line and headers) may take to arrive from its first byte, default 10000
 * @param bodyTimeoutMs {@code ROLLGATE_BODY_TIMEOUT_MS}: how long a whole request, head and body,
 *     may take to arrive from its first byte, default 30000
 * @param metricsToken {@code ROLLGATE_METRICS_TOKEN}: when set, {@code /metrics} takes {@code
 *     Authorization: Bearer <it>}
 * @param metricsHost {@code ROLLGATE_METRICS_HOST}: interface of the metrics address, default the
 *     main one's ({@code ROLLGATE_HOST}); only with a metrics port
 * @param metricsPort {@code ROLLGATE_METRICS_PORT}: when set, {@code /metrics} is served on this
 *     port (0 picks a free one) and no longer on the main one; null when unset
 * @param sessionMinutes {@code ROLLGATE_SESSION_MINUTES}: how long a web UI sign-in lasts, default
 *     720 (12 hours)
 * @param liveIntervalMs {@code ROLLGATE_LIVE_INTERVAL_MS}: how often the live rollout feed reads
 *     each watched flag's rollout and metrics and sends what changed, default 2000 (10 at least)
 * @param replicaHeartbeatSeconds {@code ROLLGATE_REPLICA_HEARTBEAT_SECONDS}: how often a replica
 *     writes its row in the store's list of replicas, default 5
 * @param replicaWindowSeconds {@code ROLLGATE_REPLICA_WINDOW_SECONDS}: a replica whose row was
 *     written within this long is listed by {@code GET /api/v1/status}, default 30; more than the
 *     heartbeat
 * @param oidc {@code ROLLGATE_OIDC_CONFIG}: the file of trusted OIDC issuers and their rules, read
 *     and checked here (a bad file stops the start); null when unset: every exchange is refused
 * @param flagFiles {@code ROLLGATE_FLAGS}: flagd files (separated by the platform's path separator,
 *     {@code :} or {@code ;}) served in every environment of the default project, the admin API
 *     read-only (file mode); empty for none
 * @param watchFlags {@code ROLLGATE_FLAGS_WATCH}: serve the files again whenever one changes
 * @param healthAllowPrivate {@code ROLLGATE_HEALTH_ALLOW_PRIVATE}: {@code true} lets http health
 *     checks target loopback, private and link-local addresses; default false
 * @param prometheusUrl {@code ROLLGATE_PROMETHEUS_URL}: the Prometheus that {@code prometheus}
 *     health checks query (its base URL); null when unset, and such checks fail saying so
 * @param eventsKafka {@code ROLLGATE_EVENTS_KAFKA}: the Kafka brokers ({@code
 *     host:port[,host:port]}) that SDK events go through instead of the store's inbox, with {@code
 *     ROLLGATE_EVENTS_KAFKA_TOPIC} (default {@code rollgate-events}, also the consumer group's
 *     name); null when unset: the store's inbox
 */
public record ServerConfig(
    String host,
    int port,
    Path dataDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    String adminToken,
    long maxBodyBytes,
    List<String> corsOrigins,
    long writesPerSecond,
    long evaluationsPerSecond,
    long heartbeatSeconds,
    long syncSeconds,
    long rolloutWindowSeconds,
    double rollbackErrorRatePercent,
    double rollbackP99Ms,
    long outcomeRetentionHours,
    String auditSigningKey,
    String secretKey,
    boolean webhookAllowPrivate,
    int maxStreamsPerToken,
    long headerTimeoutMs,
    long bodyTimeoutMs,
    String metricsToken,
    String metricsHost,
    Integer metricsPort,
    int sessionMinutes,
    long liveIntervalMs,
    long replicaHeartbeatSeconds,
    long replicaWindowSeconds,
    OidcTrust oidc,
    List<Path> flagFiles,
    boolean watchFlags,
    boolean healthAllowPrivate,
    URI prometheusUrl,
    KafkaEvents.Settings eventsKafka) {

  public static final int DEFAULT_PORT = 8420;

  /** The events topic when {@code ROLLGATE_EVENTS_KAFKA_TOPIC} is not set. */
  public static final String DEFAULT_EVENTS_TOPIC = "rollgate-events";

  /** The configuration the environment describes. */
  public static ServerConfig fromEnvironment(Map<String, String> env) {
    checkLogFormat(env.get("ROLLGATE_LOG_FORMAT"));
    String host = env.getOrDefault("ROLLGATE_HOST", "0.0.0.0");
    int port = integer(env, "ROLLGATE_PORT", DEFAULT_PORT);
    Integer metricsPort =
        blankToNull(env.get("ROLLGATE_METRICS_PORT")) == null
            ? null
            : integer(env, "ROLLGATE_METRICS_PORT", 0);
    String metricsHost = blankToNull(env.get("ROLLGATE_METRICS_HOST"));
    if (metricsHost != null && metricsPort == null) {
      throw new IllegalArgumentException(
          "ROLLGATE_METRICS_HOST is set without ROLLGATE_METRICS_PORT: set the port too");
    }
    if (metricsPort != null && metricsPort != 0 && metricsPort == port) {
      throw new IllegalArgumentException(
          "ROLLGATE_METRICS_PORT must differ from ROLLGATE_PORT (" + port + ")");
    }
    int heartbeat = atLeast(env, "ROLLGATE_REPLICA_HEARTBEAT_SECONDS", 5, 1);
    int window = atLeast(env, "ROLLGATE_REPLICA_WINDOW_SECONDS", 30, 1);
    if (window <= heartbeat) {
      throw new IllegalArgumentException(
          "ROLLGATE_REPLICA_WINDOW_SECONDS ("
              + window
              + ") must be more than ROLLGATE_REPLICA_HEARTBEAT_SECONDS ("
              + heartbeat
              + "), or live replicas drop out of the list between heartbeats");
    }
    return new ServerConfig(
        host,
        port,
        Path.of(env.getOrDefault("ROLLGATE_DATA_DIR", "rollgate-data")),
        blankToNull(env.get("ROLLGATE_DB_URL")),
        blankToNull(env.get("ROLLGATE_DB_USER")),
        env.get("ROLLGATE_DB_PASSWORD"),
        blankToNull(env.get("ROLLGATE_ADMIN_TOKEN")),
        integer(env, "ROLLGATE_MAX_BODY_BYTES", 1 << 20),
        Arrays.stream(env.getOrDefault("ROLLGATE_CORS_ORIGINS", "").split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList(),
        integer(env, "ROLLGATE_RATE_LIMIT_WRITES", 20),
        integer(env, "ROLLGATE_RATE_LIMIT_EVALUATIONS", 20_000),
        integer(env, "ROLLGATE_STREAM_HEARTBEAT_SECONDS", 15),
        integer(env, "ROLLGATE_SYNC_SECONDS", 5),
        integer(env, "ROLLGATE_ROLLOUT_WINDOW_S", 10),
        decimal(env, "ROLLGATE_ROLLBACK_ERROR_RATE", 5),
        decimal(env, "ROLLGATE_ROLLBACK_P99_MS", 2000),
        integer(env, "ROLLGATE_OUTCOME_RETENTION_HOURS", 168),
        auditSigningKey(env.get("ROLLGATE_AUDIT_SIGNING_KEY")),
        secretKey(blankToNull(env.get("ROLLGATE_SECRET_KEY"))),
        bool(env, "ROLLGATE_WEBHOOK_ALLOW_PRIVATE", false),
        atLeast(env, "ROLLGATE_MAX_STREAMS_PER_TOKEN", 1000, 0),
        atLeast(env, "ROLLGATE_HEADER_TIMEOUT_MS", 10_000, 1),
        atLeast(env, "ROLLGATE_BODY_TIMEOUT_MS", 30_000, 1),
        blankToNull(env.get("ROLLGATE_METRICS_TOKEN")),
        metricsPort == null ? null : metricsHost == null ? host : metricsHost,
        metricsPort,
        atLeast(env, "ROLLGATE_SESSION_MINUTES", 720, 1),
        atLeast(env, "ROLLGATE_LIVE_INTERVAL_MS", 2000, 10),
        heartbeat,
        window,
        oidc(blankToNull(env.get(OidcTrust.VARIABLE))),
        flagFiles(env.get("ROLLGATE_FLAGS")),
        watchFlags(env),
        bool(env, "ROLLGATE_HEALTH_ALLOW_PRIVATE", false),
        prometheusUrl(blankToNull(env.get("ROLLGATE_PROMETHEUS_URL"))),
        eventsKafka(
            blankToNull(env.get("ROLLGATE_EVENTS_KAFKA")),
            blankToNull(env.get("ROLLGATE_EVENTS_KAFKA_TOPIC"))));
  }

  private static final java.util.regex.Pattern BROKER =
      java.util.regex.Pattern.compile(
          "[A-Za-z0-9._\\-]+:[0-9]{1,5}|\\[[0-9A-Fa-f:.]+\\]:[0-9]{1,5}");
  private static final java.util.regex.Pattern TOPIC =
      java.util.regex.Pattern.compile("[A-Za-z0-9._\\-]{1,249}");

  /** Kafka's brokers and topic, checked, or null when events stay in the store. */
  private static KafkaEvents.Settings eventsKafka(String servers, String topic) {
    if (servers == null) {
      if (topic != null) {
        throw new IllegalArgumentException(
            "ROLLGATE_EVENTS_KAFKA_TOPIC is set without ROLLGATE_EVENTS_KAFKA: name the brokers"
                + " too");
      }
      return null;
    }
    List<String> brokers = Arrays.stream(servers.split(",", -1)).map(String::strip).toList();
    for (String broker : brokers) {
      if (!BROKER.matcher(broker).matches()
          || Integer.parseInt(broker.substring(broker.lastIndexOf(':') + 1)) > 65_535) {
        throw new IllegalArgumentException(
            "ROLLGATE_EVENTS_KAFKA must be host:port[,host:port] such as kafka-1:9092,kafka-2:9092,"
                + " not '"
                + servers
                + "'");
      }
    }
    String name = topic == null ? DEFAULT_EVENTS_TOPIC : topic;
    if (!TOPIC.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "ROLLGATE_EVENTS_KAFKA_TOPIC must be a Kafka topic name (letters, digits, '.', '_', '-',"
              + " at most 249), not '"
              + topic
              + "'");
    }
    return new KafkaEvents.Settings(String.join(",", brokers), name);
  }

  private static List<Path> flagFiles(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator)))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(Path::of)
        .toList();
  }

  private static boolean watchFlags(Map<String, String> env) {
    boolean watch = bool(env, "ROLLGATE_FLAGS_WATCH", false);
    if (watch && flagFiles(env.get("ROLLGATE_FLAGS")).isEmpty()) {
      throw new IllegalArgumentException(
          "ROLLGATE_FLAGS_WATCH is set without ROLLGATE_FLAGS: name the flag files to watch");
    }
    return watch;
  }

  /** The Prometheus that {@code prometheus} health checks query: an http(s) base URL, or null. */
  private static URI prometheusUrl(String value) {
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value.strip());
      if (uri.getHost() == null
          || !("http".equalsIgnoreCase(uri.getScheme())
              || "https".equalsIgnoreCase(uri.getScheme()))) {
        throw new URISyntaxException(value, "not an http(s) URL with a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "ROLLGATE_PROMETHEUS_URL must be an http(s) URL such as http://prometheus:9090, not '"
              + value
              + "'");
    }
  }

  /** The trust file read and checked, or null when none is set. */
  private static OidcTrust oidc(String file) {
    return file == null ? null : OidcTrust.load(Path.of(file));
  }

  /** The settings the HTTP edge needs, and nothing else. */
  public HttpApi.Settings http() {
    return new HttpApi.Settings(
        host,
        port,
        maxBodyBytes,
        corsOrigins,
        writesPerSecond,
        evaluationsPerSecond,
        headerTimeoutMs,
        bodyTimeoutMs,
        new HttpApi.Metrics(metricsToken, metricsHost, metricsPort));
  }

  /**
   * {@code ROLLGATE_LOG_FORMAT} picks logback's appender (logback.xml): text lines, or JSON lines.
   * Anything else would leave the server silent, so it is refused.
   */
  private static void checkLogFormat(String value) {
    if (value != null && !value.equals("text") && !value.equals("json")) {
      throw new IllegalArgumentException(
          "ROLLGATE_LOG_FORMAT must be text or json, not '" + value + "'");
    }
  }

  private static int integer(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
    }
  }

  /** The key as given, once it is known to be 32 bytes in base64. */
  private static String secretKey(String value) {
    if (value != null) {
      SecretBox.parseKey(value, SecretBox.KEY_VARIABLE);
    }
    return value;
  }

  private static int atLeast(Map<String, String> env, String name, int fallback, int min) {
    int value = integer(env, name, fallback);
    if (value < min) {
      throw new IllegalArgumentException(name + " must be " + min + " or more, not " + value);
    }
    return value;
  }

  private static boolean bool(Map<String, String> env, String name, boolean fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(name + " must be true or false, not '" + value + "'");
    };
  }

  private static double decimal(Map<String, String> env, String name, double fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      double d = Double.parseDouble(value.strip());
      if (!(d >= 0) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a number of 0 or more, not '" + value + "'");
    }
  }

  /** The key, refused here when it is not one, so that nothing starts with a wrong key. */
  private static String auditSigningKey(String value) {
    String key = blankToNull(value);
    if (key != null) {
      var unused = AuditKey.ofSetting(key);
    }
    return key;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
