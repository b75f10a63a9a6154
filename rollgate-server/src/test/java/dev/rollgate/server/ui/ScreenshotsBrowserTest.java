package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A screenshot of every page over a small, lifelike data set, each page checked clean first (axe,
 * script errors, CSP). With {@code -Drollgate.screenshots.dir=$PWD/docs/ui} this regenerates the
 * pictures in docs/ui (docs/ui.md says how).
 */
class ScreenshotsBrowserTest {
  private static final String P = "/api/v1/projects/default";
  private static final String ENV = P + "/environments/production";

  @Test
  void everyPageRendersCleanAndIsPictured() throws Exception {
    try (TestServer server = TestServer.start(StoreKind.SQLITE);
        UiBrowser browser = UiBrowser.launch()) {
      ApiClient admin = server.admin();
      String release = seed(server, admin);

      UiBrowser.Tab tab = browser.open(server).signIn(TestServer.ADMIN_TOKEN);
      Map<String, String> pages = new LinkedHashMap<>();
      pages.put("flags", "flags");
      pages.put("flag", "flags/new-checkout");
      pages.put("rollout", "flags/new-checkout/rollout");
      pages.put("experiments", "experiments");
      pages.put("experiment", "experiments/button-test");
      pages.put("releases", "releases");
      pages.put("release", "releases/" + release);
      pages.put("health", "health");
      pages.put("audit", "audit");
      pages.put("settings-tokens", "settings/tokens");
      pages.put("settings-webhooks", "settings/webhooks");
      pages.put("settings-environments", "settings/environments");
      List<Path> taken = new ArrayList<>();
      for (var e : pages.entrySet()) {
        shoot(tab, e.getValue(), e.getKey(), taken);
      }
      UiBrowser.Tab dark =
          browser.open(server, 1280, 800, ColorScheme.DARK).signIn(TestServer.ADMIN_TOKEN);
      shoot(dark, "flags", "flags-dark", taken);
      shoot(dark, "flags/new-checkout/rollout", "rollout-dark", taken);
      UiBrowser.Tab phone =
          browser.open(server, 390, 844, ColorScheme.LIGHT).signIn(TestServer.ADMIN_TOKEN);
      shoot(phone, "flags", "flags-phone", taken);
      UiBrowser.Tab signIn = browser.open(server);
      signIn.page().navigate("/ui/");
      signIn.page().waitForURL("**/ui/sign-in**");
      signIn.assertClean();
      taken.add(signIn.screenshot("sign-in"));

      for (Path file : taken) {
        byte[] png = Files.readAllBytes(file);
        assertThat(png).as(file.toString()).hasSizeGreaterThan(5_000);
        assertThat(png[1]).as("PNG signature of %s", file).isEqualTo((byte) 'P');
      }
      tab.close();
      dark.close();
      phone.close();
      signIn.close();
    }
  }

  private static void shoot(UiBrowser.Tab tab, String rest, String name, List<Path> taken) {
    Page page = tab.page();
    page.navigate("/ui/p/default/production/" + rest);
    page.waitForFunction(
        "() => performance.getEntriesByType('mark').some(m => m.name.startsWith('rollgate:ready:'))"
            + " && !document.querySelector('.loading')");
    assertThat(page.locator("main h1").first()).isVisible();
    // Not "network idle": the rollout page holds its live feed open. Charts draw a moment after.
    page.waitForTimeout(500);
    tab.assertClean();
    taken.add(tab.screenshot(name));
  }

