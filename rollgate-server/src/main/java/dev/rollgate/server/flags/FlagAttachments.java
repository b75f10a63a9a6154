package dev.rollgate.server.flags;

import java.util.Map;

/**
 * What other features add to a flag's GET (its pending schedules), by member name: so that those
 * features may depend on flags and not the other way round.
 */
public interface FlagAttachments {
  Map<String, Object> of(String project, String flag);

  FlagAttachments NONE = (project, flag) -> Map.of();
}
