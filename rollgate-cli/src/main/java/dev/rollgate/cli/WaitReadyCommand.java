package dev.rollgate.cli;

import dev.rollgate.cli.client.Connection;
import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.Errors;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonSyntaxException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code rollgate wait-ready}: waits until a server's {@code /ready} answers 200, so scripts can
 * start {@code rollgate serve &} and go on once it serves (and has written its admin token).
 */
@Command(
    name = "wait-ready",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Wait until a Rollgate server is ready: GET /ready answers 200.",
      "",
      "Exits 0 once it is ready, or prints one line saying why not and exits 1 when --timeout"
          + " passes first.",
      "",
      "Example: ./rollgate serve & ./rollgate wait-ready"
    })
final class WaitReadyCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(200);

  @Mixin ServerUrlOption server;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long to wait: 500ms, 30s, 2m, or plain seconds.")
  Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    URI ready = Connection.baseUri(server.url).resolve("ready");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastProblem = "no answer";
    while (true) {
      long left = deadline - System.nanoTime();
      // Each attempt gets what is left of the timeout, at most 2 s, so a hung server cannot stall
      // the wait past --timeout by much.
      Duration attempt = Duration.ofNanos(Math.max(1_000_000, Math.min(left, 2_000_000_000L)));
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(ready).timeout(attempt).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return ExitCodes.OK;
        }
        lastProblem = "answered " + response.statusCode() + reasonIn(response.body());
      } catch (IOException e) {
        lastProblem = Errors.reason(e);
      }
      if (System.nanoTime() + POLL.toNanos() > deadline) {
        throw new CliFailure(
            ExitCodes.FAILED,
            server.url + " not ready after " + format(timeout) + ": " + lastProblem);
      }
      Thread.sleep(POLL);
    }
  }

  /** The {@code reason} that a 503 from /ready carries, when there is one. */
  private static String reasonIn(String body) {
    try {
      if (Json.parse(body) instanceof Map<?, ?> m && m.get("reason") instanceof String reason) {
        return ": " + reason;
      }
    } catch (JsonSyntaxException e) {
      // Not our server, or not JSON: the status says enough.
    }
    return "";
  }

  private static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** Reads 500ms, 30s, 2m or 30 (seconds). */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    @Override
    public Duration convert(String value) {
      Matcher m = FORMAT.matcher(value.strip());
      if (!m.matches()) {
        throw new TypeConversionException(
            "'" + value + "' is not a duration (for example 500ms, 30s, 2m)");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      };
    }
  }
}
