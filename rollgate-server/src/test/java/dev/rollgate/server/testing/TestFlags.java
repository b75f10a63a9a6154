package dev.rollgate.server.testing;

import java.util.List;
import java.util.Map;

/** Flag definitions the tests of every module create. */
public final class TestFlags {
  public static final String FLAGS = "/api/v1/projects/default/flags";

  private TestFlags() {}

  /** A boolean flag, off by default, on for users whose plan is "pro" in production. */
  public static Map<String, Object> checkout() {
    return Map.of(
        "key", "new-checkout",
        "variants", Map.of("on", true, "off", false),
        "defaultVariant", "off",
        "tags", List.of("checkout"),
        "environments",
            Map.of(
                "production",
                Map.of(
                    "state",
                    "ENABLED",
                    "targeting",
                    Map.of(
                        "if",
                        List.of(Map.of("==", List.of(Map.of("var", "plan"), "pro")), "on")))));
  }

  /** A flag switched on in production, serving {@code defaultVariant} to everyone. */
  public static Map<String, Object> enabled(
      String key, Map<String, Object> variants, String defaultVariant) {
    return Map.of(
        "key", key,
        "variants", variants,
        "defaultVariant", defaultVariant,
        "environments", Map.of("production", Map.of("state", "ENABLED")));
  }
}
