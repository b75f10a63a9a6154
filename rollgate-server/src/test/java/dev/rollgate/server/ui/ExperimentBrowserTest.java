package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The experiments list and an experiment's results, decision, controls and roles. */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class ExperimentBrowserTest extends BrowserTestBase {
  private static final String EXPERIMENTS = P + "/environments/production/experiments";
  private static final int UNITS_PER_VARIANT = 400;

  @BeforeEach
  void seed() {
    assertThat(
            admin
                .post(
                    TestFlags.FLAGS,
                    TestFlags.enabled(
                        "button-colour",
                        Map.of("grey", "grey", "green", "green", "blue", "blue"),
                        "grey"))
                .status())
        .isEqualTo(201);
    assertThat(
            admin
                .post(
                    P + "/metrics",
                    Map.of("key", "purchase", "kind", "conversion", "event", "purchase"))
                .status())
        .isEqualTo(201);
  }

  private void create(String key, String state) {
    ApiClient.Response r =
        admin.post(
            EXPERIMENTS,
            Map.of(
                "key",
                key,
                "flag",
                "button-colour",
                "variants",
                variants(),
                "hypothesis",
                "a green button sells more",
                "primaryMetric",
                "purchase",
                "guardrails",
                List.of(Map.of("metric", "error_rate", "bad", "increase"))));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    if (state.equals("RUNNING")) {
      assertThat(admin.post(EXPERIMENTS + "/" + key + "/start", Map.of()).status()).isEqualTo(200);
    }
  }

  private void sendUnits() {
    UiData.units(
        server.as(server.sdkToken()),
        "button-colour",
        List.of("grey", "green", "blue"),
        "green",
        UNITS_PER_VARIANT);
  }

  /** Waits (on the API, not the page) until the server has applied every event sent. */
  private Map<String, Object> awaitResults(String key) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    Map<String, Object> results = Map.of();
    while (System.nanoTime() < deadline) {
      results = admin.get(EXPERIMENTS + "/" + key + "/results").object();
      long units =
          ((Map<String, Object>) results.get("units"))
              .values().stream().mapToLong(n -> ((Number) n).longValue()).sum();
      Map<String, Object> decision = (Map<String, Object>) results.get("decision");
      if (units == 3 * UNITS_PER_VARIANT && "ship".equals(decision.get("decision"))) {
        return results;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no results within 30 s: " + results);
  }

  @Test
  void anExperimentsResultsShowEachVariantTheSampleRatioAndTheDecision() throws Exception {
    create("colour", "RUNNING");
    create("copy-test", "DRAFT");
    sendUnits();
    awaitResults("colour");

    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("experiments"));
    Locator running = page.locator("tr[data-experiment=colour]");
    Locator draft = page.locator("tr[data-experiment=copy-test]");
    assertThat(running).containsText("Running");
    assertThat(running).containsText("button-colour");
    assertThat(running).containsText("purchase");
    assertThat(draft).containsText("Draft");
    tab.assertClean();
    tab.screenshot("experiments-" + store);
    page.getByLabel("State").selectOption("DRAFT");
    assertThat(running).isHidden();
    assertThat(draft).isVisible();
    assertThat(page).hasURL(Pattern.compile(".*/experiments\\?state=DRAFT$"));
    page.getByLabel("State").selectOption("");
    running
        .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("colour").setExact(true))
        .click();

    assertThat(page).hasURL(Pattern.compile(".*/experiments/colour$"));
    assertThat(page.locator("#experiment-decision")).containsText("Ship green");
    assertThat(page.locator("#experiment-decision-reason")).containsText("Green raises purchase");
    assertThat(page.locator("#experiment-decision-reason")).containsText("units split as planned");
    assertThat(page.locator("#experiment-srm")).containsText("Sample ratio as planned");
    Locator purchase = page.locator("section.metric[data-metric=purchase]");
    assertThat(purchase.locator(".forest text.row-label")).hasText(new String[] {"green", "blue"});
    assertThat(purchase.locator(".forest svg"))
        .hasAttribute("aria-label", Pattern.compile(".*green \\+.*blue .*"));
    assertThat(purchase.locator(".forest rect.dot.ok")).hasCount(1);
    assertThat(purchase.locator("tr[data-variant=green]")).containsText("better");
    assertThat(purchase.locator("tr[data-variant=blue]")).containsText("no clear difference");
    assertThat(purchase.locator("tbody tr").first()).containsText("grey");
    assertThat(purchase.locator("tbody tr").first()).containsText("control");
    assertThat(purchase.locator("h3")).containsText("CUPED on");
    Locator guardrail = page.locator("section.metric[data-metric=error_rate]");
    assertThat(guardrail.locator("h3")).containsText("guardrail");
    assertThat(page.locator("table.sample")).containsText(String.valueOf(UNITS_PER_VARIANT));
    assertThat(page.getByText("a green button sells more")).isVisible();
    tab.assertClean();
    tab.screenshot("experiment-" + store);

    // The absolute scale is part of the address.
    page.getByLabel("Plot effects").selectOption("absolute");
    assertThat(page).hasURL(Pattern.compile(".*/experiments/colour\\?scale=absolute$"));
    assertThat(purchase.locator(".forest text.tick").first()).containsText("pts");
    tab.assertClean();

    for (var entry :
        Map.of("dark", tab(1280, 900, ColorScheme.DARK), "390", tab(390, 844, ColorScheme.LIGHT))
            .entrySet()) {
      UiBrowser.Tab other = entry.getValue().signIn(TestServer.ADMIN_TOKEN);
      other.page().navigate(page("experiments/colour"));
      assertThat(other.page().locator("#experiment-decision")).containsText("Ship green");
      assertThat(other.page().locator(".forest svg").first()).isVisible();
      other.assertClean();
      other.screenshot("experiment-" + entry.getKey() + "-" + store);
    }

    // Stopping is confirmed with a comment; the results stay.
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Stop experiment")).click();
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    assertThat(dialog).containsText("cannot start again");
    tab.assertClean();
    dialog.getByLabel("Comment").fill("green wins, shipping it");
    dialog
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Stop experiment"))
        .click();
    assertThat(page.locator("main .state-line")).containsText("Stopped");
    assertThat(page.locator("#experiment-decision")).containsText("Ship green");
    assertThat(page.locator("main button")).hasCount(0);
    tab.assertClean();
    assertThat(admin.get(EXPERIMENTS + "/colour").object()).containsEntry("state", "STOPPED");
  }

  @Test
  void anEditorStartsADraftWithAComment() {
    create("colour", "DRAFT");
    UiBrowser.Tab tab = tab().signIn(token("editor"));
    Page page = tab.page();
    page.navigate(page("experiments/colour"));
    assertThat(page.locator("main .state-line")).containsText("Draft");
    assertThat(page.locator("#experiment-srm")).containsText("No units yet");
    assertThat(page.locator("#experiment-decision")).containsText("Keep running");
    tab.assertClean();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start experiment"))
        .click();
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    Locator confirm =
        dialog.getByRole(
            AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Start experiment"));
    confirm.click();
    assertThat(dialog.getByRole(AriaRole.ALERT)).containsText("comment is required");
    dialog.getByLabel("Comment").fill("launch week");
    confirm.click();
    assertThat(page.locator("main .state-line")).containsText("Running");
    assertThat(
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Stop experiment")))
        .isVisible();
    tab.assertClean();
    List<Object> audit =
        (List<Object>)
            admin
                .get(
                    "/api/v1/audit?resource=projects/default/environments/production/experiments/colour")
                .object()
                .get("items");
    assertThat(audit)
        .anySatisfy(e ->
            assertThat((Map<String, Object>) e)
                .containsEntry("action", "experiment.start")
                .containsEntry("comment", "launch week"));
  }

  @Test
  void aViewerSeesExperimentsWithoutControls() {
    create("colour", "DRAFT");
    create("running", "RUNNING");
    UiBrowser.Tab tab = tab().signIn(token("viewer"));
    Page page = tab.page();
    page.navigate(page("experiments"));
    assertThat(page.locator("tr[data-experiment=colour]")).containsText("Draft");
    assertThat(page.locator("main button")).hasCount(0);
    tab.assertClean();
    for (String key : List.of("colour", "running")) {
      page.navigate(page("experiments/" + key));
      assertThat(page.locator("#experiment-decision")).containsText("Keep running");
      assertThat(page.locator("main button")).hasCount(0);
      assertThat(page.getByText("Controls", new Page.GetByTextOptions().setExact(true)))
          .hasCount(0);
      tab.assertClean();
    }
  }

  /** In this order: the page lists variants as the definition does. */
  private static Map<String, Object> variants() {
    Map<String, Object> variants = new java.util.LinkedHashMap<>();
    variants.put("grey", 1);
    variants.put("green", 1);
    variants.put("blue", 1);
    return variants;
  }
}
