package dev.rollgate.core.internal.logic;

/**
 * What a {@code fractional} standing in result position (the whole targeting, or a branch of an
 * {@code if}) returns, so the engine can tell a split from a rule match and report reason SPLIT.
 * Inside other operators {@code fractional} returns the plain value.
 *
 * @param value the bucket's variant name (or other value)
 */
public record SplitChoice(Object value) {}
