package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.rollgate.cli.common.ExitCodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code rollgate health-checks}: against a real server (loopback targets allowed) and a service
 * this test serves, whose status it changes.
 */
class HealthChecksCliTest extends AdminCliTestBase {
  private HttpServer service;
  private final AtomicInteger status = new AtomicInteger(200);

  @Override
  Map<String, String> serverEnvironment() {
    return Map.of(
        "ROLLGATE_HEALTH_ALLOW_PRIVATE", "true", "ROLLGATE_PROMETHEUS_URL", "http://127.0.0.1:9/");
  }

  @BeforeEach
  void startService() throws IOException {
    service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    service.createContext(
        "/health",
        exchange -> {
          byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status.get(), body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    service.start();
  }

  @AfterEach
  void stopService() {
    service.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + service.getAddress().getPort() + "/health";
  }

  @Test
  void anHttpCheckRunsNowFailsOpensAViolationAndSwitchesTheFlagOff() {
    checkoutFlag();
    Run created =
        ok(
            "health-checks",
            "create",
            "checkout-api",
            "--type",
            "http",
            "--target-url",
            url(),
            "--body-contains",
            "ok",
            "--interval-seconds",
            "3600",
            "--switch-off",
            "production/new-checkout",
            "-m",
            "INC-7: watch checkout",
            "-o",
            "table");
    assertThat(created.out())
        .startsWith("created http health check checkout-api (id ")
        .endsWith("), every 3600 s\n");
    JsonNode check = ok("health-checks", "get", "checkout-api").json();
    assertThat(check.path("action").path("flag").asText()).isEqualTo("new-checkout");
    assertThat(check.path("bodyContains").asText()).isEqualTo("ok");
    String id = check.path("id").asText();

    Run passed = ok("health-checks", "run", "checkout-api", "-o", "table");
    assertThat(passed.out()).startsWith("checkout-api: passed: HTTP 200 (");
    assertThat(ok("health-checks", "list", "-o", "table").out())
        .containsPattern(
            "ID +NAME +TYPE +TARGET +STATUS +LAST RUN +INTERVAL +VIOLATION\n"
                + id
                + " +checkout-api +http +GET http://127\\.0\\.0\\.1:\\d+/health +passing +\\S+Z"
                + " +3600s +-\n");

    status.set(503);
    Run failed = run("health-checks", "run", id, "-o", "table");
    assertThat(failed.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(failed.out())
        .startsWith("checkout-api: FAILED: HTTP 503, expected 200 (")
        .contains("open violation: ");
    JsonNode run = run("health-checks", "run", id).json();
    assertThat(run.path("result").path("ok").asBoolean()).isFalse();
    assertThat(run.path("check").path("status").asText()).isEqualTo("failing");

    JsonNode open = ok("health-checks", "violations", "--state", "open").json().path("items");
    assertThat(open).hasSize(1);
    assertThat(open.get(0).path("checkName").asText()).isEqualTo("checkout-api");
    assertThat(open.get(0).path("failures").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(open.get(0).path("actionTaken").asText())
        .isEqualTo("switched flag new-checkout off in production");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "production").json().path("state").asText())
        .isEqualTo("DISABLED");
    assertThat(ok("health-checks", "violations", "--check", "checkout-api", "-o", "table").out())
        .contains("open")
        .contains("HTTP 503, expected 200")
        .contains("switched flag new-checkout off in production");

    Run results = ok("health-checks", "results", "checkout-api", "--limit", "2", "-o", "table");
    assertThat(results.out().lines())
        .hasSize(3)
        .first()
        .asString()
        .matches("AT +RESULT +OBSERVED +DURATION +MESSAGE");
    assertThat(results.out()).contains("FAILED").contains("503.0");

    status.set(200);
    ok("health-checks", "run", "checkout-api");
    assertThat(ok("health-checks", "violations", "--state", "open").json().path("items")).isEmpty();
    JsonNode resolved =
        ok("health-checks", "violations", "--state", "resolved").json().path("items");
    assertThat(resolved).hasSize(1);
    assertThat(resolved.get(0).path("resolvedAt").isTextual()).isTrue();
  }

  @Test
  void otherTypesUpdatesAndDeletes() {
    JsonNode metric =
        ok(
                "health-checks",
                "create",
                "consumer-lag",
                "--type",
                "metric",
                "--metric",
                "consumer_lag",
                "--environment",
                "production",
                "--comparison",
                "<=",
                "--threshold",
                "1000",
                "--failures-to-open",
                "3")
            .json();
    assertThat(metric.path("maxAgeSeconds").asLong()).isEqualTo(600);
    assertThat(metric.path("intervalSeconds").asLong()).isEqualTo(300);
    assertThat(metric.path("failuresToOpen").asInt()).isEqualTo(3);
    ok(
        "health-checks",
        "create",
        "error-rate",
        "--type",
        "prometheus",
        "--query",
        "sum(rate(errors_total[5m]))",
        "--comparison",
        "<",
        "--threshold",
        "0.01",
        "--pause");
    ok("health-checks", "create", "audit-chain", "--type", "audit", "--interval-seconds", "3600");
    assertThat(ok("health-checks", "list", "-o", "table").out())
        .contains("consumer_lag <= 1000.0 in production")
        .contains("sum(rate(errors_total[5m])) < 0.01")
        .contains("the audit chain");
    assertThat(ok("health-checks", "get", "error-rate").json().path("action").path("type").asText())
        .isEqualTo("pause");

    // An update keeps what it is not told to change.
    JsonNode updated =
        ok(
                "health-checks",
                "update",
                "consumer-lag",
                "--threshold",
                "500",
                "--max-age-seconds",
                "60")
            .json();
    assertThat(updated.path("threshold").asDouble()).isEqualTo(500.0);
    assertThat(updated.path("comparison").asText()).isEqualTo("<=");
    assertThat(updated.path("failuresToOpen").asInt()).isEqualTo(3);
    assertThat(updated.path("version").asLong()).isEqualTo(2);
    // Another type replaces the old type's settings.
    JsonNode http =
        ok(
                "health-checks",
                "update",
                "consumer-lag",
                "--type",
                "http",
                "--target-url",
                url(),
                "--name",
                "lag-api")
            .json();
    assertThat(http.path("type").asText()).isEqualTo("http");
    assertThat(http.path("name").asText()).isEqualTo("lag-api");
    assertThat(http.has("metric")).isFalse();
    ok("health-checks", "update", "error-rate", "--no-action");
    assertThat(ok("health-checks", "get", "error-rate").json().path("action").isNull()).isTrue();
    Run stale =
        fails(
            ExitCodes.CONFLICT,
            "health-checks",
            "update",
            "lag-api",
            "--interval-seconds",
            "60",
            "--if-version",
            "1");
    assertThat(stale.err()).contains("version");

    assertThat(ok("health-checks", "delete", "lag-api", "-m", "retired", "-o", "table").out())
        .isEqualTo("deleted health check lag-api\n");
    fails(ExitCodes.NOT_FOUND, "health-checks", "get", "lag-api");
    assertThat(ok("health-checks", "list").json().path("items")).hasSize(2);
  }

  @Test
  void badInputIsOneLineAndANonZeroExit() {
    assertThat(fails(ExitCodes.USAGE, "health-checks", "create", "x", "--type", "smtp").err())
        .contains("type")
        .contains("http, prometheus, metric, audit");
    assertThat(fails(ExitCodes.USAGE, "health-checks", "create", "x", "--type", "http").err())
        .contains("url");
    assertThat(
            fails(
                    ExitCodes.USAGE,
                    "health-checks",
                    "create",
                    "x",
                    "--type",
                    "audit",
                    "--target-url",
                    url())
                .err())
        .contains("not a setting of a audit check");
    assertThat(
            fails(
                    ExitCodes.USAGE,
                    "health-checks",
                    "create",
                    "x",
                    "--type",
                    "audit",
                    "--switch-off",
                    "new-checkout")
                .err())
        .contains("--switch-off: expected ENV/FLAG");
    fails(
        ExitCodes.USAGE,
        "health-checks",
        "create",
        "x",
        "--type",
        "audit",
        "--switch-off",
        "production/new-checkout",
        "--pause");
    assertThat(
            fails(
                    ExitCodes.USAGE,
                    "health-checks",
                    "create",
                    "x",
                    "--type",
                    "audit",
                    "--switch-off",
                    "production/nope")
                .err())
        .contains("action.flag");
    fails(ExitCodes.NOT_FOUND, "health-checks", "update", "missing", "--interval-seconds", "60");
    fails(ExitCodes.NOT_FOUND, "health-checks", "run", "missing");
    fails(ExitCodes.NOT_FOUND, "health-checks", "results", "missing");
    fails(ExitCodes.USAGE, "health-checks", "violations", "--state", "closed");
    ok("health-checks", "create", "chain", "--type", "audit");
    fails(ExitCodes.CONFLICT, "health-checks", "create", "chain", "--type", "audit");
    fails(ExitCodes.USAGE, "health-checks", "update", "chain");

    String viewer =
        ok("tokens", "create", "a-viewer", "--role", "viewer").json().path("secret").asText();
    env.put("ROLLGATE_TOKEN", viewer);
    assertThat(ok("health-checks", "list").json().path("items")).hasSize(1);
    ok("health-checks", "violations");
    fails(ExitCodes.UNAUTHORISED, "health-checks", "run", "chain");
    fails(ExitCodes.UNAUTHORISED, "health-checks", "create", "v", "--type", "audit");
  }
}
