package dev.rollgate.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.KafkaBroker;
import dev.rollgate.server.testing.ServerProcess;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TcpProxy;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestPostgres;
import dev.rollgate.server.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SDK events through a real Kafka broker (KRaft, in a JVM of its own) into experiment statistics
 * and rollout health on a real PostgreSQL shared by replicas: nothing acknowledged is lost when a
 * replica is killed, replicas share the partitions, and records consumed again are not counted
 * again.
 */
class KafkaEventsTest {
  private static final String P = "/api/v1/projects/default";
  private static final String EXPERIMENTS = P + "/environments/production/experiments";
  private static final int PARTITIONS = 4;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    var unused = TestPostgres.newSchema(); // skips (or in CI fails) here without PostgreSQL
    TestPostgres.dropSchema(unused);
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static String newTopic() throws Exception {
    String topic = "events-" + UUID.randomUUID().toString().substring(0, 8);
    broker.createTopic(topic, PARTITIONS);
    return topic;
  }

  private static Map<String, String> kafka(String topic) {
    return Map.of(
        "ROLLGATE_EVENTS_KAFKA",
        broker.bootstrap(),
        "ROLLGATE_EVENTS_KAFKA_TOPIC",
        topic,
        "ROLLGATE_SYNC_SECONDS",
        "1");
  }

  /** A running experiment on new-checkout whose metric sums "revenue"; returns an sdk token. */
  private static String experiment(TestServer server) {
    ApiClient admin = server.admin();
    admin.post(TestFlags.FLAGS, TestFlags.checkout());
    admin.post(P + "/metrics", Map.of("key", "revenue", "kind", "sum", "event", "revenue"));
    admin.post(
        EXPERIMENTS,
        Map.of(
            "key",
            "pricing",
            "flag",
            "new-checkout",
            "variants",
            Map.of("off", 1, "on", 1),
            "primaryMetric",
            "revenue"));
    assertThat(admin.post(EXPERIMENTS + "/pricing/start", Map.of()).status()).isEqualTo(200);
    return server.sdkToken();
  }

  /** Each unit's exposure, then one revenue event of 1 (both keyed by the unit). */
  private static List<Object> units(String prefix, int from, int to) {
    long now = System.currentTimeMillis();
    List<Object> events = new ArrayList<>();
    for (int u = from; u < to; u++) {
      String unit = prefix + u;
      events.add(
          Map.of(
              "type",
              "exposure",
              "flag",
              "new-checkout",
              "variant",
              u % 2 == 0 ? "off" : "on",
              "targetingKey",
              unit,
              "time",
              now - 2000));
      events.add(
          Map.of(
              "type", "track", "name", "revenue", "targetingKey", unit, "value", 1, "time", now));
    }
    return events;
  }

  private static void post(ApiClient sdk, List<Object> events) {
    ApiClient.Response r = sdk.post("/api/v1/events", Map.of("events", events));
    assertThat(r.status()).as("%s", r).isEqualTo(202);
  }

  /** Per unit, how many revenue events the store counted. */
  private static Map<String, Long> counted(String dbUrl) throws SQLException {
    Map<String, Long> out = new HashMap<>();
    try (Connection c = DriverManager.getConnection(dbUrl);
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT unit, occurrences FROM unit_event_totals WHERE event_name = 'revenue'")) {
      while (r.next()) {
        out.put(r.getString(1), r.getLong(2));
      }
    }
    return out;
  }

