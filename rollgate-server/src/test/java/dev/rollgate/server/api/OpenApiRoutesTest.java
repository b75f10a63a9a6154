package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document and the routes the running server registers agree: every route is
 * documented with its method, and every documented operation is served. Paths are compared with
 * their parameters replaced by {@code {}}, since Javalin and the document may name them apart.
 */
class OpenApiRoutesTest {
  private static final Set<String> OPERATIONS =
      Set.of("get", "put", "post", "delete", "patch", "trace", "query");

  @Test
  void documentListsExactlyTheRegisteredRoutes() {
    try (TestServer server = TestServer.start(StoreKind.SQLITE)) {
      Map<String, String> served = registered(server);
      Response r = server.as(null).get("/api/v1/openapi.json");
      assertThat(r.status()).isEqualTo(200);
      Map<String, String> documented = documented(r.object());

      assertThat(served).containsKeys("GET /health", "POST /api/v1/projects/{}/flags");
      List<String> problems = new ArrayList<>();
      served.forEach((key, route) -> {
        if (!documented.containsKey(key)) {
          problems.add("served but not documented: " + route);
        }
      });
      documented.forEach((key, route) -> {
        if (!served.containsKey(key)) {
          problems.add("documented but not served: " + route);
        }
      });
      assertThat(problems).as("openapi.json against the registered routes").isEmpty();
    }
  }

  /** Method and normalised path of each HTTP route, to the route as Javalin has it. */
  private static Map<String, String> registered(TestServer server) {
    Map<String, String> routes = new TreeMap<>();
    for (String route : server.routes()) {
      String method = route.substring(0, route.indexOf(' '));
      String path = route.substring(route.indexOf(' ') + 1);
      routes.put(method + " " + normalise(path), route);
    }
    return routes;
  }

  /** Method and normalised path of each operation in the document, to the operation as written. */
  private static Map<String, String> documented(Map<String, Object> document) {
    Map<String, String> routes = new TreeMap<>();
    Map<?, ?> paths = (Map<?, ?>) document.get("paths");
    paths.forEach((path, item) ->
        ((Map<?, ?>) item)
            .keySet()
            .forEach(key -> {
              if (OPERATIONS.contains(key)) {
                String method = ((String) key).toUpperCase(Locale.ROOT);
                routes.put(method + " " + normalise((String) path), method + " " + path);
              }
            }));
    return routes;
  }

  /** A path with each parameter ({@code {name}} or Javalin's {@code <name>}) replaced by {}. */
  static String normalise(String path) {
    return path.replaceAll("\\{[^/}]*}|<[^/>]*>", "{}");
  }
}
