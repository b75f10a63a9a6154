package dev.rollgate.server.http;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.protocol.Protocol;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.store.StoreException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: Javalin on Jetty with virtual threads. Cross-cutting rules live here: request
 * ids, security headers, authentication, body size and type, rate limits, JSON errors, metrics.
 * Features add their routes through {@link Routes}.
 */
public final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("rollgate.access");
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  /** How long stopping waits for answers already produced to reach their clients. */
  private static final long FLUSH_TIMEOUT_MS = 5_000;

  /** Bodies up to this many times the limit are read and dropped before an early refusal. */
  private static final int DISCARD_FACTOR = 16;

  /**
   * Who a bearer secret stands for; null when it is unknown, revoked or expired (the token
   * service).
   */
  @FunctionalInterface
  public interface Authenticator {
    Principal authenticate(String secret);
  }

  /**
   * Web UI sessions, as the edge needs them: who a session cookie's secret stands for (null when it
   * is unknown, expired, signed out or its token revoked), and whether a CSRF token belongs to it.
   */
  public interface Sessions {
    Principal principal(String secret);

    boolean csrfMatches(String secret, String csrfToken);
  }

  /** The cookie that carries a web UI session's secret. */
  public static final String SESSION_COOKIE = "rollgate_session";

  /** Where a token is exchanged for a session (an API route that takes no credentials). */
  public static final String SESSION_PATH = "/api/v1/session";

  /**
   * Where an OIDC identity token is exchanged for a short-lived token (the other API route that
   * takes no credentials: the identity token in the body is them).
   */
  public static final String OIDC_PATH = "/api/v1/auth/oidc";

  /** The release-approval public key, served without credentials. */
  public static final String PUBLIC_KEYS_PATH = "/api/v1/keys/approvals";

  /**
   * Where an alerting system calls a flag trigger, {@code POST /api/v1/triggers/{secret}}: the
   * third API route that takes no credentials (the secret in the path is them). Rate-limited per
   * address here, and per trigger by its routes.
   */
  public static final String TRIGGER_PATH = "/api/v1/triggers/";

  /** The header OFREP providers send their token in. */
  public static final String API_KEY_HEADER = Protocol.HEADER_API_KEY;

  /** The header that carries a session's CSRF token on every change made with the cookie. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  /**
   * The web UI's Content-Security-Policy: its own scripts, styles and connections only (no inline
   * script or style, no framing); images may be data: URLs (chart exports). API answers keep the
   * stricter {@code default-src 'none'}.
   */
  static final String UI_CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self';"
          + " frame-ancestors 'none'";

  /** A feature's routes. */
  @FunctionalInterface
  public interface Routes {
    void register(io.javalin.config.RoutesConfig routes);
  }

  /** Where Prometheus metrics are served. */
  public static final String METRICS_PATH = "/metrics";

  /**
   * What the edge is configured with.
   *
   * @param headerTimeoutMs how long a request's head may take to arrive from its first byte
   * @param bodyTimeoutMs how long a whole request, head and body, may take to arrive
   */
  public record Settings(
      String host,
      int port,
      long maxBodyBytes,
      List<String> corsOrigins,
      long writesPerSecond,
      long evaluationsPerSecond,
      long headerTimeoutMs,
      long bodyTimeoutMs,
      Metrics metrics) {}

  /**
   * Who may read {@link #METRICS_PATH}, and where.
   *
   * @param token when not null, the bearer token the endpoint takes
   * @param host the interface of the metrics address (with a port only)
   * @param port when not null, metrics are served on this port alone (0: a free one), and no longer
   *     on the main one
   */
  public record Metrics(String token, String host, Integer port) {
    /**
     * Whether an {@code Authorization} header carries the token (or none is needed). The hashes are
     * compared, in constant time, so that timing tells neither the token's content nor its length.
     */
    private boolean admits(String header) {
      if (token == null) {
        return true;
      }
      String given =
          header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
              ? header.substring(7).strip()
              : "";
      return MessageDigest.isEqual(
          Sha256.hex(given).getBytes(StandardCharsets.US_ASCII),
          Sha256.hex(token).getBytes(StandardCharsets.US_ASCII));
    }
  }

  private HttpApi() {}

  /** The running HTTP server, so that nothing outside this package handles Javalin itself. */
  public static final class Server {
    private final Javalin javalin;
    private final Listeners listeners;

    private Server(Javalin javalin, Listeners listeners) {
      this.javalin = javalin;
      this.listeners = listeners;
    }

    /** The port metrics are served on, or -1 when they are served on the main one. */
    public int metricsPort() {
      ServerConnector metrics = listeners.metrics();
      return metrics == null ? -1 : metrics.getLocalPort();
    }

    public Server start() {
      javalin.start();
      return this;
    }

    public int port() {
      return javalin.port();
    }

    public void stop() {
      javalin.stop();
    }

    /** Every registered route as {@code "METHOD /path"} (HEAD and OPTIONS left out). */
    public List<String> routes() {
      List<String> routes = new java.util.ArrayList<>();
      for (var parsed : javalin.unsafe.internalRouter.allHttpHandlers()) {
        var e = parsed.endpoint;
        if (e.method.isHttpMethod()
            && !e.method.equals(io.javalin.http.HandlerType.HEAD)
            && !e.method.equals(io.javalin.http.HandlerType.OPTIONS)) {
          routes.add(e.method.name().toUpperCase(java.util.Locale.ROOT) + " " + e.path);
        }
      }
      return routes;
    }
  }

  public static Server create(
      Settings config,
      Authenticator tokens,
      Sessions sessions,
      MeterRegistry meters,
      Drain drain,
      List<Routes> features) {
    RequestTimers timers = new RequestTimers(meters, new ConcurrentHashMap<>());
    Limits limits =
        new Limits(
            new RateLimiter(config.writesPerSecond(), config.writesPerSecond() * 5),
            new RateLimiter(config.evaluationsPerSecond(), config.evaluationsPerSecond() * 5));
    ReadDeadlines deadlines =
        new ReadDeadlines(
            Duration.ofMillis(config.headerTimeoutMs()), Duration.ofMillis(config.bodyTimeoutMs()));
    Listeners listeners = new Listeners(config.metrics().port() != null);
    return new Server(
        Javalin.create(c -> {
          c.startup.showJavalinBanner = false;
          c.concurrency.useVirtualThreads = true;
          c.http.maxRequestSize = config.maxBodyBytes();
          // Javalin adds no connector of its own once one is given: the first is the main one.
          c.jetty.addConnector(
              (server, http) -> connector(server, http, config.host(), config.port(), deadlines));
          if (config.metrics().port() != null) {
            c.jetty.addConnector((server, http) ->
                listeners.keepMetrics(
                    connector(
                        server,
                        http,
                        config.metrics().host(),
                        config.metrics().port(),
                        deadlines)));
          }
          // The drain counts a request done once its handler and logger ran, a moment before Jetty
          // flushes the answer; stopping then would cut that answer off, so Jetty finishes it
          // first.
          c.jetty.modifyServer(server -> {
            server.setHandler(new GracefulHandler());
            server.setErrorHandler(new JsonErrorHandler());
            server.setStopTimeout(FLUSH_TIMEOUT_MS);
            server.addBean(deadlines);
          });
          if (!config.corsOrigins().isEmpty()) {
            c.bundledPlugins.enableCors(cors ->
                cors.addRule(rule -> {
                  for (String origin : config.corsOrigins()) {
                    rule.allowHost(origin);
                  }
                  rule.exposeHeader("ETag");
                  rule.exposeHeader("X-Request-Id");
                }));
          }
          c.requestLogger.http((ctx, millis) -> {
            drain.exit();
            timers.record(ctx, millis);
            accessLog(ctx, millis);
          });
          c.routes.before(ctx -> {
            try {
              if (!drain.enter()) {
                ctx.header("Connection", "close");
                throw new ApiException(
                    503, "shutting_down", "the server is shutting down; retry on another replica");
              }
              prepare(ctx, config, tokens, sessions, limits, listeners);
            } catch (ApiException | Failure e) {
              discardBody(ctx, config.maxBodyBytes());
              throw e;
            }
          });
          // Matched as the route itself is (trailing slash and all), so no spelling of the path
          // reaches the metrics unguarded.
          c.routes.before(METRICS_PATH, ctx -> guardMetrics(ctx, config.metrics(), listeners));
          errors(c);
          for (Routes feature : features) {
            feature.register(c.routes);
          }
        }),
        listeners);
  }

  /** A plain HTTP/1.1 listener whose requests have {@link ReadDeadlines}. */
  private static ServerConnector connector(
      org.eclipse.jetty.server.Server server,
      HttpConfiguration http,
      String host,
      int port,
      ReadDeadlines deadlines) {
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.addEventListener(deadlines);
    return connector;
  }

  /** Whether metrics have an address of their own, and its listener once Jetty made it. */
  private static final class Listeners {
    private final boolean separateMetrics;
    private volatile ServerConnector metrics;

    Listeners(boolean separateMetrics) {
      this.separateMetrics = separateMetrics;
    }

    ServerConnector keepMetrics(ServerConnector connector) {
      metrics = connector;
      return connector;
    }

    ServerConnector metrics() {
      return metrics;
    }

    /** Whether a request came in on the metrics listener (whose port differs from the main one). */
    boolean onMetrics(Context ctx) {
      ServerConnector m = metrics;
      return separateMetrics && m != null && ctx.req().getLocalPort() == m.getLocalPort();
    }
  }

  /**
   * Metrics name every project's flags and variants. With an address of their own they are served
   * there alone (which serves nothing else, see {@link #prepare}); with a token they take it.
   */
  private static void guardMetrics(Context ctx, Metrics metrics, Listeners listeners) {
    if (listeners.separateMetrics && !listeners.onMetrics(ctx)) {
      throw new ApiException(
          404, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path());
    }
    if (!metrics.admits(ctx.header(Protocol.HEADER_AUTHORIZATION))) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiException(
          401, "unauthorized", "metrics take the metrics token as Authorization: Bearer <token>");
    }
  }

  /**
   * Whether a client's request id looks like one of our secrets (a token pasted into the wrong
   * header): it would be echoed and logged, so it is replaced.
   */
  private static boolean secretLike(String id) {
    return id.startsWith("rgt_")
        || id.startsWith("rgs_")
        || id.startsWith("whsec_")
        || id.startsWith("rgtr_");
  }

  /** Rate limits per token: admin writes, and evaluations. */
  private record Limits(RateLimiter writes, RateLimiter evaluations) {}

  private static void prepare(
      Context ctx,
      Settings config,
      Authenticator tokens,
      Sessions sessions,
      Limits limits,
      Listeners listeners) {
    String incoming = ctx.header("X-Request-Id");
    String requestId =
        incoming != null && SAFE_REQUEST_ID.matcher(incoming).matches() && !secretLike(incoming)
            ? incoming
            : UUID.randomUUID().toString();
    ctx.attribute(Requests.REQUEST_ID, requestId);
    ctx.header("X-Request-Id", requestId);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    if (listeners.onMetrics(ctx) && !ctx.path().equals(METRICS_PATH)) {
      throw new ApiException(404, "not_found", "the metrics address serves " + METRICS_PATH);
    }
    boolean evaluation = ctx.path().startsWith("/ofrep/");
    if (!ctx.path().startsWith("/api/") && !evaluation) {
      if (ctx.path().equals("/") || ctx.path().startsWith("/ui")) {
        ctx.header("Content-Security-Policy", UI_CONTENT_SECURITY_POLICY);
      }
      return;
    }
    ctx.header("Cache-Control", "no-store");
    ctx.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    String method = ctx.req().getMethod();
    if (method.equals("OPTIONS")
        || ctx.path().equals("/api/v1/openapi.json")
        || (method.equals("GET") && ctx.path().equals(PUBLIC_KEYS_PATH))) {
      return; // public: the API's description, and the key anyone may check approvals with
    }
    boolean signIn =
        method.equals("POST") && (ctx.path().equals(SESSION_PATH) || ctx.path().equals(OIDC_PATH));
    boolean trigger = method.equals("POST") && isTriggerCall(ctx.path());
    Principal principal =
        signIn || trigger ? null : authenticate(ctx, tokens, sessions, !evaluation);
    if (principal != null) {
      Scope.check(principal, method, ctx.path());
    }
    boolean hasBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    if (hasBody) {
      long length = ctx.req().getContentLengthLong();
      if (length > config.maxBodyBytes()) {
        throw new ApiException(
            413,
            "payload_too_large",
            "the body is larger than " + config.maxBodyBytes() + " bytes");
      }
      // Neither Content-Length nor chunked (curl -X POST without -d): an empty body.
      boolean empty = length == 0 || (length < 0 && ctx.header("Transfer-Encoding") == null);
      if (!empty && !isUtf8Json(ctx.header("Content-Type"))) {
        throw new ApiException(
            415,
            "unsupported_media_type",
            "send the body as application/json (charset=utf-8, the only one read)");
      }
    }
    RateLimiter limiter =
        evaluation
            ? limits.evaluations()
            : hasBody || method.equals("DELETE") ? limits.writes() : null;
    if (limiter != null) {
      try {
        // Sign-ins, exchanges and trigger calls have no token: they are counted per address.
        limiter.acquire(
            signIn ? "sign-in:" + ctx.ip() : trigger ? "trigger:" + ctx.ip() : principal.tokenId());
      } catch (RateLimiter.RateLimited e) {
        ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
        throw new ApiException(429, "rate_limited", e.getMessage());
      }
    }
  }

  /**
   * Whether {@code path} is one trigger's URL, {@code /api/v1/triggers/<secret>}, and nothing else:
   * compared segment by segment after decoding, so that no spelling of another path (a dot segment,
   * an encoded slash) gets through without a token.
   */
  static boolean isTriggerCall(String path) {
    if (!path.startsWith(TRIGGER_PATH)) {
      return false;
    }
    List<String> segments = Scope.segments(path);
    return segments != null && segments.size() == 4;
  }

  /** The path as logged: a trigger's URL holds its secret, so it is logged as its route. */
  private static String logged(Context ctx) {
    return ctx.path().startsWith(TRIGGER_PATH) ? TRIGGER_PATH + "{secret}" : ctx.path();
  }

  /**
   * Whether a Content-Type names JSON in UTF-8: {@code application/json}, with no charset or {@code
   * charset=utf-8} (JSON is UTF-8, RFC 8259 section 8.1). {@code application/jsonx} is not JSON,
   * and a charset the server would have to decode otherwise is refused before anything reads the
   * body.
   */
  static boolean isUtf8Json(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";", -1);
    if (!parts[0].strip().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String[] parameter = parts[i].split("=", 2);
      if (parameter[0].strip().equalsIgnoreCase("charset")) {
        String charset = parameter.length < 2 ? "" : parameter[1].strip().replace("\"", "");
        if (!charset.equalsIgnoreCase("utf-8")) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Reads and drops the body of a request refused before its handler ran (401, 413, 415, 429, 503),
   * so the answer reaches the client: closing the socket while the client still sends makes the
   * kernel reset the connection, and the client loses the answer. A body far over the limit is not
   * read; that client may see a reset instead.
   */
  private static void discardBody(Context ctx, long limit) {
    long length = ctx.req().getContentLengthLong(); // -1 when chunked: read up to the cap
    long cap = limit * DISCARD_FACTOR;
    if (length == 0 || length > cap) {
      return;
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] sink = new byte[8192];
      long read = 0;
      for (int n; read < cap && (n = in.read(sink)) != -1; ) {
        read += n;
      }
    } catch (IOException e) {
      // the client went away: the answer goes nowhere either way
    }
  }

  /**
   * The caller's token, from {@code Authorization: Bearer} or (as OFREP allows) {@code X-API-Key}.
   * Both at once is refused: which one a proxy or a client meant is not ours to guess. Without
   * either, the admin API takes a web UI session cookie; a change made with it must carry the
   * session's CSRF token.
   */
  private static Principal authenticate(
      Context ctx, Authenticator tokens, Sessions sessions, boolean sessionAllowed) {
    String header = ctx.header(Protocol.HEADER_AUTHORIZATION);
    String apiKey = ctx.header(Protocol.HEADER_API_KEY);
    if (header != null && apiKey != null) {
      throw new ApiException(
          400,
          "ambiguous_credentials",
          "send the token once: as Authorization: Bearer <token> or as X-API-Key, not both");
    }
    String secret;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      secret = header.substring(7).strip();
    } else if (apiKey != null) {
      secret = apiKey.strip();
    } else if (sessionAllowed && ctx.cookie(SESSION_COOKIE) != null) {
      return sessionPrincipal(ctx, sessions, ctx.cookie(SESSION_COOKIE));
    } else {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiException(
          401, "unauthorized", "send a token as Authorization: Bearer <token> or X-API-Key");
    }
    Principal principal = tokens.authenticate(secret);
    if (principal == null) {
      ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      throw new ApiException(401, "unauthorized", "the token is unknown or revoked, or it expired");
    }
    ctx.attribute(Requests.PRINCIPAL, principal);
    return principal;
  }

  private static Principal sessionPrincipal(Context ctx, Sessions sessions, String secret) {
    Principal principal = sessions.principal(secret);
    if (principal == null) {
      throw new ApiException(
          401, "session_expired", "the session expired or was signed out; sign in again");
    }
    String method = ctx.req().getMethod();
    boolean safe = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    if (!safe && !sessions.csrfMatches(secret, ctx.header(CSRF_HEADER))) {
      throw new ApiException(
          403,
          "csrf_token_invalid",
          "a change made with a session cookie must carry the session's " + CSRF_HEADER);
    }
    ctx.attribute(Requests.PRINCIPAL, principal);
    ctx.attribute(Requests.SESSION, secret); // a stream it opens ends with the session
    return principal;
  }

  /** The one place where a domain failure's kind becomes an HTTP status. */
  static int status(Failure.Kind kind) {
    return switch (kind) {
      case INVALID_INPUT -> 400;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case VERSION_MISMATCH -> 412;
      case VERSION_REQUIRED -> 428;
      case UNAVAILABLE -> 503;
    };
  }

  private static void errors(JavalinConfig c) {
    c.routes.exception(
        Failure.class,
        (e, ctx) -> error(ctx, status(e.kind()), e.code(), e.getMessage(), e.details()));
    c.routes.exception(
        ApiException.class,
        (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage(), e.details()));
    c.routes.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          int status = e.getStatus();
          String code =
              status == 413 ? "payload_too_large" : status == 404 ? "not_found" : "http_" + status;
          error(ctx, status, code, e.getMessage(), List.of());
        });
    c.routes.exception(
        StoreException.class,
        (e, ctx) -> {
          log.error(
              "store failure on {} {} [{}]", ctx.method(), logged(ctx), Requests.requestId(ctx), e);
          error(
              ctx, 503, "store_unavailable", "the store is not available; retry later", List.of());
        });
    c.routes.exception(
        Exception.class,
        (e, ctx) -> {
          log.error(
              "unexpected failure on {} {} [{}]",
              ctx.method(),
              logged(ctx),
              Requests.requestId(ctx),
              e);
          error(
              ctx,
              500,
              "internal",
              "internal error; quote request id " + Requests.requestId(ctx),
              List.of());
        });
    Consumer<Integer> fallback =
        status ->
            c.routes.error(
                status,
                ctx -> {
                  if (!ctx.res().isCommitted()
                      && (ctx.result() == null || ctx.result().isEmpty())) {
                    error(
                        ctx,
                        status,
                        status == 404 ? "not_found" : "http_" + status,
                        status == 404
                            ? "no such endpoint: " + ctx.method() + " " + ctx.path()
                            : "request failed",
                        List.of());
                  }
                });
    fallback.accept(404);
    fallback.accept(405);
  }

  static void error(
      Context ctx, int status, String code, String message, List<Map<String, Object>> details) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("code", code);
    body.put("message", message);
    body.put("requestId", Requests.requestId(ctx));
    if (!details.isEmpty()) {
      body.put("details", details);
    }
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }

  /**
   * One line per request: method, route (the pattern, never the raw path or a header, so no token
   * or personal data reaches the log), status, duration and request id.
   */
  private static void accessLog(Context ctx, Float millis) {
    if (!ACCESS.isInfoEnabled()) {
      return;
    }
    String method = ctx.req().getMethod();
    String route = routeOf(ctx);
    int status = ctx.status().getCode();
    double duration = Math.round(millis * 10) / 10.0;
    String requestId = Requests.requestId(ctx);
    // The text appender prints the message; the JSON one (ROLLGATE_LOG_FORMAT=json) the pairs too.
    ACCESS
        .atInfo()
        .addKeyValue("method", method)
        .addKeyValue("route", route)
        .addKeyValue("status", status)
        .addKeyValue("durationMs", duration)
        .addKeyValue("requestId", requestId)
        .log("{} {} {} {}ms {}", method, route, status, duration, requestId);
  }

  /** Request timers by route, then by method and status; built once each, per registry. */
  private record RequestTimers(MeterRegistry meters, Map<String, Map<String, Timer>> byRoute) {
    void record(Context ctx, Float millis) {
      String route = routeOf(ctx);
      String method = ctx.req().getMethod();
      int status = ctx.status().getCode();
      Timer timer =
          byRoute
              .computeIfAbsent(route, r -> new ConcurrentHashMap<>())
              .computeIfAbsent(
                  method + " " + status,
                  k ->
                      Timer.builder("http.server.requests")
                          .description("HTTP requests by route, method and status")
                          .tag("route", route)
                          .tag("method", method)
                          .tag("status", String.valueOf(status))
                          .publishPercentileHistogram()
                          .register(meters));
      timer.record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }
  }

  private static String routeOf(Context ctx) {
    try {
      return ctx.endpoint().path;
    } catch (RuntimeException e) {
      return "unmatched";
    }
  }
}
