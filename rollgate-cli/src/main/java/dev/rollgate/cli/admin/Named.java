package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --name} and {@code --description}, which projects, environments and segments share. */
final class Named {
  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "A name for people (default: the key).")
  String name;

  @Option(
      names = "--description",
      paramLabel = "TEXT",
      description = "What it is for (default: empty).")
  String description;

  /** {@code body} with the fields that were given. */
  ObjectNode body(ObjectNode body) {
    if (name != null) {
      body.put("name", name);
    }
    if (description != null) {
      body.put("description", description);
    }
    return body;
  }

  static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }
}