  private static long number(String dbUrl, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(dbUrl);
        ResultSet r = c.createStatement().executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Every unit counted once, exposed once, and its revenue in its variant's sum. */
  private static void assertCountedOnce(String dbUrl, int units) throws SQLException {
    Map<String, Long> counted = counted(dbUrl);
    assertThat(counted).hasSize(units);
    assertThat(Set.copyOf(counted.values())).containsExactly(1L);
    assertThat(number(dbUrl, "SELECT COUNT(*) FROM experiment_units")).isEqualTo(units);
    assertThat(
            number(
                dbUrl,
                "SELECT CAST(SUM(value_sum) AS BIGINT) FROM experiment_stats"
                    + " WHERE metric_key = 'revenue'"))
        .isEqualTo(units);
  }

  /** A value in the replica's /metrics, 0 when it has none. */
  private static double metric(ApiClient replica, String series) {
    String text = replica.withToken(null).get("/metrics").text();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static int partitions(ApiClient replica) {
    return (int) metric(replica, "rollgate_events_kafka_partitions");
  }

  private static long records(ApiClient replica, String result) {
    return (long) metric(replica, "rollgate_events_kafka_records_total{result=\"" + result + "\"}");
  }

  private static void eventually(BooleanSupplier done, Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + state.get());
      }
      Thread.sleep(100);
    }
  }

  private static BooleanSupplier unitsCounted(String dbUrl, int units) {
    return () -> {
      try {
        return counted(dbUrl).size() == units;
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private static Supplier<String> countOf(String dbUrl) {
    return () -> {
      try {
        return counted(dbUrl).size() + " units counted";
      } catch (SQLException e) {
        return e.toString();
      }
    };
  }

  @Test
  void eventsAcknowledgedByAReplicaThatIsKilledAreAllCountedByAnother() throws Exception {
    String topic = newTopic();
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, kafka(topic));
        TcpProxy proxy = new TcpProxy(5432)) {
      String sdk = experiment(a);
      String db = a.dbUrl();
      String viaProxy = db.replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port());
      try (ServerProcess b = ServerProcess.start(viaProxy, kafka(topic))) {
        eventually(
            () -> partitions(a.admin()) == 2 && partitions(b.admin()) == 2,
            () -> "partitions " + partitions(a.admin()) + " and " + partitions(b.admin()));
        // B can no longer reach the store: what it consumes, it cannot apply. Kafka still takes
        // its events.
        proxy.cut();
        for (int from = 0; from < 200; from += 50) {
          post(b.as(sdk), units("unit-", from, from + 50));
        }
        // A counts its partitions' units; B's wait in Kafka (deterministic: B cannot write).
        eventually(() -> records(a.admin(), "applied") > 0, () -> "A applied nothing");
        assertThat(counted(db).size()).isLessThan(200);
        b.kill(); // no flush, no offset commit, no goodbye to the group
      }
      // A takes over B's partitions once B's session expires, and counts every event once.
      eventually(unitsCounted(db, 200), countOf(db));
      assertThat(partitions(a.admin())).isEqualTo(PARTITIONS);
      assertCountedOnce(db, 200);
    }
  }

  @Test
  void twoReplicasShareThePartitionsAndEachUnitIsAppliedByOne() throws Exception {
    String topic = newTopic();
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, kafka(topic))) {
      String sdk = experiment(a);
      try (TestServer b = a.replica(null, kafka(topic))) {
        eventually(
            () -> partitions(a.admin()) > 0 && partitions(b.admin()) > 0,
            () -> "partitions " + partitions(a.admin()) + " and " + partitions(b.admin()));
        assertThat(partitions(a.admin()) + partitions(b.admin())).isEqualTo(PARTITIONS);
        for (int from = 0; from < 200; from += 25) {
          post((from / 25 % 2 == 0 ? a : b).as(sdk), units("unit-", from, from + 25));
        }
        String db = a.dbUrl();
        eventually(
            () -> records(a.admin(), "applied") + records(b.admin(), "applied") == 400,
            () ->
                "applied " + records(a.admin(), "applied") + " + " + records(b.admin(), "applied"));
        // Both applied some; no record was applied by both (400 records: 200 units, two each).
        assertThat(records(a.admin(), "applied")).isPositive();
        assertThat(records(b.admin(), "applied")).isPositive();
        // Every track counted after its unit's exposure: a unit's events are applied in order.
        assertCountedOnce(db, 200);
      }
    }
  }

  @Test
  void recordsConsumedAgainAfterACrashAreNotCountedAgain() throws Exception {
    String topic = newTopic();
    try (TestServer base =
            TestServer.start(StoreKind.POSTGRES, Map.of("ROLLGATE_SYNC_SECONDS", "1"));
        TcpProxy proxy = new TcpProxy(5432)) {
      String sdk = experiment(base);
      String db = base.dbUrl();
      String viaProxy = db.replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port());
      try (TestServer r = base.replica(viaProxy, kafka(topic))) {
        List<Object> events = units("unit-", 0, 100);
        long now = System.currentTimeMillis();
        for (int i = 0; i < 10; i++) {
          events.add(
              Map.of(
                  "type",
                  "outcomes",
                  "flag",
                  "new-checkout",
                  "variant",
                  i % 2 == 0 ? "off" : "on",
                  "route",
                  "/r" + i,
                  "start",
                  now - 1000,
                  "count",
                  5,
                  "errors",
                  1));
        }
        post(r.as(sdk), events);
        eventually(() -> caughtUp(topic) && unitsCounted(db, 100).getAsBoolean(), countOf(db));
        String requests = "SELECT COALESCE(SUM(requests), 0) FROM outcome_windows";
        eventually(() -> outcomes(db, requests) == 50, () -> "outcomes not all written");

        // A crash after the store's commit, before Kafka's: Kafka's offsets are behind. The
        // restarted replica starts from the store's.
        r.stop();
        try (Admin admin = broker.admin()) {
          Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
          for (int p = 0; p < PARTITIONS; p++) {
            start.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
          }
          admin.alterConsumerGroupOffsets(topic, start).all().get(30, TimeUnit.SECONDS);
        }
        r.start();
        post(r.as(sdk), units("again-", 0, 40)); // new records in every partition
        eventually(() -> caughtUp(topic) && unitsCounted(db, 140).getAsBoolean(), countOf(db));
        assertThat(records(r.admin(), "replayed")).isZero(); // not even read again
        assertCountedOnce(db, 140);
        assertThat(outcomes(db, requests)).isEqualTo(50);

        // Kafka's offsets rewound under a running replica that cannot read the store's when its
        // partitions come back: it reads the records again, and skips them as applied.
        proxy.cut();
        rewindWhileInTheGroup(topic);
        // It read them from the start, the store's offsets unknown, and could not apply them.
        eventually(
            () -> metric(r.admin(), "rollgate_events_kafka_retries_total") > 0,
            () -> "no batch was tried");
        proxy.restore();
        eventually(() -> caughtUp(topic), () -> "the group did not catch up");
        assertCountedOnce(db, 140);
        assertThat(outcomes(db, requests)).isEqualTo(50);
        assertThat(records(r.admin(), "replayed")).isPositive();
      }
    }
  }

  @Test
  void aBatchKafkaDoesNotAcknowledgeIsRefusedWith503() throws Exception {
    int nothing;
    try (var socket = new java.net.ServerSocket(0)) {
      nothing = socket.getLocalPort(); // closed again: no broker there
    }
    try (TestServer server =
        TestServer.start(
            StoreKind.SQLITE, Map.of("ROLLGATE_EVENTS_KAFKA", "127.0.0.1:" + nothing))) {
      String sdk = experiment(server);
      ApiClient.Response r =
          server.as(sdk).post("/api/v1/events", Map.of("events", units("unit-", 0, 1)));
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.object()).containsEntry("code", "events_unavailable").containsKey("requestId");
      assertThat((String) r.object().get("message"))
          .startsWith("Kafka did not acknowledge every event of the batch");
      assertThat(r.header("X-Request-Id")).isNotBlank();
      // Nothing for Kafka in the batch (an exposure of a flag no experiment observes): accepted.
      Map<String, Object> unobserved =
          Map.of("type", "exposure", "flag", "new-checkout", "variant", "on", "targetingKey", "u");
      server.admin().post(EXPERIMENTS + "/pricing/stop", Map.of());
      assertThat(
              server.as(sdk).post("/api/v1/events", Map.of("events", List.of(unobserved))).status())
          .isEqualTo(202);
    }
  }

  private static long outcomes(String db, String sql) {
    try {
      return number(db, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Joins the replicas' group as a consumer of its own, commits offset 0 for the partitions it is
   * given, and leaves.
   */
  private static void rewindWhileInTheGroup(String topic) throws InterruptedException {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrap(),
            ConsumerConfig.GROUP_ID_CONFIG,
            topic,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            "false");
    try (KafkaConsumer<byte[], byte[]> intruder =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      intruder.subscribe(List.of(topic));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (intruder.assignment().isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the group gave no partition to a second consumer");
        }
        var unused = intruder.poll(Duration.ofMillis(200));
      }
      Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
      for (TopicPartition p : intruder.assignment()) {
        start.put(p, new OffsetAndMetadata(0));
      }
      intruder.commitSync(start);
    }
  }

  /** Whether the group's committed offsets are at the end of every partition. */
  private static boolean caughtUp(String topic) {
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(topic)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
      for (var end : ends.entrySet()) {
        OffsetAndMetadata at = committed.get(end.getKey());
        long position = at == null ? 0 : at.offset();
        if (position != end.getValue().offset()) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
