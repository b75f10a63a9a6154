package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollgate code-refs} on real trees: a git repository and a plain directory. */
class CodeRefsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Path tree;
  Path flags;

  record Run(int code, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void flagDocument() throws IOException {
    tree = Files.createDirectories(dir.resolve("tree"));
    flags =
        Files.writeString(
            dir.resolve("flags.json"),
            """
            {"flags": {
              "new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"},
              "dark-mode": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"},
              "old-banner": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}
            }}
            """);
  }

  private Path write(String name, String content) throws IOException {
    Path file = tree.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  private void git(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git", "-C", tree.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", args) + ": " + output).isZero();
  }

  private Run codeRefs(String... extra) {
    List<String> args = new ArrayList<>(List.of("code-refs", "--dir", tree.toString()));
    args.addAll(List.of("--flags", flags.toString()));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  private static List<String> references(JsonNode entries, String key) {
    for (JsonNode entry : entries) {
      if (entry.path("key").asText().equals(key)) {
        List<String> refs = new ArrayList<>();
        entry
            .path("references")
            .forEach(r -> refs.add(r.path("file").asText() + ":" + r.path("line").asInt()));
        return refs;
      }
    }
    return null;
  }

  @Test
  void inAGitRepositoryTheFilesAreGitsTrackedAndUntrackedButNotIgnored() throws Exception {
    git("init", "-q");
    write(".gitignore", "build/\n*.log\n");
    write(
        "src/App.java",
        "class App {\n  boolean on = client.getBooleanValue(\"new-checkout\", false);\n}\n");
    write("build/Generated.java", "String k = \"dark-mode\";\n");
    write("debug.log", "evaluated 'old-banner'\n");
    git("add", ".gitignore", "src/App.java");
    write("src/Untracked.kt", "val theme = client.stringValue(\"dark-mode\", ctx, \"off\")\n");

    Run run = codeRefs("-o", "json");
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(references(json.path("flags"), "new-checkout")).containsExactly("src/App.java:2");
    assertThat(references(json.path("flags"), "dark-mode")).containsExactly("src/Untracked.kt:1");
    assertThat(json.path("unused")).extracting(JsonNode::asText).containsExactly("old-banner");
    assertThat(json.path("filesScanned").asInt()).isEqualTo(3); // .gitignore, App, Untracked
  }

  @Test
  void aTrackedFileThatIsDeletedOrASubdirectoryOfTheRepositoryIsHandled() throws Exception {
    git("init", "-q");
    write("app/Main.java", "f(\"new-checkout\");\n");
    write("app/Gone.java", "f(\"dark-mode\");\n");
    write("other/Side.java", "f(\"old-banner\");\n");
    git("add", ".");
    Files.delete(tree.resolve("app/Gone.java"));

    Run run =
        run("code-refs", "--dir", tree.resolve("app").toString(), "--flags", flags.toString());
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            referenced:
              new-checkout
                Main.java:1
            unused flags:
              dark-mode
              old-banner
            unknown keys in code:
              (none)
            1 file scanned, skipped 1 unreadable
            """);
  }

  @Test
  void outsideGitTheGitignoreFilesOfTheTreeAreHonoured() throws Exception {
    write(".gitignore", "# generated\n*.log\n!keep.log\n/out/\ntmp/\n");
    write("out/A.java", "\"new-checkout\"\n");
    write("sub/out/B.java", "\"new-checkout\"\n");
    write("drop.log", "\"new-checkout\"\n");
    write("keep.log", "\"new-checkout\"\n");
    write("a/tmp/C.java", "\"new-checkout\"\n");
    write("tmp", "\"new-checkout\"\n"); // a file: tmp/ names directories only
    write("sub/.gitignore", "!important.log\nlocal/\n");
    write("sub/important.log", "\"new-checkout\"\n");
    write("sub/local/D.java", "\"new-checkout\"\n");
    write("local/E.java", "\"new-checkout\"\n"); // sub's rules stay in sub
    write(".git/config", "\"new-checkout\"\n"); // a broken repository: never read

    Run run = codeRefs("-o", "json");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(references(run.json().path("flags"), "new-checkout"))
        .containsExactly(
            "keep.log:1", "local/E.java:1", "sub/important.log:1", "sub/out/B.java:1", "tmp:1");
  }

  @Test
  void aKeyCountsOnlyAsAWholeStringLiteral() throws Exception {
    write(
        "src/App.ts",
        """
        const a = "new-checkout";
        const b = 'new-checkout';
        const c = `new-checkout`;
        const d = "new-checkout-v2";
        const e = "my new-checkout flag";
        const f = new_checkout + newCheckout;
        // new-checkout in a comment, unquoted
        const g = "xnew-checkout" + 'new-checkoutx';
        const h = "new-checkout' and 'dark-mode"; // one literal: neither key is one
        // don't forget 'old-banner' here
        """);
    Run run = codeRefs();
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            referenced:
              new-checkout
                src/App.ts:1
                src/App.ts:2
                src/App.ts:3
              old-banner
                src/App.ts:10
            unused flags:
              dark-mode
            unknown keys in code:
              (none)
            1 file scanned
            """);
  }

  @Test
  void evaluationCallsWithKeysThatAreNotFlagsAreUnknownKeys() throws Exception {
    write(
        "Checkout.java",
        """
        boolean a = client.getBooleanValue("new-checkout", false);
        boolean b = client.getBooleanValue("new-chekout", false);
        var c = client.getStringDetails ( "banner-text", "hi");
        boolean d = rollgate.booleanValue("beta-search", ctx, false);
        boolean e = ld.boolVariation("ld-flag", ctx, false);
        boolean f = unleash.isEnabled("unleash-toggle");
        var g = unleash.getVariant(
            "multi-line");
        boolean h = somethingElse("not-a-flag-call");
        boolean i = client.getBooleanValue(KEY, false);
        """);
    write("app.go", "on := ld.BoolVariation(\"go-flag\", ctx, false)\n");
    write("app.py", "on = client.get_boolean_value('py-flag', False)\n");
    write("app.rb", "if feature?(:ruby_flag) && feature?(:dark-mode)\n");

    Run run = codeRefs("--pattern", "feature\\?\\(:([\\w-]+)\\)", "-o", "json");
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.path("unknown"))
        .extracting(n -> n.path("key").asText())
        .containsExactly(
            "banner-text",
            "beta-search",
            "go-flag",
            "ld-flag",
            "multi-line",
            "new-chekout",
            "py-flag",
            "ruby_flag",
            "unleash-toggle");
    assertThat(references(json.path("unknown"), "multi-line")).containsExactly("Checkout.java:8");
    assertThat(references(json.path("unknown"), "ruby_flag")).containsExactly("app.rb:1");
    // a pattern's match of a known key is a reference of that flag
    assertThat(references(json.path("flags"), "dark-mode")).containsExactly("app.rb:1");
    assertThat(references(json.path("flags"), "new-checkout")).containsExactly("Checkout.java:1");
  }

  @Test
  void theJsonOutputHasAStableSchema() throws Exception {
    write("b/Two.java", "x(\"new-checkout\");\ny(\"dark-mode\");\n");
    write("a/One.java", "\n\nx(\"new-checkout\"); x('new-checkout');\nisEnabled(\"ghost\");\n");

    Run run = codeRefs("--output", "json");
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode json = run.json();
    List<String> fields = new ArrayList<>();
    json.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactly("flags", "unused", "unknown", "filesScanned", "filesSkipped");
    assertThat(json)
        .isEqualTo(
            JSON.readTree(
                """
                {"flags": [
                   {"key": "dark-mode", "references": [{"file": "b/Two.java", "line": 2}]},
                   {"key": "new-checkout", "references": [
                     {"file": "a/One.java", "line": 3}, {"file": "b/Two.java", "line": 1}]},
                   {"key": "old-banner", "references": []}],
                 "unused": ["old-banner"],
                 "unknown": [{"key": "ghost", "references": [{"file": "a/One.java", "line": 4}]}],
                 "filesScanned": 2,
                 "filesSkipped": 0}
                """));
  }

  @Test
  void failOnUnusedExitsOneWhenAFlagIsUnusedAndZeroWhenNone() throws Exception {
    write("App.java", "a(\"new-checkout\"); b(\"dark-mode\");\n");
    Run unused = codeRefs("--fail-on-unused");
    assertThat(unused.code()).isEqualTo(1);
    assertThat(unused.out()).contains("unused flags:\n  old-banner\n");
    assertThat(codeRefs().code()).isZero();

    write("Old.java", "c('old-banner');\n");
    assertThat(codeRefs("--fail-on-unused").code()).isZero();
  }

  @Test
  void binaryFilesLargeFilesLinksAndTheFlagDocumentItselfAreNotScanned() throws Exception {
    byte[] binary = "\"new-checkout\"\0\1\2".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(tree.resolve("image.png"), binary);
    StringBuilder big = new StringBuilder("\"dark-mode\"\n");
    while (big.length() <= 1024 * 1024) {
      big.append("filler line of a generated bundle\n");
    }
    write("bundle.js", big.toString());
    Path inside = Files.copy(flags, tree.resolve("flags.json"));
    Path outside = Files.writeString(dir.resolve("Outside.java"), "x(\"old-banner\");\n");
    Files.createSymbolicLink(tree.resolve("Linked.java"), outside); // not followed out of the tree

    Run run =
        run(
            "code-refs",
            "--dir",
            tree.toString(),
            "--flags",
            inside.toString(),
            "--max-file-size",
            "1");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("referenced:\n  (none)\n")
        .endsWith("0 files scanned, skipped 1 binary, 1 larger than 1 MiB\n");
    assertThat(codeRefs().out()).contains("dark-mode\n    bundle.js:1\n"); // 2 MiB by default
  }

  @Test
  void badUsageIsOneLineAndExitTwo() throws Exception {
    assertUsage(
        run("code-refs", "--dir", dir.resolve("nope").toString(), "--flags", flags.toString()),
        "not a directory");
    assertUsage(codeRefs("--url", "http://127.0.0.1:1"), "--flags and --url");
    assertUsage(codeRefs("--pattern", "feature("), "not a regular expression");
    assertUsage(codeRefs("--pattern", "feature"), "needs a capture group");
    assertUsage(codeRefs("--output", "yaml"), "--output");
    assertUsage(codeRefs("--max-file-size", "0"), "--max-file-size");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"flags\": 3}");
    assertUsage(
        run("code-refs", "--dir", tree.toString(), "--flags", broken.toString()),
        "invalid flag document");
    assertUsage(
        run("code-refs", "--dir", tree.toString(), "--flags", dir.resolve("none.json").toString()),
        "no such file");
  }

  private static void assertUsage(Run run, String message) {
    assertThat(run.code()).as(run.out() + run.err()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).singleElement().asString().contains(message);
    assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void manyFilesOnSeveralThreadsGiveTheSameSortedAnswer() throws Exception {
    for (int i = 0; i < 300; i++) {
      write("pkg" + (i % 7) + "/F" + i + ".java", "\n".repeat(i % 5) + "x(\"new-checkout\");\n");
    }
    Run run = codeRefs("-o", "json");
    List<String> refs = references(run.json().path("flags"), "new-checkout");
    assertThat(refs).hasSize(300).isSorted();
    Iterator<String> again =
        references(codeRefs("-o", "json").json().path("flags"), "new-checkout").iterator();
    refs.forEach(r -> assertThat(again.next()).isEqualTo(r));
  }
}
