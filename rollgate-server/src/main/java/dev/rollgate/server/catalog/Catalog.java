package dev.rollgate.server.catalog;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.KillSwitches;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Problem;
import dev.rollgate.core.json.Json;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every change to projects, environments, flags and segments goes through.
 *
 * <p>A write runs in one transaction with its audit event. Before it commits, every environment of
 * the project is exported as a flag document and compiled strictly, so no write can leave a flag
 * that does not evaluate: the change is all or nothing. After it commits, the snapshots compiled
 * for that check become the project's served snapshots.
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

  private final Database db;
  private final ParseOptions parseOptions;
  private final List<SplitSource> splits;
  private final Map<String, Compiled> projects = new ConcurrentHashMap<>();
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
    for (int attempt = 1; ; attempt++) {
      try {
        record Outcome<T>(T value, Compiled compiled) {}
        Outcome<T> outcome =
            db.inTransaction(tx -> {
              AuditLog.lockHead(tx); // one lock order for every change
              Written<T> written = work.run(tx);
              if (project == null || !written.servedChanged()) {
                return new Outcome<>(written.value(), null);
              }
              announce(tx, project);
              return new Outcome<>(written.value(), compileChecked(tx, project));
            });
        if (outcome.compiled() != null) {
          install(project, outcome.compiled());
        }
        return outcome.value();
      } catch (VersionConflict e) {
        if (clientVersion != null) {
          throw Failure.versionMismatch(e.getMessage() + ": reload it and retry");
        }
        if (attempt == ATTEMPTS) {
          throw Failure.conflict(e.getMessage() + " repeatedly; retry later");
        }
      }
    }
  }

  /** Tells the other replicas, on commit, that {@code project} changed. */
  public void announce(Tx tx, String project) throws SQLException {
    db.notifyChange(tx, "project:" + project);
  }

  /** Compiles every environment of {@code project}; a 400 naming every problem if one fails. */
  private Compiled compileChecked(Tx tx, String project) throws SQLException {
    List<Map<String, Object>> details = new ArrayList<>();
    Compiled compiled =
        compile(
            tx,
            project,
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
  private Compiled compileLeniently(Tx tx, String project) throws SQLException {
    return compile(
        tx,
        project,
        parseOptions.withStrictness(ParseOptions.Strictness.FLAGD),
        (environment, e) ->
            log.error(
                "project {} environment {} cannot be served: {}",
                project,
                environment,
                e.getMessage()));
  }

  private Compiled compile(
      Tx tx,
      String project,
      ParseOptions options,
      BiConsumer<String, InvalidFlagDocumentException> onInvalid)
      throws SQLException {
    long generation = generation(tx);
    Map<String, ServedEnvironment> environments = new LinkedHashMap<>();
    for (String environment : environments(tx, project)) {
      try {
        Map<String, Object> document = document(tx, project, environment);
        environments.put(environment, serve(project, environment, generation, document, options));
      } catch (InvalidFlagDocumentException e) {
        onInvalid.accept(environment, e);
      }
    }
    return new Compiled(generation, environments);
  }

  private static final String GENERATION = "SELECT seq FROM audit_head WHERE id = 1";

  private static long generation(Tx tx) throws SQLException {
    return tx.one(GENERATION, r -> r.getLong(1)).orElse(0L);
  }

  /** Serializes and compiles one environment's document: the only place flags are compiled. */
  @SuppressWarnings("ReferenceEquality") // no switch set: the same document, serialized once
  private static ServedEnvironment serve(
      String project,
      String environment,
      long generation,
      Map<String, Object> document,
      ParseOptions options) {
    String json = Json.write(document);
    FlagSnapshot snapshot = FlagSnapshot.parse(json, options);
    // SDKs compile what they are served without this server's environment: bake its kill
    // switches in, so that they answer what OFREP answers.
    Map<String, Object> switched = KillSwitches.apply(document, options.environment());
    String served = switched == document ? json : Json.write(switched);
    return new ServedEnvironment(project, environment, generation, snapshot, served, etag(served));
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
   * tells the listeners about every environment whose content changed or that went away.
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
  }

  /** Hears about served environments that change. Called after commit, on the writer's thread. */
  public interface Listener {
    void changed(ServedEnvironment environment);

    void removed(String project, String environment);
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /**
   * Recompiles one project from the store (a change made elsewhere, such as on another replica); a
   * project that no longer exists is dropped.
   */
  public void reload(String project) {
    Compiled compiled =
        db.inTransaction(tx -> {
          if (tx.count("SELECT COUNT(*) FROM projects WHERE project_key = ?", project) == 0) {
            return null;
          }
          try {
            return compileChecked(tx, project);
          } catch (Failure e) {
            return compileLeniently(tx, project);
          }
        });
    if (compiled == null) {
      forget(project);
    } else {
      install(project, compiled);
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
    Map<String, Compiled> all =
        db.inTransaction(tx -> {
          Map<String, Compiled> out = new LinkedHashMap<>();
          for (String project : tx.list("SELECT project_key FROM projects", r -> r.getString(1))) {
            try {
              out.put(project, compileChecked(tx, project));
            } catch (Failure e) {
              // Stored flags that this version no longer accepts: serve them as flagd would,
              // so that the server starts, and say so.
              log.error(
                  "project {}: stored flags do not compile: {}; loading leniently",
                  project,
                  e.details());
              out.put(project, compileLeniently(tx, project));
            }
          }
          return out;
        });
    all.forEach(this::install);
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
