package dev.rollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void rolloutDefaultsComeFromTheEnvironment() {
    ServerConfig defaults = ServerConfig.fromEnvironment(Map.of());
    assertThat(defaults.rolloutWindowSeconds()).isEqualTo(10);
    assertThat(defaults.rollbackErrorRatePercent()).isEqualTo(5.0);
    assertThat(defaults.rollbackP99Ms()).isEqualTo(2000.0);
    ServerConfig set =
        ServerConfig.fromEnvironment(
            Map.of(
                "ROLLGATE_ROLLOUT_WINDOW_S", "30",
                "ROLLGATE_ROLLBACK_ERROR_RATE", "2.5",
                "ROLLGATE_ROLLBACK_P99_MS", "750"));
    assertThat(set.rolloutWindowSeconds()).isEqualTo(30);
    assertThat(set.rollbackErrorRatePercent()).isEqualTo(2.5);
    assertThat(set.rollbackP99Ms()).isEqualTo(750.0);
    assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_ROLLBACK_ERROR_RATE", "lots")))
        .hasMessage("ROLLGATE_ROLLBACK_ERROR_RATE must be a number of 0 or more, not 'lots'");
  }

  @Test
  void theLogFormatIsTextOrJsonAndNothingElse() {
    assertThat(ServerConfig.fromEnvironment(Map.of("ROLLGATE_LOG_FORMAT", "json")).port())
        .isEqualTo(ServerConfig.DEFAULT_PORT);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_LOG_FORMAT", "xml")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ROLLGATE_LOG_FORMAT must be text or json, not 'xml'");
  }

  @Test
  void theAuditSigningKeyIsCheckedWithTheOtherSettings() {
    assertThat(ServerConfig.fromEnvironment(Map.of()).auditSigningKey()).isNull();
    String key = dev.rollgate.server.audit.AuditKey.generate().encoded();
    assertThat(
            ServerConfig.fromEnvironment(Map.of("ROLLGATE_AUDIT_SIGNING_KEY", " " + key + "\n"))
                .auditSigningKey())
        .isEqualTo(key);
    assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_AUDIT_SIGNING_KEY", "secret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "ROLLGATE_AUDIT_SIGNING_KEY must be an Ed25519 private key as base64 PKCS#8");
  }

  @Test
  void webhooksGoToPublicAddressesUnlessPrivateOnesAreAllowed() {
    assertThat(ServerConfig.fromEnvironment(Map.of()).webhookAllowPrivate()).isFalse();
    assertThat(
            ServerConfig.fromEnvironment(Map.of("ROLLGATE_WEBHOOK_ALLOW_PRIVATE", "TRUE"))
                .webhookAllowPrivate())
        .isTrue();
    assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_WEBHOOK_ALLOW_PRIVATE", "yes")))
        .hasMessage("ROLLGATE_WEBHOOK_ALLOW_PRIVATE must be true or false, not 'yes'");
    assertThat(ServerConfig.fromEnvironment(Map.of()).secretKey()).isNull();
    assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_SECRET_KEY", "c2hvcnQ=")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ROLLGATE_SECRET_KEY must hold a 32-byte key in base64");
  }

  @Test
  void connectionLimitsAndTheMetricsAddressComeFromTheEnvironment() {
    ServerConfig defaults = ServerConfig.fromEnvironment(Map.of());
    assertThat(defaults.maxStreamsPerToken()).isEqualTo(1000);
    assertThat(defaults.headerTimeoutMs()).isEqualTo(10_000);
    assertThat(defaults.bodyTimeoutMs()).isEqualTo(30_000);
    assertThat(defaults.metricsToken()).isNull();
    assertThat(defaults.metricsPort()).isNull();
    assertThat(defaults.metricsHost()).isNull();

    ServerConfig metrics =
        ServerConfig.fromEnvironment(
            Map.of("ROLLGATE_HOST", "10.0.0.5", "ROLLGATE_METRICS_PORT", "9100"));
    assertThat(metrics.metricsPort()).isEqualTo(9100);
    assertThat(metrics.metricsHost()).as("the main host by default").isEqualTo("10.0.0.5");

    assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_METRICS_HOST", "127.0.0.1")))
        .hasMessageContaining("ROLLGATE_METRICS_PORT");
    assertThatThrownBy(() ->
            ServerConfig.fromEnvironment(
                Map.of("ROLLGATE_PORT", "9000", "ROLLGATE_METRICS_PORT", "9000")))
        .hasMessage("ROLLGATE_METRICS_PORT must differ from ROLLGATE_PORT (9000)");
    assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_HEADER_TIMEOUT_MS", "0")))
        .hasMessage("ROLLGATE_HEADER_TIMEOUT_MS must be 1 or more, not 0");
  }

  @Test
  void theLiveFeedAndTheReplicaHeartbeatComeFromTheEnvironment() {
    ServerConfig defaults = ServerConfig.fromEnvironment(Map.of());
    assertThat(defaults.liveIntervalMs()).isEqualTo(2000);
    assertThat(defaults.replicaHeartbeatSeconds()).isEqualTo(5);
    assertThat(defaults.replicaWindowSeconds()).isEqualTo(30);
    ServerConfig set =
        ServerConfig.fromEnvironment(
            Map.of(
                "ROLLGATE_LIVE_INTERVAL_MS", "250",
                "ROLLGATE_REPLICA_HEARTBEAT_SECONDS", "2",
                "ROLLGATE_REPLICA_WINDOW_SECONDS", "10"));
    assertThat(set.liveIntervalMs()).isEqualTo(250);
    assertThat(set.replicaHeartbeatSeconds()).isEqualTo(2);
    assertThat(set.replicaWindowSeconds()).isEqualTo(10);
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_LIVE_INTERVAL_MS", "5")))
        .hasMessage("ROLLGATE_LIVE_INTERVAL_MS must be 10 or more, not 5");
    assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_REPLICA_WINDOW_SECONDS", "5")))
        .hasMessageStartingWith(
            "ROLLGATE_REPLICA_WINDOW_SECONDS (5) must be more than"
                + " ROLLGATE_REPLICA_HEARTBEAT_SECONDS (5)");
  }

  @Test
  void eventsGoThroughKafkaOnlyWhenItsBrokersAreNamed() {
    assertThat(ServerConfig.fromEnvironment(Map.of()).eventsKafka()).isNull();
    ServerConfig kafka =
        ServerConfig.fromEnvironment(Map.of("ROLLGATE_EVENTS_KAFKA", "kafka-1:9092, kafka-2:9093"));
    assertThat(kafka.eventsKafka().servers()).isEqualTo("kafka-1:9092,kafka-2:9093");
    assertThat(kafka.eventsKafka().topic()).isEqualTo("rollgate-events");
    assertThat(
            ServerConfig.fromEnvironment(
                    Map.of(
                        "ROLLGATE_EVENTS_KAFKA",
                        "[::1]:9092",
                        "ROLLGATE_EVENTS_KAFKA_TOPIC",
                        "prod.events_v2"))
                .eventsKafka()
                .topic())
        .isEqualTo("prod.events_v2");
    for (String bad :
        List.of("kafka", "kafka:", "kafka:99999", "kafka:9092,", "http://kafka:9092")) {
      assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_EVENTS_KAFKA", bad)))
          .as(bad)
          .hasMessageStartingWith("ROLLGATE_EVENTS_KAFKA must be host:port[,host:port]");
    }
    assertThatThrownBy(() ->
            ServerConfig.fromEnvironment(
                Map.of("ROLLGATE_EVENTS_KAFKA", "k:1", "ROLLGATE_EVENTS_KAFKA_TOPIC", "a/b")))
        .hasMessageStartingWith("ROLLGATE_EVENTS_KAFKA_TOPIC must be a Kafka topic name");
    assertThatThrownBy(
            () -> ServerConfig.fromEnvironment(Map.of("ROLLGATE_EVENTS_KAFKA_TOPIC", "events")))
        .hasMessageStartingWith("ROLLGATE_EVENTS_KAFKA_TOPIC is set without ROLLGATE_EVENTS_KAFKA");
  }
}
