package dev.rollgate.server.monitor;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;

/** How an observed value must stand to a threshold for a check to pass. */
public enum Comparison implements Plain.Shown {
  LT("<"),
  LE("<="),
  GT(">"),
  GE(">="),
  EQ("=="),
  NE("!=");

  private final String symbol;

  Comparison(String symbol) {
    this.symbol = symbol;
  }

  /** Whether {@code observed} passes against {@code threshold}. */
  public boolean holds(double observed, double threshold) {
    return switch (this) {
      case LT -> observed < threshold;
      case LE -> observed <= threshold;
      case GT -> observed > threshold;
      case GE -> observed >= threshold;
      case EQ -> observed == threshold;
      case NE -> observed != threshold;
    };
  }

  public String symbol() {
    return symbol;
  }

  /** The comparison written {@code symbol} ({@code <=}); invalid for anything else. */
  static Comparison parse(String symbol, String path) {
    for (Comparison c : values()) {
      if (c.symbol.equals(symbol)) {
        return c;
      }
    }
    throw Failure.invalidField(path, "must be one of <, <=, >, >=, ==, !=");
  }

  @Override
  public Object plain() {
    return symbol;
  }
}
