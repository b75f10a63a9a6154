package dev.rollgate.core.internal.logic;

/**
 * A compiled JsonLogic expression. {@code data} is what {@code var} reads: the {@link
 * dev.rollgate.core.EvaluationContext} at the top, the current element inside {@code map}, {@code
 * filter} and friends. {@code trace} is null unless an explanation was asked for, so tracing costs
 * one branch on the hot path.
 */
public abstract class Node {
  /** Where this expression stands in the document, such as {@code flags.a.targeting.if[0]}. */
  final String path;

  Node(String path) {
    this.path = path;
  }

  public abstract Object eval(Object data, Trace trace);

  /** True when the value never depends on data or time, so it can be used at compile time. */
  boolean isConstant() {
    return false;
  }

  /** The constant value; only meaningful when {@link #isConstant()}. */
  Object constantValue() {
    throw new IllegalStateException("not a constant: " + path);
  }

  public String path() {
    return path;
  }
}
