package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Request;
import com.microsoft.playwright.options.RequestOptions;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The flags page with 1,000 flags on a cold load: what crosses the wire (budget: under 300 KB) and
 * when the page is usable (measured and recorded in target/ui-load.json and docs/benchmarks.md, not
 * asserted: a test does not judge wall-clock time).
 */
class FlagsLoadBrowserTest {
  static final int FLAGS = 1000;
  static final long BUDGET_BYTES = 300 * 1024;

  @Test
  void aThousandFlagsLoadUnderTheBudget() throws Exception {
    try (TestServer server = TestServer.start(StoreKind.SQLITE);
        UiBrowser browser = UiBrowser.launch()) {
      Map<String, Object> flags = new LinkedHashMap<>();
      for (int i = 0; i < FLAGS; i++) {
        flags.put(
            String.format("feature-%04d", i),
            Map.of(
                "state",
                i % 7 == 0 ? "DISABLED" : "ENABLED",
                "variants",
                Map.of("on", true, "off", false),
                "defaultVariant",
                "off",
                "targeting",
                Map.of(
                    "if",
                    List.of(
                        Map.of("in", List.of(Map.of("var", "tenant"), List.of("acme", "globex"))),
                        "on",
                        "off"))));
      }
      var imported =
          server
              .admin()
              .put(
                  "/api/v1/projects/default/environments/production/flagd", Map.of("flags", flags));
      assertThat(imported.status()).as(imported.toString()).isEqualTo(200);

      UiBrowser.Tab tab = browser.open(server);
      // Signed in beforehand, so that the measured load is the flags page alone, with a cold cache.
      var signIn =
          tab.context()
              .request()
              .post(
                  "/api/v1/session",
                  RequestOptions.create().setData(Map.of("token", TestServer.ADMIN_TOKEN)));
      assertThat(signIn.status()).isEqualTo(201);
      AtomicLong bytes = new AtomicLong();
      AtomicLong requests = new AtomicLong();
      Page page = tab.page();
      page.onRequestFinished((Request r) -> {
        var sizes = r.sizes();
        bytes.addAndGet(sizes.responseBodySize + sizes.responseHeadersSize);
        requests.incrementAndGet();
      });
      page.navigate("/ui/p/default/production/flags");
      assertThat(page.locator("#flag-count")).hasText(FLAGS + " of " + FLAGS + " flags");
      page.waitForFunction("() => performance.getEntriesByName('rollgate:ready:flags').length > 0");
      page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
      double readyMs =
          ((Number)
                  page.evaluate(
                      "() => performance.getEntriesByName('rollgate:ready:flags')[0].startTime"))
              .doubleValue();
      // Searching filters the 1,000 rows in the page itself.
      double searchMs =
          ((Number)
                  page.evaluate(
                      "() => { const s = document.getElementById('flag-search'); const t ="
                          + " performance.now(); s.value = 'feature-09'; s.dispatchEvent(new"
                          + " Event('input')); return performance.now() - t; }"))
              .doubleValue();
      assertThat(page.locator("#flag-count")).hasText("100 of " + FLAGS + " flags");

      String report =
          String.format(
              "{\"flags\": %d, \"requests\": %d, \"transferredBytes\": %d, \"readyMs\": %.0f,"
                  + " \"searchMs\": %.1f}%n",
              FLAGS, requests.get(), bytes.get(), readyMs, searchMs);
      System.out.print("flags page cold load: " + report);

      Files.writeString(Path.of("target/ui-load.json"), report);
      assertThat(bytes.get()).as("bytes on the wire for a cold load").isLessThan(BUDGET_BYTES);
    }
  }
}
