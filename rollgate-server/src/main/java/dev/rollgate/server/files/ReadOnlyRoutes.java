package dev.rollgate.server.files;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Locale;
import java.util.Set;

/**
 * In file mode, refuses the admin API's changes to projects, environments, flags and segments: the
 * files are the source of truth. Registered before the routes it guards.
 */
public final class ReadOnlyRoutes implements HttpApi.Routes {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  @Override
  public void register(RoutesConfig routes) {
    Handler guard = ReadOnlyRoutes::refuseWrites;
    routes.before("/api/v1/projects", guard);
    routes.before("/api/v1/projects/*", guard);
  }

  private static void refuseWrites(Context ctx) {
    String method = ctx.method().name().toUpperCase(Locale.ROOT);
    // Explaining evaluates, it changes nothing.
    if (WRITES.contains(method) && !ctx.path().endsWith("/explain")) {
      throw new Failure(
          Failure.Kind.FORBIDDEN,
          "read_only",
          "this server serves its flags from files (rollgate serve --flags): change the files"
              + " instead");
    }
  }
}
