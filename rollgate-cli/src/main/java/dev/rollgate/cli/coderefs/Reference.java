package dev.rollgate.cli.coderefs;

import java.util.Comparator;

/** A line of a file where a key appears, the file relative to the scanned directory. */
public record Reference(String file, int line) implements Comparable<Reference> {
  private static final Comparator<Reference> ORDER =
      Comparator.comparing(Reference::file).thenComparingInt(Reference::line);

  @Override
  public int compareTo(Reference other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return file + ":" + line;
  }
}
