package dev.rollgate.server.releases;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.catalog.SplitSource;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The SQL of releases, their timelines and approvals. */
final class ReleaseStore {
  private ReleaseStore() {}

  private static final String COLUMNS =
      "release_id, project_key, environment_key, service, version, type, flag_key, phase,"
          + " row_version, created_at, updated_at, body";

  /** The phases in which a release's split is (or may again be) in its flag. */
  private static final String ACTIVE =
      "('PRECHECKS', 'AWAITING_APPROVAL', 'ROLLING_OUT', 'POSTCHECKS', 'PAUSED')";

  static void insert(Tx tx, Release r) throws SQLException {
    tx.update(
        "INSERT INTO releases (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        r.id,
        r.project,
        r.environment,
        r.service,
        r.version,
        r.type.label(),
        r.flag,
        r.phase.name(),
        r.rowVersion,
        r.createdAt,
        r.updatedAt,
        Json.write(r.body()));
  }

  /** Stores {@code r} over the row at {@code expected}; false when another writer got there. */
  static boolean update(Tx tx, Release r, long expected) throws SQLException {
    return tx.update(
            "UPDATE releases SET phase = ?, row_version = ?, updated_at = ?, body = ?"
                + " WHERE release_id = ? AND row_version = ?",
            r.phase.name(),
            r.rowVersion,
            r.updatedAt,
            Json.write(r.body()),
            r.id,
            expected)
        == 1;
  }

  /** Stores a judged window's evidence without a new revision (nobody needs to re-read it). */
  static boolean recordWindow(Tx tx, Release r, long expected) throws SQLException {
    return tx.update(
            "UPDATE releases SET body = ? WHERE release_id = ? AND row_version = ?",
            Json.write(r.body()),
            r.id,
            expected)
        == 1;
  }

  static Optional<Release> get(Tx tx, String project, String environment, String id)
      throws SQLException {
    return tx.one(
        "SELECT "
            + COLUMNS
            + " FROM releases WHERE release_id = ? AND project_key = ?"
            + " AND environment_key = ?",
        ReleaseStore::read,
        id,
        project,
        environment);
  }

  static Optional<Release> byId(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM releases WHERE release_id = ?", ReleaseStore::read, id);
  }

