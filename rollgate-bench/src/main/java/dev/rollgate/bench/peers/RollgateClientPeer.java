package dev.rollgate.bench.peers;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.sdk.RollgateClient;
import java.time.Duration;
import java.util.Map;

/** Rollgate's own client API, serving the flagd flag file as its bootstrap file. */
final class RollgateClientPeer implements Peer {
  private final RollgateClient client = startClient();
  private final EvaluationContext[] contexts =
      PeerUsers.all().stream()
          .map(u ->
              EvaluationContext.of(
                  u.key(),
                  Map.of("country", u.country(), "plan", u.plan(), "appVersion", u.appVersion())))
          .toArray(EvaluationContext[]::new);

  /**
   * A client with default settings (evaluation counts and exposures on) whose server does not
   * exist, so it serves the bootstrap file: the same in-memory path as a streamed configuration.
   */
  static RollgateClient startClient() {
    return RollgateClient.builder()
        .baseUrl("http://127.0.0.1:9") // nothing listens there
        .sdkToken("bench")
        .bootstrapFile(PeerFlags.copyToTempFile(PeerFlags.FLAGD_FILE))
        .pollInterval(Duration.ofMinutes(10))
        .environment(Map.of()) // no kill switch from this process's environment
        .build();
  }

  @Override
  public boolean isOn(String flagKey, int user) {
    return client.booleanValue(flagKey, contexts[user], false);
  }

  @Override
  public void close() {
    client.close();
  }
}