  /**
   * Flags with tags and usage, a kill switch with its comment, a running rollout, an experiment,
   * releases (one rolling out, one planned); the id of the one rolling out.
   */
  private static String seed(TestServer server, ApiClient admin) throws Exception {
    check(admin.post(TestFlags.FLAGS, TestFlags.checkout()));
    String[][] more = {
      {"search-v2", "search"},
      {"dark-mode", "ui"},
      {"pricing-page", "growth"},
      {"legacy-export", "reports"},
      {"fast-checkout-api", "checkout"},
      {"onboarding-tour", "growth"},
      {"pdf-invoices", "reports"},
      {"recommendations", "search"}
    };
    for (String[] f : more) {
      check(
          admin.post(
              TestFlags.FLAGS,
              Map.of(
                  "key", f[0],
                  "name", f[0].replace('-', ' '),
                  "tags", List.of(f[1]),
                  "variants", Map.of("on", true, "off", false),
                  "defaultVariant", "off",
                  "environments",
                      Map.of(
                          "production", Map.of("state", "ENABLED"),
                          "staging", Map.of("state", "ENABLED")))));
    }
    check(
        admin.send(
            "PATCH",
            P + "/flags/legacy-export/environments/production",
            Map.of("state", "DISABLED"),
            "X-Rollgate-Comment",
            "INC-1234: exports time out"));
    check(
        admin.post(
            TestFlags.FLAGS,
            TestFlags.enabled(
                "button-colour",
                Map.of("grey", "grey", "green", "green", "blue", "blue"),
                "grey")));
    String sdkToken = server.sdkToken();
    ApiClient sdk = server.as(sdkToken);
    for (int i = 0; i < 40; i++) {
      for (String flag : List.of("new-checkout", "search-v2", "dark-mode")) {
        sdk.post(
            "/ofrep/v1/evaluate/flags/" + flag,
            Map.of(
                "context", Map.of("targetingKey", "u" + i, "plan", i % 3 == 0 ? "pro" : "free")));
      }
    }
    check(admin.post("/api/v1/tokens", Map.of("name", "release-bot", "role", "editor")));
    check(admin.post("/api/v1/tokens", Map.of("name", "product-analytics", "role", "viewer")));

    // A rollout at its second stage, with healthy outcomes from both cohorts.
    check(
        admin.post(
            ENV + "/flags/new-checkout/rollout",
            Map.of(
                "treatment",
                "on",
                "comment",
                "checkout v2",
                "plan",
                Map.of(
                    "windowSeconds",
                    1,
                    "stages",
                    List.of(
                        Map.of("percent", 10, "minDurationSeconds", 1, "minRequests", 20),
                        Map.of("percent", 50, "minDurationSeconds", 3600, "minRequests", 20),
                        Map.of("percent", 100))))));
    List<Object> outcomes =
        new ArrayList<>(UiData.outcomes("new-checkout", "off", -20, 30, 40, 0, 186));
    outcomes.addAll(UiData.outcomes("new-checkout", "on", -20, 30, 40, 0, 190));
    UiData.send(sdk, outcomes);

    // An experiment with results: green converts better.
    check(
        admin.post(
            P + "/metrics", Map.of("key", "purchase", "kind", "conversion", "event", "purchase")));
    Map<String, Object> variants = new LinkedHashMap<>();
    variants.put("grey", 1);
    variants.put("green", 1);
    variants.put("blue", 1);
    check(
        admin.post(
            ENV + "/experiments",
            Map.of(
                "key", "button-test",
                "flag", "button-colour",
                "variants", variants,
                "hypothesis", "a green button sells more",
                "primaryMetric", "purchase",
                "guardrails", List.of(Map.of("metric", "error_rate", "bad", "increase")))));
    check(admin.post(ENV + "/experiments/button-test/start", Map.of()));
    UiData.units(sdk, "button-colour", List.of("grey", "green", "blue"), "green", 300);

    // A release of the checkout service rolling out its canary, and the next one planned.
    Map<String, Object> versions = new LinkedHashMap<>();
    versions.put("1.4.0", "1.4.0");
    versions.put("1.5.0", "1.5.0");
    versions.put("1.6.0", "1.6.0");
    check(
        admin.post(
            TestFlags.FLAGS,
            Map.of(
                "key",
                "checkout-svc",
                "variants",
                versions,
                "defaultVariant",
                "1.4.0",
                "environments",
                Map.of("production", Map.of("state", "ENABLED")))));
    ApiClient.Response release =
        admin.post(
            ENV + "/releases",
            Map.of(
                "service",
                "checkout",
                "version",
                "1.5.0",
                "type",
                "patch",
                "flag",
                "checkout-svc",
                "notes",
                "## 1.5.0\n\nA faster payment form."));
    check(release);
    String releaseId = (String) release.object().get("id");
    check(
        admin.send(
            "POST",
            ENV + "/releases/" + releaseId + "/start",
            Map.of("comment", "release train 42"),
            "If-Match",
            "\"" + release.object().get("revision") + "\""));
    check(
        admin.post(
            ENV + "/releases",
            Map.of(
                "service",
                "checkout",
                "version",
                "1.6.0",
                "type",
                "minor",
                "flag",
                "checkout-svc",
                "plan",
                Map.of(
                    "waves",
                    List.of(
                        Map.of("name", "canary", "percent", 5, "minDurationSeconds", 600),
                        Map.of("name", "all", "percent", 100))))));
    // The background jobs apply events and judge the rollout every second; wait for both.
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      Object percent = admin.get(ENV + "/flags/new-checkout/rollout").object().get("percent");
      @SuppressWarnings("unchecked")
      Map<String, Object> units =
          (Map<String, Object>)
              admin.get(ENV + "/experiments/button-test/results").object().get("units");
      long total = units.values().stream().mapToLong(n -> ((Number) n).longValue()).sum();
      Object phase = admin.get(ENV + "/releases/" + releaseId).object().get("phase");
      if (Double.valueOf(50.0).equals(percent) && total == 900 && "ROLLING_OUT".equals(phase)) {
        return releaseId;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "the rollout did not reach 50 percent, the experiment's units did not arrive or the"
            + " release did not start");
  }

  private static void check(ApiClient.Response r) {
    assertThat(r.status()).as(r.toString()).isBetween(200, 299);
  }
}
