package dev.rollgate.core.json;

/** Text that is not one well-formed JSON value; says where, by line and column (1-based). */
public final class JsonSyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;

  public JsonSyntaxException(String problem, int line, int column) {
    super("invalid JSON at line " + line + ", column " + column + ": " + problem);
    this.line = line;
    this.column = column;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }
}
