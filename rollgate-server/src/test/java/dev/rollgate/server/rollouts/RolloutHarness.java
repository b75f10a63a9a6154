package dev.rollgate.server.rollouts;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.server.audit.AuditKey;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.IdSource;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.events.EventInbox;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.health.Outcomes;
import dev.rollgate.server.projects.ProjectService;
import dev.rollgate.server.replicas.Leadership;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The rollout machinery without HTTP, over a real store, with a clock the test moves and synthetic
 * traffic written as outcomes: what the controller's deterministic tests drive.
 */
final class RolloutHarness implements AutoCloseable {
  static final String PROJECT = "default";
  static final String ENV = "production";
  static final String FLAG = "new-checkout";
  static final Actor ALICE = new Actor("alice-id", "alice", null);
  static final long T0 = 1_800_000_000_000L; // 2027-01-15

  final MutableClock clock;
  // Rollout ids seed the split: seeded, the same users are in the canary on every run.
  private final IdSource ids = IdSource.seeded(11);
  private final Path dataDir;
  private final String dbUrl;
  Database db;
  Catalog catalog;
  FlagService flags;
  Outcomes outcomes;
  RolloutService rollouts;
  RolloutController controller;
  private Leadership leadership;

  /** How one cohort behaves: its error rate and the median and spread of its latency. */
  record Behaviour(double errorRate, double medianMs, double sigma) {
    static final Behaviour HEALTHY = new Behaviour(0.01, 50, 0.5);
  }

  private RolloutHarness(StoreKind kind) {
    this.clock = new MutableClock(T0);
    try {
      this.dataDir = Files.createTempDirectory("rollgate-rollout");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.dbUrl = kind == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    open();
    new ProjectService(catalog, new AuditLog(clock, AuditKey.generate()), clock)
        .ensureDefaultProject();
    flags.create(
        ALICE,
        PROJECT,
        new FlagService.Create(
            FLAG,
            null,
            null,
            null,
            Map.of("on", true, "off", false),
            true,
            "off",
            Map.of(
                ENV,
                new FlagService.ConfigPatch(
                    dev.rollgate.server.flags.FlagState.ENABLED, false, null, false, null, null))));
  }

  static RolloutHarness open(StoreKind kind) {
    return new RolloutHarness(kind);
  }

  /** Builds every component anew on the same store: what a restart does. */
  void open() {
    db = Database.open(dbUrl, null, null, dataDir, null);
    AuditLog audit = new AuditLog(clock, AuditKey.generate());
    catalog =
        new Catalog(db, ParseOptions.defaults().withClock(clock), List.of(RolloutService.SPLITS));
    flags = new FlagService(catalog, audit, clock);
    outcomes =
        new Outcomes(
            db, new EventInbox(db, clock), clock, new SimpleMeterRegistry(), Duration.ofDays(3650));
    rollouts =
        new RolloutService(
            catalog,
            audit,
            flags,
            outcomes,
            clock,
            RolloutPlan.Defaults.STANDARD,
            ids,
            HealthGate.NONE);
    leadership = new Leadership(db);
    controller = new RolloutController(rollouts, leadership, java.util.List.of());
    catalog.loadAll();
  }

  /** Stops every component, keeping the store. */
  void shutDown() {
    leadership.close();
    db.close();
  }

  Map<String, Object> start(Map<String, Object> plan) {
    return Plain.record(
        rollouts.start(ALICE, PROJECT, ENV, FLAG, new RolloutService.Start("on", plan, null)));
  }

  Map<String, Object> current() {
    return Plain.record(rollouts.current(PROJECT, ENV, FLAG));
  }

  @SuppressWarnings("unchecked")
  List<Map<String, Object>> history() {
    return (List<Map<String, Object>>) Plain.of(rollouts.history(PROJECT, ENV, FLAG));
  }

  Map<String, Object> act(String action) {
    return act(action, (Long) current().get("version"));
  }

  Map<String, Object> act(String action, long version) {
    return Plain.record(
        rollouts.act(ALICE, PROJECT, ENV, FLAG, RolloutAction.manual(action), version, null));
  }

  /**
   * Writes one window of traffic ({@code requests} in all, split by the rollout's current share),
   * moves the clock to when that window is due, and lets the controller tick. Returns the state
   * afterwards.
   */
  String window(SplittableRandom random, int requests, Behaviour canary, Behaviour control) {
    Map<String, Object> r = current();
    long from = java.time.Instant.parse((String) r.get("judgedUntil")).toEpochMilli();
    long windowMs = ((Number) ((Map<?, ?>) r.get("plan")).get("windowSeconds")).longValue() * 1000;
    double percent = ((Number) r.get("percent")).doubleValue();
    long canaryRequests = Math.round(requests * percent / 100);
    traffic(random, "on", from, windowMs, canaryRequests, canary);
    traffic(random, "off", from, windowMs, requests - canaryRequests, control);
    outcomes.flush();
    clock.set(from + windowMs + RolloutService.INGEST_DELAY_MS);
    controller.tick();
    return (String) current().get("state");
  }

  /** {@code n} requests of one variant spread over the seconds of a window. */
  void traffic(
      SplittableRandom random, String variant, long from, long windowMs, long n, Behaviour b) {
    int seconds = (int) (windowMs / 1000);
    for (int s = 0; s < seconds; s++) {
      long share = n / seconds + (s < n % seconds ? 1 : 0);
      long errors = 0;
      LatencyHistogram latency = new LatencyHistogram();
      for (long i = 0; i < share; i++) {
        if (random.nextDouble() < b.errorRate()) {
          errors++;
        }
        latency.record(b.medianMs() * Math.exp(b.sigma() * random.nextGaussian()));
      }
      if (share > 0) {
        outcomes.record(
            PROJECT, ENV, FLAG, variant, "/checkout", from + s * 1000L, share, errors, latency);
      }
    }
  }

  /** The variant the served flags give a user now. */
  String variantFor(String user) {
    return catalog
        .snapshot(PROJECT, ENV)
        .evaluate(FLAG, ValueType.ANY, null, EvaluationContext.of(user))
        .variant();
  }

  /** The flag's default variant in production, as stored. */
  String defaultVariant() {
    return flags.getEnvironment(PROJECT, FLAG, ENV).defaultVariant();
  }

  @Override
  public void close() {
    shutDown();
    if (dbUrl != null) {
      TestPostgres.dropSchema(dbUrl);
    }
  }
}
