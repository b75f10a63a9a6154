package dev.rollgate.bench.peers;

import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import dev.rollgate.openfeature.RollgateProvider;
import java.time.Duration;
import java.util.Map;

/**
 * A provider behind the OpenFeature Java SDK's client: flagd's in-process provider reading the flag
 * file, or Rollgate's provider over a client serving the same file. Both pay the same SDK layer, so
 * the difference between them is the providers'.
 */
final class OpenFeaturePeer implements Peer {
  // Isolated, so that the systems never share the global API's providers or hooks.
  private final OpenFeatureAPI api = OpenFeatureAPI.createIsolated();
  private final Client client;
  private final ImmutableContext[] contexts;

  private OpenFeaturePeer(FeatureProvider provider) {
    api.setProviderAndWait(provider);
    client = api.getClient();
    contexts =
        PeerUsers.all().stream()
            .map(u ->
                new ImmutableContext(
                    u.key(),
                    Map.of(
                        "country", new Value(u.country()),
                        "plan", new Value(u.plan()),
                        "appVersion", new Value(u.appVersion()))))
            .toArray(ImmutableContext[]::new);
  }

  /** flagd's provider in FILE mode: in-process evaluation of a local file, no flagd, no network. */
  static OpenFeaturePeer flagd() {
    String file = PeerFlags.copyToTempFile(PeerFlags.FLAGD_FILE).toString();
    return new OpenFeaturePeer(
        new FlagdProvider(
            FlagdOptions.builder()
                .resolverType(Config.Resolver.FILE)
                .offlineFlagSourcePath(file)
                // Its 1 s default for reading the file is too short on a busy machine.
                .deadline(30_000)
                .build()));
  }

  static OpenFeaturePeer rollgate() {
    return new OpenFeaturePeer(
        new RollgateProvider(RollgateClientPeer.startClient(), Duration.ofMillis(100)));
  }

  @Override
  public boolean isOn(String flagKey, int user) {
    return client.getBooleanValue(flagKey, false, contexts[user]);
  }

  @Override
  public void close() {
    api.shutdown();
  }
}
