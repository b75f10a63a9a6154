package dev.rollgate.server.catalog;

/**
 * A versioned write found the resource at another version than it read or was told: someone else
 * changed it in between. {@link Catalog#write} retries the change when the client named no version,
 * and answers 412 when it did.
 */
public final class VersionConflict extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public VersionConflict(String resource) {
    super(resource + " was changed by someone else");
  }

  /** Throws when the client named a version ({@code ifMatch}) other than the stored one. */
  public static void check(String resource, Long ifMatch, long stored) {
    if (ifMatch != null && ifMatch != stored) {
      throw new VersionConflict(resource);
    }
  }

  /**
   * Throws unless a write guarded by the version read ({@code ... WHERE version = ?}) changed its
   * row: the one idiom of every versioned write, with {@link #check} for the client's version.
   */
  public static void unlessWritten(boolean written, String resource) {
    if (!written) {
      throw new VersionConflict(resource);
    }
  }
}
