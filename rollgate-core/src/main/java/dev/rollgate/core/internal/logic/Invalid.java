package dev.rollgate.core.internal.logic;

/**
 * An operator used in a way that cannot work (wrong number of arguments, say). It yields null, as
 * flagd's operators do on bad input, so targeting falls back to the default variant; in strict mode
 * the document is rejected before this ever runs.
 */
final class Invalid extends Node {
  private final String problem;

  Invalid(String path, String problem) {
    super(path);
    this.problem = problem;
  }

  @Override
  public Object eval(Object data, Trace trace) {
    if (trace != null) {
      trace.step(path, null, null, problem + ": yields null");
    }
    return null;
  }
}
