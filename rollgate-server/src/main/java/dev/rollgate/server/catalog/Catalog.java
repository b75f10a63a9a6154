package dev.rollgate.server.catalog;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Problem;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.http.ApiException;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where every change to projects, environments, flags and segments goes through.
 *
 * <p>A write runs in one transaction with its audit event. Before it commits, every environment of
 * the project is exported as a flag document and compiled strictly, so no write can leave a flag
 * that does not evaluate: the change is all or nothing. After it commits, the project's snapshots
 * are rebuilt from the same documents.
 */
public final class Catalog {
  private static final int ATTEMPTS = 5;

  private final Database db;
  private final ParseOptions parseOptions;
  private final Map<String, FlagSnapshot> snapshots = new ConcurrentHashMap<>();
  private volatile boolean loaded;

  public Catalog(Database db, ParseOptions parseOptions) {
    this.db = db;
    this.parseOptions = parseOptions;
  }

  /** A read in one transaction. */
  public <T> T read(Database.Work<T> work) {
    return db.inTransaction(work);
  }

  /**
   * A write to {@code project} (null for none): validated before commit, snapshots rebuilt after.
   * When the client named no version ({@code clientVersion} null), a {@link VersionConflict} makes
   * the whole change run again on fresh data; when it did, the conflict is a 412.
   */
  public <T> T write(String project, Long clientVersion, Database.Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        T result =
            db.inTransaction(tx -> {
              T value = work.run(tx);
              if (project != null) {
                validate(tx, project);
              }
              return value;
            });
        if (project != null) {
          refresh(project);
        }
        return result;
      } catch (VersionConflict e) {
        if (clientVersion != null) {
          throw new ApiException(412, "version_mismatch", e.getMessage() + ": reload it and retry");
        }
        if (attempt == ATTEMPTS) {
          throw new ApiException(409, "conflict", e.getMessage() + " repeatedly; retry later");
        }
      }
    }
  }

  private void validate(Tx tx, String project) throws SQLException {
    List<Map<String, Object>> details = new ArrayList<>();
    for (String environment : environments(tx, project)) {
      try {
        compile(FlagdExport.document(tx, project, environment));
      } catch (InvalidFlagDocumentException e) {
        for (Problem p : e.problems()) {
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("environment", environment);
          detail.put("path", p.path());
          detail.put("message", p.message());
          details.add(detail);
        }
      }
    }
    if (!details.isEmpty()) {
      Map<String, Object> first = details.getFirst();
      throw new ApiException(
          400,
          "invalid_flag",
          "the change would leave an invalid flag in "
              + first.get("environment")
              + ": "
              + first.get("path")
              + ": "
              + first.get("message"),
          details);
    }
  }

  private FlagSnapshot compile(Map<String, Object> document) {
    return FlagSnapshot.parse(Json.write(document), parseOptions);
  }

  private static List<String> environments(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT environment_key FROM environments WHERE project_key = ? ORDER BY environment_key",
        r -> r.getString(1),
        project);
  }

  /** Rebuilds the snapshots of every environment of {@code project}. */
  public void refresh(String project) {
    Map<String, FlagSnapshot> fresh =
        db.inTransaction(tx -> {
          Map<String, FlagSnapshot> out = new LinkedHashMap<>();
          for (String env : environments(tx, project)) {
            out.put(env, compile(FlagdExport.document(tx, project, env)));
          }
          return out;
        });
    snapshots
        .keySet()
        .removeIf(k ->
            k.startsWith(project + "/") && !fresh.containsKey(k.substring(project.length() + 1)));
    fresh.forEach((env, snapshot) -> snapshots.put(project + "/" + env, snapshot));
  }

  /** Compiles every project's snapshots; {@link #loaded()} is true afterwards. */
  public void loadAll() {
    List<String> projects =
        db.inTransaction(tx -> tx.list("SELECT project_key FROM projects", r -> r.getString(1)));
    projects.forEach(this::refresh);
    loaded = true;
  }

  /** Drops the snapshots of a deleted project. */
  public void forget(String project) {
    snapshots.keySet().removeIf(k -> k.startsWith(project + "/"));
  }

  public boolean loaded() {
    return loaded;
  }

  /** The compiled flags of one environment, or null when there is no such environment. */
  public FlagSnapshot snapshot(String project, String environment) {
    return snapshots.get(project + "/" + environment);
  }
}
