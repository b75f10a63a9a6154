package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.TestOutcomes;
import dev.rollgate.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The releases list and a release's page: what a viewer sees, planning and starting through the
 * form, approving and verifying the signatures, and a completed release's KPI comparison, waves and
 * report. The server runs on a {@link MutableClock}: a release's windows are judged only when the
 * test moves the clock past them, after posting their outcomes (as ReleaseApiTest does), so nothing
 * waits on wall-clock outcomes.
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class ReleasesBrowserTest extends BrowserTestBase {
  private static final String ENV = P + "/environments/production";
  private static final String RELEASES = ENV + "/releases";
  private static final String FLAG = "checkout-svc";

  /** The controller ticks every second and the page reads the release again every second. */
  private static final LocatorAssertions.HasTextOptions MOVES =
      new LocatorAssertions.HasTextOptions().setTimeout(30_000);

  /** Now, on a whole ten seconds: outcomes are stored per second, windows start on the clock. */
  private final MutableClock clock = new MutableClock(System.currentTimeMillis() / 10_000 * 10_000);

  private ApiClient sdk;

  @Override
  Clock clock() {
    return clock;
  }

  @BeforeEach
  void seed() {
    Map<String, Object> variants = new LinkedHashMap<>();
    variants.put("1.4.0", "1.4.0");
    variants.put("1.5.0", "1.5.0");
    variants.put("2.0.0", "2.0.0");
    check(
        admin.post(
            P + "/flags",
            Map.of(
                "key",
                FLAG,
                "variants",
                variants,
                "defaultVariant",
                "1.4.0",
                "environments",
                Map.of("production", Map.of("state", "ENABLED")))));
    check(
        admin.post(
            P + "/segments",
            Map.of(
                "key",
                "pilot-tenant",
                "rules",
                Map.of("==", List.of(Map.of("var", "tenant"), "acme")))));
    check(
        admin.post(
            P + "/segments",
            Map.of(
                "key",
                "pilot-tenants",
                "rules",
                Map.of("in", List.of(Map.of("var", "tenant"), List.of("acme", "globex"))))));
    sdk = server.as(server.sdkToken());
  }

  private static void check(ApiClient.Response r) {
    assertThat(r.status()).as(r.toString()).isBetween(200, 299);
  }

  private static Map<String, Object> release(
      String version, String type, Map<String, Object> plan) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", "checkout");
    body.put("version", version);
    body.put("type", type);
    body.put("flag", FLAG);
    body.put("notes", "## " + version + "\n\nFaster checkout.");
    if (plan != null) {
      body.put("plan", plan);
    }
    return body;
  }

  private String create(Map<String, Object> body) {
    ApiClient.Response r = admin.post(RELEASES, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return (String) r.object().get("id");
  }

  private Map<String, Object> get(String id) {
    return admin.get(RELEASES + "/" + id).object();
  }

  private void control(String id, String action) {
    long revision = (Long) get(id).get("revision");
    check(
        admin.send(
            "POST",
            RELEASES + "/" + id + "/" + action,
            Map.of("comment", "by the test"),
            "If-Match",
            "\"" + revision + "\""));
  }

  private Map<String, Object> await(String id, Predicate<Map<String, Object>> done) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      Map<String, Object> r = get(id);
      if (done.test(r)) {
        return r;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never reached: " + r.get("phase") + " " + r.get("reason"));
      }
      sleep(50);
    }
  }

  private Map<String, Object> awaitPhase(String id, String phase) {
    return await(id, r -> r.get("phase").equals(phase));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static Map<String, Object> outcomes(
      String variant, long at, int requests, int errors, double ms) {
    return TestOutcomes.second(FLAG, variant, at, requests, errors, ms);
  }

  /** Posts outcomes at the clock's time and waits until the server has stored them. */
  private void post(List<Object> events) {
    long at = clock.millis();
    ApiClient.Response posted = sdk.post("/api/v1/events", Map.of("events", events));
    assertThat(posted.status()).as(posted.toString()).isEqualTo(202);
    String metrics = ENV + "/flags/" + FLAG + "/metrics?step=1&from=" + at + "&to=" + (at + 1000);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (((List<Object>) admin.get(metrics).object().get("points")).isEmpty()) {
      assertThat(System.nanoTime()).as("outcomes stored").isLessThan(deadline);
      sleep(50);
    }
  }

  /**
   * One judged window: healthy outcomes of the treatment (and the control, if any) at the clock's
   * time, then the clock past the 60 s window and the ingest delay; returns the release once the
   * controller has judged it.
   */
  private Map<String, Object> healthyWindow(String id, String treatment, String control) {
    List<Object> events = new ArrayList<>();
    events.add(outcomes(treatment, clock.millis(), 1000, 0, 40));
    if (control != null) {
      events.add(outcomes(control, clock.millis(), 1000, 0, 40));
    }
    post(events);
    String before = TestOutcomes.judged(get(id));
    clock.advance(62_000);
    return await(id, r -> !TestOutcomes.judged(r).equals(before));
  }

  private static Locator confirmButton(Page page) {
    return page.locator("dialog.confirm button[type=submit]");
  }

  private static void confirm(Page page, String comment) {
    page.locator("#confirm-comment").fill(comment);
    confirmButton(page).click();
  }

  @Test
  void aViewerSeesTheListAndADetailWithoutControls() {
    String patch = create(release("1.5.0", "patch", null));
    String major = create(release("2.0.0", "major", null));

    UiBrowser.Tab tab = tab().signIn(token("viewer"));
    Page page = tab.page();
    page.navigate(page("releases"));
    Locator patchRow = page.locator("tr[data-release='" + patch + "']");
    Locator majorRow = page.locator("tr[data-release='" + major + "']");
    assertThat(patchRow).containsText("checkout 1.5.0");
    assertThat(patchRow).containsText("patch");
    assertThat(patchRow).containsText("Planned");
    assertThat(patchRow).containsText("none yet (2 planned)");
    assertThat(patchRow).containsText(FLAG);
    assertThat(patchRow).containsText("not started");
    assertThat(majorRow).containsText("major");
    assertThat(page.locator("#release-count")).hasText("2 releases");
    assertThat(page.locator("#plan-release")).hasCount(0);
    assertThat(page.locator("header nav a[aria-current=page]")).hasText("Releases");
    tab.assertClean();

    // The filters are the API's, and part of the address.
    page.getByLabel("Type").selectOption("major");
    assertThat(patchRow).hasCount(0);
    assertThat(majorRow).isVisible();
    assertThat(page).hasURL(Pattern.compile(".*/releases\\?type=major$"));
    page.getByLabel("Type").selectOption("");
    page.getByLabel("Phase").selectOption("ROLLING_OUT");
    assertThat(page.locator("#no-releases")).containsText("No release matches");
    page.getByLabel("Phase").selectOption("PLANNED");
    page.getByLabel("Service", new Page.GetByLabelOptions().setExact(true)).fill("checkout");
    assertThat(page).hasURL(Pattern.compile(".*/releases\\?service=checkout&phase=PLANNED$"));
    assertThat(patchRow).isVisible();
    majorRow
        .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("checkout 2.0.0"))
        .click();

    assertThat(page).hasURL(Pattern.compile(".*/releases/" + major + "$"));
    assertThat(page.locator("main h1")).hasText("Release checkout 2.0.0");
    assertThat(page.locator("#release-phase")).hasText("Planned");
    assertThat(page.locator("#release-type")).hasText("major");
    assertThat(page.locator("#release-reason")).containsText("planned");
    assertThat(page.locator("#release-waves tbody tr")).hasCount(1);
    assertThat(page.locator("#release-waves tbody tr").first()).containsText("switch");
    assertThat(page.locator("#release-waves tbody tr").first()).containsText("100 %");
    assertThat(page.locator("#release-waves tbody tr").first()).containsText("Pending");
    assertThat(page.locator("#release-approvals-needed")).containsText("0 of 1 required");
    assertThat(page.locator("#release-timeline")).containsText("planned");
    assertThat(page.locator("#release-kpi")).containsText("Not compared yet");
    assertThat(page.locator("pre.release-notes")).containsText("Faster checkout.");
    assertThat(page.locator("#release-controls")).hasCount(0);
    assertThat(page.locator("#release-approve")).hasCount(0);
    assertThat(page.locator("main button")).hasCount(0);
    tab.assertClean();
    tab.screenshot("release-planned-" + store);

    // Another environment has other releases: the picker goes to its list, not to this one.
    page.locator("#scope-env").selectOption("staging");
    assertThat(page).hasURL(Pattern.compile(".*/ui/p/default/staging/releases$"));
    assertThat(page.locator("#no-releases")).containsText("No releases in staging yet.");
    tab.assertClean();
  }

  @Test
  void anEditorPlansAReleaseThroughTheFormStartsItAndSeesThePhaseMove() {
    UiBrowser.Tab tab = tab().signIn(token("editor"));
    Page page = tab.page();
    page.navigate(page("releases"));
    assertThat(page.locator("#no-releases")).containsText("Plan one below");
    page.locator("#plan-service").fill("checkout");
    page.locator("#plan-version").fill("one");
    page.locator("#plan-type").selectOption("patch");
    page.locator("#plan-flag").selectOption(FLAG);
    page.locator("#plan-variant").selectOption("1.5.0");
    page.locator("#plan-notes").fill("Faster checkout.");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Plan release")).click();
    // The API's 400 names the field: its message is beside it.
    assertThat(page.locator("#plan-version-error")).containsText("must be a semantic version");
    assertThat(page.locator("#plan-version")).hasAttribute("aria-invalid", "true");
    assertThat(page.locator("#plan-version")).isFocused();
    assertThat(page.locator("#plan-service-error")).hasText("");
    tab.assertClean();

    page.locator("#plan-version").fill("1.5.0");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Plan release")).click();
    assertThat(page).hasURL(Pattern.compile(".*/releases/[^/?]+$"));
    assertThat(page.locator("#release-phase")).hasText("Planned");
    String id = page.url().replaceAll(".*/releases/", "");
    assertThat(get(id)).containsEntry("treatment", "1.5.0").containsEntry("type", "patch");

    // Read again every second while under way.
    page.navigate(page.url() + "?refresh=1");
    Locator controls = page.locator("#release-controls button");
    assertThat(controls).hasText(new String[] {"Start", "Abort"});
    page.locator("#release-controls button[data-action=start]").click();
    assertThat(page.locator("dialog.confirm h2"))
        .containsText("Start: checkout 1.5.0 in production");
    confirm(page, "release train 42");
    // No pre-checks in the plan: the controller starts the first wave by itself.
    assertThat(page.locator("#release-phase")).hasText("Rolling out", MOVES);
    assertThat(page.locator("#release-wave")).containsText("1 of 2: canary");
    assertThat(page.locator("#release-waves tbody tr").first()).containsText("Running");
    assertThat(page.locator("#release-waves tbody tr[aria-current=step]")).containsText("canary");
    assertThat(page.locator("#release-timeline")).containsText("prechecks_started");
    assertThat(page.locator("#release-timeline")).containsText("wave_started");
    assertThat(controls).hasText(new String[] {"Pause", "Advance to wave 2", "Roll back", "Abort"});
    assertThat(page.locator("#release-facts")).containsText("against 1.4.0");
    // The comment asked for went with the control, to the audit trail.
    assertThat(
            admin
                .get(
                    "/api/v1/audit?resource=projects/default/environments/production/releases/"
                        + id)
                .text())
        .contains("release train 42");
    tab.assertClean();
    tab.screenshot("release-rolling-out-" + store);

    page.locator("#release-controls button[data-action=pause]").click();
    confirm(page, "looking at a dashboard");
    assertThat(page.locator("#release-phase")).hasText("Paused");
    assertThat(controls).hasText(new String[] {"Resume", "Roll back", "Abort"});
    page.locator("#release-controls button[data-action=resume]").click();
    confirm(page, "all good");
    assertThat(page.locator("#release-phase")).hasText("Rolling out");
    assertThat(get(id)).containsEntry("phase", "ROLLING_OUT");
    tab.assertClean();
  }

  @Test
  void anApproverApprovesAMajorReleaseWaitingForApprovalAndVerifiesTheSignatures()
      throws Exception {
    String id = create(release("2.0.0", "major", null));
    control(id, "start");
    awaitPhase(id, "AWAITING_APPROVAL");

    UiBrowser.Tab tab = tab().signIn(token("approver"));
    Page page = tab.page();
    page.navigate(page("releases/" + id));
    assertThat(page.locator("#release-phase")).hasText("Awaiting approval");
    assertThat(page.locator("#release-approvals-needed"))
        .containsText("0 of 1 required approval: the release waits for them");
    assertThat(page.locator("#release-controls")).hasCount(0); // an approver edits nothing
    tab.assertClean();
    page.locator("#release-approve").click();
    confirm(page, "CAB-1234 approved");
    assertThat(page.locator("#release-phase")).hasText("Rolling out");
    Locator approvals = page.locator("#release-approvals tbody tr");
    assertThat(approvals).hasCount(1);
    assertThat(approvals.first()).containsText("approver-");
    assertThat(approvals.first()).containsText("CAB-1234 approved");
    assertThat(approvals.first()).containsText("Awaiting approval");
    assertThat(page.locator("#release-approve")).hasCount(0); // once per approver
    assertThat(page.locator("#release-timeline")).containsText("approved");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify signatures"))
        .click();
    assertThat(page.locator("#release-verify-verdict")).containsText("Valid");
    assertThat(page.locator("#release-verify-verdict")).containsText("Every signature checks");
    tab.assertClean();
    tab.screenshot("release-approved-" + store);

    // An approval changed in the store no longer verifies.
    try (Connection c = server.connect();
        PreparedStatement p =
            c.prepareStatement("UPDATE release_approvals SET approver = 'mallory'")) {
      p.executeUpdate();
    }
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify signatures"))
        .click();
    assertThat(page.locator("#release-verify-verdict")).containsText("Invalid");
    assertThat(page.locator("table.verify")).containsText("Invalid");
    tab.assertClean();
  }

  @Test
  void aCompletedReleaseShowsItsKpiTableWavesAndReportDownloads() throws Exception {
    // The baseline: the current version's outcomes in the minute before the release starts.
    clock.advance(30_000);
    post(List.of(outcomes("1.4.0", clock.millis(), 2000, 10, 40)));
    clock.advance(31_000);
    Map<String, Object> plan =
        Map.of(
            "windowSeconds",
            60,
            "postcheckWindowSeconds",
            60,
            "baselineWindowSeconds",
            60,
            "waves",
            List.of(
                Map.of("name", "canary", "percent", 10, "minDurationSeconds", 60),
                Map.of("name", "everyone", "percent", 100)));
    String id = create(release("1.5.0", "patch", plan));
    control(id, "start");
    awaitPhase(id, "ROLLING_OUT");
    assertThat(healthyWindow(id, "1.5.0", "1.4.0")).containsEntry("wave", 1L);
    assertThat(healthyWindow(id, "1.5.0", null)).containsEntry("phase", "POSTCHECKS");
    healthyWindow(id, "1.5.0", null); // the post-check window
    awaitPhase(id, "COMPLETED");

    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("releases/" + id));
    assertThat(page.locator("#release-phase")).hasText("Completed");
    assertThat(page.locator("#release-reason")).containsText("1.5.0 is the default");
    assertThat(page.locator("#release-kpi-verdict")).containsText("Passed");
    Locator errorRate = page.locator("#release-kpi tr[data-kpi=errorRate]");
    assertThat(errorRate).containsText("error rate not above the baseline");
    assertThat(errorRate).containsText("0.5 %");
    assertThat(errorRate).containsText("0 %");
    assertThat(errorRate).containsText("Pass");
    assertThat(page.locator("#release-kpi tr[data-kpi=p95]")).containsText("Pass");
    Locator waves = page.locator("#release-waves tbody tr");
    assertThat(waves).hasCount(2);
    assertThat(waves.nth(0)).containsText("canary");
    assertThat(waves.nth(0)).containsText("Completed");
    assertThat(waves.nth(1)).containsText("everyone");
    assertThat(waves.nth(1)).containsText("Completed");
    assertThat(page.locator("ol.timeline li.done")).hasCount(2);
    assertThat(page.locator("#release-timeline")).containsText("postchecks_completed");
    assertThat(page.locator("#release-timeline")).containsText("release-controller");
    assertThat(page.locator("#release-controls")).hasCount(0);
    assertThat(page.locator("#release-updates")).containsText("ended");
    tab.assertClean();
    tab.screenshot("release-completed-" + store);

    // The report links download, with the session's cookie, as Markdown and PDF.
    Download markdown = page.waitForDownload(() -> page.locator("#report-markdown").click());
    assertThat(markdown.suggestedFilename()).isEqualTo("release-checkout-1.5.0.md");
    assertThat(Files.readString(markdown.path()))
        .contains("# Release checkout 1.5.0")
        .contains("| errorRate |");
    Download pdf = page.waitForDownload(() -> page.locator("#report-pdf").click());
    assertThat(pdf.suggestedFilename()).isEqualTo("release-checkout-1.5.0.pdf");
    assertThat(new String(Files.readAllBytes(pdf.path()), 0, 5, StandardCharsets.US_ASCII))
        .isEqualTo("%PDF-");
    APIResponse md = page.request().get(page.locator("#report-markdown").getAttribute("href"));
    assertThat(md.status()).isEqualTo(200);
    assertThat(md.headers().get("content-type")).startsWith("text/markdown");
    APIResponse asPdf = page.request().get(page.locator("#report-pdf").getAttribute("href"));
    assertThat(asPdf.status()).isEqualTo(200);
    assertThat(asPdf.headers().get("content-type")).isEqualTo("application/pdf");
    tab.assertClean();
  }
}
