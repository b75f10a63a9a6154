package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline commands, run in-process with captured output. */
class CliTest {
  static final String FLAGS =
      """
      {"flags": {
        "new-checkout": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "metadata": {"owner": "payments"},
          "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "on"]}
        },
        "banner": {"state": "ENABLED", "variants": {"a": "Hello", "b": "Hi"}, "defaultVariant": "a"}
      }}
      """;

  @TempDir Path dir;
  Path flags;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void writeFlags() throws IOException {
    flags = Files.writeString(dir.resolve("flags.json"), FLAGS);
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** Errors are one line on stderr, with no stack trace, and nothing on stdout. */
  private static void assertOneLineError(Run run, String message) {
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo(message + System.lineSeparator());
  }

  @Test
  void serveWithAnUnreadableKeyFileIsOneLineAndStatusTwo() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("audit-signing.key"), "not a key");
    Run run = run("serve", "--port", "0", "--data-dir", data.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).singleElement().asString().contains("audit-signing.key");
    assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void evaluatesOneFlag() {
    Run run =
        run(
            "eval",
            "--flags",
            flags.toString(),
            "--flag",
            "new-checkout",
            "--context",
            "{\"targetingKey\":\"u1\",\"plan\":\"pro\"}");
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .isEqualTo(
            "{\"key\":\"new-checkout\",\"value\":true,\"variant\":\"on\",\"reason\":\"TARGETING_MATCH\",\"metadata\":{\"owner\":\"payments\"}}\n");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void explainsOnRequest() {
    Run run = run("eval", "--flags", flags.toString(), "--flag", "new-checkout", "--explain");
    assertThat(run.out())
        .contains("\"reason\":\"DEFAULT\"")
        .contains("\"explanation\":[{\"at\":\"flags.new-checkout.targeting.if[0]\"");
  }

  @Test
  void typedEvaluationReportsMismatchWithTheDefault() {
    Run run =
        run(
            "eval",
            "--flags",
            flags.toString(),
            "--flag",
            "banner",
            "--type",
            "boolean",
            "--default",
            "false");
    assertThat(run.out())
        .isEqualTo(
            "{\"key\":\"banner\",\"value\":false,\"reason\":\"ERROR\",\"errorCode\":\"TYPE_MISMATCH\",\"errorMessage\":\"flag \\\"banner\\\" has string variants; boolean was asked for\"}\n");
  }

  @Test
  void unknownFlagIsAResolutionNotACrash() {
    Run run = run("eval", "--flags", flags.toString(), "--flag", "nope");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("\"errorCode\":\"FLAG_NOT_FOUND\"");
  }

  @Test
  void evaluatesRequestsInOrder() throws IOException {
    Path requests =
        file(
            "requests.jsonl",
            """
            {"flag": "new-checkout", "context": {"targetingKey": "a", "plan": "pro"}}

            {"flag": "banner"}
            {"flag": "new-checkout", "context": {"plan": "free"}, "type": "string", "default": "x"}
            """);
    Run run = run("eval", "--flags", flags.toString(), "--requests", requests.toString());
    assertThat(run.code()).isZero();
    assertThat(run.out().lines().toList())
        .containsExactly(
            "{\"key\":\"new-checkout\",\"value\":true,\"variant\":\"on\",\"reason\":\"TARGETING_MATCH\",\"metadata\":{\"owner\":\"payments\"}}",
            "{\"key\":\"banner\",\"value\":\"Hello\",\"variant\":\"a\",\"reason\":\"STATIC\"}",
            "{\"key\":\"new-checkout\",\"value\":\"x\",\"reason\":\"ERROR\",\"errorCode\":\"TYPE_MISMATCH\",\"errorMessage\":\"flag \\\"new-checkout\\\" has boolean variants; string was asked for\",\"metadata\":{\"owner\":\"payments\"}}");
  }

  @Test
  void aBadRequestLineStopsBeforeAnyOutput() throws IOException {
    Path requests =
        file(
            "requests.jsonl",
            "{\"flag\": \"banner\"}\n{\"flag\": \"banner\", \"context\": \"u1\"}\n");
    assertOneLineError(
        run("eval", "--flags", flags.toString(), "--requests", requests.toString()),
        "rollgate eval: " + requests + ":2: \"context\" must be a JSON object, not a string");
  }

  @Test
  void badInputGivesOneLineAndStatusTwo() throws IOException {
    assertOneLineError(
        run("eval", "--flags", dir.resolve("missing.json").toString(), "--flag", "x"),
        "rollgate eval: cannot read flags file " + dir.resolve("missing.json") + ": no such file");
    assertOneLineError(
        run("eval", "--flags", file("bad.json", "{\"flags\": ").toString(), "--flag", "x"),
        "rollgate eval: invalid flag document "
            + dir.resolve("bad.json")
            + ": $: invalid JSON at line 1, column 11: Unexpected end-of-input within/between Object entries");
    assertOneLineError(
        run(
            "eval",
            "--flags",
            file("doc.json", "{\"flags\": {\"a\": {\"state\": \"ON\", \"variants\": {\"x\": 1}}}}")
                .toString(),
            "--flag",
            "a"),
        "rollgate eval: invalid flag document "
            + dir.resolve("doc.json")
            + ": flags.a.state: must be ENABLED or DISABLED, not \"ON\"");
    assertOneLineError(
        run("eval", "--flags", flags.toString(), "--flag", "a", "--context", "[1]"),
        "rollgate eval: --context must be a JSON object, not an array");
    assertOneLineError(
        run(
            "eval",
            "--flags",
            flags.toString(),
            "--flag",
            "a",
            "--context",
            "{\"targetingKey\": 5}"),
        "rollgate eval: --context: targetingKey must be a string");
    assertOneLineError(
        run("eval", "--flags", flags.toString(), "--flag", "a", "--type", "float32"),
        "rollgate eval: --type: unknown value type 'float32' (expected boolean, string, integer, double, object or any)");
    assertOneLineError(
        run("eval", "--flags", dir.toString(), "--flag", "a"),
        "rollgate eval: cannot read flags file " + dir + ": it is a directory");
    assertOneLineError(
        run("eval", "--flags", flags.toString()),
        "rollgate eval: Missing required argument (specify one of these): (--flag=KEY | --requests=FILE) (see 'rollgate eval --help')");
  }

  @Test
  void flagdCompatLoadsTargetingThatCannotCompile() throws IOException {
    Path lenient =
        file(
            "flagd.json",
            "{\"flags\": {\"x\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1}, \"defaultVariant\": \"a\", \"targeting\": {\"$ref\": \"nope\"}}}}");
    assertThat(run("eval", "--flags", lenient.toString(), "--flag", "x").code()).isEqualTo(2);
    Run run = run("eval", "--flags", lenient.toString(), "--flag", "x", "--flagd-compat");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("\"errorCode\":\"PARSE_ERROR\"");
  }

  @Test
  void goldenTestsPass() throws IOException {
    Path cases =
        file(
            "cases.jsonl",
            """
            {"name": "pro gets it", "flag": "new-checkout", "context": {"targetingKey": "u", "plan": "pro"}, "expect": {"value": true, "variant": "on", "reason": "TARGETING_MATCH"}}
            {"flag": "banner", "expect": {"value": "Hello"}}
            {"flag": "gone", "expect": {"errorCode": "FLAG_NOT_FOUND"}}
            """);
    Run run = run("test-flags", "--flags", flags.toString(), "--cases", cases.toString());
    assertThat(run.out()).isEqualTo("3 passed, 0 failed\n");
    assertThat(run.code()).isZero();
  }

  @Test
  void goldenTestFailuresAreListedAndExitOne() throws IOException {
    Path cases =
        file(
            "cases.jsonl",
            """
            {"name": "free users stay off", "flag": "new-checkout", "context": {"plan": "pro"}, "expect": {"variant": "off"}}
            {"flag": "banner", "expect": {"value": "Hello", "reason": "STATIC"}}
            {"flag": "banner", "type": "integer", "expect": {"value": 1}}
            """);
    Run run = run("test-flags", "--flags", flags.toString(), "--cases", cases.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out().lines().toList())
        .containsExactly(
            "FAIL "
                + cases
                + ":1 (free users stay off) flag \"new-checkout\": expected variant \"off\", got \"on\"",
            "FAIL "
                + cases
                + ":3 flag \"banner\": expected value 1, got null; error: flag \"banner\" has string variants; integer was asked for",
            "1 passed, 2 failed");
  }

  @Test
  void malformedCasesAreInputErrors() throws IOException {
    Path noExpect = file("a.jsonl", "{\"flag\": \"banner\"}\n");
    assertOneLineError(
        run("test-flags", "--flags", flags.toString(), "--cases", noExpect.toString()),
        "rollgate test-flags: "
            + noExpect
            + ":1: \"expect\" must be an object with value, variant, reason or errorCode");
    Path badKey = file("b.jsonl", "{\"flag\": \"banner\", \"expect\": {\"colour\": 1}}\n");
    assertOneLineError(
        run("test-flags", "--flags", flags.toString(), "--cases", badKey.toString()),
        "rollgate test-flags: "
            + badKey
            + ":1: cannot expect \"colour\" (value, variant, reason or errorCode)");
    Path empty = file("c.jsonl", "\n");
    assertOneLineError(
        run("test-flags", "--flags", flags.toString(), "--cases", empty.toString()),
        "rollgate test-flags: cases file " + empty + " has no cases");
    Path notJson = file("d.jsonl", "{flag: banner}\n");
    assertThat(run("test-flags", "--flags", flags.toString(), "--cases", notJson.toString()).err())
        .startsWith("rollgate test-flags: " + notJson + ":1: invalid JSON at line 1, column 2");
  }

  @Test
  void noSubcommandPrintsUsage() {
    Run run = run();
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("Usage: rollgate").contains("eval").contains("test-flags");
  }
}
