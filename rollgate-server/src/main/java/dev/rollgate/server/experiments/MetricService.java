package dev.rollgate.server.experiments;

import dev.rollgate.server.audit.Actor;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The metrics a project's experiments measure: {@code /api/v1/projects/{p}/metrics}. */
public final class MetricService {
  static final Set<String> FIELDS = Set.of("key", "name", "kind", "event", "denominatorEvent");
  private static final Set<String> KINDS = Set.of("conversion", "sum", "mean", "ratio");

  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public MetricService(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  public Map<String, Object> create(Actor actor, String project, JsonBody body) {
    String key = body.key("key");
    if (key.equals(MetricDefinition.ERROR_RATE.key())
        || key.equals(MetricDefinition.LATENCY.key())) {
      throw Failure.invalidField(body.path("key"), key + " is a built-in metric");
    }
    String kind = body.string("kind", true);
    if (!KINDS.contains(kind)) {
      throw Failure.invalidField(body.path("kind"), "must be one of " + KINDS);
    }
    String event = body.string("event", true);
    String denominator = body.string("denominatorEvent", false);
    if (kind.equals("ratio") != (denominator != null)) {
      throw Failure.invalidField(
          body.path("denominatorEvent"), "is required for a ratio metric and only for one");
    }
    String name = body.string("name", false);
    MetricDefinition metric =
        new MetricDefinition(key, name == null ? key : name, kind, event, denominator);
    return catalog.read(tx -> {
      Projects.require(tx, project);
      if (find(tx, project, key).isPresent()) {
        throw Failure.conflict("metric " + key + " already exists");
      }
      tx.update(
          "INSERT INTO metrics (project_key, metric_key, name, kind, event_name, denominator_event,"
              + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          project,
          key,
          metric.name(),
          kind,
          event,
          denominator,
          clock.millis());
      audit.append(
          tx,
          actor,
          "metric.create",
          "projects/" + project + "/metrics/" + key,
          null,
          metric.toJson());
      return metric.toJson();
    });
  }

  public List<Map<String, Object>> list(String project) {
    return catalog.read(tx -> {
      Projects.require(tx, project);
      List<Map<String, Object>> out = new ArrayList<>();
      out.add(MetricDefinition.ERROR_RATE.toJson());
      out.add(MetricDefinition.LATENCY.toJson());
      for (MetricDefinition m : all(tx, project)) {
        out.add(m.toJson());
      }
      return out;
    });
  }

  public void delete(Actor actor, String project, String key) {
    catalog.read(tx -> {
      MetricDefinition m = require(tx, project, key);
      if (m.builtIn()) {
        throw Failure.conflict(key + " is built in");
      }
      tx.update("DELETE FROM metrics WHERE project_key = ? AND metric_key = ?", project, key);
      audit.append(
          tx, actor, "metric.delete", "projects/" + project + "/metrics/" + key, m.toJson(), null);
      return null;
    });
  }

  private static final String SELECT =
      "SELECT metric_key, name, kind, event_name, denominator_event FROM metrics";

  static List<MetricDefinition> all(Tx tx, String project) throws SQLException {
    return tx.list(
        SELECT + " WHERE project_key = ? ORDER BY metric_key", MetricService::read, project);
  }

  private static MetricDefinition read(java.sql.ResultSet r) throws SQLException {
    return new MetricDefinition(
        r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5));
  }

  static Optional<MetricDefinition> find(Tx tx, String project, String key) throws SQLException {
    if (key.equals(MetricDefinition.ERROR_RATE.key())) {
      return Optional.of(MetricDefinition.ERROR_RATE);
    }
    if (key.equals(MetricDefinition.LATENCY.key())) {
      return Optional.of(MetricDefinition.LATENCY);
    }
    return tx.one(
        SELECT + " WHERE project_key = ? AND metric_key = ?", MetricService::read, project, key);
  }

  static MetricDefinition require(Tx tx, String project, String key) throws SQLException {
    return find(tx, project, key).orElseThrow(() -> Failure.notFound("metric " + key));
  }
}
