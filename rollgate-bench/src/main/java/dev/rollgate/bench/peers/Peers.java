package dev.rollgate.bench.peers;

import java.util.ArrayList;
import java.util.List;

/** Starts a system by the name {@link PeerBenchmark} knows it by, and checks its answers. */
public final class Peers {
  /** The systems, as {@link PeerBenchmark#system} names them. */
  public static final List<String> SYSTEMS =
      List.of("flagd", "unleash", "rollgate-client", "rollgate-openfeature");

  /** The fractional flag's share of "on" must fall within this distance of 25%. */
  static final double SHARE_TOLERANCE = 0.05;

  private Peers() {}

  public static Peer start(String system) {
    return switch (system) {
      case "flagd" -> OpenFeaturePeer.flagd();
      case "unleash" -> new UnleashPeer();
      case "rollgate-client" -> new RollgateClientPeer();
      case "rollgate-openfeature" -> OpenFeaturePeer.rollgate();
      default -> throw new IllegalArgumentException("unknown system " + system);
    };
  }

  /**
   * Throws unless {@code peer} serves the static flag to everyone, answers the rule as {@link
   * PeerUsers.User#matchesRule} does for every user, and serves the fractional flag to 25% (± 5
   * points) of the users, the same users when asked again in another order. The systems hash
   * differently, so the fractional check is of the share, not of who is in it.
   */
  public static void verify(String system, Peer peer) {
    List<PeerUsers.User> users = PeerUsers.all();
    List<String> wrong = new ArrayList<>();
    boolean[] firstPass = new boolean[users.size()];
    int on = 0;
    for (int i = 0; i < users.size(); i++) {
      PeerUsers.User user = users.get(i);
      if (!peer.isOn(PeerFlags.STATIC, i)) {
        wrong.add(PeerFlags.STATIC + " off for " + user);
      }
      if (peer.isOn(PeerFlags.RULE, i) != user.matchesRule()) {
        wrong.add(PeerFlags.RULE + " should be " + user.matchesRule() + " for " + user);
      }
      firstPass[i] = peer.isOn(PeerFlags.FRACTIONAL, i);
      on += firstPass[i] ? 1 : 0;
    }
    for (int i = users.size() - 1; i >= 0; i--) {
      if (peer.isOn(PeerFlags.FRACTIONAL, i) != firstPass[i]) {
        wrong.add(PeerFlags.FRACTIONAL + " changed its answer for " + users.get(i));
      }
    }
    double share = (double) on / users.size();
    if (Math.abs(share - 0.25) > SHARE_TOLERANCE) {
      wrong.add(PeerFlags.FRACTIONAL + " is on for " + share + " of users, not about 0.25");
    }
    if (!wrong.isEmpty()) {
      throw new IllegalStateException(
          system
              + " answers "
              + wrong.size()
              + " questions wrongly, such as: "
              + wrong.subList(0, Math.min(5, wrong.size())));
    }
  }
}
