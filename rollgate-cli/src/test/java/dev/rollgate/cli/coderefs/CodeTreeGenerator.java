package dev.rollgate.cli.coderefs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a source tree for measuring {@code rollgate code-refs}: FILES Java-like files of 1 to 5
 * KB, 100 a directory, about one in five evaluating one of 1,000 flags (and a few evaluating keys
 * that are not flags), plus {@code flags.json} beside the tree. It depends on the JDK only, so it
 * runs from source: {@code java CodeTreeGenerator.java DIR [FILES]}.
 */
public final class CodeTreeGenerator {
  private static final int FLAGS = 1_000;

  private CodeTreeGenerator() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: java CodeTreeGenerator.java DIR [FILES]");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Random random = new Random(16);
    Path tree = Files.createDirectories(root.resolve("src"));
    long bytes = 0;
    for (int i = 0; i < files; i++) {
      Path dir = tree.resolve("module" + (i / 10_000)).resolve("pkg" + (i / 100 % 100));
      Files.createDirectories(dir);
      String text = source(i, random);
      Files.writeString(dir.resolve("Service" + i + ".java"), text, StandardCharsets.UTF_8);
      bytes += text.length();
    }
    StringBuilder doc = new StringBuilder("{\"flags\": {\n");
    for (int f = 0; f < FLAGS; f++) {
      doc.append(f == 0 ? "" : ",\n")
          .append("  \"")
          .append(flag(f))
          .append(
              "\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
                  + " \"defaultVariant\": \"off\"}");
    }
    Files.writeString(root.resolve("flags.json"), doc.append("\n}}\n"));
    System.out.printf(
        "%d files, %.1f MB, in %s; flags in %s%n",
        files, bytes / 1e6, tree, root.resolve("flags.json"));
  }

  /** Flag keys as teams name them; the last 50 are never used by the generated code. */
  static String flag(int f) {
    String[] areas = {"checkout", "search", "billing", "onboarding", "profile", "feed", "ads"};
    return areas[f % areas.length] + "-experiment-" + f;
  }

  private static String source(int i, Random random) {
    int target = 1_000 + random.nextInt(4_000);
    StringBuilder s = new StringBuilder(target + 200);
    s.append("package com.example.module").append(i / 10_000).append(".pkg").append(i / 100 % 100);
    s.append(";\n\nimport java.util.List;\nimport java.util.Map;\n");
    s.append("import dev.openfeature.sdk.Client;\n\n");
    s.append("/** Handles requests for the service's part number ").append(i).append(". */\n");
    s.append("public final class Service").append(i).append(" {\n");
    s.append("  private static final String NAME = \"service-").append(i).append("\";\n");
    s.append("  private final Client client;\n\n");
    int method = 0;
    while (s.length() < target) {
      s.append("  // don't change the order: the caller's 'retry' logic depends on it\n");
      s.append("  public Map<String, Object> handle")
          .append(method++)
          .append("(List<String> ids) {\n");
      int roll = random.nextInt(100);
      if (roll < 20) {
        s.append("    if (client.getBooleanValue(\"")
            .append(flag(random.nextInt(FLAGS - 50)))
            .append("\", false)) {\n      return Map.of(\"path\", \"new\");\n    }\n");
      } else if (roll < 21) {
        s.append("    boolean legacy = client.getBooleanValue(\"retired-flag-")
            .append(random.nextInt(20))
            .append("\", false);\n");
      }
      s.append("    var result = new java.util.HashMap<String, Object>();\n");
      s.append("    for (String id : ids) {\n");
      s.append("      result.put(id, NAME + \":\" + id.length() + \"/\" + ids.size());\n");
      s.append("    }\n");
      s.append("    log.debug(\"handled {} ids in {}\", ids.size(), \"handle\");\n");
      s.append("    return result;\n  }\n\n");
    }
    return s.append("}\n").toString();
  }
}
