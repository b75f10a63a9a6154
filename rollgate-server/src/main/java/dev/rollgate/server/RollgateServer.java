package dev.rollgate.server;

import dev.rollgate.core.ParseOptions;
import dev.rollgate.server.audit.AuditKey;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.audit.AuditRoutes;
import dev.rollgate.server.auth.TokenRoutes;
import dev.rollgate.server.auth.TokenService;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.crypto.KeyFiles;
import dev.rollgate.server.crypto.SecretBox;
import dev.rollgate.server.domain.IdSource;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.evaluation.EventRoutes;
import dev.rollgate.server.evaluation.ExplainRoutes;
import dev.rollgate.server.evaluation.ExplainService;
import dev.rollgate.server.evaluation.OfrepRoutes;
import dev.rollgate.server.evaluation.StreamHub;
import dev.rollgate.server.events.EventInbox;
import dev.rollgate.server.events.EventSink;
import dev.rollgate.server.events.KafkaEvents;
import dev.rollgate.server.experiments.AnalysisRoutes;
import dev.rollgate.server.experiments.ExperimentEvents;
import dev.rollgate.server.experiments.ExperimentResults;
import dev.rollgate.server.experiments.ExperimentRoutes;
import dev.rollgate.server.experiments.ExperimentService;
import dev.rollgate.server.experiments.MetricService;
import dev.rollgate.server.files.FileSource;
import dev.rollgate.server.files.ReadOnlyRoutes;
import dev.rollgate.server.flags.FlagRoutes;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.flags.FlagdImport;
import dev.rollgate.server.health.HealthRoutes;
import dev.rollgate.server.health.Outcomes;
import dev.rollgate.server.http.Drain;
import dev.rollgate.server.http.EventStreams;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.monitor.HealthCheckRoutes;
import dev.rollgate.server.monitor.HealthMonitor;
import dev.rollgate.server.monitor.Probe;
import dev.rollgate.server.monitor.PushedMetrics;
import dev.rollgate.server.net.TargetPolicy;
import dev.rollgate.server.oidc.OidcRoutes;
import dev.rollgate.server.oidc.OidcService;
import dev.rollgate.server.ops.OpsRoutes;
import dev.rollgate.server.ops.Readiness;
import dev.rollgate.server.ops.StatusService;
import dev.rollgate.server.projects.ProjectRoutes;
import dev.rollgate.server.projects.ProjectService;
import dev.rollgate.server.releases.ApprovalKey;
import dev.rollgate.server.releases.ReleaseRoutes;
import dev.rollgate.server.releases.ReleaseService;
import dev.rollgate.server.replicas.Leadership;
import dev.rollgate.server.replicas.ReplicaRegistry;
import dev.rollgate.server.replicas.ReplicaSync;
import dev.rollgate.server.rollouts.RolloutController;
import dev.rollgate.server.rollouts.RolloutFeed;
import dev.rollgate.server.rollouts.RolloutPlan;
import dev.rollgate.server.rollouts.RolloutRoutes;
import dev.rollgate.server.rollouts.RolloutService;
import dev.rollgate.server.schedules.ScheduleRoutes;
import dev.rollgate.server.schedules.ScheduleService;
import dev.rollgate.server.segments.SegmentRoutes;
import dev.rollgate.server.segments.SegmentService;
import dev.rollgate.server.sessions.SessionRoutes;
import dev.rollgate.server.sessions.SessionService;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.StoreException;
import dev.rollgate.server.triggers.TriggerRoutes;
import dev.rollgate.server.triggers.TriggerService;
import dev.rollgate.server.ui.UiRoutes;
import dev.rollgate.server.unleash.UnleashImport;
import dev.rollgate.server.unleash.UnleashRoutes;
import dev.rollgate.server.usage.StaleFlagRoutes;
import dev.rollgate.server.usage.StaleFlags;
import dev.rollgate.server.usage.Usage;
import dev.rollgate.server.usage.UsageRoutes;
import dev.rollgate.server.webhooks.WebhookDispatcher;
import dev.rollgate.server.webhooks.WebhookRoutes;
import dev.rollgate.server.webhooks.WebhookService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Rollgate server: store, services and HTTP API, wired together. */
public final class RollgateServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RollgateServer.class);

  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

  /** How often readiness looks at the store, and how long it waits for an answer. */
  private static final Duration READY_PROBE_PERIOD = Duration.ofMillis(500);

  private static final Duration READY_PROBE_TIMEOUT = Duration.ofSeconds(1);

  private final Database db;
  private final HttpApi.Server http;
  private final Drain drain;
  private final EventStreams streams;
  private final RolloutFeed feed;
  private final HealthMonitor monitor;
  private final ReplicaSync sync; // null on SQLite
  private final KafkaEvents kafka; // null unless events go through Kafka
  private final Catalog catalog;
  private final JvmGcMetrics gcMetrics;
  private final Background background;
  private final ReplicaRegistry replicas;
  private final ScheduledExecutorService probes;
  private final Readiness readiness;

  private RollgateServer(
      Database db,
      HttpApi.Server http,
      Drain drain,
      EventStreams streams,
      RolloutFeed feed,
      HealthMonitor monitor,
      ReplicaSync sync,
      KafkaEvents kafka,
      Catalog catalog,
      JvmGcMetrics gcMetrics,
      Background background,
      ReplicaRegistry replicas,
      ScheduledExecutorService probes,
      Readiness readiness) {
    this.db = db;
    this.http = http;
    this.drain = drain;
    this.streams = streams;
    this.feed = feed;
    this.monitor = monitor;
    this.sync = sync;
    this.kafka = kafka;
    this.catalog = catalog;
    this.gcMetrics = gcMetrics;
    this.background = background;
    this.replicas = replicas;
    this.probes = probes;
    this.readiness = readiness;
  }

  /** The server's version, from its jar's manifest; {@code development} when run from classes. */
  public static String version() {
    String version = RollgateServer.class.getPackage().getImplementationVersion();
    return version == null ? "development" : version;
  }

  /** A background job and how long it waits between runs; no task: not run. */
  private record Job(Runnable task, Duration every) {}

  /** How often watched flag files are looked at: a saved file is served well within a second. */
  private static final Duration WATCH = Duration.ofMillis(250);

  /**
   * The background jobs: every second, writing outcomes and experiment events and dropping expired
   * tokens (every replica), judging rollouts and sending webhooks (the leading replica); every live
   * interval, the live rollout feed's reads; every few seconds, this replica's heartbeat in the
   * list of replicas and its flag usage counts. Each on a thread of its own, so a slow webhook
   * receiver never delays a rollback.
   */
  private record Background(
      ScheduledExecutorService scheduler, List<Runnable> lastFlushes, Leadership leadership) {
    static Background start(List<Runnable> lastFlushes, Leadership leadership, List<Job> jobs) {
      ScheduledExecutorService scheduler =
          Executors.newScheduledThreadPool(
              jobs.size(), Thread.ofPlatform().daemon().name("rollgate-background-", 0).factory());
      for (Job job : jobs) {
        if (job.task() == null) {
          continue; // not wanted in this configuration
        }
        long every = job.every().toMillis();
        var unused =
            scheduler.scheduleWithFixedDelay(
                () -> {
                  try {
                    job.task().run();
                  } catch (RuntimeException e) {
                    log.warn("background job failed: {}", e.toString());
                  }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
      }
      return new Background(scheduler, lastFlushes, leadership);
    }

    void close() {
      scheduler.shutdown();
      try {
        if (!scheduler.awaitTermination(15, TimeUnit.SECONDS)) {
          scheduler.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      lastFlushes.forEach(Runnable::run); // what arrived last
      leadership.close();
    }
  }

  /**
   * Opens the store (migrating it), creates the default project and the first admin token when
   * needed, compiles every snapshot, and starts listening.
   *
   * @param environment the process environment: kill switches ({@code ROLLGATE_FLAG_*}) are read
   *     from it
   */
  public static RollgateServer start(
      ServerConfig config, Map<String, String> environment, Clock clock) {
    return start(config, environment, clock, IdSource.RANDOM);
  }

  /**
   * {@link #start(ServerConfig, Map, Clock)} with the source of rollout and experiment ids, which
   * seed their traffic splits: tests pass a seeded one to be deterministic.
   */
  public static RollgateServer start(
      ServerConfig config, Map<String, String> environment, Clock clock, IdSource ids) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(meters);
    new JvmMemoryMetrics().bindTo(meters);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);

    try {
      // the admin token and the secret key live there whichever the store
      KeyFiles.privateDirectory(config.dataDir());
    } catch (java.io.IOException e) {
      throw new StoreException(
          "cannot create data directory " + config.dataDir() + ": " + e.getMessage(), e);
    }
    AuditKey auditKey = AuditKey.load(config.auditSigningKey(), config.dataDir());
    Database db =
        Database.open(
            config.dbUrl(), config.dbUser(), config.dbPassword(), config.dataDir(), meters);
    ScheduledExecutorService probes =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("rollgate-ready-probe").factory());
    Readiness.Probe storeProbe = Readiness.of(db, READY_PROBE_TIMEOUT);
    KafkaEvents kafka = null;
    try {
      // First, so a wrong key stops the start before anything is written.
      SecretBox secrets = secretBox(config, db);
      if (db.dialect() == Database.Dialect.POSTGRES && config.auditSigningKey() == null) {
        log.warn(
            "audit: signing with the key in {}; replicas sharing this database must all set the"
                + " same ROLLGATE_AUDIT_SIGNING_KEY, or each will find the others' events invalid",
            config.dataDir());
      }
      AuditLog audit = new AuditLog(clock, auditKey);
      db.inTransaction(tx -> {
        audit.signUpgradedTrail(tx);
        return null;
      });
      TargetPolicy webhookTargets =
          new TargetPolicy(config.webhookAllowPrivate(), TargetPolicy.SYSTEM);
      WebhookService webhooks = new WebhookService(db, audit, clock, secrets, webhookTargets);
      webhooks.sealStoredSecrets();
      Catalog catalog =
          new Catalog(
              db,
              ParseOptions.defaults().withEnvironment(Map.copyOf(environment)).withClock(clock),
              List.of(RolloutService.SPLITS, ExperimentService.SPLITS, ReleaseService.SPLITS));
      ProjectService projects = new ProjectService(catalog, audit, clock);
      SegmentService segments = new SegmentService(catalog, audit, clock);
      FlagService flags = new FlagService(catalog, audit, clock);
      FlagdImport flagd = new FlagdImport(catalog, audit, segments, clock);
      TokenService tokens = new TokenService(db, audit, clock, config.adminToken());
      SessionService sessions =
          new SessionService(db, audit, clock, tokens, Duration.ofMinutes(config.sessionMinutes()));

      if (config.oidc() != null) {
        log.info("oidc: trusting {} issuer(s) for token exchange", config.oidc().issuers().size());
      }
      projects.ensureDefaultProject();
      tokens.bootstrap(config.dataDir());
      catalog.loadAll();
      FileSource files =
          config.flagFiles().isEmpty()
              ? null
              : new FileSource(config.flagFiles(), flagd, projects, ProjectService.DEFAULT_PROJECT);
      if (files != null) {
        files.load();
      }
      ReplicaSync sync =
          db.dialect() == Database.Dialect.POSTGRES
              ? new ReplicaSync(
                  db, catalog, tokens::refresh, Duration.ofSeconds(config.syncSeconds()))
              : null;

      Usage usage = new Usage(clock, meters, db);
      EventInbox inbox = new EventInbox(db, clock);
      Outcomes outcomes =
          new Outcomes(db, inbox, clock, meters, Duration.ofHours(config.outcomeRetentionHours()));
      Leadership leadership = new Leadership(db);
      PushedMetrics pushedMetrics = new PushedMetrics(db);
      HealthMonitor monitor =
          new HealthMonitor(
              catalog,
              audit,
              flags,
              new Probe(
                  new TargetPolicy(
                      config.healthAllowPrivate(),
                      TargetPolicy.SYSTEM,
                      "health checks call public addresses only"
                          + " (ROLLGATE_HEALTH_ALLOW_PRIVATE=true allows private ones)"),
                  config.prometheusUrl(),
                  pushedMetrics,
                  db,
                  audit,
                  clock),
              leadership,
              clock,
              ids,
              meters);
      RolloutService rollouts =
          new RolloutService(
              catalog,
              audit,
              flags,
              outcomes,
              clock,
              new RolloutPlan.Defaults(
                  config.rolloutWindowSeconds(),
                  config.rollbackErrorRatePercent() / 100,
                  config.rollbackP99Ms()),
              ids,
              monitor);
      monitor.addPauser(rollouts::pauseListing);
      ExperimentEvents experimentEvents = new ExperimentEvents(db, inbox, clock);
      // The inbox's flushes keep running with Kafka: they apply what it held before the switch.
      kafka =
          config.eventsKafka() == null
              ? null
              : KafkaEvents.start(
                  config.eventsKafka(), db, List.of(experimentEvents, outcomes), meters);
      EventSink events = kafka == null ? inbox : kafka;
      MetricService metrics = new MetricService(catalog, audit, clock);
      ExperimentService experiments =
          new ExperimentService(
              catalog,
              audit,
              experimentEvents,
              new ExperimentResults(db, outcomes, clock),
              clock,
              ids);
      ReleaseService releases =
          new ReleaseService(
              catalog,
              audit,
              flags,
              outcomes,
              pushedMetrics,
              monitor,
              ApprovalKey.load(db, secrets, clock.millis()),
              clock,
              ids,
              new RolloutPlan.Defaults(
                  config.rolloutWindowSeconds(),
                  config.rollbackErrorRatePercent() / 100,
                  config.rollbackP99Ms()));
      monitor.addPauser(releases);
      ScheduleService schedules =
          new ScheduleService(catalog, flags, audit, leadership, clock, ids);
      Readiness readiness =
          new Readiness(storeProbe, probes, clock, READY_PROBE_PERIOD, READY_PROBE_TIMEOUT);
      EventStreams streams =
          new EventStreams(
              config.heartbeatSeconds(),
              config.maxStreamsPerToken(),
              tokens::current,
              secret -> sessions.resolve(secret) != null);
      tokens.onWithdrawn(streams::withdraw);
      StreamHub sdkStreams = new StreamHub(catalog, streams);
      Gauge.builder("rollgate.stream.clients", sdkStreams, StreamHub::clients)
          .description("Connected SDK event-stream clients")
          .register(meters);
      RolloutFeed feed = RolloutFeed.start(rollouts, outcomes, clock);
      catalog.addListener(feed);
      Gauge.builder("rollgate.live.flags", feed, RolloutFeed::flags)
          .description("Flags whose live rollout feed someone watches on this replica")
          .register(meters);
      Gauge.builder("rollgate.live.watchers", feed, RolloutFeed::watchers)
          .description("Live rollout feed streams open on this replica")
          .register(meters);
      ReplicaRegistry replicas =
          new ReplicaRegistry(
              db, leadership, clock, version(), Duration.ofSeconds(config.replicaWindowSeconds()));
      StatusService status =
          new StatusService(
              readiness,
              catalog::loaded,
              () -> sync == null ? null : sync.problem(),
              () -> files == null ? List.of() : files.warnings(),
              replicas,
              db);
      List<HttpApi.Routes> routes = new ArrayList<>();
      if (files != null) {
        routes.add(new ReadOnlyRoutes()); // before the routes it guards
      }
      routes.addAll(
          List.of(
              new OfrepRoutes(catalog, usage, experimentEvents),
              sdkStreams,
              new UsageRoutes(catalog, usage),
              new StaleFlagRoutes(new StaleFlags(flags, usage, clock)),
              new ExplainRoutes(new ExplainService(catalog)),
              new EventRoutes(
                  catalog, events, experimentEvents, usage, pushedMetrics, meters, clock),
              new ExperimentRoutes(metrics, experiments),
              new AnalysisRoutes(),
              new HealthRoutes(catalog, outcomes, clock),
              new HealthCheckRoutes(monitor),
              new RolloutRoutes(rollouts, feed, streams),
              new ReleaseRoutes(releases),
              new WebhookRoutes(webhooks),
              new OpsRoutes(status, meters),
              new ProjectRoutes(projects),
              new FlagRoutes(flags, flagd, schedules),
              new UnleashRoutes(new UnleashImport(catalog, audit, clock)),
              new ScheduleRoutes(schedules),
              new TriggerRoutes(new TriggerService(catalog, flags, audit, clock, ids), clock),
              new SegmentRoutes(segments),
              new TokenRoutes(tokens),
              new SessionRoutes(sessions),
              new OidcRoutes(new OidcService(config.oidc(), tokens, clock)),
              new AuditRoutes(db, audit),
              new UiRoutes()));
      Drain drain = new Drain();
      Gauge.builder("http.server.requests.active", drain, Drain::inFlight)
          .description("HTTP requests in flight")
          .register(meters);
      HttpApi.Server http =
          HttpApi.create(
                  config.http(),
                  tokens::authenticate,
                  sessionsAtTheEdge(sessions),
                  meters,
                  drain,
                  routes)
              .start();
      log.info("rollgate: listening on {}:{}", config.host(), http.port());
      if (http.metricsPort() >= 0) {
        log.info("rollgate: metrics on {}:{}", config.metricsHost(), http.metricsPort());
      }
      RolloutController controller =
          new RolloutController(rollouts, leadership, List.of(releases::tick));
      WebhookDispatcher dispatcher =
          new WebhookDispatcher(db, leadership, clock, secrets, webhookTargets);
      Duration second = Duration.ofSeconds(1);
      Background background =
          Background.start(
              List.of(outcomes::flush, experimentEvents::flush, usage::flush),
              leadership,
              List.of(
                  new Job(outcomes::flush, second),
                  new Job(experimentEvents::flush, second),
                  new Job(usage::flush, Duration.ofSeconds(5)),
                  new Job(controller::tick, second),
                  new Job(schedules::runDue, Duration.ofMillis(250)),
                  new Job(monitor::runDue, second),
                  new Job(dispatcher::runDue, second),
                  new Job(feed::tick, Duration.ofMillis(config.liveIntervalMs())),
                  new Job(tokens::expire, second),
                  new Job(replicas::beat, Duration.ofSeconds(config.replicaHeartbeatSeconds())),
                  new Job(files != null && config.watchFlags() ? files::poll : null, WATCH)));
      return new RollgateServer(
          db,
          http,
          drain,
          streams,
          feed,
          monitor,
          sync,
          kafka,
          catalog,
          gc,
          background,
          replicas,
          probes,
          readiness);
    } catch (RuntimeException e) {
      if (kafka != null) {
        kafka.close();
      }
      probes.shutdownNow();
      storeProbe.close();
      db.close();
      throw e;
    }
  }

  private static HttpApi.Sessions sessionsAtTheEdge(SessionService sessions) {
    return new HttpApi.Sessions() {
      @Override
      public Principal principal(String secret) {
        SessionService.Session session = sessions.resolve(secret);
        return session == null ? null : session.principal();
      }

      @Override
      public boolean csrfMatches(String secret, String csrfToken) {
        return SessionService.csrfMatches(secret, csrfToken);
      }
    };
  }

  /** The key that seals webhook secrets: from the environment, else the data directory's file. */
  private static SecretBox secretBox(ServerConfig config, Database db) {
    SecretBox secrets;
    try {
      secrets = SecretBox.load(config.secretKey(), config.dataDir());
    } catch (java.io.IOException e) {
      throw new StoreException(
          "cannot read or create the secret key in " + config.dataDir() + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new StoreException(e.getMessage(), e); // a key file that holds no key
    }
    if (config.secretKey() == null && db.dialect() == Database.Dialect.POSTGRES) {
      log.warn(
          "secrets: webhook secrets are sealed with the key in {}; replicas on PostgreSQL must"
              + " share one key: set {} on every replica (the file holds it in base64)",
          secrets.source(),
          SecretBox.KEY_VARIABLE);
    } else {
      log.info("secrets: webhook secrets are sealed with the key from {}", secrets.source());
    }
    return secrets;
  }

  public int port() {
    return http.port();
  }

  /** Every route the server answers, as {@code "METHOD /path"}. */
  public List<String> routes() {
    return http.routes();
  }

  public Catalog catalog() {
    return catalog;
  }

  /**
   * Refuses new requests, lets those in flight finish (up to 20 s), then stops listening and closes
   * the store.
   */
  @Override
  public void close() {
    drain.close();
    streams.close();
    try {
      if (!drain.awaitIdle(DRAIN_TIMEOUT)) {
        log.warn(
            "rollgate: requests still running after {} s; stopping anyway",
            DRAIN_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.stop();
    if (kafka != null) {
      kafka.close(); // finishes the batch it applies and leaves the consumer group
    }
    background.close();
    feed.close();
    monitor.close();
    replicas.close(); // after the last heartbeat, which would write the row again
    if (sync != null) {
      sync.close();
    }
    probes.shutdownNow();
    readiness.close();
    gcMetrics.close();
    db.close();
    log.info("rollgate: stopped");
  }
}
