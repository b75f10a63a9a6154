package dev.rollgate.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.ColorScheme;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium, headless, driven by Playwright (which may not download a browser of its own
 * here). Each {@link #open} is a fresh browser context, so cookies never leak between users.
 */
public final class UiBrowser implements AutoCloseable {
  private static final String CHROMIUM =
      System.getProperty("rollgate.chromium", "/usr/bin/chromium");
  private static final String AXE = axeSource();

  private final Playwright playwright;
  private final Browser browser;

  private UiBrowser(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  public static UiBrowser launch() {
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      throw new IllegalStateException(
          "no Chromium at "
              + CHROMIUM
              + ": apt-get install chromium (.ci/run does), or set"
              + " -Drollgate.chromium=<path>");
    }
    Playwright playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    Browser browser =
        playwright
            .chromium()
            .launch(
                new BrowserType.LaunchOptions()
                    .setExecutablePath(Path.of(CHROMIUM))
                    .setHeadless(true)
                    // This machine's network is closed: Chromium's own background traffic would
                    // only fail.
                    .setArgs(
                        List.of(
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync")));
    return new UiBrowser(playwright, browser);
  }

  /** A page in a browser context of its own, with what went wrong in it collected. */
  public Tab open(TestServer server) {
    return open(server, 1280, 800, ColorScheme.LIGHT);
  }

  public Tab open(TestServer server, int width, int height, ColorScheme scheme) {
    BrowserContext context =
        browser.newContext(
            new Browser.NewContextOptions()
                .setBaseURL(server.admin().base())
                .setViewportSize(width, height)
                .setColorScheme(scheme)
                .setLocale("en-GB")
                .setTimezoneId("UTC"));
    context.setDefaultTimeout(15_000);
    Page page = context.newPage();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    page.onConsoleMessage(m -> {
      if (m.type().equals("error") && !m.text().contains("Failed to load resource")) {
        problems.add("console: " + m.text());
      }
    });
    page.onPageError(e -> problems.add("page error: " + e));
    return new Tab(context, page, problems);
  }

  /** A browser page and the script errors and CSP violations it reported. */
  public record Tab(BrowserContext context, Page page, List<String> problems) {
    /** Signs in through the form, and waits for the flags page. */
    public Tab signIn(String token) {
      page.navigate("/ui/");
      page.getByLabel("API token").fill(token);
      page.getByRole(
              com.microsoft.playwright.options.AriaRole.BUTTON,
              new Page.GetByRoleOptions().setName("Sign in"))
          .click();
      page.waitForURL("**/ui/p/**");
      return this;
    }

    /** axe-core's serious and critical findings on the page as it is now. */
    public List<String> accessibilityViolations() {
      page.evaluate("() => { if (!window.axe) { " + AXE + " } }");
      String found =
          (String)
              page.evaluate(
                  "async () => JSON.stringify((await axe.run(document, {resultTypes:"
                      + " ['violations']})).violations.filter(v => v.impact === 'serious' ||"
                      + " v.impact === 'critical').map(v => v.id + ' (' + v.impact + '): ' +"
                      + " v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', ')))");
      @SuppressWarnings("unchecked")
      List<String> violations = (List<String>) Json.parse(found);
      return violations;
    }

    /** Fails when axe-core finds serious or critical problems, or the page reported errors. */
    public void assertClean() {
      assertThat(accessibilityViolations()).as("axe-core on %s", page.url()).isEmpty();
      assertThat(problems).as("script errors and CSP violations on %s", page.url()).isEmpty();
    }

    /** Writes the page to {@code rollgate.screenshots.dir}/{name}.png and returns the file. */
    public Path screenshot(String name) {
      Path dir = Path.of(System.getProperty("rollgate.screenshots.dir", "target/ui-screenshots"));
      Path file = dir.resolve(name + ".png");
      page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
      return file;
    }

    public void close() {
      context.close();
    }
  }

  private static String axeSource() {
    try (InputStream in = UiBrowser.class.getClassLoader().getResourceAsStream("axe.min.js")) {
      if (in == null) {
        throw new IllegalStateException("axe.min.js is not on the test class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
