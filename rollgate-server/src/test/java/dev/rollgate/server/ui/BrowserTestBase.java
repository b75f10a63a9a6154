package dev.rollgate.server.ui;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs each test of a subclass in a real Chromium against a fresh server on SQLite and on
 * PostgreSQL; one browser per class, a browser context per tab.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreKind.class)
abstract class BrowserTestBase {
  static final String P = "/api/v1/projects/default";
  private static UiBrowser browser;

  @Parameter StoreKind store;

  TestServer server;
  ApiClient admin;
  private final List<UiBrowser.Tab> tabs = new ArrayList<>();

  @BeforeAll
  static void launchBrowser() {
    browser = UiBrowser.launch();
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void startServer() {
    server = TestServer.start(store, environment(), clock());
    admin = server.admin();
  }

  /** Settings the server of each test starts with, over {@link TestServer}'s own. */
  Map<String, String> environment() {
    return Map.of();
  }

  /** The clock the server of each test runs on (a test may give a {@code MutableClock}). */
  Clock clock() {
    return Clock.systemUTC();
  }

  /** A new tab, with a browser context (and so cookies) of its own. */
  UiBrowser.Tab tab() {
    UiBrowser.Tab tab = browser.open(server);
    tabs.add(tab);
    return tab;
  }

  UiBrowser.Tab tab(int width, int height, com.microsoft.playwright.options.ColorScheme scheme) {
    UiBrowser.Tab tab = browser.open(server, width, height, scheme);
    tabs.add(tab);
    return tab;
  }

  /** A token of a role, created by the admin; its secret. */
  String token(String role) {
    ApiClient.Response r =
        admin.post("/api/v1/tokens", Map.of("name", role + "-" + System.nanoTime(), "role", role));
    if (r.status() != 201) {
      throw new AssertionError("token creation failed: " + r);
    }
    return (String) r.object().get("secret");
  }

  /** The address of a page of the default project's production environment. */
  static String page(String rest) {
    return "/ui/p/default/production/" + rest;
  }

  @AfterEach
  void stopServer() {
    tabs.forEach(UiBrowser.Tab::close);
    if (server != null) {
      server.close();
    }
  }
}
