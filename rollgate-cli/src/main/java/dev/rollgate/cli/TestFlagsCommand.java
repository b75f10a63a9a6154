package dev.rollgate.cli;

import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rollgate test-flags}: golden tests for targeting. Each case is an evaluation request plus
 * what must come out; the command prints one line per failing case and a summary.
 */
@Command(
    name = "test-flags",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Run golden tests of targeting against a flag file.",
      "",
      "Each line of the cases file is a request plus",
      "\"expect\": {\"value\"?, \"variant\"?, \"reason\"?, \"errorCode\"?} and an optional \"name\".",
      "Prints one line per failure, then 'N passed, N failed'; exits 1 when any case fails.",
      "",
      "Example case:",
      "  {\"name\": \"pro users get beta\", \"flag\": \"new-checkout\", \"context\": {\"targetingKey\": \"u1\", \"plan\": \"pro\"}, \"expect\": {\"variant\": \"on\"}}"
    })
final class TestFlagsCommand implements Callable<Integer> {
  private static final Set<String> EXPECTABLE = Set.of("value", "variant", "reason", "errorCode");

  @Spec CommandSpec spec;

  @Mixin FlagsOptions flags;

  @Option(
      names = "--cases",
      required = true,
      paramLabel = "FILE",
      description = "Golden cases, JSON lines.")
  Path cases;

  @Override
  public Integer call() {
    String text = Inputs.read(cases, "cases file");
    List<EvaluationRequest> requests =
        EvaluationRequest.readAll(text, cases.toString(), Set.of("expect", "name"));
    if (requests.isEmpty()) {
      throw new UserInputException("cases file " + cases + " has no cases");
    }
    for (EvaluationRequest request : requests) {
      expectation(request);
    }
    FlagSnapshot snapshot = flags.load();
    PrintWriter out = spec.commandLine().getOut();
    int passed = 0;
    int failed = 0;
    for (EvaluationRequest request : requests) {
      Resolution actual = request.evaluate(snapshot, false);
      List<String> mismatches = mismatches(expectation(request), actual.toJson());
      if (mismatches.isEmpty()) {
        passed++;
      } else {
        failed++;
        out.println("FAIL " + describe(request) + ": " + String.join("; ", mismatches));
      }
    }
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private Map<?, ?> expectation(EvaluationRequest request) {
    String where = cases + ":" + request.line();
    if (!(request.extra().get("expect") instanceof Map<?, ?> expect) || expect.isEmpty()) {
      throw new UserInputException(
          where + ": \"expect\" must be an object with value, variant, reason or errorCode");
    }
    for (Object key : expect.keySet()) {
      if (!EXPECTABLE.contains(key)) {
        throw new UserInputException(
            where + ": cannot expect \"" + key + "\" (value, variant, reason or errorCode)");
      }
    }
    return expect;
  }

  private String describe(EvaluationRequest request) {
    String name = request.extra().get("name") instanceof String n ? " (" + n + ")" : "";
    return cases + ":" + request.line() + name + " flag \"" + request.flag() + "\"";
  }

  /** What differs, field by field; numbers compare by value so 1 and 1.0 agree. */
  private static List<String> mismatches(Map<?, ?> expect, Map<String, Object> actual) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<?, ?> e : expect.entrySet()) {
      Object want = e.getValue();
      Object got = actual.get((String) e.getKey());
      if (!sameJson(want, got)) {
        out.add("expected " + e.getKey() + " " + Json.write(want) + ", got " + Json.write(got));
      }
    }
    if (!out.isEmpty() && actual.get("errorMessage") instanceof String message) {
      out.add("error: " + message);
    }
    return out;
  }

  static boolean sameJson(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameJson(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      for (Object key : x.keySet()) {
        if (!sameJson(x.get(key), y.get(key))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }
}
