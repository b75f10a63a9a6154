package dev.rollgate.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** How an answer reads as a table: which array holds the rows, and the columns to show. */
public final class Table {
  private static final int MAX_CELL = 60;

  /** A column: its header and how a row's cell is read. */
  public record Column(String header, Function<JsonNode, String> cell) {}

  private final String rows;
  private final List<Column> columns;

  private Table(String rows, List<Column> columns) {
    this.rows = rows;
    this.columns = columns;
  }

  /** Rows from the array at {@code field} of the answer ({@code null}: the answer itself). */
  public static Table rows(String field, Column... columns) {
    return new Table(field, List.of(columns));
  }

  /** A column showing the value at a dotted path of the row ({@code environments.prod.state}). */
  public static Column column(String header, String path) {
    return new Column(header, row -> text(at(row, path)));
  }

  public static Column column(String header, Function<JsonNode, String> cell) {
    return new Column(header, cell);
  }

  /** The node at a dotted path, missing when any step is. */
  public static JsonNode at(JsonNode node, String path) {
    JsonNode at = node;
    for (String step : path.split("\\.", -1)) {
      at = at.path(step);
    }
    return at;
  }

  /** A cell's text: strings as they are, nothing as "-", structures as short JSON. */
  public static String text(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return "-";
    }
    String text = value.isValueNode() ? value.asText() : value.toString();
    text = dev.rollgate.cli.common.Text.printable(text.replace('\n', ' '));
    return text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 3) + "..." : text;
  }

  public String render(JsonNode answer) {
    JsonNode array = rows == null ? answer : answer.path(rows);
    List<String[]> lines = new ArrayList<>();
    lines.add(columns.stream().map(Column::header).toArray(String[]::new));
    for (JsonNode row : array) {
      lines.add(columns.stream().map(c -> c.cell().apply(row)).toArray(String[]::new));
    }
    return align(lines);
  }

  /** An object as FIELD VALUE lines, one per top-level field. */
  public static String fields(JsonNode object) {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"FIELD", "VALUE"});
    object.properties().forEach(e -> lines.add(new String[] {e.getKey(), text(e.getValue())}));
    return align(lines);
  }

  /** Columns padded to their widest cell, two spaces apart; the last one is not padded. */
  static String align(List<String[]> lines) {
    int[] widths = new int[lines.get(0).length];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] line : lines) {
      StringBuilder row = new StringBuilder();
      for (int i = 0; i < line.length; i++) {
        row.append(line[i]);
        if (i < line.length - 1) {
          row.append(" ".repeat(widths[i] - line[i].length() + 2));
        }
      }
      out.append(row.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "Table" + Arrays.toString(columns.stream().map(Column::header).toArray());
  }
}
