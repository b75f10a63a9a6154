package dev.rollgate.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values, on jackson-core alone so that the engine stays light inside users'
 * applications.
 *
 * <p>A tree is made of {@link Map} (insertion-ordered, unmodifiable), {@link List} (unmodifiable),
 * {@link String}, {@link Long} (integers that fit), {@link Double} (every other number), {@link
 * Boolean} and {@code null}. Duplicate object keys are rejected: which of two values a reader keeps
 * differs between tools, so a file that has them does not mean one thing.
 */
public final class Json {
  // A shared buffer pool: the default one is per thread, which does nothing for virtual threads.
  private static final JsonFactory FACTORY =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();

  private Json() {}

  /** Parses one JSON document; trailing content after it is an error. */
  public static Object parse(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new JsonSyntaxException("empty document", 1, 1);
      }
      Object value = read(parser, first);
      JsonToken trailing = parser.nextToken();
      if (trailing != null) {
        throw syntax("unexpected content after the JSON value", parser);
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new JsonSyntaxException(
          readable(e.getOriginalMessage()),
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          e.getLocation() == null ? 0 : e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Jackson's message without the parts that describe its own internals. */
  private static String readable(String message) {
    String m = message == null ? "malformed JSON" : message;
    int marker = m.indexOf(" (start marker at");
    if (marker >= 0) {
      m = m.substring(0, marker);
    }
    int newline = m.indexOf('\n');
    return newline >= 0 ? m.substring(0, newline) : m;
  }

  private static Object read(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String name = parser.currentName();
          if (map.containsKey(name)) {
            throw syntax("duplicate key \"" + name + "\"", parser);
          }
          map.put(name, read(parser, parser.nextToken()));
        }
        return Collections.unmodifiableMap(map);
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          list.add(read(parser, t));
        }
        return Collections.unmodifiableList(list);
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_NUMBER_INT -> {
        return switch (parser.getNumberType()) {
          case INT, LONG -> parser.getLongValue();
          default -> finite(parser);
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return finite(parser);
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw syntax("unexpected token " + token, parser);
    }
  }

  /** A number as a double; one too large for a double is an error, not Infinity. */
  private static Double finite(JsonParser parser) throws IOException {
    double d = parser.getDoubleValue();
    if (Double.isInfinite(d)) {
      throw syntax("number out of range: " + parser.getText(), parser);
    }
    return d;
  }

  private static JsonSyntaxException syntax(String message, JsonParser parser) {
    var location = parser.currentTokenLocation();
    return new JsonSyntaxException(message, location.getLineNr(), location.getColumnNr());
  }

  /** Writes a tree compactly. */
  public static String write(Object value) {
    StringWriter out = new StringWriter();
    write(value, out);
    return out.toString();
  }

  /** Writes a tree compactly as UTF-8. */
  public static byte[] writeBytes(Object value) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(value, generator);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes a tree compactly to {@code out}, leaving it open. */
  public static void write(Object value, Writer out) {
    try (JsonGenerator generator =
        FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
      write(value, generator);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a tree of plain Java values (any {@link Number}, {@link Map} or {@link Iterable}). */
  public static void write(Object value, JsonGenerator out) throws IOException {
    switch (value) {
      case null -> out.writeNull();
      case String s -> out.writeString(s);
      case Boolean b -> out.writeBoolean(b);
      case Long l -> out.writeNumber(l);
      case Integer i -> out.writeNumber(i);
      case Short s -> out.writeNumber(s);
      case Byte b -> out.writeNumber(b);
      case Double d -> writeDouble(d, out);
      case Float f -> writeDouble(f.doubleValue(), out);
      case BigDecimal d -> out.writeNumber(d);
      case Number n -> out.writeNumber(n.toString());
      case Map<?, ?> map -> {
        out.writeStartObject();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          out.writeFieldName(String.valueOf(e.getKey()));
          write(e.getValue(), out);
        }
        out.writeEndObject();
      }
      case Iterable<?> items -> {
        out.writeStartArray();
        for (Object item : items) {
          write(item, out);
        }
        out.writeEndArray();
      }
      default -> out.writeString(value.toString());
    }
  }

  private static void writeDouble(double d, JsonGenerator out) throws IOException {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      out.writeNull(); // JSON has no NaN or Infinity
    } else {
      out.writeNumber(d);
    }
  }
}
