package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.audit.AuditKey;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Replicas on one PostgreSQL sign with the key they share; a replica with its own key shows. */
class AuditReplicaKeyTest {
  private static final String P = "/api/v1/projects/default";

  @Test
  void replicasSharingTheKeyVerifyEachOthersEventsAndOneWithItsOwnKeyIsNamed() {
    Map<String, String> shared =
        Map.of("ROLLGATE_AUDIT_SIGNING_KEY", AuditKey.generate().encoded());
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, shared);
        TestServer b = a.replica(null, shared)) {
      a.admin().post(P + "/flags", TestFlagsOnReplicas.flag("one"));
      b.admin().post(P + "/flags", TestFlagsOnReplicas.flag("two"));
      Map<String, Object> checkpoint = b.admin().get("/api/v1/audit/checkpoint").object();
      assertThat(a.admin().get("/api/v1/audit/checkpoint").object().get("keyId"))
          .isEqualTo(checkpoint.get("keyId"));
      String query =
          "?seq="
              + checkpoint.get("seq")
              + "&hash="
              + checkpoint.get("hash")
              + "&signature="
              + checkpoint.get("signature");
      for (TestServer replica : new TestServer[] {a, b}) {
        assertThat(replica.admin().get("/api/v1/audit/verify" + query).object())
            .containsEntry("valid", true)
            .containsEntry("events", 3L);
      }

      try (TestServer own = a.replica(null, Map.of())) {
        own.admin().post(P + "/flags", TestFlagsOnReplicas.flag("three"));
      }
      Map<String, Object> verify = a.admin().get("/api/v1/audit/verify").object();
      assertThat(verify).containsEntry("valid", false);
      assertThat(((Map<?, ?>) verify.get("firstBroken")).get("reason").toString())
          .contains("not this server's key")
          .contains("ROLLGATE_AUDIT_SIGNING_KEY");
    }
  }

  private static final class TestFlagsOnReplicas {
    static Map<String, Object> flag(String key) {
      return Map.of("key", key, "variants", Map.of("on", true, "off", false));
    }
  }
}
