package dev.rollgate.server.webhooks;

import java.time.Instant;
import java.util.List;

/** A webhook subscription, without its signing secret. */
public record Webhook(
    String id, String url, List<String> events, String description, Instant createdAt) {

  /** One delivery of an event to a webhook, with every attempt made so far. */
  public record Delivery(
      String id,
      String event,
      Instant createdAt,
      String status,
      long attempts,
      Instant nextAttemptAt,
      Object payload,
      List<Attempt> attemptLog) {}

  /** One attempt at a delivery: the receiver's status code, or the error that prevented one. */
  public record Attempt(
      long attempt, Instant time, Integer statusCode, String error, long durationMs) {}
}
