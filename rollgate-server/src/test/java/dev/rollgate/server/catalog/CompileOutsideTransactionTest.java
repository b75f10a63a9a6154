package dev.rollgate.server.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.ParseOptions;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.flags.FlagState;
import dev.rollgate.server.projects.ProjectService;
import dev.rollgate.server.rollouts.RolloutService;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A write whose compile takes long holds up nothing but itself: the compile runs outside any
 * transaction, so other projects (and reads) go on meanwhile, and a change that lands in between is
 * not lost. The compile is held deterministically: the catalog reads the kill switch of every flag
 * it compiles, and the test's environment blocks that read for flag "gate" until released.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreKind.class)
class CompileOutsideTransactionTest {
  private static final Actor ALICE = new Actor("alice-id", "alice", null);
  private static final Object PRO_ONLY =
      Map.of("if", List.of(Map.of("==", List.of(Map.of("var", "plan"), "pro")), "on", "off"));

  @Parameter StoreKind store;
  @TempDir Path dataDir;

  private final CountDownLatch compiling = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicBoolean armed = new AtomicBoolean();
  private final AtomicBoolean heldToTheEnd = new AtomicBoolean();

  private String dbUrl;
  private Database db;
  private Catalog catalog;
  private ProjectService projects;
  private FlagService flags;

  /** The server's environment: empty, but the kill switch of "gate" is read slowly when armed. */
  private String environment(String name) {
    if (name.equals("ROLLGATE_FLAG_GATE") && armed.getAndSet(false)) {
      compiling.countDown();
      try {
        heldToTheEnd.set(release.await(20, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return null;
  }

  @BeforeEach
  void open() {
    dbUrl = store == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    db = Database.open(dbUrl, null, null, dataDir, null);
    Clock clock = Clock.systemUTC();
    AuditLog audit = new AuditLog(clock, dev.rollgate.server.audit.AuditKey.generate());
    catalog =
        new Catalog(
            db,
            new ParseOptions(ParseOptions.Strictness.STRICT, this::environment, clock),
            List.of(RolloutService.SPLITS));
    projects = new ProjectService(catalog, audit, clock);
    flags = new FlagService(catalog, audit, clock);
    for (String key : List.of("slow", "other")) {
      projects.create(ALICE, new ProjectService.Create(key, null, null, List.of("production")));
    }
    for (String key : List.of("gate", "second")) {
      flags.create(
          ALICE,
          "slow",
          new FlagService.Create(
              key, null, null, null, Map.of("on", true, "off", false), true, "off", Map.of()));
    }
  }

  @AfterEach
  void close() {
    release.countDown();
    db.close();
    if (dbUrl != null) {
      TestPostgres.dropSchema(dbUrl);
    }
  }

  @Test
  void otherWritesAndReadsGoOnWhileAWriteCompilesAndAChangeInBetweenIsKept() throws Exception {
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      armed.set(true);
      Future<?> slow =
          pool.submit(() ->
              flags.patchEnvironment(
                  ALICE,
                  "slow",
                  "gate",
                  "production",
                  null,
                  new FlagService.ConfigPatch(
                      null, false, null, true, PRO_ONLY, null, false, List.of())));
      assertThat(compiling.await(20, TimeUnit.SECONDS)).as("the slow write compiles").isTrue();

      // Another project's write, a read of the slow project, and a write to the slow project
      // that changes what it serves: all done while the slow write is still compiling.
      flags.create(
          ALICE,
          "other",
          new FlagService.Create(
              "unrelated", null, null, null, Map.of("on", true), false, null, Map.of()));
      assertThat(flags.get("other", "unrelated").version()).isEqualTo(1);
      assertThat(flags.get("slow", "gate").version()).isEqualTo(1);
      flags.patchEnvironment(
          ALICE,
          "slow",
          "second",
          "production",
          null,
          new FlagService.ConfigPatch(FlagState.ENABLED, false, null, false, null, null));
      assertThat(slow.isDone()).isFalse();

      release.countDown();
      slow.get(20, TimeUnit.SECONDS);
      assertThat(heldToTheEnd).as("released by the test, not by the timeout").isTrue();
    }
    // The slow write found the project changed, compiled it again and kept the change.
    ServedEnvironment served = catalog.served("slow", "production");
    assertThat(served.document()).contains("\"pro\"").contains("\"state\":\"ENABLED\"");
    assertThat(served.snapshot().flagKeys()).containsExactly("gate", "second");
    assertThat(catalog.served("other", "production").snapshot().flagKeys())
        .containsExactly("unrelated");
  }
}
