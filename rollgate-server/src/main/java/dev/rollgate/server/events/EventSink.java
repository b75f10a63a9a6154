package dev.rollgate.server.events;

import java.util.List;

/**
 * Where {@code POST /api/v1/events} puts the events it accepted: the store's {@link EventInbox}
 * (the default) or a Kafka topic ({@link KafkaEvents}). When {@link #append} returns, the events
 * are durable and will be applied; when it throws, the request must fail.
 */
public interface EventSink {
  /**
   * Keeps {@code events} of one project's environment.
   *
   * @throws dev.rollgate.server.store.StoreException when the store cannot take them
   * @throws dev.rollgate.server.domain.Failure of kind UNAVAILABLE when Kafka did not acknowledge
   *     every one of them in time
   */
  void append(String project, String environment, List<Inbound> events);
}
