package dev.rollgate.bench.peers;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class PeersTest {
  static final List<String> SYSTEMS = Peers.SYSTEMS;

  /** What PeerBenchmark's setup does before it times a system. */
  @ParameterizedTest
  @FieldSource("SYSTEMS")
  void eachSystemAnswersTheThreeFlagsAsSpecified(String system) {
    try (Peer peer = Peers.start(system)) {
      assertThatCode(() -> Peers.verify(system, peer)).doesNotThrowAnyException();
    }
  }

  @Test
  void aSystemThatAnswersAsSpecifiedPasses() {
    assertThatCode(() -> Peers.verify("fake", new FakePeer(PeersTest::rule, PeersTest::quarter)))
        .doesNotThrowAnyException();
  }

  @Test
  void aRuleThatComparesVersionsAsTextFails() {
    BiPredicate<PeerUsers.User, Integer> textual =
        (u, call) ->
            List.of("DE", "FR", "NL").contains(u.country())
                && u.plan().equals("pro")
                && u.appVersion().compareTo("2.1.0") >= 0;
    assertThatThrownBy(() -> Peers.verify("fake", new FakePeer(textual, PeersTest::quarter)))
        .hasMessageContaining("rule-flag should be true")
        .hasMessageContaining("appVersion=10.0.0")
        .hasMessageNotContaining("fractional-flag");
  }

  @Test
  void aSplitThatIsNotAQuarterFails() {
    BiPredicate<PeerUsers.User, Integer> half = (u, call) -> u.key().hashCode() % 2 == 0;
    assertThatThrownBy(() -> Peers.verify("fake", new FakePeer(PeersTest::rule, half)))
        .hasMessageContaining("fractional-flag is on for 0.5");
  }

  @Test
  void aSplitThatChangesItsAnswerFails() {
    // A quarter on every pass, but not the same quarter: only asking twice shows it.
    BiPredicate<PeerUsers.User, Integer> drifting =
        (u, call) -> Math.floorMod(u.key().hashCode() + call, 4) == 0;
    assertThatThrownBy(() -> Peers.verify("fake", new FakePeer(PeersTest::rule, drifting)))
        .hasMessageContaining("fractional-flag changed its answer")
        .hasMessageNotContaining("of users");
  }

  private static boolean rule(PeerUsers.User user, int call) {
    return user.matchesRule();
  }

  private static boolean quarter(PeerUsers.User user, int call) {
    return Math.floorMod(user.key().hashCode(), 4) == 0;
  }

  /** Answers the static flag on, the others by predicates of the user and of how often it asked. */
  private static final class FakePeer implements Peer {
    private final BiPredicate<PeerUsers.User, Integer> rule;
    private final BiPredicate<PeerUsers.User, Integer> fractional;
    private final int[] fractionalCalls = new int[PeerUsers.COUNT];

    FakePeer(
        BiPredicate<PeerUsers.User, Integer> rule,
        BiPredicate<PeerUsers.User, Integer> fractional) {
      this.rule = rule;
      this.fractional = fractional;
    }

    @Override
    public boolean isOn(String flagKey, int user) {
      PeerUsers.User u = PeerUsers.all().get(user);
      return switch (flagKey) {
        case PeerFlags.STATIC -> true;
        case PeerFlags.RULE -> rule.test(u, 0);
        case PeerFlags.FRACTIONAL -> fractional.test(u, fractionalCalls[user]++);
        default -> false;
      };
    }

    @Override
    public void close() {}
  }
}
