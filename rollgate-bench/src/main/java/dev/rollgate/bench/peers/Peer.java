package dev.rollgate.bench.peers;

/**
 * One system under comparison, started on the flags of {@code peers/} and asked through its public
 * API about the users of {@link PeerUsers}, each by index (the adapter builds its own contexts
 * once, so that building them is not measured).
 */
public interface Peer extends AutoCloseable {
  /** The flag's answer for user {@code user}, false when the system cannot answer. */
  boolean isOn(String flagKey, int user);

  @Override
  void close();
}
