package dev.rollgate.core;

import java.util.List;
import java.util.stream.Collectors;

/** A flag document that was rejected as a whole; lists every problem found, with its path. */
public final class InvalidFlagDocumentException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  public InvalidFlagDocumentException(List<Problem> problems) {
    super(summary(problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String summary(List<Problem> problems) {
    String first =
        problems.stream().limit(5).map(Problem::toString).collect(Collectors.joining("; "));
    int more = problems.size() - 5;
    return "invalid flag document: " + first + (more > 0 ? "; and " + more + " more" : "");
  }
}
