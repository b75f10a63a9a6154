package dev.rollgate.cli;

import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.server.RollgateServer;
import dev.rollgate.server.ServerConfig;
import dev.rollgate.server.store.StoreException;
import io.javalin.util.JavalinBindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rollgate serve}: runs the server until SIGTERM or Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Run the Rollgate server.",
      "",
      "Without --db-url it keeps its data in an embedded SQLite file in the data directory; with a"
          + " jdbc:postgresql: URL it uses PostgreSQL (ROLLGATE_DB_USER, ROLLGATE_DB_PASSWORD).",
      "",
      "Other settings come from the environment: ROLLGATE_ADMIN_TOKEN, ROLLGATE_HOST,"
          + " ROLLGATE_MAX_BODY_BYTES, ROLLGATE_CORS_ORIGINS, ROLLGATE_RATE_LIMIT_WRITES,"
          + " ROLLGATE_ROLLOUT_WINDOW_S, ROLLGATE_ROLLBACK_ERROR_RATE, ROLLGATE_ROLLBACK_P99_MS"
          + " (docs/server.md lists them all).",
      "",
      "With --flags, it serves flagd files (later files win per key) in every environment of the"
          + " default project, and the admin API is read-only: the files are the source of truth;"
          + " --watch serves each saved change within a second (a broken edit keeps the last good"
          + " version, logged and shown in /ready).",
      "",
      "Example: ./rollgate serve --port 8420 --data-dir ./rollgate-data",
      "Example: ./rollgate serve --flags flags.json --flags overrides.json --watch"
    })
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "HTTP port (ROLLGATE_PORT; default: 8420).")
  Integer port;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory (ROLLGATE_DATA_DIR; default: ./rollgate-data).")
  Path dataDir;

  @Option(
      names = "--db-url",
      paramLabel = "JDBC_URL",
      description = "Database URL (ROLLGATE_DB_URL); default: SQLite in the data directory.")
  String dbUrl;

  @Option(
      names = "--flags",
      paramLabel = "FILE",
      description =
          "A flagd file to serve (repeatable; ROLLGATE_FLAGS, separated by the path separator);"
              + " default: none, the flags are managed through the API.")
  List<Path> flagFiles;

  @Option(
      names = "--watch",
      description =
          "With --flags: serve the files again whenever one changes (ROLLGATE_FLAGS_WATCH).")
  boolean watch;

  @Override
  public Integer call() throws InterruptedException {
    // The options win over the environment variables they stand for.
    Map<String, String> env = new HashMap<>(System.getenv());
    if (port != null) {
      env.put("ROLLGATE_PORT", port.toString());
    }
    if (dataDir != null) {
      env.put("ROLLGATE_DATA_DIR", dataDir.toString());
    }
    if (dbUrl != null) {
      env.put("ROLLGATE_DB_URL", dbUrl);
    }
    if (flagFiles != null && !flagFiles.isEmpty()) {
      for (Path file : flagFiles) {
        if (!Files.isReadable(file)) {
          throw new UserInputException("--flags: " + file + " cannot be read");
        }
      }
      env.put(
          "ROLLGATE_FLAGS",
          flagFiles.stream()
              .map(p -> p.toAbsolutePath().toString())
              .collect(Collectors.joining(java.io.File.pathSeparator)));
    }
    if (watch) {
      env.put("ROLLGATE_FLAGS_WATCH", "true");
    }
    ServerConfig config;
    try {
      config = ServerConfig.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage());
    }
    RollgateServer server;
    try {
      server = RollgateServer.start(config, env, Clock.systemUTC());
    } catch (StoreException | IllegalArgumentException e) {
      // a store it cannot open, a key file it cannot read: one line, not a stack trace
      throw new UserInputException(e.getMessage());
    } catch (java.io.UncheckedIOException e) {
      throw new UserInputException(e.getMessage() + ": " + e.getCause().getMessage());
    } catch (JavalinBindException e) {
      throw new UserInputException("cannot listen on port " + config.port() + ": it is in use");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "rollgate-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }
}
