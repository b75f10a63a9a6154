package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.TimeoutError;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import org.junit.jupiter.api.Test;

class HealthBrowserTest extends BrowserTestBase {

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
}
