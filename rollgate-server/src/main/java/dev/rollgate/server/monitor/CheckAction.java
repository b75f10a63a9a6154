package dev.rollgate.server.monitor;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.JsonBody;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** What the monitor does when a check's violation opens, besides reporting it. */
public sealed interface CheckAction {
  Map<String, Object> toJson();

  /** Switches {@code flag} off (its kill switch) in {@code environment}. */
  record SwitchOff(String environment, String flag) implements CheckAction {
    @Override
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("type", "switch_off");
      json.put("environment", environment);
      json.put("flag", flag);
      return json;
    }
  }

  /** Pauses the running releases and rollouts whose plans list the check. */
  record PauseListed() implements CheckAction {
    @Override
    public Map<String, Object> toJson() {
      return Map.of("type", "pause");
    }
  }

  /** Reads an action from a request's {@code action} (null: none). */
  static CheckAction parse(Object raw, String path) {
    if (raw == null) {
      return null;
    }
    JsonBody a = JsonBody.of(raw, path, Set.of("type", "environment", "flag"));
    String type = a.string("type", true);
    return switch (type) {
      case "switch_off" -> new SwitchOff(a.key("environment"), a.key("flag"));
      case "pause" -> {
        if (a.has("environment") || a.has("flag")) {
          throw Failure.invalidField(
              a.path("flag"), "a pause action pauses what lists the check; it names no flag");
        }
        yield new PauseListed();
      }
      default -> throw Failure.invalidField(a.path("type"), "must be switch_off or pause");
    };
  }
}
