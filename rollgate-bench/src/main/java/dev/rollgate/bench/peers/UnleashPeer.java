package dev.rollgate.bench.peers;

import io.getunleash.DefaultUnleash;
import io.getunleash.UnleashContext;
import io.getunleash.repository.ToggleBootstrapFileProvider;
import io.getunleash.util.UnleashConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The Unleash Java SDK offline: features from a bootstrap file, no polling, no metrics, and an API
 * address where nothing listens.
 */
final class UnleashPeer implements Peer {
  private final DefaultUnleash unleash;
  private final UnleashContext[] contexts =
      PeerUsers.all().stream()
          .map(u ->
              UnleashContext.builder()
                  .userId(u.key())
                  .addProperty("country", u.country())
                  .addProperty("plan", u.plan())
                  .addProperty("appVersion", u.appVersion())
                  .build())
          .toArray(UnleashContext[]::new);

  UnleashPeer() {
    String features = PeerFlags.copyToTempFile(PeerFlags.UNLEASH_FILE).toString();
    String backup;
    try {
      // A backup file would win over the bootstrap file: point it at one that does not exist.
      backup =
          Files.createTempDirectory("rollgate-peers-unleash").resolve("backup.json").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    unleash =
        new DefaultUnleash(
            UnleashConfig.builder()
                .appName("rollgate-bench")
                .unleashAPI("http://127.0.0.1:9/api/")
                .disablePolling()
                .disableMetrics()
                .backupFile(backup)
                .toggleBootstrapProvider(new ToggleBootstrapFileProvider(features))
                .build());
  }

  @Override
  public boolean isOn(String flagKey, int user) {
    return unleash.isEnabled(flagKey, contexts[user]);
  }

  @Override
  public void close() {
    unleash.shutdown();
  }
}
