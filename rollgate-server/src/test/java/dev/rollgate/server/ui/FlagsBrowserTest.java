package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlagsBrowserTest extends BrowserTestBase {

  @Test
  void signInShowsTheFlagsAndSignOutEndsTheSession() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    ApiClient sdk = server.as(server.sdkToken());
    for (int i = 0; i < 3; i++) {
      sdk.post(
          "/ofrep/v1/evaluate/flags/new-checkout",
          Map.of("context", Map.of("targetingKey", "u" + i)));
    }
    UiBrowser.Tab tab = tab();
    Page page = tab.page();
    page.navigate("/");
    // Not signed in: the sign-in form, with nothing of the data.
    page.waitForURL("**/ui/sign-in**");
    tab.assertClean();
    page.getByLabel("API token").fill("rgt_not-a-token");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page.getByRole(AriaRole.ALERT)).containsText("unknown or revoked");

    tab.signIn(TestServer.ADMIN_TOKEN);
    assertThat(page).hasURL(java.util.regex.Pattern.compile(".*/ui/p/default/production/flags$"));
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("new-checkout")))
        .isVisible();
    assertThat(
            page.getByRole(
                AriaRole.SWITCH, new Page.GetByRoleOptions().setName("new-checkout in production")))
        .hasAttribute("aria-checked", "true");
    assertThat(page.locator("main")).not().containsText("null");
    // This replica's usage: the last evaluation and the last hour's sparkline.
    Locator row = page.locator("tr[data-flag='new-checkout']");
    assertThat(row.getByRole(AriaRole.IMG))
        .hasAttribute("aria-label", "3 evaluations in the last hour");
    assertThat(row.locator("time")).containsText("ago");
    tab.assertClean();
    // The cookie is HttpOnly, SameSite=Strict, and the page holds no token.
    var cookie =
        tab.context().cookies().stream().filter(c -> c.name.equals("rollgate_session")).findFirst();
    assertThat(cookie).isPresent();
    assertThat(cookie.get().httpOnly).isTrue();
    assertThat(cookie.get().sameSite.name()).isEqualTo("STRICT");
    assertThat(
            (String)
                page.evaluate(
                    "() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie"))
        .doesNotContain("rgt_")
        .doesNotContain("rgs_");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    page.waitForURL("**/ui/sign-in**");
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("signed out");
    // The session is over on the server too: the old cookie no longer reads anything.
    ApiClient.Response after =
        admin
            .withToken(null)
            .send("GET", P + "/flags", null, "Cookie", "rollgate_session=" + cookie.get().value);
    assertThat(after.status()).isEqualTo(401);
    page.navigate(page("flags"));
    page.waitForURL("**/ui/sign-in**");
  }

  @Test
  void theProductionKillSwitchAsksForACommentAndTheKeyAndReachesOfrep() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    String sdk = server.sdkToken();
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    Locator toggle =
        page.getByRole(
            AriaRole.SWITCH, new Page.GetByRoleOptions().setName("new-checkout in production"));
    toggle.click();
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    assertThat(dialog).containsText("Kill switch");
    tab.assertClean();
    // Neither an empty comment nor a wrong key will do.
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Turn off")).click();
    assertThat(dialog.getByRole(AriaRole.ALERT)).containsText("comment is required");
    dialog.getByLabel("Comment").fill("checkout errors, INC-42");
    dialog.getByLabel("to confirm").fill("new-checkou");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Turn off")).click();
    assertThat(dialog.getByRole(AriaRole.ALERT)).containsText("Type new-checkout exactly");
    assertThat(toggle).hasAttribute("aria-checked", "true");
    dialog.getByLabel("to confirm").fill("new-checkout");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Turn off")).click();
    assertThat(toggle).hasAttribute("aria-checked", "false");
    assertThat(toggle).hasText("Off");

    // OFREP answers DISABLED, and the audit trail has the change with its comment, by the admin.
    ApiClient.Response ofrep =
        server
            .as(sdk)
            .post(
                "/ofrep/v1/evaluate/flags/new-checkout",
                Map.of("context", Map.of("targetingKey", "u1")));
    assertThat(ofrep.object()).containsEntry("reason", "DISABLED");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> events =
        (List<Map<String, Object>>)
            admin
                .get("/api/v1/audit?resource=projects/default/flags/new-checkout")
                .object()
                .get("items");
    Map<String, Object> last = events.get(events.size() - 1);
    assertThat(last).containsEntry("comment", "checkout errors, INC-42");
    assertThat(last.get("actor")).isEqualTo("bootstrap-admin");
  }

  @Test
  void aViewerFindsNoWriteControlsAndTheServerRefusesThemAnyway() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    UiBrowser.Tab tab = tab().signIn(token("viewer"));
    Page page = tab.page();
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("new-checkout")))
        .isVisible();
    assertThat(page.getByRole(AriaRole.SWITCH)).hasCount(0);
    assertThat(page.getByText("On").first()).isVisible();
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Settings")))
        .hasCount(0);
    tab.assertClean();
    // With the session's own CSRF token, a viewer's change is still refused by the server.
    Object status =
        page.evaluate(
            "async () => { const s = await (await fetch('/api/v1/session')).json();"
                + " const r = await fetch('/api/v1/projects/default/flags/new-checkout/environments/production',"
                + " {method: 'PATCH', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken},"
                + " body: JSON.stringify({state: 'DISABLED'})}); return r.status; }");
    assertThat(status).isEqualTo(403);
  }

  @Test
  void aStaleSessionIsSentToTheSignInPageAndBackAfterwards() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("flags/new-checkout"));
    // The session ends elsewhere (signed out from another tab, or expired).
    String secret =
        tab.context().cookies().stream()
            .filter(c -> c.name.equals("rollgate_session"))
            .findFirst()
            .orElseThrow()
            .value;
    try (var db = server.connect();
        var st = db.createStatement()) {
      st.executeUpdate("DELETE FROM sessions");
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
    assertThat(secret).startsWith("rgs_");
    page.navigate(page("flags?q=new"));
    page.waitForURL("**/ui/sign-in**");
    assertThat(page.getByRole(AriaRole.STATUS)).containsText("expired");
    page.getByLabel("API token").fill(TestServer.ADMIN_TOKEN);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    page.waitForURL("**/flags?q=new");
  }

  @Test
  void aChangeWithTheCookieButWithoutTheCsrfTokenIsRefused() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Object status =
        tab.page()
            .evaluate(
                "async () => (await fetch('/api/v1/projects/default/flags/new-checkout/environments/production',"
                    + " {method: 'PATCH', headers: {'Content-Type': 'application/json'},"
                    + " body: JSON.stringify({state: 'DISABLED'})})).status");
    assertThat(status).isEqualTo(403);
    @SuppressWarnings("unchecked")
    Map<String, Object> production =
        (Map<String, Object>)
            ((Map<String, Object>)
                    admin.get(P + "/flags/new-checkout").object().get("environments"))
                .get("production");
    assertThat(production).containsEntry("state", "ENABLED");
  }
}
