package dev.rollgate.server.catalog;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.KillSwitches;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Problem;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
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
 * the flag documents it would leave; those are compiled outside any transaction; then the change
 * runs again for real, and commits only if it leaves exactly the documents compiled. If a
 * concurrent write changed them in between, it starts over on the new state (what the client read
 * is checked again, so nothing is lost and nothing stale is served), this time holding the
 * project's write lock so that this replica's other writers cannot overtake it again. After it
 * commits, the compiled snapshots become the project's served snapshots. A slow compile so holds up
 * only its own request, and at worst writes to the same project that overtook it once.
 *
 * <p>Writes take the audit chain's head first, so they commit one at a time and the head's sequence
 * number orders them. Snapshots are installed only over older ones, so two writes that finish close
 * together cannot leave the earlier one's flags in place.
 */
public final class Catalog {
  private static final Logger log = LoggerFactory.getLogger(Catalog.class);
  private static final int ATTEMPTS = 5;

  /** A project's compiled environments as of one point of the audit chain. */
  private record Compiled(long generation, Map<String, ServedEnvironment> environments) {}

  /**
   * One environment compiled outside any transaction, before the generation of the commit that will
   * serve it is known.
   */
  private record Candidate(
      FlagSnapshot snapshot, String served, String etag, Map<String, List<Problem>> problems) {}

  /**
   * What one environment compiles from: its flag document, and the flags in it stored as flagd
   * loads them, whose problems do not reject the document.
   */
  private record Source(Map<String, Object> document, Set<String> lenient) {}

  /**
   * What a project is made of at one generation: its environments' flag documents, and its flags'
   * versions.
   */
  private record Inputs(
      long generation, Map<String, Source> documents, Map<String, Long> versions) {}

  /**
   * Ends a rehearsal, rolling its transaction back, with the documents it would leave (null when it
   * changes nothing served) and, for a dry run, what the work answered.
   */
  private static final class Rehearsed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Map<String, Source> documents;
    private final transient Object value;

