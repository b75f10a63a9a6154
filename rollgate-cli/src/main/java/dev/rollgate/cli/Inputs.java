package dev.rollgate.cli;

import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.core.json.JsonSyntaxException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reading files and JSON arguments, turning every failure into a one-line {@link
 * UserInputException}.
 */
final class Inputs {
  private Inputs() {}

  /** Reads a whole UTF-8 file; {@code -} is standard input. */
  static String read(Path file, String what) {
    try {
      if (file.toString().equals("-")) {
        return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UserInputException("cannot read " + what + " " + file + ": no such file");
    } catch (CharacterCodingException e) {
      throw new UserInputException("cannot read " + what + " " + file + ": not UTF-8 text");
    } catch (IOException e) {
      String reason = Files.isDirectory(file) ? "it is a directory" : e.getClass().getSimpleName();
      throw new UserInputException("cannot read " + what + " " + file + ": " + reason);
    }
  }

  /** Parses JSON given on the command line or in a file; {@code where} names it in errors. */
  static Object json(String text, String where) {
    try {
      return Json.parse(text);
    } catch (JsonSyntaxException e) {
      throw new UserInputException(where + ": " + e.getMessage());
    }
  }

  /** Parses a JSON object; anything else is an error naming {@code where}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> jsonObject(String text, String where) {
    Object value = json(text, where);
    if (!(value instanceof Map<?, ?>)) {
      throw new UserInputException(
          where + " must be a JSON object, not " + JsonPath.typeName(value));
    }
    return (Map<String, Object>) value;
  }
}
