package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Statistical and stickiness properties of fractional bucketing, on seeded random keys. */
class BucketingPropertiesTest {
  private static final int KEYS = 100_000;
  private static final List<String> USERS = users(KEYS, 42L);

  private static List<String> users(int count, long seed) {
    Random random = new Random(seed);
    return IntStream.range(0, count)
        .mapToObj(i -> new UUID(random.nextLong(), random.nextLong()).toString())
        .toList();
  }

  /** A document with one two-way split flag per entry: key -> percentage served "on". */
  private static FlagSnapshot splits(Map<String, Integer> percentages) {
    StringBuilder json = new StringBuilder("{\"flags\": {");
    percentages.forEach((key, percent) ->
        json.append(
                "\"%s\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
                    .formatted(key))
            .append(
                " \"defaultVariant\": \"off\", \"targeting\": {\"fractional\": [[\"on\", %d], [\"off\", %d]]}},"
                    .formatted(percent, 100 - percent)));
    json.setLength(json.length() - 1);
    json.append("}}");
    return FlagSnapshot.parse(json.toString(), ParseOptions.defaults().withEnvironment(Map.of()));
  }

  private static boolean on(FlagSnapshot flags, String key, String user) {
    return (Boolean)
        flags.evaluate(key, ValueType.BOOLEAN, false, EvaluationContext.of(user)).value();
  }

  @Test
  void aQuarterSplitServesAQuarter() {
    FlagSnapshot flags = splits(Map.of("quarter", 25));
    long on = USERS.stream().filter(u -> on(flags, "quarter", u)).count();
    assertThat(on / (double) KEYS).isCloseTo(0.25, within(0.005));
  }

  @Test
  void raisingTheShareNeverMovesAUserOut() {
    // Same flag key at three stages of a ramp, as three snapshots.
    FlagSnapshot at10 = splits(Map.of("ramp", 10));
    FlagSnapshot at25 = splits(Map.of("ramp", 25));
    FlagSnapshot at50 = splits(Map.of("ramp", 50));
    int[] counts = new int[3];
    for (String user : USERS) {
      boolean in10 = on(at10, "ramp", user);
      boolean in25 = on(at25, "ramp", user);
      boolean in50 = on(at50, "ramp", user);
      if (in10) {
        assertThat(in25).as("%s left the treatment at 25%%", user).isTrue();
        counts[0]++;
      }
      if (in25) {
        assertThat(in50).as("%s left the treatment at 50%%", user).isTrue();
        counts[1]++;
      }
      if (in50) {
        counts[2]++;
      }
    }
    assertThat(counts[0] / (double) KEYS).isCloseTo(0.10, within(0.005));
    assertThat(counts[1] / (double) KEYS).isCloseTo(0.25, within(0.005));
    assertThat(counts[2] / (double) KEYS).isCloseTo(0.50, within(0.005));
  }

  @Test
  void twoFlagsBucketIndependently() {
    FlagSnapshot flags = splits(Map.of("alpha", 50, "beta", 50));
    int both = 0;
    int alpha = 0;
    int beta = 0;
    for (String user : USERS) {
      boolean a = on(flags, "alpha", user);
      boolean b = on(flags, "beta", user);
      alpha += a ? 1 : 0;
      beta += b ? 1 : 0;
      both += a && b ? 1 : 0;
    }
    // Independent halves overlap on a quarter of users; correlated ones would not.
    assertThat(alpha / (double) KEYS).isCloseTo(0.5, within(0.01));
    assertThat(beta / (double) KEYS).isCloseTo(0.5, within(0.01));
    assertThat(both / (double) KEYS).isCloseTo(0.25, within(0.01));
  }

  @Test
  void weightsOneTwoSevenComeOutTenTwentySeventy() {
    String json =
        """
        {"flags": {"tiers": {"state": "ENABLED", "variants": {"a": "a", "b": "b", "c": "c"},
          "defaultVariant": "a", "targeting": {"fractional": [["a", 1], ["b", 2], ["c", 7]]}}}}
        """;
    FlagSnapshot flags =
        FlagSnapshot.parse(json, ParseOptions.defaults().withEnvironment(Map.of()));
    int[] counts = new int[3];
    for (String user : USERS) {
      String v =
          (String)
              flags.evaluate("tiers", ValueType.STRING, "", EvaluationContext.of(user)).value();
      counts[v.charAt(0) - 'a']++;
    }
    double[] shares = Arrays.stream(counts).mapToDouble(c -> c / (double) KEYS).toArray();
    assertThat(shares[0]).isCloseTo(0.10, within(0.01));
    assertThat(shares[1]).isCloseTo(0.20, within(0.01));
    assertThat(shares[2]).isCloseTo(0.70, within(0.01));
  }

  @Test
  void assignmentIsSticky() {
    FlagSnapshot first = splits(Map.of("sticky", 30));
    FlagSnapshot second = splits(Map.of("sticky", 30));
    for (String user : USERS.subList(0, 1000)) {
      assertThat(on(second, "sticky", user)).isEqualTo(on(first, "sticky", user));
    }
  }
}
