package dev.rollgate.cli;

import dev.rollgate.cli.common.Errors;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.json.Json;
import dev.rollgate.sdk.RollgateClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rollgate simulate-rollout}: drives a running server through the SDK with synthetic traffic
 * from many users, the treatment and control each with their own error rate and latency, starts a
 * rollout and prints its timeline until it ends.
 */
@Command(
    name = "simulate-rollout",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Start a rollout on a running server and drive it with synthetic SDK traffic.",
      "",
      "Creates the flag (on/off, off by default) and an sdk token when needed, starts a rollout"
          + " of 'on', sends --rps requests a second from --users users through the Java SDK, each"
          + " recorded as an outcome with the error rate and latency of the variant it got, and"
          + " prints every change of the rollout until it completes, is rolled back or"
          + " --max-duration passes.",
      "",
      "With --regress-after, the treatment's error rate and latency change to the --regressed-*"
          + " values at that time, and the time from then to the rollback is printed.",
      "",
      "Example: ./rollgate simulate-rollout --regress-after 90"
    })
final class SimulateRolloutCommand implements Callable<Integer> {
  @Mixin ServerUrlOption server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "An admin token (default: ROLLGATE_ADMIN_TOKEN, else the file rollgate-data/admin-token"
              + " in the current directory).")
  String token;

  @Option(
      names = "--project",
      paramLabel = "KEY",
      defaultValue = "default",
      description = "The project.")
  String project;

  @Option(
      names = "--environment",
      paramLabel = "KEY",
      defaultValue = "production",
      description = "The environment the rollout runs in.")
  String environment;

  @Option(
      names = "--flag",
      paramLabel = "KEY",
      defaultValue = "simulated-checkout",
      description = "The flag to roll out, created (on/off, off by default) when missing.")
  String flag;

  @Option(
      names = "--users",
      paramLabel = "N",
      defaultValue = "20000",
      description = "Distinct users.")
  int users;

  @Option(
      names = "--rps",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Requests a second.")
  int rps;

  @Option(
      names = "--control-error-rate",
      paramLabel = "RATE",
      defaultValue = "0.01",
      description = "The control's error rate, 0 to 1.")
  double controlErrorRate;

  @Option(
      names = "--treatment-error-rate",
      paramLabel = "RATE",
      defaultValue = "0.01",
      description = "The treatment's error rate, 0 to 1, before any regression.")
  double treatmentErrorRate;

  @Option(
      names = "--control-latency-ms",
      paramLabel = "MS",
      defaultValue = "40",
      description = "The control's median latency.")
  double controlLatency;

  @Option(
      names = "--treatment-latency-ms",
      paramLabel = "MS",
      defaultValue = "40",
      description = "The treatment's median latency, before any regression.")
  double treatmentLatency;

  @Option(
      names = "--regress-after",
      paramLabel = "SECONDS",
      description = "When the treatment turns to the --regressed-* behaviour (default: never).")
  Integer regressAfter;

  @Option(
      names = "--regressed-error-rate",
      paramLabel = "RATE",
      defaultValue = "0.03",
      description = "The treatment's error rate after --regress-after.")
  double regressedErrorRate;

  @Option(
      names = "--regressed-latency-ms",
      paramLabel = "MS",
      defaultValue = "40",
      description = "The treatment's median latency after --regress-after.")
  double regressedLatency;

  @Option(
      names = "--window-seconds",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description = "The rollout's judging window.")
  int windowSeconds;

  @Option(
      names = "--stage-seconds",
      paramLabel = "SECONDS",
      defaultValue = "20",
      description = "Each stage's minimum duration.")
  int stageSeconds;

  @Option(
      names = "--max-duration",
      paramLabel = "SECONDS",
      defaultValue = "600",
      description = "Stop watching after this long.")
  int maxDuration;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "Seeds users and outcomes.")
  long seed;

  @Spec CommandSpec spec;

  private HttpClient http;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    token = adminToken(token, System.getenv(), Path.of("rollgate-data", "admin-token"));
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "/api/v1/projects/" + project;
    String rollout = base + "/environments/" + environment + "/flags/" + flag + "/rollout";
    Response existing = call("GET", base + "/flags/" + flag, null);
    if (existing.status() == 404) {
      require(
          call(
              "POST",
              base + "/flags",
              Map.of(
                  "key",
                  flag,
                  "variants",
                  Map.of("on", true, "off", false),
                  "defaultVariant",
                  "off",
                  "environments",
                  Map.of(environment, Map.of("state", "ENABLED")))),
          201);
    } else {
      require(existing, 200);
    }
    Map<?, ?> sdkToken =
        require(
            call(
                "POST",
                "/api/v1/tokens",
                Map.of(
                    "name",
                    "simulate-rollout-" + System.currentTimeMillis(),
                    "role",
                    "sdk",
                    "project",
                    project,
                    "environment",
                    environment)),
            201);
    List<Map<String, Object>> stages = new ArrayList<>();
    for (int percent : new int[] {1, 10, 25, 50, 100}) {
      stages.add(Map.of("percent", percent, "minDurationSeconds", stageSeconds));
    }
    try (RollgateClient client =
        RollgateClient.builder()
            .baseUrl(server.url)
            .sdkToken((String) sdkToken.get("secret"))
            .flushInterval(Duration.ofMillis(500))
            .build()) {
      if (!client.awaitReady(Duration.ofSeconds(10))) {
        throw new UserInputException("the SDK could not load flags from " + server.url);
      }
      Map<?, ?> started =
          require(
              call(
                  "POST",
                  rollout,
                  Map.of(
                      "treatment",
                      "on",
                      "plan",
                      Map.of("stages", stages, "windowSeconds", windowSeconds))),
              201);
      long start = System.nanoTime();
      out.printf(
          "rollout %s of %s in %s: %d users, %d requests/s, control %.1f%% errors %.0f ms,"
              + " treatment %.1f%% errors %.0f ms%s%n",
          started.get("id"),
          flag,
          environment,
          users,
          rps,
          100 * controlErrorRate,
          controlLatency,
          100 * treatmentErrorRate,
          treatmentLatency,
          regressAfter == null
              ? ""
              : String.format(
                  ", turning to %.1f%% errors %.0f ms after %d s",
                  100 * regressedErrorRate, regressedLatency, regressAfter));
      out.flush();
      Thread traffic =
          Thread.ofPlatform().daemon().name("simulated-traffic").start(() -> drive(client, start));
      String last = "";
      Map<?, ?> now = started;
      while (seconds(start) < maxDuration) {
        now = require(call("GET", rollout, null), 200);
        String line = describe(now);
        if (!line.equals(last)) {
          out.printf("t=%6.1fs  %s%n", seconds(start), line);
          out.flush();
          last = line;
        }
        if (!List.of("RUNNING", "PAUSED", "AWAITING_APPROVAL").contains(now.get("state"))) {
          break;
        }
        Thread.sleep(250);
      }
      traffic.interrupt();
      out.printf("final state: %s after %.1f s%n", now.get("state"), seconds(start));
      if (regressAfter != null && "ROLLED_BACK".equals(now.get("state"))) {
        out.printf("from the regression to the rollback: %.1f s%n", seconds(start) - regressAfter);
      }
      out.printf("reason: %s%n", now.get("reason"));
      return "COMPLETED".equals(now.get("state")) || regressAfter != null
          ? ExitCodes.OK
          : ExitCodes.FAILED;
    }
  }

  /**
   * The admin token: {@code --token}, else {@code ROLLGATE_ADMIN_TOKEN}, else the file that {@code
   * rollgate serve} writes on its first start.
   */
  static String adminToken(String option, Map<String, String> env, Path file) {
    if (option != null && !option.isBlank()) {
      return option.strip();
    }
    String fromEnv = env.get("ROLLGATE_ADMIN_TOKEN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    if (Files.isRegularFile(file)) {
      String fromFile = Inputs.read(file, "admin token file").strip();
      if (!fromFile.isEmpty()) {
        return fromFile;
      }
      throw new UserInputException("admin token file " + file + " is empty");
    }
    throw new UserInputException(
        "no admin token: pass --token, set ROLLGATE_ADMIN_TOKEN, or run where "
            + file
            + " is (rollgate serve writes it on its first start)");
  }

  /** Paces requests at --rps; each gets its variant from the SDK and records an outcome. */
  private void drive(RollgateClient client, long start) {
    SplittableRandom random = new SplittableRandom(seed);
    long interval = 1_000_000_000L / rps;
    long next = System.nanoTime();
    while (!Thread.currentThread().isInterrupted()) {
      EvaluationContext user = EvaluationContext.of("user-" + random.nextInt(users));
      boolean treated = client.booleanValue(flag, user, false);
      boolean regressed = regressAfter != null && seconds(start) >= regressAfter;
      double errorRate =
          treated ? (regressed ? regressedErrorRate : treatmentErrorRate) : controlErrorRate;
      double median = treated ? (regressed ? regressedLatency : treatmentLatency) : controlLatency;
      double ms = median * Math.exp(0.5 * random.nextGaussian());
      client.recordOutcome(
          flag, user, "/checkout", (long) (ms * 1_000_000), random.nextDouble() < errorRate);
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(Duration.ofNanos(wait));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static String describe(Map<?, ?> r) {
    StringBuilder line =
        new StringBuilder()
            .append(r.get("state"))
            .append(" stage ")
            .append(r.get("stage"))
            .append(" at ")
            .append(r.get("percent"))
            .append("%");
    if (r.get("evidence") instanceof Map<?, ?> e) {
      line.append("  ").append(e.get("verdict"));
      if (e.get("cohorts") instanceof Map<?, ?> cohorts) {
        for (String cohort : List.of("canary", "control")) {
          if (cohorts.get(cohort) instanceof Map<?, ?> c && c.get("stage") instanceof Map<?, ?> s) {
            line.append(
                String.format(
                    "  %s n=%s err=%.2f%% p99=%s",
                    cohort,
                    s.get("requests"),
                    100 * ((Number) s.get("errorRate")).doubleValue(),
                    s.get("p99")));
          }
        }
      }
    }
    return line.toString();
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private record Response(int status, Object body) {}

  private Response call(String method, String path, Object body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.url + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(Json.write(body)));
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      String text = response.body();
      return new Response(response.statusCode(), text.isBlank() ? null : Json.parse(text));
    } catch (IOException e) {
      throw new UserInputException("cannot reach " + server.url + ": " + Errors.reason(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserInputException("interrupted");
    }
  }

  private static Map<?, ?> require(Response r, int status) {
    if (r.status() != status || !(r.body() instanceof Map<?, ?> body)) {
      Object message =
          r.body() instanceof Map<?, ?> m ? m.get("message") : String.valueOf(r.body());
      throw new UserInputException("the server answered " + r.status() + ": " + message);
    }
    return body;
  }
}
