package dev.rollgate.server.api;

import static dev.rollgate.server.api.StatusApiTest.replica;
import static dev.rollgate.server.api.StatusApiTest.replicas;
import static dev.rollgate.server.api.StatusApiTest.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TcpProxy;
import dev.rollgate.server.testing.TestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Two replicas on one PostgreSQL list each other, with the one leader, until one stops. */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class ReplicaStatusTest {
  private static final Map<String, String> FAST =
      Map.of(
          "ROLLGATE_REPLICA_HEARTBEAT_SECONDS", "1",
          "ROLLGATE_REPLICA_WINDOW_SECONDS", "3",
          "ROLLGATE_SYNC_SECONDS", "1");

  private static Set<Object> ids(Map<String, Object> status) {
    return Set.copyOf(replicas(status).stream().map(r -> r.get("id")).toList());
  }

  private static long leaders(Map<String, Object> status) {
    return replicas(status).stream().filter(r -> Boolean.TRUE.equals(r.get("leader"))).count();
  }

  @Test
  void eachReplicaListsTheOthersAndTheOneLeaderUntilOneStops() throws Exception {
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, FAST);
        TestServer b = a.replica(null, FAST)) {
      String idA = (String) replica(status(a.admin(), s -> true)).get("id");
      String idB = (String) replica(status(b.admin(), s -> true)).get("id");
      assertThat(idA).isNotEqualTo(idB);

      // Both listed on both, one of them leading (as its heartbeat says, and as it says itself).
      Map<String, Object> onA =
          status(a.admin(), s -> ids(s).equals(Set.of(idA, idB)) && leaders(s) == 1);
      Map<String, Object> onB =
          status(b.admin(), s -> ids(s).equals(Set.of(idA, idB)) && leaders(s) == 1);
      boolean aLeads = (Boolean) replica(onA).get("leader");
      assertThat(replica(onB).get("leader")).isEqualTo(!aLeads);
      String leader = aLeads ? idA : idB;
      assertThat(replicas(onB).stream().filter(r -> Boolean.TRUE.equals(r.get("leader"))))
          .extracting(r -> r.get("id"))
          .containsExactly(leader);
      assertThat((Map<String, Object>) onA.get("store")).containsEntry("kind", "postgresql");

      // The leader stops cleanly: its row goes at once, and the other takes the lead.
      TestServer stopping = aLeads ? a : b;
      TestServer staying = aLeads ? b : a;
      String stayingId = aLeads ? idB : idA;
      String stoppingId = aLeads ? idA : idB;
      stopping.stop();
      try (Connection c = staying.connect();
          PreparedStatement rows =
              c.prepareStatement("SELECT COUNT(*) FROM replicas WHERE replica_id = ?")) {
        rows.setString(1, stoppingId);
        try (ResultSet n = rows.executeQuery()) {
          assertThat(n.next() && n.getLong(1) == 0)
              .as("the stopped replica's row is gone")
              .isTrue();
        }
      }
      Map<String, Object> after =
          status(
              staying.admin(),
              s ->
                  ids(s).equals(Set.of(stayingId))
                      && Boolean.TRUE.equals(replica(s).get("leader")));
      assertThat(replicas(after)).extracting(r -> r.get("leader")).isEqualTo(List.of(true));
    }
  }

  @Test
  void aReplicaCutOffFromTheStoreStillAnswersWithWhatItKnows() throws Exception {
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, FAST);
        TcpProxy proxy = new TcpProxy(5432)) {
      String viaProxy = a.dbUrl().replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port());
      try (TestServer b = a.replica(viaProxy, FAST)) {
        String idB = (String) replica(status(b.admin(), s -> true)).get("id");
        proxy.cut();
        Map<String, Object> cut = status(b.admin(), s -> s.get("replicas") == null);
        assertThat((Map<String, Object>) cut.get("ready"))
            .containsEntry("status", "not ready")
            .containsEntry("store", false);
        assertThat(replica(cut)).containsEntry("id", idB);
        assertThat((Map<String, Object>) cut.get("store")).containsEntry("kind", "postgresql");

        proxy.restore();
        status(b.admin(), s -> s.get("replicas") != null && ids(s).contains(idB));
      }
    }
  }
}
