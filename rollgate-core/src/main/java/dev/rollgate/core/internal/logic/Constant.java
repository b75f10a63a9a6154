package dev.rollgate.core.internal.logic;

/** A literal value. */
final class Constant extends Node {
  private final Object value;

  Constant(String path, Object value) {
    super(path);
    this.value = value;
  }

  @Override
  public Object eval(Object data, Trace trace) {
    return value;
  }

  @Override
  boolean isConstant() {
    return true;
  }

  @Override
  Object constantValue() {
    return value;
  }
}
