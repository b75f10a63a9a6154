package dev.rollgate.server.store;

/** The store failed (unreachable, or an unexpected SQL error); not the client's fault. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
