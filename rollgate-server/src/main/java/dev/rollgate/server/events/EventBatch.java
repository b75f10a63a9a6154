package dev.rollgate.server.events;

import java.util.List;

/**
 * Accepted events of one project's environment, as they are applied together: one request's events
 * of one stream in the {@link EventInbox}, or consecutive records of one Kafka partition.
 *
 * @param id where the batch came from (an inbox row's id, or a Kafka record's coordinates)
 */
public record EventBatch(String id, String project, String environment, List<Inbound> events) {}
