package dev.rollgate.server.ops;

import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.replicas.ReplicaRegistry;
import dev.rollgate.server.store.Database;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * How this server stands: whether it is ready ({@code /ready}), and for the UI's status page what
 * replicas share its store and what the store is. Nothing here names an address or a credential.
 */
public final class StatusService {

  /**
   * Readiness, as {@code /ready} answers it.
   *
   * @param store whether the store answered the last probe
   * @param snapshots whether every environment's flags are compiled
   * @param reason why the server is not ready; null when it is
   * @param warnings what is wrong without making it unready (a broken edit of a flag file: the last
   *     good version is served); empty for none
   */
  public record Ready(
      boolean ready, boolean store, boolean snapshots, String reason, List<String> warnings)
      implements Plain.Shown {
    /** {@code {status, store, snapshots}}, {@code reason} when not ready, {@code warnings}. */
    @Override
    public Object plain() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", ready ? "ready" : "not ready");
      body.put("store", store);
      body.put("snapshots", snapshots);
      if (reason != null) {
        body.put("reason", reason);
      }
      if (!warnings.isEmpty()) {
        body.put("warnings", warnings);
      }
      return body;
    }
  }

  /**
   * The store.
   *
   * @param kind {@code sqlite} or {@code postgresql}
   * @param version the database's own version
   */
  public record Store(String kind, String version) {}

  /**
   * The server as the status page shows it.
   *
   * @param replicas every replica seen within the window, this one included; null when the store
   *     cannot be read now
   */
  public record Status(
      Ready ready,
      ReplicaRegistry.Self replica,
      List<ReplicaRegistry.Replica> replicas,
      Store store) {}

  private final Readiness readiness;
  private final BooleanSupplier snapshotsLoaded;
  private final Supplier<String> syncProblem; // why this replica does not follow the store, or null
  private final Supplier<List<String>> warnings;
  private final ReplicaRegistry replicas;
  private final Store store;

  public StatusService(
      Readiness readiness,
      BooleanSupplier snapshotsLoaded,
      Supplier<String> syncProblem,
      Supplier<List<String>> warnings,
      ReplicaRegistry replicas,
      Database db) {
    this.readiness = readiness;
    this.warnings = warnings;
    this.snapshotsLoaded = snapshotsLoaded;
    this.syncProblem = syncProblem;
    this.replicas = replicas;
    this.store =
        new Store(
            db.dialect() == Database.Dialect.POSTGRES ? "postgresql" : "sqlite",
            db.productVersion());
  }

  /** Answered at once, from what the background probe found: no waiting on the store here. */
  public Ready ready() {
    boolean store = readiness.storeAnswers();
    boolean snapshots = snapshotsLoaded.getAsBoolean();
    String problem =
        !store ? "store unreachable" : !snapshots ? "snapshots not loaded" : syncProblem.get();
    return new Ready(
        problem == null,
        store,
        snapshots,
        problem == null
            ? null
            : problem + "; evaluation and streaming go on from the last snapshot",
        warnings.get());
  }

  /**
   * Readiness, this replica, the replicas seen, and the store. The list of replicas is read from
   * the store only when the last probe found it answering, so that an outage does not make the page
   * wait.
   */
  public Status status() {
    Ready ready = ready();
    List<ReplicaRegistry.Replica> seen = null;
    if (ready.store()) {
      try {
        seen = replicas.seen();
      } catch (RuntimeException e) {
        seen = null; // the store went away since the probe: the page shows the rest
      }
    }
    return new Status(ready, replicas.self(), seen, store);
  }
}
