package dev.rollgate.server.catalog;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Problem;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every change to projects, environments, flags and segments goes through.
 *
 * <p>A write to a project runs in one transaction with its audit event, and every environment of
 * the project is compiled strictly before it commits, so no write can leave a flag that does not
 * evaluate: the change is all or nothing. Compiling can take long (a large document, a deep use of
 * segments), so it never happens while a transaction holds the store's connection or the lock that
 * orders writers: the change is first rehearsed in a transaction that is rolled back, which yields
 * what it would change ({@link ProjectState.Delta}: the flags it wrote, and those written since the
 * state it builds on, with the project's splits and shared evaluators); those are compiled outside
 * any transaction over the project's current state, taking over every flag they leave as it was;
 * then the change runs again for real, and commits only if it reads exactly the same. If a
 * concurrent write changed them in between, it starts over on the new state (what the client read
 * is checked again, so nothing is lost and nothing stale is served), this time holding the
 * project's write lock so that this replica's other writers cannot overtake it again. To keep such
 * races rare, a write first waits a moment ({@link #FLIGHT_WAIT}) for the project's write in flight
 * on this replica to install: writes at a steady pace so follow each other without racing, while a
 * write whose compile takes longer than that is overtaken by the writes behind it. After it
 * commits, the compiled snapshots become the project's served snapshots. A slow compile so holds up
 * only its own request, the writes to the same project for a moment, and at worst the writes that
 * overtook it once.
 *
 * <p>A write so costs what it changes, not what the project holds: the stores say which flags they
 * wrote ({@link Changes}), each commit logs them by generation ({@code catalog_changes}), and a
 * replica that follows a change made elsewhere reads the flags changed since the state it has.
 *
 * <p>Writes take the audit chain's head first, so they commit one at a time and the head's sequence
 * number orders them. Snapshots are installed only over older ones, so two writes that finish close
 * together cannot leave the earlier one's flags in place.
 */
public final class Catalog {
  private static final Logger log = LoggerFactory.getLogger(Catalog.class);
  private static final int ATTEMPTS = 5;

  /**
   * How long a write waits for the write in flight to the same project before it goes ahead of it:
   * well above what a write costs, well below what a client waits.
   */
  static final Duration FLIGHT_WAIT = Duration.ofMillis(250);

  /** A project's state as of one point of the audit chain, and each environment as served. */
  private record Compiled(ProjectState state, Map<String, ServedEnvironment> environments) {
    long generation() {
      return state.generation;
    }

    static Compiled of(ProjectState state) {
      Map<String, ServedEnvironment> environments = new LinkedHashMap<>();
      state.envs.forEach((environment, env) ->
          environments.put(
              environment,
              new ServedEnvironment(
                  state.project,
                  environment,
                  state.generation,
                  env.snapshot(),
                  env.document(),
                  env.etag(),
                  state.versions,
                  env.problems())));
      return new Compiled(state, Map.copyOf(environments));
    }
  }

  /**
   * Ends a rehearsal, rolling its transaction back, with what it would change (null when it changes
   * nothing served) and, for a dry run, what the work answered.
   */
  private static final class Rehearsed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ProjectState.Delta delta;
    private final transient Object value;

    Rehearsed(ProjectState.Delta delta, Object value) {
      super(null, null, false, false);
      this.delta = delta;
      this.value = value;
    }
  }

  /** The real run left other documents than the rehearsal: a concurrent change came between. */
  private static final class InputsChanged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputsChanged() {
      super(null, null, false, false);
    }
  }

  private final Database db;
  private final ParseOptions parseOptions;
  private final List<SplitSource> splits;
  private final Map<String, Compiled> projects = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> writeLocks = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> flights = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean loaded;

  /**
   * @param splits the features that split flags' traffic (rollouts, experiments)
   */
  public Catalog(Database db, ParseOptions parseOptions, List<SplitSource> splits) {
    this.db = db;
    this.parseOptions = parseOptions;
    this.splits = List.copyOf(splits);
  }

  /** One environment as the flagd document the catalog compiles and serves. */
  public Map<String, Object> document(Tx tx, String project, String environment)
      throws SQLException {
    return FlagdExport.document(tx, project, environment, splits);
  }

  /** What splits {@code flag} in an environment ("a rollout"), or null when nothing does. */
  public String splitOwner(Tx tx, String project, String environment, String flag)
      throws SQLException {
    for (SplitSource source : splits) {
      SplitSource.Split split =
          source.splits(tx, project).getOrDefault(environment, Map.of()).get(flag);
      if (split != null) {
        return split.owner();
      }
    }
    return null;
  }

  /** A read in one transaction. */
  public <T> T read(Database.Work<T> work) {
    return db.inTransaction(work);
  }

  /**
   * A write to {@code project} (null for none): validated before commit, snapshots installed after.
   * When the client named no version ({@code clientVersion} null), a {@link VersionConflict} makes
   * the whole change run again on fresh data; when it did, the conflict is a version mismatch.
   *
   * <p>{@code work} runs more than once (a rehearsal, then for real; again after a conflict), each
   * time in a fresh transaction: it must do the same given the same data, so anything it makes up
   * (a new id) is made up before.
   */
  public <T> T write(String project, Long clientVersion, Database.Work<T> work) {
    return writeIfChanged(project, clientVersion, tx -> new Written<>(work.run(tx), true));
  }

  /**
   * What a write did: its value, and whether it may have changed what {@code project} serves.
   *
   * @param servedChanged false for a write that cannot change any flag (a judged rollout window
   *     without a transition), which then neither recompiles the project nor wakes the replicas
   */
  public record Written<T>(T value, boolean servedChanged) {}

  /** {@link #write}, for changes that know whether they touched anything a flag is made of. */
  public <T> T writeIfChanged(String project, Long clientVersion, Database.Work<Written<T>> work) {
    return run(project, clientVersion, work, false);
  }

  /**
   * {@link #write} without writing: the rehearsal alone, with every check {@code work} makes and
   * the compile of what it would leave, then rolled back, so that nothing is stored, audited,
   * announced or served. Answers what {@code work} answered, or fails as the write would (a 400 for
   * a change that does not compile, a version mismatch for a stale {@code clientVersion}).
   */
  public <T> T dryRun(String project, Long clientVersion, Database.Work<T> work) {
    return run(project, clientVersion, tx -> new Written<>(work.run(tx), true), true);
  }

  private <T> T run(
      String project, Long clientVersion, Database.Work<Written<T>> work, boolean dryRun) {
    boolean raced = false;
    for (int attempt = 1; ; attempt++) {
      try {
        return dryRun ? rehearse(project, work) : attempt(project, work, raced);
      } catch (VersionConflict e) {
        if (clientVersion != null) {
          throw Failure.versionMismatch(e.getMessage() + ": reload it and retry");
        }
        if (attempt == ATTEMPTS) {
          throw Failure.conflict(e.getMessage() + " repeatedly; retry later");
        }
      } catch (InputsChanged e) {
        if (attempt == ATTEMPTS) {
          throw Failure.conflict(
              "project " + project + " kept changing while this change was checked; retry later");
        }
        raced = true;
      }
    }
  }

  /** One try at a write, once the project's write in flight is done or has taken too long. */
  private <T> T attempt(String project, Database.Work<Written<T>> work, boolean raced) {
    ReentrantLock flight =
        project == null ? null : flights.computeIfAbsent(project, k -> new ReentrantLock(true));
    boolean flying = flight != null && waitFor(flight);
    try {
      return attemptInFlight(project, work, raced);
    } finally {
      if (flying) {
        flight.unlock();
      }
    }
  }

  /** Takes {@code flight} unless the write holding it keeps it past {@link #FLIGHT_WAIT}. */
  private static boolean waitFor(ReentrantLock flight) {
    try {
      return flight.tryLock(FLIGHT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The project's write lock orders commits to one project on this replica; a write that lost a
   * race to another holds it from its rehearsal on, so that it cannot lose again (to this replica's
   * writers) and every write gets through. Only then is the lock held while compiling, and only
   * writers of the same project wait for it.
   */
  private <T> T attemptInFlight(String project, Database.Work<Written<T>> work, boolean raced) {
    ReentrantLock lock =
        project == null ? null : writeLocks.computeIfAbsent(project, k -> new ReentrantLock(true));
    boolean holding = raced && lock != null;
    if (holding) {
      lock.lock();
    }
    try {
      ProjectState base = state(project);
      // The rehearsal: a write that cannot change what a project serves commits right away,
      // others roll back with what they would change.
      ProjectState.Delta rehearsed;
      try {
        return db.inTransaction(tx -> {
          AuditLog.lockHead(tx); // one lock order for every change
          Written<T> written = work.run(tx);
          if (project == null || !written.servedChanged()) {
            return written.value();
          }
          throw new Rehearsed(ProjectState.Delta.read(tx, project, base, splits), null);
        });
      } catch (Rehearsed r) {
        rehearsed = r.delta;
      }
      ProjectState next = compileChecked(project, base, rehearsed); // no transaction open
      if (!holding) {
        lock.lock();
      }
      record Outcome<T>(T value, Compiled compiled, ProjectState.Delta whole) {}
      Outcome<T> outcome;
      try {
        outcome =
            db.inTransaction(tx -> {
              AuditLog.lockHead(tx);
              long before = generation(tx);
              Written<T> written = work.run(tx);
              if (!written.servedChanged()) {
                return new Outcome<>(written.value(), null, null);
              }
              if (!ProjectState.Delta.read(tx, project, base, splits).equals(rehearsed)) {
                throw new InputsChanged(); // rolls back; compiled again from the new state
              }
              ProjectState.Delta whole =
                  VERIFY ? ProjectState.Delta.read(tx, project, null, splits) : null;
              long generation = generation(tx);
              FlagdExport.logChanges(tx, project, Changes.flags(tx, project), before, generation);
              db.notifyChange(tx, "project:" + project + " " + generation);
              return new Outcome<>(written.value(), Compiled.of(next.at(generation)), whole);
            });
      } finally {
        if (!holding) {
          lock.unlock();
        }
      }
      if (outcome.compiled() != null) {
        install(project, outcome.compiled()); // over older generations only, so in any order
      }
      if (outcome.whole() != null) {
        verify(project, next, outcome.whole());
      }
      return outcome.value();
    } finally {
      if (holding) {
        lock.unlock();
      }
    }
  }

  /**
   * A dry run: the rehearsal of {@link #attempt}, rolled back whatever it did, and the same strict
   * compile outside any transaction. No write lock: nothing is committed, so nothing can be lost.
   */
  @SuppressWarnings("unchecked") // the value is the one work answered just above
  private <T> T rehearse(String project, Database.Work<Written<T>> work) {
    ProjectState base = state(project);
    Rehearsed rehearsed;
    try {
      db.inTransaction(tx -> {
        AuditLog.lockHead(tx); // the write's lock order, and its view of the chain
        Written<T> written = work.run(tx);
        boolean compiles = project != null && written.servedChanged();
        throw new Rehearsed(
            compiles ? ProjectState.Delta.read(tx, project, base, splits) : null, written.value());
      });
      throw new IllegalStateException("a rehearsal always rolls back");
    } catch (Rehearsed r) {
      rehearsed = r;
    }
    if (rehearsed.delta != null) {
      compileChecked(project, base, rehearsed.delta);
    }
    return (T) rehearsed.value;
  }

  private ProjectState state(String project) {
    Compiled compiled = project == null ? null : projects.get(project);
    return compiled == null ? null : compiled.state();
  }

  /**
   * Checks that what a change compiled from what it changed is what compiling {@code whole}, the
   * whole project read in the transaction that committed it, gives: on in tests ({@code
   * -Drollgate.catalog.verify=true}), so that every test of a write also tests that the write read
   * all it changed.
   */
  private void verify(String project, ProjectState next, ProjectState.Delta whole) {
    ProjectState full =
        ProjectState.next(project, null, whole, parseOptions, true, (environment, e) -> {});
    for (String environment : full.environments) {
      ProjectState.Env expected = full.envs.get(environment);
      ProjectState.Env actual = next.envs.get(environment);
      if (actual == null
          || !Json.parse(actual.served()).equals(Json.parse(expected.served()))
          || !actual.etag().equals(expected.etag())
          || !actual.problems().equals(expected.problems())
          || !actual.snapshot().flagKeys().equals(expected.snapshot().flagKeys())) {
        throw new IllegalStateException(
            "project "
                + project
                + " environment "
                + environment
                + ": the incremental compile"
                + " serves other flags than a full one");
      }
    }
    if (!full.versions.equals(next.versions) || !full.environments.equals(next.environments)) {
      throw new IllegalStateException(
          "project " + project + ": the incremental compile has other flag versions");
    }
  }

  private static final boolean VERIFY = Boolean.getBoolean("rollgate.catalog.verify");

  /**
   * Follows a change another replica (or this one) announced: reloads {@code project} unless what
   * this replica serves is already as of {@code generation} or later (null: not known).
   */
  public void follow(String project, Long generation) {
    Compiled compiled = projects.get(project);
    if (generation != null && compiled != null && compiled.generation() >= generation) {
      return; // this replica's own write, or one it has caught up with
    }
    reload(project);
  }

  /** Tells the other replicas, on commit, that {@code project} changed. */
  public void announce(Tx tx, String project) throws SQLException {
    db.notifyChange(tx, "project:" + project);
  }

  /**
   * {@code base} with {@code delta} applied, compiled strictly but for the flags stored as flagd
   * loads them; a 400 naming every problem if an environment does not compile.
   */
  private ProjectState compileChecked(String project, ProjectState base, ProjectState.Delta delta) {
    List<Map<String, Object>> details = new ArrayList<>();
    ProjectState next =
        ProjectState.next(
            project,
            base,
            delta,
            parseOptions,
            false,
            (environment, e) -> {
              for (Problem p : e.problems()) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("environment", environment);
                detail.put("path", p.path());
                detail.put("message", p.message());
                details.add(detail);
              }
            });
    if (!details.isEmpty()) {
      Map<String, Object> first = details.getFirst();
      throw new Failure(
          Failure.Kind.INVALID_INPUT,
          "invalid_flag",
          "the change would leave an invalid flag in "
              + first.get("environment")
              + ": "
              + first.get("path")
              + ": "
              + first.get("message"),
          details);
    }
    return next;
  }

  /**
   * Compiles stored state read before: strictly where it can, else (flags this version rejects) as
   * flagd would, serving what it can and saying so.
   */
  private ProjectState compileStored(
      String project, ProjectState base, ProjectState.Delta delta, long generation) {
    return ProjectState.next(
            project,
            base,
            delta,
            parseOptions,
            true,
            (environment, e) ->
                log.error(
                    "project {} environment {} cannot be served: {}",
                    project,
                    environment,
                    e.getMessage()))
        .at(generation);
  }

  private static final String GENERATION = "SELECT seq FROM audit_head WHERE id = 1";

  private static long generation(Tx tx) throws SQLException {
    return tx.one(GENERATION, r -> r.getLong(1)).orElse(0L);
  }

  /**
   * Makes {@code compiled} the project's served state unless a newer one is there already, and
   * tells the listeners about every environment whose content changed or that went away, then that
   * the project was written.
   */
  @SuppressWarnings("ReferenceEquality") // did ours win the compute?
  private void install(String project, Compiled compiled) {
    Compiled[] previous = new Compiled[1];
    Compiled now =
        projects.compute(
            project,
            (k, old) -> {
              previous[0] = old;
              return old == null || compiled.generation() >= old.generation() ? compiled : old;
            });
    if (now != compiled) {
      listeners.forEach(l -> l.written(project)); // a newer write was installed first
      return;
    }
    Map<String, ServedEnvironment> before =
        previous[0] == null ? Map.of() : previous[0].environments();
    for (ServedEnvironment env : compiled.environments().values()) {
      ServedEnvironment old = before.get(env.environment());
      if (old == null || !old.etag().equals(env.etag())) {
        listeners.forEach(l -> l.changed(env));
      }
    }
    for (String gone : before.keySet()) {
      if (!compiled.environments().containsKey(gone)) {
        listeners.forEach(l -> l.removed(project, gone));
      }
    }
    listeners.forEach(l -> l.written(project));
  }

  /** Hears about served environments that change. Called after commit, on the writer's thread. */
  public interface Listener {
    void changed(ServedEnvironment environment);

    void removed(String project, String environment);

    /**
     * A write to {@code project} committed here, or one committed on another replica was loaded,
     * whether or not it changed what the project serves (a rollout paused keeps its split): for
     * listeners that follow more of a project than its flags. Called after {@link #changed} and
     * {@link #removed}; it must return quickly.
     */
    default void written(String project) {}
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /**
   * Recompiles one project from the store (a change made elsewhere, such as on another replica); a
   * project that no longer exists is dropped. Compiles after the read's transaction ends.
   */
  public void reload(String project) {
    ProjectState base = state(project);
    record Read(long generation, ProjectState.Delta delta, ProjectState.Delta whole) {}
    Read read =
        db.inTransaction(tx -> {
          if (tx.count("SELECT COUNT(*) FROM projects WHERE project_key = ?", project) == 0) {
            return null;
          }
          return new Read(
              generation(tx),
              ProjectState.Delta.read(tx, project, base, splits),
              VERIFY ? ProjectState.Delta.read(tx, project, null, splits) : null);
        });
    if (read == null) {
      forget(project);
      return;
    }
    ProjectState next = compileStored(project, base, read.delta(), read.generation());
    install(project, Compiled.of(next));
    if (read.whole() != null) {
      verify(project, next, read.whole());
    }
  }

  /** The store's current generation, for replicas that check whether they missed a change. */
  public long storedGeneration() {
    return db.inTransaction(Catalog::generation);
  }

  /**
   * {@link #storedGeneration()} read on a connection the caller holds: a replica's own, which is
   * back as soon as the store is, while the pool may wait seconds more before it reconnects.
   */
  public static long storedGeneration(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(GENERATION);
        ResultSet row = statement.executeQuery()) {
      return row.next() ? row.getLong(1) : 0;
    }
  }

  /** Every project in the store, reloaded. */
  public void reloadAll() {
    List<String> stored =
        db.inTransaction(tx -> tx.list("SELECT project_key FROM projects", r -> r.getString(1)));
    for (String project : List.copyOf(projects.keySet())) {
      if (!stored.contains(project)) {
        forget(project);
      }
    }
    stored.forEach(this::reload);
  }

  /** Compiles every project's snapshots from the store; {@link #loaded()} is true afterwards. */
  public void loadAll() {
    record Read(long generation, Map<String, ProjectState.Delta> deltas) {}
    Read read =
        db.inTransaction(tx -> {
          Map<String, ProjectState.Delta> out = new LinkedHashMap<>();
          for (String project : tx.list("SELECT project_key FROM projects", r -> r.getString(1))) {
            out.put(project, ProjectState.Delta.read(tx, project, null, splits));
          }
          return new Read(generation(tx), out);
        });
    read.deltas()
        .forEach((project, delta) ->
            install(project, Compiled.of(compileStored(project, null, delta, read.generation()))));
    loaded = true;
  }

  /** Drops the snapshots of a deleted project. */
  public void forget(String project) {
    Compiled old = projects.remove(project);
    if (old != null) {
      old.environments().keySet().forEach(env -> listeners.forEach(l -> l.removed(project, env)));
    }
  }

  public boolean loaded() {
    return loaded;
  }

  /** The compiled flags of one environment, or null when there is no such environment. */
  public FlagSnapshot snapshot(String project, String environment) {
    ServedEnvironment served = served(project, environment);
    return served == null ? null : served.snapshot();
  }

  /** One environment as served, or null when there is no such environment. */
  public ServedEnvironment served(String project, String environment) {
    Compiled compiled = projects.get(project);
    return compiled == null ? null : compiled.environments().get(environment);
  }
}
