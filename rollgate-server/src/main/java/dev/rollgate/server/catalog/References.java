package dev.rollgate.server.catalog;

import java.util.List;
import java.util.Map;

/** Finds {@code {"$ref": name}} inside targeting. */
public final class References {
  private References() {}

  public static boolean refersTo(Object json, String name) {
    return switch (json) {
      case Map<?, ?> map -> {
        if (map.size() == 1 && name.equals(map.get("$ref"))) {
          yield true;
        }
        for (Object value : map.values()) {
          if (refersTo(value, name)) {
            yield true;
          }
        }
        yield false;
      }
      case List<?> list -> list.stream().anyMatch(item -> refersTo(item, name));
      case null, default -> false;
    };
  }
}
