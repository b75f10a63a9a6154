package dev.rollgate.cli.coderefs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.common.Text;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * A scan set against the flags: which are referenced where, which are not referenced at all, and
 * which keys the code evaluates that are not flags.
 */
public final class Report {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final NavigableSet<String> flags;
  private final CodeScanner.Result result;
  private final long maxFileBytes;

  public Report(Iterable<String> flagKeys, CodeScanner.Result result, long maxFileBytes) {
    this.flags = new TreeSet<>();
    flagKeys.forEach(flags::add);
    this.result = result;
    this.maxFileBytes = maxFileBytes;
  }

  /** The flags that no file references, in key order. */
  public List<String> unused() {
    return flags.stream().filter(k -> !result.references().containsKey(k)).toList();
  }

  /** For people: the three sections, then what was scanned. */
  public String text() {
    StringBuilder s = new StringBuilder("referenced:\n");
    section(s, result.references());
    s.append("unused flags:\n");
    List<String> unused = unused();
    if (unused.isEmpty()) {
      s.append("  (none)\n");
    }
    unused.forEach(k -> s.append("  ").append(Text.printable(k)).append('\n'));
    s.append("unknown keys in code:\n");
    section(s, result.unknown());
    s.append(result.filesScanned()).append(result.filesScanned() == 1 ? " file" : " files");
    s.append(" scanned");
    StringBuilder skipped = new StringBuilder();
    skip(skipped, result.binary(), "binary");
    skip(skipped, result.tooLarge(), "larger than " + size(maxFileBytes));
    skip(skipped, result.unreadable(), "unreadable");
    if (!skipped.isEmpty()) {
      s.append(", skipped ").append(skipped);
    }
    return s.append('\n').toString();
  }

  private static void section(StringBuilder s, Map<String, List<Reference>> found) {
    if (found.isEmpty()) {
      s.append("  (none)\n");
    }
    found.forEach((key, references) -> {
      s.append("  ").append(Text.printable(key)).append('\n');
      references.forEach(r -> s.append("    ").append(Text.printable(r.toString())).append('\n'));
    });
  }

  private static void skip(StringBuilder s, int count, String why) {
    if (count > 0) {
      s.append(s.isEmpty() ? "" : ", ").append(count).append(' ').append(why);
    }
  }

  private static String size(long bytes) {
    return bytes % (1024 * 1024) == 0
        ? bytes / (1024 * 1024) + " MiB"
        : bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
  }

  /**
   * For programs: {@code {flags: [{key, references: [{file, line}]}], unused: [key], unknown:
   * [{key, references}], filesScanned, filesSkipped}}; every flag is in {@code flags}, the unused
   * ones with no references.
   */
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode flagList = root.putArray("flags");
    for (String key : flags) {
      entry(flagList, key, result.references().getOrDefault(key, List.of()));
    }
    ArrayNode unusedList = root.putArray("unused");
    unused().forEach(unusedList::add);
    ArrayNode unknownList = root.putArray("unknown");
    result.unknown().forEach((key, references) -> entry(unknownList, key, references));
    root.put("filesScanned", result.filesScanned());
    root.put("filesSkipped", result.filesSkipped());
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void entry(ArrayNode into, String key, List<Reference> references) {
    ObjectNode flag = into.addObject().put("key", key);
    ArrayNode list = flag.putArray("references");
    references.forEach(r -> list.addObject().put("file", r.file()).put("line", r.line()));
  }
}
