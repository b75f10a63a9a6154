package dev.rollgate.core;

import java.util.Arrays;
import java.util.List;

/**
 * A flag another flag requires: the dependent flag evaluates its own rules only when this one
 * serves, in the same context, one of {@code variants}.
 */
final class Prerequisite {
  final CompiledFlag flag;
  private final String[] variants;

  Prerequisite(CompiledFlag flag, List<String> variants) {
    this.flag = flag;
    this.variants = variants.toArray(String[]::new);
  }

  /** Whether {@code served} (null when no variant was served) is one of the required variants. */
  boolean accepts(String served) {
    if (served == null) {
      return false;
    }
    for (String variant : variants) {
      if (variant.equals(served)) {
        return true;
      }
    }
    return false;
  }

  List<String> variants() {
    return Arrays.asList(variants);
  }
}
