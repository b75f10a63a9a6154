package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import com.sun.net.httpserver.HttpServer;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SettingsBrowserTest extends BrowserTestBase {

  @Override
  Map<String, String> environment() {
    // The webhook receiver of the test listens on 127.0.0.1.
    return Map.of("ROLLGATE_WEBHOOK_ALLOW_PRIVATE", "true");
  }

  private static Page.GetByRoleOptions named(String name) {
    return new Page.GetByRoleOptions().setName(name).setExact(true);
  }

  private static Locator.GetByRoleOptions inside(String name) {
    return new Locator.GetByRoleOptions().setName(name).setExact(true);
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> items(String path) {
    return (List<Map<String, Object>>) admin.get(path).object().get("items");
  }

  @Test
  void aTokenIsShownOnceWorksAndStopsWorkingWhenRevoked() {
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("settings"));
    // settings without a tab is the tokens tab.
    assertThat(
            page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Settings"))
                .getByRole(AriaRole.LINK, inside("Tokens")))
        .hasAttribute("aria-current", "page");
    assertThat(
            page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Main"))
                .getByRole(AriaRole.LINK, inside("Settings")))
        .hasAttribute("aria-current", "page");
    tab.assertClean();

    page.getByLabel("Name").fill("ops-viewer");
    page.getByLabel("Role").selectOption("viewer");
    page.getByRole(AriaRole.BUTTON, named("Create token")).click();
    Locator confirm = page.getByRole(AriaRole.DIALOG);
    assertThat(confirm).containsText("Create the viewer token ops-viewer");
    tab.assertClean();
    confirm.getByLabel("Comment").fill("read-only access for the on-call");
    confirm.getByRole(AriaRole.BUTTON, inside("Create token")).click();

    Locator shown = page.getByRole(AriaRole.DIALOG);
    assertThat(shown).containsText("Shown once");
    Locator secretField = shown.getByLabel("Secret");
    assertThat(secretField).hasValue(Pattern.compile("^rgt_.+"));
    String secret = secretField.inputValue();
    tab.assertClean();
    tab.screenshot("settings-secret-" + store);
    shown.getByRole(AriaRole.BUTTON, inside("I have stored it")).click();
    assertThat(page.getByRole(AriaRole.DIALOG)).hasCount(0);
    // Nothing keeps it: not the page, not the browser's storage.
    assertThat(page.content()).doesNotContain(secret);
    assertThat(
            (String)
                page.evaluate(
                    "() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"
                        + " + document.cookie + JSON.stringify(history.state)"))
        .doesNotContain(secret);
    Locator row = page.locator("table.tokens tr[data-token=\"ops-viewer\"]");
    assertThat(row).containsText("viewer");
    assertThat(row).containsText("Active");
    assertThat(row).containsText("every project");
    tab.assertClean();

    // The secret works: another tab signs in with it, as a viewer.
    UiBrowser.Tab other = tab().signIn(secret);
    assertThat(other.page().locator("header .who")).containsText("ops-viewer");
    assertThat(other.page().locator("header .who")).containsText("viewer");

    // Revoked with a comment, it stops working at once.
    row.getByRole(AriaRole.BUTTON, inside("Revoke ops-viewer")).click();
    Locator revoke = page.getByRole(AriaRole.DIALOG);
    assertThat(revoke).containsText("Revoke ops-viewer");
    revoke.getByRole(AriaRole.BUTTON, inside("Revoke")).click();
    assertThat(revoke.getByRole(AriaRole.ALERT)).containsText("comment is required");
    tab.assertClean();
    revoke.getByLabel("Comment").fill("on-call rotation ended");
    revoke.getByRole(AriaRole.BUTTON, inside("Revoke")).click();
    assertThat(row).containsText("Revoked");
    assertThat(row.getByRole(AriaRole.BUTTON)).hasCount(0);
    assertThat(server.as(secret).get(P + "/flags").status()).isEqualTo(401);
    other.page().reload();
    other.page().waitForURL("**/ui/sign-in**");
    other.page().getByLabel("API token").fill(secret);
    other.page().getByRole(AriaRole.BUTTON, named("Sign in")).click();
    assertThat(other.page().getByRole(AriaRole.ALERT)).containsText("unknown or revoked");
    String id =
        items("/api/v1/tokens").stream()
            .filter(t -> t.get("name").equals("ops-viewer"))
            .findFirst()
            .orElseThrow()
            .get("id")
            .toString();
    assertThat(items("/api/v1/audit?resource=tokens/" + id))
        .extracting(e -> e.get("action") + ": " + e.get("comment"))
        .containsSubsequence(
            "token.create: read-only access for the on-call",
            "token.revoke: on-call rotation ended");
    tab.assertClean();
    tab.screenshot("settings-tokens-light-" + store);

    UiBrowser.Tab dark = tab(1280, 800, ColorScheme.DARK).signIn(TestServer.ADMIN_TOKEN);
    dark.page().navigate(page("settings/tokens"));
    assertThat(dark.page().locator("table.tokens")).containsText("ops-viewer");
    dark.assertClean();
    dark.screenshot("settings-tokens-dark-" + store);
    UiBrowser.Tab narrow = tab(390, 844, ColorScheme.LIGHT).signIn(TestServer.ADMIN_TOKEN);
    narrow.page().navigate(page("settings/tokens"));
    assertThat(narrow.page().locator("table.tokens")).containsText("ops-viewer");
    narrow.assertClean();
    narrow.screenshot("settings-tokens-390-" + store);
  }

  @Test
  void aWebhookIsCreatedWithItsSecretShownOnceDeliversAndIsDeleted() throws Exception {
    CountDownLatch delivered = new CountDownLatch(1);
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
          delivered.countDown();
        });
    receiver.start();
    try {
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/rollgate";
      UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
      Page page = tab.page();
      page.navigate(page("settings/webhooks"));
      assertThat(
              page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Settings"))
                  .getByRole(AriaRole.LINK, inside("Webhooks")))
          .hasAttribute("aria-current", "page");
      page.getByLabel("URL").fill(url);
      page.getByRole(AriaRole.BUTTON, named("Create webhook")).click();
      assertThat(page.getByRole(AriaRole.ALERT)).containsText("at least one event");
      page.getByLabel("flag.changed").check();
      page.getByRole(AriaRole.BUTTON, named("Create webhook")).click();
      Locator confirm = page.getByRole(AriaRole.DIALOG);
      assertThat(confirm).containsText(url);
      confirm.getByRole(AriaRole.BUTTON, inside("Create webhook")).click();
      Locator shown = page.getByRole(AriaRole.DIALOG);
      assertThat(shown.getByLabel("Secret")).hasValue(Pattern.compile("^whsec_.+"));
      String secret = shown.getByLabel("Secret").inputValue();
      tab.assertClean();
      shown.getByRole(AriaRole.BUTTON, inside("I have stored it")).click();
      assertThat(page.content()).doesNotContain(secret);
      Locator row = page.locator("table.webhooks tbody tr[data-webhook]");
      assertThat(row).hasCount(1);
      assertThat(row).containsText(url);
      assertThat(row).containsText("flag.changed");
      assertThat(row).containsText("none yet");
      List<Map<String, Object>> hooks = items("/api/v1/webhooks");
      assertThat(hooks).singleElement().satisfies(h -> assertThat(h).containsEntry("url", url));
      String id = hooks.getFirst().get("id").toString();

      // A flag change is delivered; the page lists the delivery with its status and attempts.
      assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
      assertThat(delivered.await(15, TimeUnit.SECONDS)).as("a delivery arrives").isTrue();
      awaitDelivered(id);
      page.reload();
      assertThat(row).containsText("Delivered");
      Locator deliveries = page.locator("details.deliveries");
      deliveries.locator("summary").click();
      assertThat(deliveries.locator("tbody tr").first()).containsText("flag.changed");
      assertThat(deliveries.locator("tbody tr").first()).containsText("Delivered");
      assertThat(deliveries.locator("tbody tr").first()).containsText("HTTP 204");
      tab.assertClean();
      tab.screenshot("settings-webhooks-light-" + store);
      UiBrowser.Tab narrow = tab(390, 844, ColorScheme.DARK).signIn(TestServer.ADMIN_TOKEN);
      narrow.page().navigate(page("settings/webhooks"));
      assertThat(narrow.page().locator("table.webhooks")).containsText(url);
      narrow.page().locator("details.deliveries > summary").click();
      assertThat(narrow.page().locator("details.deliveries tbody tr")).hasCount(1);
      narrow.assertClean();
      narrow.screenshot("settings-webhooks-390-dark-" + store);

      // Deleting asks first, with a comment.
      row.getByRole(AriaRole.BUTTON, inside("Delete the webhook to " + url)).click();
      Locator delete = page.getByRole(AriaRole.DIALOG);
      assertThat(delete).containsText(url);
      tab.assertClean();
      delete.getByLabel("Comment").fill("receiver retired");
      delete.getByRole(AriaRole.BUTTON, inside("Delete")).click();
      assertThat(page.locator("table.webhooks")).containsText("No webhooks yet.");
      assertThat(row).hasCount(0);
      assertThat(items("/api/v1/webhooks")).isEmpty();
      assertThat(items("/api/v1/audit?resource=webhooks/" + id).getLast())
          .containsEntry("action", "webhook.delete")
          .containsEntry("comment", "receiver retired");
    } finally {
      receiver.stop(0);
    }
  }

  /** The delivery's status is written after the receiver answered: wait for it through the API. */
  private void awaitDelivered(String webhook) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (Instant.now().isBefore(deadline)) {
      List<Map<String, Object>> d = items("/api/v1/webhooks/" + webhook + "/deliveries");
      if (!d.isEmpty() && "DELIVERED".equals(d.getFirst().get("status"))) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new AssertionError("the delivery was not marked DELIVERED");
  }

  @Test
  void anEnvironmentIsCreatedRenamedAndDeletedByTypingItsKey() {
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("settings/environments"));
    Locator envSelect = page.locator("#scope-env");
    assertThat(envSelect.locator("option[value=\"qa\"]")).hasCount(0);
    page.getByLabel("Key").fill("qa");
    page.getByLabel("Name (optional)").fill("QA");
    page.getByRole(AriaRole.BUTTON, named("Create environment")).click();
    Locator confirm = page.getByRole(AriaRole.DIALOG);
    assertThat(confirm).containsText("Create the environment qa");
    confirm.getByRole(AriaRole.BUTTON, inside("Create environment")).click();
    Locator row = page.locator("table.environments tr[data-environment=\"qa\"]");
    assertThat(row).containsText("QA");
    // The top bar knows it at once.
    assertThat(envSelect.locator("option[value=\"qa\"]")).hasCount(1);
    assertThat(page.locator("#notices")).containsText("Environment qa created.");
    tab.assertClean();

    // Renamed.
    row.getByRole(AriaRole.BUTTON, inside("Edit qa")).click();
    row.getByLabel("Name of qa").fill("Quality assurance");
    tab.assertClean();
    row.getByRole(AriaRole.BUTTON, inside("Save")).click();
    Locator change = page.getByRole(AriaRole.DIALOG);
    assertThat(change).containsText("\"QA\" → \"Quality assurance\"");
    change.getByRole(AriaRole.BUTTON, inside("Save")).click();
    assertThat(row).containsText("Quality assurance");
    assertThat(admin.get(P + "/environments/qa").object())
        .containsEntry("name", "Quality assurance");
    tab.screenshot("settings-environments-light-" + store);

    // Deleted, once its key is typed and a comment given.
    row.getByRole(AriaRole.BUTTON, inside("Delete qa")).click();
    Locator delete = page.getByRole(AriaRole.DIALOG);
    delete.getByLabel("Comment").fill("QA moved to staging");
    delete.getByLabel("to confirm").fill("q");
    delete.getByRole(AriaRole.BUTTON, inside("Delete")).click();
    assertThat(delete.getByRole(AriaRole.ALERT)).containsText("Type qa exactly");
    tab.assertClean();
    delete.getByLabel("to confirm").fill("qa");
    delete.getByRole(AriaRole.BUTTON, inside("Delete")).click();
    assertThat(row).hasCount(0);
    assertThat(envSelect.locator("option[value=\"qa\"]")).hasCount(0);
    assertThat(admin.get(P + "/environments/qa").status()).isEqualTo(404);
    assertThat(items("/api/v1/audit?resource=projects/default/environments/qa").getLast())
        .containsEntry("action", "environment.delete")
        .containsEntry("comment", "QA moved to staging");
    tab.assertClean();
  }

  @Test
  void aViewerHasNoSettingsInTheNavAndIsToldTheyAreForAdmins() {
    UiBrowser.Tab tab = tab().signIn(token("viewer"));
    Page page = tab.page();
    assertThat(page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Main")))
        .isVisible();
    assertThat(page.getByRole(AriaRole.LINK, named("Settings"))).hasCount(0);
    page.navigate(page("settings/tokens"));
    assertThat(page.locator("main")).containsText("Only admins see this page.");
    assertThat(page.locator("main button")).hasCount(0);
    assertThat(page.locator("main form")).hasCount(0);
    assertThat(page.locator("main input")).hasCount(0);
    tab.assertClean();
  }
}
