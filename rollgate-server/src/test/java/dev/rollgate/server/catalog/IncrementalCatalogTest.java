package dev.rollgate.server.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.KillSwitches;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.audit.AuditKey;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.flags.FlagState;
import dev.rollgate.server.projects.ProjectService;
import dev.rollgate.server.rollouts.RolloutService;
import dev.rollgate.server.segments.SegmentService;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A write compiles only what it changed, yet serves what compiling the whole project serves: over
 * seeded random writes (flags created, reconfigured, archived and deleted; segments created,
 * changed and deleted; environments added and removed), every environment of the writer's catalog,
 * and of a second catalog on the same store that follows by {@link Catalog#reload} as a replica
 * does, serves exactly the document read in full from the store, with its kill switches applied.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreKind.class)
class IncrementalCatalogTest {
  private static final Actor ALICE = new Actor("alice-id", "alice", null);
  private static final String PROJECT = "shop";

  /** The server's environment: flag-3's kill switch is pulled. */
  private static String environment(String name) {
    return name.equals("ROLLGATE_FLAG_FLAG_3") ? "off" : null;
  }

  @Parameter StoreKind store;
  @TempDir Path dataDir;

  private String dbUrl;
  private Database db;
  private Catalog catalog;
  private Catalog replica;
  private ProjectService projects;
  private SegmentService segments;
  private FlagService flags;

  @BeforeEach
  void open() {
    dbUrl = store == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    db = Database.open(dbUrl, null, null, dataDir, null);
    Clock clock = Clock.systemUTC();
    AuditLog audit = new AuditLog(clock, AuditKey.generate());
    ParseOptions options =
        new ParseOptions(
            ParseOptions.Strictness.STRICT, IncrementalCatalogTest::environment, clock);
    catalog = new Catalog(db, options, List.of(RolloutService.SPLITS));
    replica = new Catalog(db, options, List.of(RolloutService.SPLITS));
    projects = new ProjectService(catalog, audit, clock);
    segments = new SegmentService(catalog, audit, clock);
    flags = new FlagService(catalog, audit, clock);
    projects.create(ALICE, new ProjectService.Create(PROJECT, null, null, List.of("production")));
    replica.loadAll();
  }

  @AfterEach
  void close() {
    db.close();
    if (dbUrl != null) {
      TestPostgres.dropSchema(dbUrl);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void everyWriteServesWhatAFullCompileServes(long seed) {
    Random random = new Random(seed);
    int rejected = 0;
    for (int step = 0; step < 60; step++) {
      try {
        write(random);
      } catch (Failure e) {
        rejected++; // an invalid change (a $ref to a segment that is gone): nothing is applied
      }
      assertServesTheStore(catalog, "writer, step " + step);
      if (random.nextInt(3) == 0) {
        replica.reload(PROJECT);
        assertServesTheStore(replica, "replica, step " + step);
      }
    }
    replica.reload(PROJECT);
    assertServesTheStore(replica, "replica, at the end");
    assertThat(rejected).as("some writes were invalid, and left nothing behind").isLessThan(60);
  }

  private void write(Random random) {
    String flag = "flag-" + random.nextInt(8);
    String segment = "segment-" + random.nextInt(2);
    boolean exists = flagExists(flag);
    switch (random.nextInt(9)) {
      case 0, 1 -> {
        if (!exists) {
          flags.create(
              ALICE,
              PROJECT,
              new FlagService.Create(
                  flag, null, null, null, Map.of("on", true, "off", false), true, "off", Map.of()));
        }
      }
      case 2, 3 -> {
        if (exists) {
          flags.patchEnvironment(
              ALICE,
              PROJECT,
              flag,
              environments().get(random.nextInt(environments().size())),
              null,
              new FlagService.ConfigPatch(
                  random.nextBoolean() ? FlagState.ENABLED : FlagState.DISABLED,
                  false,
                  null,
                  true,
                  targeting(random, segment),
                  null));
        }
      }
      case 4 -> {
        if (exists) {
          flags.update(
              ALICE,
              PROJECT,
              flag,
              null,
              new FlagService.Change(null, null, null, null, random.nextBoolean(), null));
        }
      }
      case 5 -> {
        if (exists) {
          flags.delete(ALICE, PROJECT, flag, null);
        }
      }
      case 6 -> {
        Object rules =
            Map.of("==", List.of(Map.of("var", "plan"), random.nextBoolean() ? "pro" : "free"));
        if (segments.list(PROJECT).stream().anyMatch(s -> s.key().equals(segment))) {
          segments.update(
              ALICE, PROJECT, segment, null, new SegmentService.Change(null, null, rules));
        } else {
          segments.create(ALICE, PROJECT, new SegmentService.Create(segment, null, null, rules));
        }
      }
      case 7 -> {
        if (segments.list(PROJECT).stream().anyMatch(s -> s.key().equals(segment))) {
          segments.delete(ALICE, PROJECT, segment, null);
        }
      }
      default -> {
        String environment = random.nextBoolean() ? "staging" : "canary";
        if (environments().contains(environment)) {
          projects.deleteEnvironment(ALICE, PROJECT, environment, null);
        } else {
          projects.createEnvironment(
              ALICE, PROJECT, new ProjectService.Create(environment, null, null, null));
        }
      }
    }
  }

  private static Object targeting(Random random, String segment) {
    return switch (random.nextInt(3)) {
      case 0 -> null;
      case 1 -> Map.of("if", List.of(Map.of("$ref", segment), "on", "off"));
      default ->
          Map.of("fractional", List.of(List.of("on", random.nextInt(100)), List.of("off", 50)));
    };
  }

  private boolean flagExists(String key) {
    return catalog.read(tx ->
        tx.count("SELECT COUNT(*) FROM flags WHERE project_key = ? AND flag_key = ?", PROJECT, key))
        > 0;
  }

  private List<String> environments() {
    return catalog.read(tx -> FlagdExport.environments(tx, PROJECT));
  }

  private void assertServesTheStore(Catalog served, String when) {
    for (String environment : environments()) {
      Map<String, Object> full = catalog.read(tx -> catalog.document(tx, PROJECT, environment));
      ServedEnvironment actual = served.served(PROJECT, environment);
      assertThat(actual).as("%s: %s is served", when, environment).isNotNull();
      assertThat(Json.parse(actual.document()))
          .as("%s: %s", when, environment)
          .isEqualTo(
              Json.parse(
                  Json.write(KillSwitches.apply(full, IncrementalCatalogTest::environment))));
      @SuppressWarnings("unchecked")
      Map<String, Object> fullFlags = (Map<String, Object>) full.get("flags");
      assertThat(actual.snapshot().flagKeys())
          .containsExactlyInAnyOrderElementsOf(fullFlags.keySet());
    }
  }
}
