package dev.rollgate.cli.admin;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.common.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * JSON from the command line: inline ({@code '{"plan": "pro"}'}), from a file ({@code @ctx.json},
 * as curl reads it), or from standard input ({@code -} or {@code @-}). Every failure is one line
 * naming the option.
 */
final class JsonArgs {
  private JsonArgs() {}

  /** Any JSON value given inline, as @file or as -. */
  static JsonNode value(String argument, String option, InputStream stdin) {
    String text =
        argument.equals("-") || argument.equals("@-")
            ? read(null, option, stdin)
            : argument.startsWith("@")
                ? read(Path.of(argument.substring(1)), option, stdin)
                : argument;
    return parse(text, option);
  }

  /** A JSON object given inline, as @file or as -. */
  static ObjectNode object(String argument, String option, InputStream stdin) {
    JsonNode value = value(argument, option, stdin);
    if (!(value instanceof ObjectNode object)) {
      throw new UserInputException(
          option
              + ": must be a JSON object, not "
              + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return object;
  }

  /** A file's JSON object ({@code -}: standard input). */
  static ObjectNode file(Path file, String option, InputStream stdin) {
    String text = read(file.toString().equals("-") ? null : file, option, stdin);
    JsonNode value = parse(text, option + " " + file);
    if (!(value instanceof ObjectNode object)) {
      throw new UserInputException(option + " " + file + ": must hold a JSON object");
    }
    return object;
  }

  /** A file's text ({@code null}: standard input). */
  static String read(Path file, String option, InputStream stdin) {
    try {
      if (file == null) {
        return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UserInputException(option + ": cannot read " + file + ": no such file");
    } catch (CharacterCodingException e) {
      throw new UserInputException(option + ": cannot read " + file + ": not UTF-8 text");
    } catch (IOException e) {
      String reason =
          file != null && Files.isDirectory(file)
              ? "it is a directory"
              : e.getClass().getSimpleName();
      throw new UserInputException(option + ": cannot read " + file + ": " + reason);
    }
  }

  private static JsonNode parse(String text, String where) {
    try {
      JsonNode value = Api.JSON.readTree(text);
      if (value == null || value.isMissingNode()) {
        throw new UserInputException(where + ": no JSON given");
      }
      return value;
    } catch (JacksonException e) {
      throw new UserInputException(where + ": not valid JSON: " + e.getOriginalMessage());
    }
  }
}