    Rehearsed(Map<String, Source> documents, Object value) {
      super(null, null, false, false);
      this.documents = documents;
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
      SplitSource.Split split = source.splits(tx, project, environment).get(flag);
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

  /**
   * One try at a write. The project's write lock orders commits to one project on this replica; a
   * write that lost a race to another holds it from its rehearsal on, so that it cannot lose again
   * (to this replica's writers) and every write gets through. Only then is the lock held while
   * compiling, and only writers of the same project wait for it.
   */
  private <T> T attempt(String project, Database.Work<Written<T>> work, boolean raced) {
    ReentrantLock lock =
        project == null ? null : writeLocks.computeIfAbsent(project, k -> new ReentrantLock(true));
    boolean holding = raced && lock != null;
    if (holding) {
      lock.lock();
    }
    try {
      // The rehearsal: a write that cannot change what a project serves commits right away,
      // others roll back with the documents they would leave.
      Map<String, Source> rehearsed;
      try {
        return db.inTransaction(tx -> {
          AuditLog.lockHead(tx); // one lock order for every change
          Written<T> written = work.run(tx);
          if (project == null || !written.servedChanged()) {
            return written.value();
          }
          throw new Rehearsed(documents(tx, project), null);
        });
      } catch (Rehearsed r) {
        rehearsed = r.documents;
      }
      Map<String, Candidate> candidates = compileChecked(rehearsed); // no transaction open
      if (!holding) {
        lock.lock();
      }
      record Outcome<T>(T value, Compiled compiled) {}
      Outcome<T> outcome;
      try {
        outcome =
            db.inTransaction(tx -> {
              AuditLog.lockHead(tx);
              Written<T> written = work.run(tx);
              if (!written.servedChanged()) {
                return new Outcome<>(written.value(), null);
              }
              if (!documents(tx, project).equals(rehearsed)) {
                throw new InputsChanged(); // rolls back; compiled again from the new state
              }
              announce(tx, project);
              return new Outcome<>(
                  written.value(),
                  served(project, generation(tx), candidates, FlagdExport.versions(tx, project)));
            });
      } finally {
        if (!holding) {
          lock.unlock();
        }
      }
      if (outcome.compiled() != null) {
        install(project, outcome.compiled()); // over older generations only, so in any order
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
    Rehearsed rehearsed;
    try {
      db.inTransaction(tx -> {
        AuditLog.lockHead(tx); // the write's lock order, and its view of the chain
        Written<T> written = work.run(tx);
        boolean compiles = project != null && written.servedChanged();
        throw new Rehearsed(compiles ? documents(tx, project) : null, written.value());
      });
      throw new IllegalStateException("a rehearsal always rolls back");
    } catch (Rehearsed r) {
      rehearsed = r;
    }
    if (rehearsed.documents != null) {
      compileChecked(rehearsed.documents);
    }
    return (T) rehearsed.value;
  }

  /** Tells the other replicas, on commit, that {@code project} changed. */
  public void announce(Tx tx, String project) throws SQLException {
    db.notifyChange(tx, "project:" + project);
  }

  /** Every environment of {@code project} as the flag document it serves, by key. */
  private Map<String, Source> documents(Tx tx, String project) throws SQLException {
    Map<String, Source> documents = new LinkedHashMap<>();
    for (String environment : environments(tx, project)) {
      documents.put(
          environment,
          new Source(
              document(tx, project, environment), FlagdExport.lenient(tx, project, environment)));
    }
    return documents;
  }

  /**
   * Compiles every environment strictly, but for the flags stored as flagd loads them; a 400 naming
   * every problem if one fails.
   */
  private Map<String, Candidate> compileChecked(Map<String, Source> documents) {
    List<Map<String, Object>> details = new ArrayList<>();
    Map<String, Candidate> compiled =
        compile(
            documents,
            parseOptions,
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
    return compiled;
  }

  /** Compiles as flagd would, serving what it can (stored flags this version rejects). */
  private Map<String, Candidate> compileLeniently(String project, Map<String, Source> documents) {
    return compile(
        documents,
        parseOptions.withStrictness(ParseOptions.Strictness.FLAGD),
        (environment, e) ->
            log.error(
                "project {} environment {} cannot be served: {}",
                project,
                environment,
                e.getMessage()));
  }

  /** Compiles stored state read before; strictly, else (flags this version rejects) leniently. */
  private Compiled compileStored(String project, Inputs inputs) {
    Map<String, Candidate> candidates;
    try {
      candidates = compileChecked(inputs.documents());
    } catch (Failure e) {
      // Stored flags that this version no longer accepts: serve them as flagd would, so that
      // the server starts, and say so.
      log.error(
          "project {}: stored flags do not compile: {}; loading leniently", project, e.details());
      candidates = compileLeniently(project, inputs.documents());
    }
    return served(project, inputs.generation(), candidates, inputs.versions());
  }

  private static Map<String, Candidate> compile(
      Map<String, Source> documents,
      ParseOptions options,
      BiConsumer<String, InvalidFlagDocumentException> onInvalid) {
    Map<String, Candidate> environments = new LinkedHashMap<>();
    documents.forEach((environment, source) -> {
      try {
        environments.put(environment, candidate(source, options));
      } catch (InvalidFlagDocumentException e) {
        onInvalid.accept(environment, e);
      }
    });
    return environments;
  }

  private static Compiled served(
      String project,
      long generation,
      Map<String, Candidate> candidates,
      Map<String, Long> versions) {
    Map<String, ServedEnvironment> environments = new LinkedHashMap<>();
    candidates.forEach((environment, c) ->
        environments.put(
            environment,
            new ServedEnvironment(
                project,
                environment,
                generation,
                c.snapshot(),
                c.served(),
                c.etag(),
                versions,
                c.problems())));
    return new Compiled(generation, environments);
  }

  private static final String GENERATION = "SELECT seq FROM audit_head WHERE id = 1";

  private static long generation(Tx tx) throws SQLException {
    return tx.one(GENERATION, r -> r.getLong(1)).orElse(0L);
  }

  /**
   * Serializes and compiles one environment's document: the only place flags are compiled.
   * Strictly, unless every problem is in a flag stored as flagd loads it: then as flagd would, with
   * those problems kept by flag.
   */
  @SuppressWarnings("ReferenceEquality") // no switch set: the same document, serialized once
  private static Candidate candidate(Source source, ParseOptions options) {
    Map<String, Object> document = source.document();
    String json = Json.write(document);
    FlagSnapshot snapshot;
    Map<String, List<Problem>> problems = Map.of();
    try {
      snapshot = FlagSnapshot.parse(json, options);
    } catch (InvalidFlagDocumentException e) {
      problems = byLenientFlag(e.problems(), source.lenient());
      if (problems == null) {
        throw e;
      }
      snapshot = FlagSnapshot.parse(json, options.withStrictness(ParseOptions.Strictness.FLAGD));
    }
    // SDKs compile what they are served without this server's environment: bake its kill
    // switches in, so that they answer what OFREP answers.
    Map<String, Object> switched = KillSwitches.apply(document, options.environment());
    String served = switched == document ? json : Json.write(switched);
    return new Candidate(snapshot, served, etag(served), problems);
  }

  /**
   * {@code problems} by the flag each is in, or null when one is not in a flag of {@code lenient}
   * (a flag that must compile, a shared evaluator, the document itself).
   */
  private static Map<String, List<Problem>> byLenientFlag(
      List<Problem> problems, Set<String> lenient) {
    if (lenient.isEmpty()) {
      return null;
    }
    Map<String, List<Problem>> byFlag = new LinkedHashMap<>();
    for (Problem problem : problems) {
      String flag = JsonPath.flagOf(problem.path());
      if (flag == null || !lenient.contains(flag)) {
        return null;
      }
      byFlag.computeIfAbsent(flag, k -> new ArrayList<>()).add(problem);
    }
    return byFlag;
  }

  private static String etag(String json) {
    return Sha256.hex(json, 12);
  }

  private static List<String> environments(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT environment_key FROM environments WHERE project_key = ? ORDER BY environment_key",
        r -> r.getString(1),
        project);
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
    Inputs inputs =
        db.inTransaction(tx -> {
          if (tx.count("SELECT COUNT(*) FROM projects WHERE project_key = ?", project) == 0) {
            return null;
          }
          return new Inputs(
              generation(tx), documents(tx, project), FlagdExport.versions(tx, project));
        });
    if (inputs == null) {
      forget(project);
    } else {
      install(project, compileStored(project, inputs));
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
    Map<String, Inputs> all =
        db.inTransaction(tx -> {
          long generation = generation(tx);
          Map<String, Inputs> out = new LinkedHashMap<>();
          for (String project : tx.list("SELECT project_key FROM projects", r -> r.getString(1))) {
            out.put(
                project,
                new Inputs(generation, documents(tx, project), FlagdExport.versions(tx, project)));
          }
          return out;
        });
    all.forEach((project, inputs) -> install(project, compileStored(project, inputs)));
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
