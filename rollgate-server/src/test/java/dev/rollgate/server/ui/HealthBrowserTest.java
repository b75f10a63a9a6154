package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.TimeoutError;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import com.sun.net.httpserver.HttpServer;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthBrowserTest extends BrowserTestBase {
  private static final String CHECKS = P + "/health-checks";

  /** A service the checks call: /up answers 200 "ok", /down whatever {@link #downStatus} is. */
  private HttpServer service;

  private final AtomicInteger downStatus = new AtomicInteger(503);

  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_HEALTH_ALLOW_PRIVATE", "true");
  }

  @BeforeEach
  void startService() throws IOException {
    service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    service.createContext("/up", exchange -> answer(exchange, 200));
    service.createContext("/down", exchange -> answer(exchange, downStatus.get()));
    service.start();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status)
      throws IOException {
    byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @AfterEach
  void stopService() {
    service.stop(0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + service.getAddress().getPort() + path;
  }

  /** Creates a check through the API and runs it once; its id. */
  private String checkRunOnce(Map<String, Object> body) {
    ApiClient.Response created = admin.post(CHECKS, body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String id = (String) created.object().get("id");
    ApiClient.Response run = admin.post(CHECKS + "/" + id + "/run", null);
    assertThat(run.status()).as(run.toString()).isEqualTo(200);
    return id;
  }

  private static boolean isChecksList(com.microsoft.playwright.Request request) {
    return request.url().endsWith("/api/v1/projects/default/health-checks");
  }

  private static boolean isReady(com.microsoft.playwright.Request request) {
    return request.url().endsWith("/ready");
  }

  @Test
  void aViewerSeesReadinessAndTheStoreAndCheckNowAsksAgain() {
    UiBrowser.Tab tab = tab().signIn(token("viewer"));
    Page page = tab.page();
    page.navigate(page("health"));
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Health")))
        .isVisible();
    assertThat(page.locator("#health-ready")).containsText("Ready");
    assertThat(page.locator("#health-store-kind"))
        .containsText(store == StoreKind.SQLITE ? "SQLite" : "PostgreSQL");
    assertThat(page.locator("#health-updated")).containsText("ago");
    // Reading only: the one button asks again.
    assertThat(page.locator("main button:visible")).hasText(new String[] {"Check now"});
    assertThat(page.locator("main form")).hasCount(0);
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Settings")))
        .hasCount(0);
    tab.assertClean();

    // "Check now" asks /ready again.
    var checkNow =
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Check now"));
    var request = page.waitForRequest(HealthBrowserTest::isReady, checkNow::click);
    assertThat(request.method()).isEqualTo("GET");

    // A store that stops answering: the word, the colour and the reason.
    page.route(
        "**/ready",
        route ->
            route.fulfill(
                new Route.FulfillOptions()
                    .setStatus(503)
                    .setContentType("application/json")
                    .setBody(
                        "{\"status\":\"not ready\",\"store\":false,\"snapshots\":true,"
                            + "\"reason\":\"store unreachable; evaluation and streaming go on"
                            + " from the last snapshot\"}")));
    checkNow.click();
    assertThat(page.locator("#health-ready")).containsText("Not ready");
    assertThat(page.locator("#health-ready .badge.bad")).hasText("Not ready");
    assertThat(page.locator("#health-reason")).containsText("store unreachable");
    tab.assertClean();
    tab.screenshot("health-not-ready-" + store);
    page.unroute("**/ready");
    checkNow.click();
    assertThat(page.locator("#health-ready .badge.ok")).hasText("Ready");
  }

  @Test
  void itChecksAgainByItselfAndStopsOnceLeft() {
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("health?refresh=1"));
    assertThat(page.locator("#health-updated")).containsText("ago");
    assertThat(page.getByText("checked every 1 s")).isVisible();
    // The next check comes by itself.
    page.waitForRequest(HealthBrowserTest::isReady, () -> {});
    tab.assertClean();
    tab.screenshot("health-light-" + store);

    // Away from the page, its timer is gone.
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Flags").setExact(true))
        .click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Flags")))
        .isVisible();
    assertThatThrownBy(() ->
            page.waitForRequest(
                HealthBrowserTest::isReady,
                new Page.WaitForRequestOptions().setTimeout(3_000),
                () -> {}))
        .isInstanceOf(TimeoutError.class);

    UiBrowser.Tab dark = tab(1280, 800, ColorScheme.DARK).signIn(TestServer.ADMIN_TOKEN);
    dark.page().navigate(page("health"));
    assertThat(dark.page().locator("#health-ready")).containsText("Ready");
    dark.assertClean();
    dark.screenshot("health-dark-" + store);
    UiBrowser.Tab narrow = tab(390, 844, ColorScheme.LIGHT).signIn(TestServer.ADMIN_TOKEN);
    narrow.page().navigate(page("health"));
    assertThat(narrow.page().locator("#health-ready")).containsText("Ready");
    narrow.assertClean();
    narrow.screenshot("health-390-" + store);
  }

  @Test
  void aViewerSeesTheChecksTheirResultsAndViolationsButNoWriteControls() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    String up =
        checkRunOnce(
            Map.of(
                "name", "checkout-api", "type", "http", "url", url("/up"), "intervalSeconds", 60));
    checkRunOnce(
        Map.of(
            "name",
            "payments-api",
            "type",
            "http",
            "url",
            url("/down"),
            "intervalSeconds",
            3600,
            "action",
            Map.of("type", "switch_off", "environment", "production", "flag", "new-checkout")));

    UiBrowser.Tab tab = tab().signIn(token("viewer"));
    Page page = tab.page();
    page.navigate(page("health"));
    var checks = page.locator("#health-checks-table");
    var upRow = checks.locator("tr[data-check='" + up + "']");
    assertThat(upRow).containsText("checkout-api");
    assertThat(upRow.locator(".badge.ok")).hasText("Passing");
    assertThat(upRow).containsText("every 1 min");
    assertThat(upRow).containsText("ago");
    var downRow =
        checks.locator(
            "tr", new com.microsoft.playwright.Locator.LocatorOptions().setHasText("payments-api"));
    assertThat(downRow.locator(".badge.bad").first()).hasText("Failing");
    assertThat(downRow).containsText("Open since");

    // The failing check's violation: open, with the evidence and the flag it switched off.
    var violation = page.locator("#health-violations-table tbody tr").first();
    assertThat(violation).containsText("payments-api");
    assertThat(violation.locator(".badge.bad")).hasText("Open");
    assertThat(violation).containsText("HTTP 503, expected 200");
    assertThat(violation).containsText("switched flag new-checkout off in production");

    // Reading only: no form, and the one button asks again.
    assertThat(page.locator("main form")).hasCount(0);
    assertThat(page.locator("main button:visible")).hasText(new String[] {"Check now"});
    tab.assertClean();
    tab.screenshot("health-checks-viewer-" + store);

    // A check's name opens its results, at an address of its own.
    upRow
        .getByRole(
            AriaRole.LINK,
            new com.microsoft.playwright.Locator.GetByRoleOptions().setName("checkout-api"))
        .click();
    page.waitForURL("**/health?check=" + up);
    assertThat(page.locator("#health-results-title")).hasText("Results of checkout-api");
    assertThat(page.locator("#health-results-table tbody tr").first().locator(".badge.ok"))
        .hasText("Passed");
    assertThat(page.locator("#health-results-table")).containsText("HTTP 200");
    tab.assertClean();
  }

  @Test
  void anEditorCreatesACheckRunsItNowSeesTheResultAndDeletesIt() {
    UiBrowser.Tab tab = tab().signIn(token("editor"));
    Page page = tab.page();
    page.navigate(page("health"));
    assertThat(page.locator("#health-checks-table")).containsText("No health checks yet");

    // The API's field error, shown at its field.
    page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("orders-api");
    page.getByLabel("URL").fill("ftp://orders.example.com/health");
    page.getByLabel("Every (seconds)").fill("60");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create check")).click();
    assertThat(page.locator("#check-url-error")).containsText("must be an http or https URL");
    assertThat(page.locator("#check-url")).hasAttribute("aria-invalid", "true");
    tab.assertClean();

    // The other types show their own fields.
    page.getByLabel("Type").selectOption("metric");
    assertThat(page.getByLabel("Metric", new Page.GetByLabelOptions().setExact(true))).isVisible();
    assertThat(page.getByLabel("URL")).isHidden();
    page.getByLabel("Type").selectOption("http");

    page.getByLabel("URL").fill(url("/up"));
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create check")).click();
    var row =
        page.locator("#health-checks-table tr", new Page.LocatorOptions().setHasText("orders-api"));
    assertThat(row).containsText("every 1 min");
    assertThat(page.locator("#check-url-error")).isEmpty();
    assertThat(page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true))).isEmpty();

    row.getByRole(
            AriaRole.BUTTON,
            new com.microsoft.playwright.Locator.GetByRoleOptions()
                .setName("Check now: orders-api"))
        .click();
    assertThat(page.locator("#notices")).containsText("orders-api: passed: HTTP 200");
    assertThat(row.locator(".badge.ok")).hasText("Passing");
    assertThat(row).containsText("ago");
    tab.assertClean();
    tab.screenshot("health-checks-editor-" + store);

    // Deleting asks first, with a comment for the audit trail.
    row.getByRole(
            AriaRole.BUTTON,
            new com.microsoft.playwright.Locator.GetByRoleOptions()
                .setName("Delete the check orders-api"))
        .click();
    page.locator("#confirm-comment").fill("replaced by the gateway's check");
    page.locator("dialog")
        .getByRole(
            AriaRole.BUTTON,
            new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Delete"))
        .click();
    assertThat(page.locator("#health-checks-table")).containsText("No health checks yet");
    assertThat(((java.util.List<?>) admin.get(CHECKS).object().get("items"))).isEmpty();
  }

  @Test
  void theChecksAreReadAgainEvery30Seconds() {
    String id = checkRunOnce(Map.of("name", "chain", "type", "audit", "intervalSeconds", 3600));
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    // The page's timers run on a clock the test moves: paused, so nothing fires by itself.
    long now = System.currentTimeMillis();
    page.clock().install(new com.microsoft.playwright.Clock.InstallOptions().setTime(now));
    page.clock().pauseAt(now + 1_000);
    page.navigate(page("health"));
    var row = page.locator("#health-checks-table tr[data-check='" + id + "']");
    assertThat(row.locator(".badge.ok")).hasText("Passing");

    // A check that starts failing: the page shows it at its next refresh, 30 s later.
    String failing = checkRunOnce(Map.of("name", "down", "type", "http", "url", url("/down")));
    assertThat(page.locator("tr[data-check='" + failing + "']")).hasCount(0);
    page.clock().runFor(29_000);
    assertThat(page.locator("tr[data-check='" + failing + "']")).hasCount(0);
    var request =
        page.waitForRequest(HealthBrowserTest::isChecksList, () -> page.clock().runFor(1_000));
    assertThat(request.method()).isEqualTo("GET");
    assertThat(page.locator("tr[data-check='" + failing + "'] .badge.bad").first())
        .hasText("Failing");
    assertThat(page.locator("#health-violations-table")).containsText("down");
    page.clock().resume(); // axe-core, which assertClean runs, waits on timers
    tab.assertClean();
  }
}
