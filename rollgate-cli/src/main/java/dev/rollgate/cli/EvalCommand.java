package dev.rollgate.cli;

import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rollgate eval}: evaluates flags from a file, offline, printing one JSON resolution a line.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Evaluate flags from a flag file, offline, one JSON resolution a line.",
      "",
      "Each line is {\"key\",\"value\",\"variant\",\"reason\",\"errorCode\",\"errorMessage\",\"metadata\"},",
      "absent fields left out, with \"explanation\" under --explain.",
      "",
      "Examples:",
      "  rollgate eval --flags examples/flags.json --flag new-checkout --context '{\"targetingKey\":\"u1\",\"plan\":\"pro\"}' --explain",
      "  rollgate eval --flags examples/flags.json --requests examples/requests.jsonl"
    })
final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin FlagsOptions flags;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--flag", paramLabel = "KEY", description = "The flag to evaluate.")
    String flag;

    @Option(
        names = "--requests",
        paramLabel = "FILE",
        description =
            "JSON lines {\"flag\": KEY, \"context\": {...}, \"type\"?, \"default\"?}, or - for standard input; one resolution is printed per line, in order.")
    Path requests;
  }

  @Option(
      names = "--context",
      paramLabel = "JSON",
      description =
          "Evaluation context: a JSON object with targetingKey and attributes (with --flag; default: {}).")
  String context;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      defaultValue = "any",
      description =
          "boolean, string, integer, double, object or any; a flag of another type answers TYPE_MISMATCH.")
  String type;

  @Option(
      names = "--default",
      paramLabel = "JSON",
      description = "The caller's default value, served when no variant is (default: null).")
  String defaultValue;

  @Option(names = "--explain", description = "Add the steps that led to each result.")
  boolean explain;

  @Override
  public Integer call() {
    List<EvaluationRequest> requests = requests();
    FlagSnapshot snapshot = flags.load();
    PrintWriter out = spec.commandLine().getOut();
    StringBuilder line = new StringBuilder(256);
    for (EvaluationRequest request : requests) {
      line.setLength(0);
      line.append(Json.write(request.evaluate(snapshot, explain).toJson())).append('\n');
      out.write(line.toString());
    }
    out.flush();
    return ExitCodes.OK;
  }

  private List<EvaluationRequest> requests() {
    if (target.requests != null) {
      if (context != null || defaultValue != null || !"any".equals(type)) {
        throw new UserInputException(
            "--context, --type and --default go with --flag; with --requests, put them on each line");
      }
      String text = Inputs.read(target.requests, "requests file");
      return EvaluationRequest.readAll(text, target.requests.toString(), Set.of());
    }
    Map<String, Object> contextJson =
        context == null ? Map.of() : Inputs.jsonObject(context, "--context");
    Object fallback = defaultValue == null ? null : Inputs.json(defaultValue, "--default");
    return List.of(
        new EvaluationRequest(
            1,
            target.flag,
            EvaluationRequest.context(contextJson, "--context"),
            EvaluationRequest.type(type, "--type"),
            fallback,
            Map.of()));
  }
}
