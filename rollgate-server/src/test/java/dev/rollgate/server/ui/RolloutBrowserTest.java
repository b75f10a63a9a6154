package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rollout page: live progress, the rollback of a failing canary, manual controls, roles. */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class RolloutBrowserTest extends BrowserTestBase {
  private static final String ROLLOUT = P + "/environments/production/flags/new-checkout/rollout";
  private static final String PAGE = page("flags/new-checkout/rollout");

  /** The controller judges a window some seconds after it ends: room for a slow machine. */
  private static final LocatorAssertions.HasTextOptions CONTROLLER =
      new LocatorAssertions.HasTextOptions().setTimeout(45_000);

  private static final LocatorAssertions.ContainsTextOptions CONTROLLER_CONTAINS =
      new LocatorAssertions.ContainsTextOptions().setTimeout(45_000);

  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_ROLLOUT_WINDOW_S", "1", "ROLLGATE_LIVE_INTERVAL_MS", "500");
  }

  @BeforeEach
  void flag() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
  }

  private static List<Object> outcomes(
      String variant, int fromSecond, int toSecond, int count, int errors) {
    return UiData.outcomes("new-checkout", variant, fromSecond, toSecond, count, errors, 186);
  }

  private static void send(ApiClient sdk, List<Object> events) {
    UiData.send(sdk, events);
  }

  private Map<String, Object> start(Map<String, Object> plan) {
    ApiClient.Response r =
        admin.post(ROLLOUT, Map.of("treatment", "on", "plan", plan, "comment", "checkout v2"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.object();
  }

  @Test
  void theRolloutAdvancesLiveAndRollsBackWhenTheCanaryFails() {
    ApiClient sdk = server.as(server.sdkToken());
    start(
        Map.of(
            "windowSeconds",
            1,
            "stages",
            List.of(
                Map.of("percent", 10, "minDurationSeconds", 2, "minRequests", 50),
                Map.of("percent", 50, "minDurationSeconds", 600, "minRequests", 50),
                Map.of("percent", 100)),
            "checks",
            Map.of("minSamples", 50)));
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(PAGE);
    Locator percent = page.locator("#rollout-percent");
    Locator current = page.locator("ol.timeline li[aria-current=step]");
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
        .hasText("Rollout of new-checkout");
    assertThat(percent).hasText("10 %");
    assertThat(current).containsText("10 %");
    assertThat(page.locator("#rollout-state")).hasText("Running");
    assertThat(page.locator("#live-status")).hasText("Live");
    // No traffic yet: the windows have no canary requests, and the stage waits.
    assertThat(page.locator("#rollout-verdict"))
        .containsText("Not enough requests yet", CONTROLLER_CONTAINS);
    assertThat(page.locator("table.history")).containsText("checkout v2");
    tab.assertClean();
    page.evaluate("() => { window.stillTheSamePage = true; }");

    // Healthy traffic in both cohorts: the first stage passes and the page moves by itself.
    List<Object> healthy = new ArrayList<>(outcomes("off", -2, 45, 200, 0));
    healthy.addAll(outcomes("on", -2, 45, 200, 0));
    send(sdk, healthy);
    assertThat(percent).hasText("50 %", CONTROLLER);
    assertThat(current).containsText("50 %");
    assertThat(page.locator("ol.timeline li.done")).containsText("10 %");
    assertThat(page.locator("#rollout-verdict"))
        .containsText("Every check passed", CONTROLLER_CONTAINS);
    assertThat(page.locator("table.history")).containsText("rollout-controller");
    assertThat(page.locator("table.cohorts")).containsText("Canary");
    assertThat(page.locator("figure.chart .chart-latest").first())
        .containsText("Canary (on) 0 %", CONTROLLER_CONTAINS);
    assertThat(page.locator("figure.chart canvas")).hasCount(2);
    tab.assertClean();
    tab.screenshot("rollout-running-" + store);

    // The canary starts failing every request: rolled back, and the page says why.
    send(sdk, outcomes("on", 0, 30, 200, 200));
    assertThat(page.locator("#rollout-state")).hasText("Rolled back", CONTROLLER);
    assertThat(percent).hasText("0 %");
    assertThat(page.locator("#rollout-verdict")).containsText("Canary error rate");
    assertThat(page.locator("#rollout-verdict")).containsText("(limit 5 %)");
    assertThat(page.locator("#rollout-verdict")).containsText("rolled back");
    assertThat(page.locator("ol.timeline li.failed")).containsText("50 %");
    assertThat(page.locator("#rollout-reason")).containsText("FAIL");
    assertThat(page.locator("main button")).hasCount(0);
    assertThat((Boolean) page.evaluate("() => window.stillTheSamePage === true")).isTrue();
    tab.assertClean();
    tab.screenshot("rollout-rolled-back-" + store);
    assertThat(admin.get(ROLLOUT).object()).containsEntry("state", "ROLLED_BACK");

    // The same page in dark and at a phone's width.
    Map<String, UiBrowser.Tab> others =
        Map.of("dark", tab(1280, 900, ColorScheme.DARK), "390", tab(390, 844, ColorScheme.LIGHT));
    others.forEach((name, other) -> {
      other.signIn(TestServer.ADMIN_TOKEN);
      other.page().navigate(PAGE);
      assertThat(other.page().locator("#rollout-state")).hasText("Rolled back");
      assertThat(other.page().locator("figure.chart canvas")).hasCount(2);
      other.assertClean();
      other.screenshot("rollout-" + name + "-" + store);
    });
  }

  @Test
  void pausingAsksForACommentAndThePageShowsThePause() {
    start(Map.of());
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(PAGE);
    assertThat(page.locator("#rollout-state")).hasText("Running");
    Locator main = page.locator("main");
    assertThat(main.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Resume")))
        .hasCount(0);
    main.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pause")).click();
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    assertThat(dialog).containsText("no window is judged");
    tab.assertClean();
    tab.screenshot("rollout-pause-dialog-" + store);
    Locator confirm =
        dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pause"));
    confirm.click();
    assertThat(dialog.getByRole(AriaRole.ALERT)).containsText("comment is required");
    dialog.getByLabel("Comment").fill("looking at INC-7");
    confirm.click();
    assertThat(page.locator("#rollout-state")).hasText("Paused");
    assertThat(dialog).hasCount(0);
    assertThat(main.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pause")))
        .hasCount(0);
    assertThat(main.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Resume")))
        .isVisible();
    assertThat(page.locator("table.history")).containsText("looking at INC-7");
    assertThat(page.locator("#rollout-verdict")).containsText("paused");
    tab.assertClean();
    List<Object> history = (List<Object>) admin.get(ROLLOUT + "/history").object().get("items");
    Map<String, Object> last = (Map<String, Object>) history.getLast();
    assertThat(last)
        .containsEntry("action", "pause")
        .containsEntry("to", "PAUSED")
        .containsEntry("comment", "looking at INC-7")
        .containsEntry("actor", "bootstrap-admin");
  }

  @Test
  void aFlagWithoutARolloutSaysSoAndAnEditorStartsOne() {
    UiBrowser.Tab tab = tab().signIn(token("editor"));
    Page page = tab.page();
    page.navigate(PAGE);
    assertThat(page.locator("#no-rollout")).hasText("new-checkout has no rollout in production.");
    assertThat(page.getByLabel("Treatment", new Page.GetByLabelOptions().setExact(true)))
        .hasValue("on");
    tab.assertClean();
    page.getByLabel("Stages").fill("5, 1");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start rollout…")).click();
    assertThat(page.locator("form.start-rollout [role=alert]")).containsText("increasing");
    page.getByLabel("Stages").fill("5, 100");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start rollout…")).click();
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    assertThat(dialog).containsText("on goes to 5 % of production now, then 100 %");
    dialog.getByLabel("Comment").fill("canary for INC-9");
    dialog
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Start rollout"))
        .click();
    assertThat(page.locator("#rollout-state")).hasText("Running");
    assertThat(page.locator("#rollout-percent")).hasText("5 %");
    assertThat(page.locator("ol.timeline li")).hasCount(2);
    assertThat(page.locator("table.history")).containsText("canary for INC-9");
    tab.assertClean();
    Map<String, Object> rollout = admin.get(ROLLOUT).object();
    assertThat(rollout).containsEntry("percent", 5.0).containsEntry("treatment", "on");
  }

  @Test
  void aViewerSeesTheRolloutWithoutControls() {
    start(Map.of());
    UiBrowser.Tab tab = tab().signIn(token("viewer"));
    Page page = tab.page();
    page.navigate(PAGE);
    assertThat(page.locator("#rollout-state")).hasText("Running");
    assertThat(page.locator("table.history")).containsText("checkout v2");
    assertThat(page.locator("main button")).hasCount(0);
    assertThat(page.locator("main form")).hasCount(0);
    assertThat(page.getByText("Manual controls")).hasCount(0);
    tab.assertClean();
    // Nor is there a form to start one on a flag without a rollout.
    assertThat(
            admin
                .post(TestFlags.FLAGS, TestFlags.enabled("other", Map.of("a", "a", "b", "b"), "a"))
                .status())
        .isEqualTo(201);
    page.navigate(page("flags/other/rollout"));
    assertThat(page.locator("#no-rollout")).hasText("other has no rollout in production.");
    assertThat(page.locator("main button")).hasCount(0);
    assertThat(page.locator("main form")).hasCount(0);
    tab.assertClean();
  }
}
