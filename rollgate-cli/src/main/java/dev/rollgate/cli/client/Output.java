package dev.rollgate.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.rollgate.cli.common.CliEnvironment;
import dev.rollgate.cli.common.UserInputException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code --output table|json|yaml}: tables for people on a terminal, JSON when the output goes to
 * another program (the default when it is not a terminal), YAML on request. JSON and YAML show the
 * server's answer as it came; tables show the columns a command picks.
 */
public final class Output {
  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  /** The output formats. */
  public enum Format {
    table,
    json,
    yaml
  }

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      scope = ScopeType.INHERIT,
      description =
          "table, json or yaml (default: ROLLGATE_OUTPUT, else table on a terminal, json"
              + " otherwise).")
  Format format;

  public Format format() {
    if (format != null) {
      return format;
    }
    String variable = environment().variable("ROLLGATE_OUTPUT");
    if (variable != null) {
      try {
        return Format.valueOf(variable.strip());
      } catch (IllegalArgumentException e) {
        throw new UserInputException(
            "ROLLGATE_OUTPUT: table, json or yaml, not '" + variable.strip() + "'");
      }
    }
    return environment().terminal() ? Format.table : Format.json;
  }

  public boolean isTable() {
    return format() == Format.table;
  }

  /** Whether output goes to a terminal: then long operations may show progress. */
  public boolean terminal() {
    return environment().terminal();
  }

  public PrintWriter out() {
    return mixee.commandLine().getOut();
  }

  public PrintWriter err() {
    return mixee.commandLine().getErr();
  }

  /** Prints an answer: as JSON or YAML, or as the table given (an object's fields without one). */
  public void print(JsonNode answer, Table table) {
    PrintWriter out = out();
    switch (format()) {
      case json -> out.println(write(PRETTY, answer));
      case yaml -> out.print(write(YAML, answer));
      case table -> out.print(table == null ? Table.fields(answer) : table.render(answer));
    }
    out.flush();
  }

  /**
   * Prints an answer, and in table mode a sentence instead of it: for changes, where a person wants
   * to read what happened and a program wants the resource as it now is.
   */
  public void done(JsonNode answer, String sentence) {
    if (isTable()) {
      out().println(sentence);
      out().flush();
    } else {
      print(answer, null);
    }
  }

  /** In table mode, where the next page starts when the answer has one ({@code nextCursor}). */
  public void nextPage(JsonNode answer) {
    if (isTable() && answer.path("nextCursor").isTextual()) {
      err().println("more: --cursor " + answer.path("nextCursor").asText());
    }
  }

  /**
   * Prints a created resource whose secret the server shows this once: in table mode a sentence and
   * the secret on a line of its own, else the whole answer (secret included) for a program.
   */
  public void secretOnce(JsonNode created, String sentence, String field) {
    if (!isTable()) {
      print(created, null);
      return;
    }
    out().println(sentence);
    out().println(field + " (shown once, store it now): " + created.path(field).asText());
    out().flush();
  }

  private static String write(ObjectMapper mapper, JsonNode answer) {
    try {
      return mapper.writeValueAsString(answer);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CliEnvironment environment() {
    return CliEnvironment.of(mixee);
  }
}
