package dev.rollgate.server.events;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events through Apache Kafka ({@code ROLLGATE_EVENTS_KAFKA}) instead of the store's inbox.
 *
 * <p>{@link #append} sends each event as one record (a compact JSON of the event with its project
 * and environment) keyed by its unit, or for an outcome, which has none, by its project,
 * environment and flag, and returns once the brokers acknowledged every one ({@code acks=all},
 * idempotent producer). Every replica runs one consumer in one consumer group (named as the topic),
 * so the partitions are shared and one replica applies a unit's events, in order.
 *
 * <p>A polled batch is applied to the statistics ({@link EventApplier}) in one store transaction,
 * together with each partition's next offset ({@code event_offsets}); records below the stored
 * offset were applied already and are skipped. Only then are the offsets committed to Kafka. So a
 * record is delivered at least once (a crash before the commit replays it) and counted exactly
 * once. When a partition is assigned, consumption starts from the store's offset when it has one.
 */
public final class KafkaEvents implements EventSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaEvents.class);

  /** The longest a POST waits for its batch to be acknowledged (the producer gives up sooner). */
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(12);

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Where events go.
   *
   * @param servers the brokers to bootstrap from, {@code host:port[,host:port]}
   * @param topic the topic, and the name of the replicas' consumer group
   */
  public record Settings(String servers, String topic) {}

  /** An event read from a record, with where it belongs. */
  private record Placed(String project, String environment, Inbound event) {}

  /** What one transaction applied. */
  private record Applied(
      Map<TopicPartition, OffsetAndMetadata> next, List<EventBatch> batches, long replayed) {}

  private final Settings settings;
  private final Database db;
  private final List<EventApplier> appliers;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
  private final Counter applied;
  private final Counter replayed;
  private final Counter unreadable;
  private final Counter retries;
  private final Thread thread;
  private volatile boolean stopping;

  private KafkaEvents(
      Settings settings, Database db, List<EventApplier> appliers, MeterRegistry meters) {
    this.settings = settings;
    this.db = db;
    this.appliers = List.copyOf(appliers);
    this.producer = new KafkaProducer<>(producerProperties(settings));
    this.consumer = new KafkaConsumer<>(consumerProperties(settings));
    Gauge.builder("rollgate.events.kafka.partitions", owned, Set::size)
        .description("Partitions of the events topic this replica consumes")
        .register(meters);
    this.applied = records(meters, "applied", "Kafka event records applied to the statistics");
    this.replayed =
        records(meters, "replayed", "Kafka event records consumed again and skipped: applied");
    this.unreadable = records(meters, "unreadable", "Kafka event records that were not events");
    this.retries =
        Counter.builder("rollgate.events.kafka.retries")
            .description("Polled Kafka batches the store did not take, consumed again")
            .register(meters);
    this.thread = Thread.ofPlatform().daemon().name("rollgate-events-kafka").unstarted(this::run);
  }

  /** Connects the producer and starts this replica's consumer; events are applied by {@code to}. */
  public static KafkaEvents start(
      Settings settings, Database db, List<EventApplier> to, MeterRegistry meters) {
    KafkaEvents events = new KafkaEvents(settings, db, to, meters);
    events.thread.start();
    log.info(
        "events: through Kafka at {}, topic and consumer group {}",
        settings.servers(),
        settings.topic());
    return events;
  }

  private static Counter records(MeterRegistry meters, String result, String description) {
    return Counter.builder("rollgate.events.kafka.records")
        .description(description)
        .tag("result", result)
        .register(meters);
  }

  private static Properties producerProperties(Settings settings) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.servers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2"); // the POST waits: batch briefly, not for long
    // A POST fails within seconds when Kafka is away, rather than after the default minute.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  private static Properties consumerProperties(Settings settings) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.servers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.topic());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // after the store, by hand
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // every acknowledged event counts
    // A replica that died hands its partitions over within 10 s (the default is 45).
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /**
   * Sends the events and waits until Kafka acknowledged every one.
   *
   * @throws Failure UNAVAILABLE ({@code events_unavailable}) when it did not, in time: some may
   *     have been kept, so a client that sends the batch again may have some of them counted twice
   */
  @Override
  public void append(String project, String environment, List<Inbound> events) {
    if (events.isEmpty()) {
      return;
    }
    List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
    try {
      for (Inbound event : events) {
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    settings.topic(),
                    key(project, environment, event),
                    value(project, environment, event))));
      }
      long deadline = System.nanoTime() + ACK_TIMEOUT.toNanos();
      for (Future<RecordMetadata> ack : acks) {
        ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      throw unavailable(e.getCause());
    } catch (java.util.concurrent.TimeoutException | KafkaException e) {
      throw unavailable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(e);
    }
  }

  private static Failure unavailable(Throwable cause) {
    log.warn("events: Kafka did not acknowledge a batch ({})", cause.toString());
    return new Failure(
        Failure.Kind.UNAVAILABLE,
        "events_unavailable",
        "Kafka did not acknowledge every event of the batch ("
            + cause.getMessage()
            + "): send it again");
  }

  /** A unit's events go to one partition, so one replica applies them, in order. */
  private static String key(String project, String environment, Inbound event) {
    return switch (event) {
      case Inbound.Exposure x -> x.unit();
      case Inbound.Track t -> t.unit();
      case Inbound.Outcome o -> project + "/" + environment + "/" + o.flag();
    };
  }

  private static byte[] value(String project, String environment, Inbound event) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("project", project);
    json.put("environment", environment);
    json.putAll(InboundJson.encode(event));
    return Json.write(json).getBytes(StandardCharsets.UTF_8);
  }

  private void run() {
    try {
      consumer.subscribe(List.of(settings.topic()), new Rebalance());
      while (!stopping) {
        try {
          ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
          if (!records.isEmpty()) {
            take(records);
          }
        } catch (WakeupException e) {
          // close() asked: the loop ends
        } catch (RuntimeException e) {
          log.warn("events: cannot consume from Kafka ({}); retrying", e.toString());
          pause();
        }
      }
    } finally {
      try {
        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT)); // leaves the group: others take over
      } catch (RuntimeException e) {
        log.warn("events: Kafka consumer did not close cleanly ({})", e.toString());
      }
    }
  }

  /** Applies polled records in one transaction, then commits their offsets to Kafka. */
  private void take(ConsumerRecords<String, byte[]> records) {
    Applied done;
    try {
      done = db.inTransaction(tx -> apply(tx, records));
    } catch (RuntimeException e) {
      log.warn(
          "events: cannot apply {} Kafka records ({}); retrying", records.count(), e.getMessage());
      retries.increment();
      for (TopicPartition partition : records.partitions()) {
        consumer.seek(partition, records.records(partition).getFirst().offset());
      }
      pause();
      return;
    }
    for (EventApplier applier : appliers) {
      applier.committed(done.batches());
    }
    applied.increment((double) done.batches().stream().mapToLong(b -> b.events().size()).sum());
    replayed.increment((double) done.replayed());
    try {
      consumer.commitSync(done.next());
    } catch (KafkaException e) {
      // The store holds the offsets: whoever consumes these partitions next skips what was applied.
      log.info("events: Kafka offsets not committed ({}); the store has them", e.toString());
    }
  }

  private Applied apply(Tx tx, ConsumerRecords<String, byte[]> records) throws SQLException {
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    List<EventBatch> batches = new ArrayList<>();
    long skipped = 0;
    List<TopicPartition> partitions = new ArrayList<>(records.partitions());
    // One order of the offset rows' locks for every replica.
    partitions.sort(Comparator.comparingInt(TopicPartition::partition));
    for (TopicPartition partition : partitions) {
      List<ConsumerRecord<String, byte[]>> polled = records.records(partition);
      long from = EventOffsetStore.lock(tx, db.dialect(), partition.topic(), partition.partition());
      List<Inbound> run = null;
      Placed last = null;
      for (ConsumerRecord<String, byte[]> record : polled) {
        if (record.offset() < from) {
          skipped++; // applied before this consumer read it again
          continue;
        }
        Placed placed = placed(record);
        if (placed == null) {
          continue;
        }
        if (last == null
            || !last.project().equals(placed.project())
            || !last.environment().equals(placed.environment())) {
          run = new ArrayList<>();
          batches.add(
              new EventBatch(
                  partition + "@" + record.offset(), placed.project(), placed.environment(), run));
        }
        run.add(placed.event());
        last = placed;
      }
      long after = Math.max(from, polled.getLast().offset() + 1);
      EventOffsetStore.set(tx, partition.topic(), partition.partition(), after);
      next.put(partition, new OffsetAndMetadata(after));
    }
    for (EventApplier applier : appliers) {
      applier.apply(tx, batches);
    }
    return new Applied(next, batches, skipped);
  }

  /** The record's event, or null (logged, and skipped for good) when it holds none. */
  private Placed placed(ConsumerRecord<String, byte[]> record) {
    try {
      Map<?, ?> json = (Map<?, ?>) Json.parse(new String(record.value(), StandardCharsets.UTF_8));
      return new Placed(
          (String) Objects.requireNonNull(json.get("project")),
          (String) Objects.requireNonNull(json.get("environment")),
          InboundJson.decode(json));
    } catch (RuntimeException e) {
      unreadable.increment();
      log.error(
          "events: Kafka record {}-{}@{} is not an event ({}); skipped",
          record.topic(),
          record.partition(),
          record.offset(),
          e.toString());
      return null;
    }
  }

  private void pause() {
    try {
      Thread.sleep(RETRY);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
  }

  /** Starts assigned partitions from the store's offsets, which are ahead of Kafka's or equal. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      owned.addAll(partitions);
      if (partitions.isEmpty()) {
        return;
      }
      Map<Integer, Long> stored;
      try {
        stored = db.inTransaction(tx -> EventOffsetStore.read(tx, settings.topic()));
      } catch (RuntimeException e) {
        // Kafka's committed offsets are at most behind the store's: replays are skipped.
        log.warn("events: cannot read stored offsets ({}); starting from Kafka's", e.getMessage());
        return;
      }
      for (TopicPartition partition : partitions) {
        Long at = stored.get(partition.partition());
        if (at != null) {
          consumer.seek(partition, at);
        }
      }
      log.info("events: consuming Kafka partitions {}", partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      owned.removeAll(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      owned.removeAll(partitions);
    }
  }

  /**
   * Stops consuming (the batch being applied is finished and committed, then the consumer leaves
   * the group, so the other replicas take its partitions at once) and closes the producer.
   */
  @Override
  public void close() {
    stopping = true;
    consumer.wakeup();
    try {
      thread.join(CLOSE_TIMEOUT.plusSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(CLOSE_TIMEOUT);
  }
}
