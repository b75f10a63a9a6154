package dev.rollgate.bench.peers;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The 1,024 users every system is asked about, and what the three-condition rule should answer for
 * each, computed here without any of the systems under test.
 */
public final class PeerUsers {
  /** A power of two, so that rotating over the users is a mask. */
  public static final int COUNT = 1024;

  /** One user: the targeting key and the three attributes the rule reads. */
  public record User(String key, String country, String plan, String appVersion) {
    /** country in (DE, FR, NL) and plan == "pro" and appVersion >= 2.1.0. */
    public boolean matchesRule() {
      return RULE_COUNTRIES.contains(country)
          && plan.equals("pro")
          && compareVersions(appVersion, "2.1.0") >= 0;
    }
  }

  private static final Set<String> RULE_COUNTRIES = Set.of("DE", "FR", "NL");
  // Lengths 5, 3 and 7 are coprime, so every combination occurs; "10.0.0" is there to catch a
  // comparison of versions as text.
  private static final String[] COUNTRIES = {"DE", "FR", "US", "NL", "GB"};
  private static final String[] PLANS = {"pro", "free", "team"};
  private static final String[] VERSIONS = {
    "1.9.0", "2.0.9", "2.1.0", "2.1.1", "2.10.0", "10.0.0", "2.0.10"
  };

  private static final List<User> USERS =
      IntStream.range(0, COUNT)
          .mapToObj(i ->
              new User(
                  "user-" + i,
                  COUNTRIES[i % COUNTRIES.length],
                  PLANS[i % PLANS.length],
                  VERSIONS[i % VERSIONS.length]))
          .toList();

  private PeerUsers() {}

  public static List<User> all() {
    return USERS;
  }

  /** Compares plain {@code major.minor.patch} versions numerically. */
  static int compareVersions(String a, String b) {
    String[] left = a.split("\\.", -1);
    String[] right = b.split("\\.", -1);
    for (int i = 0; i < 3; i++) {
      int c = Integer.compare(Integer.parseInt(left[i]), Integer.parseInt(right[i]));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