  /** The environment's releases, newest first, filtered by whichever of the three are given. */
  static List<Release> list(
      Tx tx,
      String project,
      String environment,
      String service,
      String type,
      String phase,
      int limit)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT " + COLUMNS + " FROM releases WHERE project_key = ? AND environment_key = ?");
    List<Object> args = new ArrayList<>(List.of(project, environment));
    if (service != null) {
      sql.append(" AND service = ?");
      args.add(service);
    }
    if (type != null) {
      sql.append(" AND type = ?");
      args.add(type);
    }
    if (phase != null) {
      sql.append(" AND phase = ?");
      args.add(phase);
    }
    sql.append(" ORDER BY created_at DESC, release_id LIMIT ?");
    args.add(limit);
    return tx.list(sql.toString(), ReleaseStore::read, args.toArray());
  }

  /** The versions of the service's completed releases in the environment. */
  static List<String> completedVersions(Tx tx, String project, String environment, String service)
      throws SQLException {
    return tx.list(
        "SELECT version FROM releases WHERE project_key = ? AND environment_key = ?"
            + " AND service = ? AND phase = 'COMPLETED'",
        r -> r.getString(1),
        project,
        environment,
        service);
  }

  static boolean versionTaken(
      Tx tx, String project, String environment, String service, String version)
      throws SQLException {
    return tx.count(
            "SELECT COUNT(*) FROM releases WHERE project_key = ? AND environment_key = ?"
                + " AND service = ? AND version = ?",
            project,
            environment,
            service,
            version)
        > 0;
  }

  /** Releases that have not ended: what the controller drives. */
  static List<String> unfinished(Tx tx) throws SQLException {
    return tx.list(
        "SELECT release_id FROM releases WHERE phase IN ('PLANNED', 'PRECHECKS',"
            + " 'AWAITING_APPROVAL', 'ROLLING_OUT', 'POSTCHECKS') ORDER BY created_at, release_id",
        r -> r.getString(1));
  }

  /** The project's releases that are under way (for the health monitor's pause action). */
  static List<Release> active(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT " + COLUMNS + " FROM releases WHERE project_key = ? AND phase IN " + ACTIVE,
        ReleaseStore::read,
        project);
  }

  /** Another release under way on the flag in the environment, if any. */
  static Optional<String> activeOnFlag(
      Tx tx, String project, String environment, String flag, String except) throws SQLException {
    return tx.one(
        "SELECT release_id FROM releases WHERE project_key = ? AND environment_key = ?"
            + " AND flag_key = ? AND release_id <> ? AND phase IN "
            + ACTIVE,
        r -> r.getString(1),
        project,
        environment,
        flag,
        except);
  }

  /**
   * The splits of the project's releases whose treatment is served, by environment and flag: a
   * {@link SplitSource}.
   */
  static Map<String, Map<String, SplitSource.Split>> splits(Tx tx, String project)
      throws SQLException {
    Map<String, Map<String, SplitSource.Split>> splits = new HashMap<>();
    for (Release r :
        tx.list(
            "SELECT "
                + COLUMNS
                + " FROM releases WHERE project_key = ?"
                + " AND phase IN ('ROLLING_OUT', 'POSTCHECKS', 'PAUSED')",
            ReleaseStore::read,
            project)) {
      if (r.serving()) {
        splits.computeIfAbsent(r.environment, e -> new HashMap<>()).put(r.flag, ReleaseSplit.of(r));
      }
    }
    return splits;
  }

  private static Release read(ResultSet r) throws SQLException {
    @SuppressWarnings("unchecked")
    Map<String, Object> body = (Map<String, Object>) Json.parse(r.getString(12));
    ReleaseType type = ReleaseType.parse(r.getString(6));
    @SuppressWarnings("unchecked")
    ReleasePlan plan = ReleasePlan.fromJson(type, (Map<String, Object>) body.get("plan"));
    Release release =
        new Release(
            r.getString(1),
            r.getString(2),
            r.getString(3),
            r.getString(4),
            r.getString(5),
            type,
            r.getString(7),
            (String) body.get("treatment"),
            (String) body.get("notes"),
            plan,
            r.getLong(10),
            (String) body.get("createdBy"));
    release.phase = ReleasePhase.valueOf(r.getString(8));
    release.rowVersion = r.getLong(9);
    release.updatedAt = r.getLong(11);
    release.readBody(body);
    return release;
  }

  /** One step of a release's timeline. */
  static void event(
      Tx tx,
      Release r,
      long at,
      String actor,
      String comment,
      String event,
      String reason,
      Map<String, Object> details)
      throws SQLException {
    long seq =
        tx.count("SELECT COALESCE(MAX(seq), 0) FROM release_events WHERE release_id = ?", r.id) + 1;
    tx.update(
        "INSERT INTO release_events (release_id, seq, at, actor, comment, event, phase, wave,"
            + " reason, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        r.id,
        (int) seq,
        at,
        actor,
        comment,
        event,
        r.phase.name(),
        r.wave < 0 ? null : r.wave,
        reason,
        details == null ? null : Json.write(details));
  }

  static List<Map<String, Object>> timeline(Tx tx, String id) throws SQLException {
    return tx.list(
        "SELECT seq, at, actor, event, phase, wave, reason, details, comment FROM release_events"
            + " WHERE release_id = ? ORDER BY seq",
        r -> {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("seq", r.getLong(1));
          json.put("at", Instant.ofEpochMilli(r.getLong(2)).toString());
          json.put("actor", r.getString(3));
          json.put("event", r.getString(4));
          json.put("phase", r.getString(5));
          int wave = r.getInt(6);
          json.put("wave", r.wasNull() ? null : wave);
          json.put("reason", r.getString(7));
          String details = r.getString(8);
          json.put("details", details == null ? null : Json.parse(details));
          json.put("comment", r.getString(9));
          return json;
        },
        id);
  }

  /** A stored approval: what was signed and the signature. */
  record Approval(
      int seq,
      String approver,
      String comment,
      String phase,
      long at,
      String keyId,
      String signature) {}

  static void approve(Tx tx, String releaseId, Approval a) throws SQLException {
    tx.update(
        "INSERT INTO release_approvals (release_id, seq, approver, comment, phase, at, key_id,"
            + " signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        releaseId,
        a.seq(),
        a.approver(),
        a.comment(),
        a.phase(),
        a.at(),
        a.keyId(),
        a.signature());
  }

  static List<Approval> approvals(Tx tx, String releaseId) throws SQLException {
    return tx.list(
        "SELECT seq, approver, comment, phase, at, key_id, signature FROM release_approvals"
            + " WHERE release_id = ? ORDER BY seq",
        r ->
            new Approval(
                r.getInt(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getLong(5),
                r.getString(6),
                r.getString(7)),
        releaseId);
  }

  /** The stored key for {@code purpose}: [public, sealed private], if one was made. */
  static Optional<String[]> key(Tx tx, String purpose) throws SQLException {
    return tx.one(
        "SELECT public_key, private_key FROM server_keys WHERE purpose = ?",
        r -> new String[] {r.getString(1), r.getString(2)},
        purpose);
  }

  /** Stores a key unless another replica stored one first (then that one wins). */
  static void keepKey(Tx tx, String purpose, String publicKey, String sealedPrivate, long at)
      throws SQLException {
    tx.update(
        "INSERT INTO server_keys (purpose, public_key, private_key, created_at) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (purpose) DO NOTHING",
        purpose,
        publicKey,
        sealedPrivate,
        at);
  }
}
