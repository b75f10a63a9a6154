package dev.rollgate.core;

/**
 * One thing wrong with a flag document.
 *
 * @param path where, as a path from the document's root such as {@code flags.beta.defaultVariant}
 * @param message what is wrong there
 */
public record Problem(String path, String message) {
  @Override
  public String toString() {
    return (path.isEmpty() ? "$" : path) + ": " + message;
  }
}
