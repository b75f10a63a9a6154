package dev.rollgate.server.domain;

/**
 * Who makes a change, as the audit trail records it.
 *
 * @param name the token's name
 * @param comment why, from the {@code X-Rollgate-Comment} header; may be null
 */
public record Actor(String name, String comment) {
  /** The server itself (first-start setup). */
  public static final Actor SYSTEM = new Actor("system", null);
}
