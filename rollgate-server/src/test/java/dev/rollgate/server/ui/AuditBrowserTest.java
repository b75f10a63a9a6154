package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AuditBrowserTest extends BrowserTestBase {
  private static final String FLAG = "projects/default/flags/new-checkout";

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> events(String query) {
    return (List<Map<String, Object>>) admin.get("/api/v1/audit" + query).object().get("items");
  }

  /** The kill switch, thrown through the API with a comment; its event's seq. */
  private long killSwitch() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    assertThat(
            admin
                .send(
                    "PATCH",
                    P + "/flags/new-checkout/environments/production",
                    Map.of("state", "DISABLED"),
                    "X-Rollgate-Comment",
                    "checkout errors, INC-7")
                .status())
        .isEqualTo(200);
    return ((Number) events("?resource=" + FLAG).getLast().get("seq")).longValue();
  }

  private Locator row(Page page, long seq) {
    return page.locator("table.audit > tbody > tr[data-seq=\"" + seq + "\"]");
  }

  private void tamper(long seq) throws SQLException {
    try (Connection c = server.connect();
        PreparedStatement update =
            c.prepareStatement("UPDATE audit_events SET comment = ? WHERE seq = ?")) {
      update.setString(1, "nothing happened");
      update.setLong(2, seq);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }

  @Test
  void theKillSwitchIsInTheTrailWithItsCommentAndTamperingIsFound() throws SQLException {
    long seq = killSwitch();
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("audit"));
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Audit log")))
        .isVisible();
    Locator event = row(page, seq);
    assertThat(event).containsText("checkout errors, INC-7");
    assertThat(event).containsText("bootstrap-admin");
    assertThat(event).containsText("bootstrap"); // the actor's id
    assertThat(event).containsText(FLAG);
    // Before and after, as the fields that changed.
    event.locator("details.diff > summary").click();
    Locator diff = event.locator("table.diff");
    assertThat(diff).isVisible();
    Locator state =
        diff.locator("tbody tr").filter(new Locator.FilterOptions().setHasText("state"));
    assertThat(state.locator("td.was")).hasText("\"ENABLED\"");
    assertThat(state.locator("td.now")).hasText("\"DISABLED\"");
    tab.assertClean();
    tab.screenshot("audit-light-" + store);

    // The filter is in the address, so other pages (and incident channels) can link to it.
    page.navigate(page("audit?resource=" + FLAG));
    assertThat(page.getByLabel("Resource")).hasValue(FLAG);
    assertThat(page.locator("table.audit > tbody > tr")).hasCount(2); // created, disabled
    assertThat(page.locator("#audit-count")).containsText("2 events on " + FLAG);
    // And the form puts what it filters into the address.
    page.getByLabel("Action").fill("flag.disable");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply filters")).click();
    assertThat(page).hasURL(Pattern.compile(".*[?&]action=flag\\.disable.*"));
    assertThat(page.locator("table.audit > tbody > tr")).hasCount(1);
    assertThat(row(page, seq)).isVisible();
    tab.assertClean();
    // Times are UTC, in the filters as in the table.
    page.getByLabel("From (UTC)").fill("2099-01-01T00:00");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply filters")).click();
    assertThat(page).hasURL(Pattern.compile(".*[?&]from=2099-01-01T00%3A00%3A00Z.*"));
    assertThat(page.locator("table.audit > tbody")).containsText("No events match.");

    // Verify: valid, with the count of events, then against a checkpoint kept from the page.
    page.navigate(page("audit"));
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify the chain"))
        .click();
    Locator result = page.locator("#verify-result");
    long total = ((Number) admin.get("/api/v1/audit/checkpoint").object().get("seq")).longValue();
    assertThat(result).containsText("Valid");
    assertThat(result).containsText("The chain of " + total + " events is whole");
    assertThat(result).containsText("0 unsigned events");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Show the checkpoint"))
        .click();
    assertThat(page.locator("#checkpoint-json")).containsText("\"signature\"");
    assertThat(
            page.getByRole(
                AriaRole.LINK, new Page.GetByRoleOptions().setName("Download checkpoint")))
        .hasAttribute("download", "rollgate-checkpoint-" + total + ".json");
    String checkpoint = page.locator("#checkpoint-json").textContent();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify against it"))
        .click();
    assertThat(page.getByLabel("Checkpoint to verify against")).hasValue(checkpoint);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify the chain"))
        .click();
    assertThat(result).containsText("reaches the checkpoint's event " + total);
    tab.assertClean();

    // Someone with the database rewrites the kill switch's comment: the chain breaks there.
    tamper(seq);
    page.reload();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify the chain"))
        .click();
    assertThat(result).containsText("Invalid");
    assertThat(result.locator(".broken-seq")).hasText(String.valueOf(seq));
    assertThat(result).containsText("hash does not match the event's content");
    assertThat(row(page, seq)).hasClass(Pattern.compile("\\bbroken\\b"));
    assertThat(row(page, seq)).containsText("Broken link");
    assertThat(page.locator("table.audit tr.broken")).hasCount(1);
    tab.assertClean();
    tab.screenshot("audit-broken-" + store);

    // The link to the broken event opens the list there and verifies again.
    result.getByRole(AriaRole.LINK).click();
    assertThat(page).hasURL(Pattern.compile(".*[?&]after=" + (seq - 1) + ".*"));
    assertThat(page.locator("table.audit > tbody > tr").first())
        .hasAttribute("data-seq", String.valueOf(seq));
    assertThat(row(page, seq)).containsText("Broken link");

    UiBrowser.Tab dark = tab(1280, 800, ColorScheme.DARK).signIn(TestServer.ADMIN_TOKEN);
    dark.page().navigate(page("audit?verify=1"));
    assertThat(dark.page().locator("#verify-result")).containsText("Invalid");
    row(dark.page(), seq).locator("details.diff > summary").click();
    dark.assertClean();
    dark.screenshot("audit-dark-" + store);
    UiBrowser.Tab narrow = tab(390, 844, ColorScheme.LIGHT).signIn(TestServer.ADMIN_TOKEN);
    narrow.page().navigate(page("audit"));
    assertThat(row(narrow.page(), seq)).isVisible();
    narrow.assertClean();
    narrow.screenshot("audit-390-" + store);
  }

  @Test
  void aViewerReadsAndVerifiesButSeesNoTokenEventsAndNoWriteControls() {
    long seq = killSwitch();
    String viewer = token("viewer"); // its creation is an event about a token: admins only
    long tokenEvents = events("?resource=tokens").size();
    assertThat(tokenEvents).isPositive();
    UiBrowser.Tab tab = tab().signIn(viewer);
    Page page = tab.page();
    page.navigate(page("audit"));
    assertThat(row(page, seq)).containsText("checkout errors, INC-7");
    assertThat(page.locator("table.audit")).not().containsText("tokens/");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Verify the chain"))
        .click();
    assertThat(page.locator("#verify-result")).containsText("Valid");
    // Reading, filtering and verifying only: nothing on the page changes anything.
    assertThat(page.locator("main button:visible"))
        .hasText(new String[] {"Apply filters", "Verify the chain", "Show the checkpoint"});
    assertThat(page.locator("main form")).hasCount(1);
    assertThat(page.locator("main form")).hasAttribute("role", "search");
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Settings")))
        .hasCount(0);
    tab.assertClean();
  }
}
