package dev.rollgate.core.protocol;

import java.util.Set;

/**
 * Unleash's constraint operators, which the {@code unleash_constraint} operator evaluates and the
 * Unleash import converts: one list for both, so that the two cannot disagree.
 */
public final class UnleashOperators {
  private UnleashOperators() {}

  public static final Set<String> CONSTRAINTS =
      Set.of(
          "IN",
          "NOT_IN",
          "STR_STARTS_WITH",
          "STR_ENDS_WITH",
          "STR_CONTAINS",
          "NUM_EQ",
          "NUM_GT",
          "NUM_GTE",
          "NUM_LT",
          "NUM_LTE",
          "DATE_AFTER",
          "DATE_BEFORE",
          "SEMVER_EQ",
          "SEMVER_GT",
          "SEMVER_GTE",
          "SEMVER_LT",
          "SEMVER_LTE",
          "REGEX",
          "IN_CIDR");
}
