package dev.rollgate.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The three flag shapes, defined once per format in {@code src/main/resources/peers/}. */
public final class PeerFlags {
  /** A boolean flag without targeting. */
  public static final String STATIC = "static-flag";

  /** On when country in (DE, FR, NL) and plan == "pro" and appVersion >= 2.1.0. */
  public static final String RULE = "rule-flag";

  /** On for 25% of users. */
  public static final String FRACTIONAL = "fractional-flag";

  /** The flagd flag file; Rollgate reads the same file (its format is a superset of flagd's). */
  static final String FLAGD_FILE = "flagd-flags.json";

  /** The same flags as Unleash's client features (constraints and a flexibleRollout). */
  static final String UNLEASH_FILE = "unleash-features.json";

  private PeerFlags() {}

  /** Copies a resource of {@code peers/} to a temporary file, since the peers read files. */
  static Path copyToTempFile(String resource) {
    try (InputStream in = PeerFlags.class.getResourceAsStream("/peers/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource peers/" + resource);
      }
      Path file = Files.createTempFile("rollgate-peers-", "-" + resource);
      file.toFile().deleteOnExit();
      Files.write(file, in.readAllBytes());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
