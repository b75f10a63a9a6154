package dev.rollgate.server.experiments;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The metrics a project's experiments measure: {@code /api/v1/projects/{p}/metrics}. */
public final class MetricService {

  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public MetricService(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  /** A metric to define, as the caller wrote it: checked here. */
  public record Create(
      String key, String name, String kind, String event, String denominatorEvent) {}

  public MetricDefinition create(Actor actor, String project, Create command) {
    String key = command.key();
    if (key.equals(MetricDefinition.ERROR_RATE.key())
        || key.equals(MetricDefinition.LATENCY.key())) {
      throw Failure.invalidField("key", key + " is a built-in metric");
    }
    MetricKind kind = MetricKind.definable(command.kind());
    if (kind == null) {
      throw Failure.invalidField(
          "kind",
          "must be one of "
              + MetricKind.DEFINABLE.stream().map(MetricKind::label).sorted().toList());
    }
    String denominator = command.denominatorEvent();
    if ((kind == MetricKind.RATIO) != (denominator != null)) {
      throw Failure.invalidField(
          "denominatorEvent", "is required for a ratio metric and only for one");
    }
    MetricDefinition metric =
        new MetricDefinition(
            key, command.name() == null ? key : command.name(), kind, command.event(), denominator);
    return catalog.read(tx -> {
      Projects.require(tx, project);
      if (find(tx, project, key).isPresent()) {
        throw Failure.conflict("metric " + key + " already exists");
      }
      MetricStore.insert(tx, project, metric, clock.millis());
      audit.append(tx, actor, "metric.create", resource(project, key), null, metric);
      return metric;
    });
  }

  /** The built-in metrics, then the project's own. */
  public List<MetricDefinition> list(String project) {
    return catalog.read(tx -> {
      Projects.require(tx, project);
      List<MetricDefinition> out = new ArrayList<>();
      out.add(MetricDefinition.ERROR_RATE);
      out.add(MetricDefinition.LATENCY);
      out.addAll(MetricStore.all(tx, project));
      return out;
    });
  }

  public void delete(Actor actor, String project, String key) {
    catalog.read(tx -> {
      MetricDefinition m = require(tx, project, key);
      if (m.builtIn()) {
        throw Failure.conflict(key + " is built in");
      }
      MetricStore.delete(tx, project, key);
      audit.append(tx, actor, "metric.delete", resource(project, key), m, null);
      return null;
    });
  }

  private static String resource(String project, String key) {
    return "projects/" + project + "/metrics/" + key;
  }

  static List<MetricDefinition> all(Tx tx, String project) throws SQLException {
    return MetricStore.all(tx, project);
  }

  static Optional<MetricDefinition> find(Tx tx, String project, String key) throws SQLException {
    if (key.equals(MetricDefinition.ERROR_RATE.key())) {
      return Optional.of(MetricDefinition.ERROR_RATE);
    }
    if (key.equals(MetricDefinition.LATENCY.key())) {
      return Optional.of(MetricDefinition.LATENCY);
    }
    return MetricStore.find(tx, project, key);
  }

  static MetricDefinition require(Tx tx, String project, String key) throws SQLException {
    return find(tx, project, key).orElseThrow(() -> Failure.notFound("metric " + key));
  }
}
