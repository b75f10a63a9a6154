package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The flag page's prerequisites and scheduled changes, and the invalid badge of a flag imported as
 * flagd takes it.
 */
class FlagLifecycleBrowserTest extends BrowserTestBase {
  private static final String FLAG = P + "/flags/new-checkout";
  private static final Map<String, Object> ON_OFF = Map.of("on", true, "off", false);

  private Page open(UiBrowser.Tab tab) {
    Page page = tab.page();
    page.navigate(page("flags/new-checkout"));
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
        .hasText("new-checkout");
    assertThat(page.locator("section.schedules h2")).hasText("Scheduled changes in production");
    return page;
  }

  private static void confirm(Page page, String button, String comment) {
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    dialog.getByLabel("Comment").fill(comment);
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(button)).click();
    assertThat(dialog).hasCount(0);
  }

  @Test
  void prerequisitesAreAddedAndRemovedAndACycleIsRefusedOnThePage() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.enabled("payments-v2", ON_OFF, "on")).status())
        .isEqualTo(201);
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = open(tab);
    assertThat(page.locator(".prereq-none")).containsText("None");

    page.getByLabel("Flag", new Page.GetByLabelOptions().setExact(true))
        .selectOption("payments-v2");
    assertThat(page.locator("#prereq-variants")).hasValue("on");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add prerequisite"))
        .click();
    confirm(page, "Save", "PAY-7 needs the new payments");
    assertThat(page.locator("table.prereq-table tbody tr")).hasCount(1);
    assertThat(page.locator("table.prereq-table")).containsText("payments-v2");
    assertThat(page.locator("tr[data-env=production]")).containsText("1 prerequisite");
    tab.assertClean();

    @SuppressWarnings("unchecked")
    Map<String, Object> production =
        (Map<String, Object>)
            ((Map<String, Object>) admin.get(FLAG).object().get("environments")).get("production");
    assertThat(production.get("prerequisites"))
        .isEqualTo(List.of(Map.of("flag", "payments-v2", "variants", List.of("on"))));
    List<?> audit =
        (List<?>)
            admin
                .get("/api/v1/audit?resource=projects/default/flags/new-checkout")
                .object()
                .get("items");
    assertThat(((Map<?, ?>) audit.get(audit.size() - 1)).get("comment"))
        .isEqualTo("PAY-7 needs the new payments");

    // On payments-v2's page, requiring new-checkout would close a cycle: the server says so.
    page.navigate(page("flags/payments-v2"));
    assertThat(page.locator("section.schedules h2")).hasText("Scheduled changes in production");
    page.getByLabel("Flag", new Page.GetByLabelOptions().setExact(true))
        .selectOption("new-checkout");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add prerequisite"))
        .click();
    confirm(page, "Save", "try a cycle");
    assertThat(page.locator(".prereq-problem [role=alert]"))
        .containsText("prerequisites form a cycle: new-checkout -> payments-v2 -> new-checkout");
    assertThat(page.locator(".prereq-none")).containsText("None");

    page.navigate(page("flags/new-checkout"));
    page.getByRole(
            AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Remove prerequisite payments-v2"))
        .click();
    confirm(page, "Save", "PAY-7 done");
    assertThat(page.locator(".prereq-none")).containsText("None");
    assertThat(tab.accessibilityViolations()).isEmpty();
    tab.assertClean();
  }

  @Test
  void aChangeIsScheduledListedAndCancelled() {
    assertThat(
            admin.post(TestFlags.FLAGS, TestFlags.enabled("new-checkout", ON_OFF, "off")).status())
        .isEqualTo(201);
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = open(tab);
    assertThat(page.locator(".schedule-none")).hasText("None.");

    // A percentage step an hour from now (the form's default time).
    page.getByLabel("Change", new Page.GetByLabelOptions().setExact(true))
        .selectOption("percentage");
    page.getByLabel("Percentage").fill("25");
    page.getByLabel("Comment (kept in the audit trail)").fill("CHG-88 after the peak");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Schedule")).click();
    Locator rows = page.locator("table.schedule-table tbody tr");
    assertThat(rows).hasCount(1);
    assertThat(rows.first()).containsText("on to 25% (a percentage step)");
    assertThat(rows.first()).containsText("PENDING");
    assertThat(rows.first()).containsText("CHG-88 after the peak");

    List<?> items =
        (List<?>) admin.get(FLAG + "/environments/production/schedules").object().get("items");
    assertThat(items).hasSize(1);
    Map<?, ?> schedule = (Map<?, ?>) items.get(0);
    assertThat(schedule.get("change")).isEqualTo(Map.of("percentage", 25L, "variant", "on"));
    long inMinutes =
        java.time.Duration.between(
                java.time.Instant.now(), java.time.Instant.parse((String) schedule.get("at")))
            .toMinutes();
    assertThat(inMinutes).isBetween(50L, 61L);

    // A time in the past cannot be scheduled: refused with the server's reason.
    page.getByLabel("Change", new Page.GetByLabelOptions().setExact(true)).selectOption("off");
    page.getByLabel("When (your time zone)").fill("2020-01-01T10:00");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Schedule")).click();
    assertThat(page.locator(".schedule-problem [role=alert]"))
        .containsText("must be in the future");
    assertThat(rows).hasCount(1);

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Cancel the change at"))
        .click();
    confirm(page, "Cancel the change", "the peak moved");
    assertThat(rows.first()).containsText("CANCELLED");
    assertThat(
            ((Map<?, ?>)
                    admin
                        .get(FLAG + "/environments/production/schedules/" + schedule.get("id"))
                        .object())
                .get("state"))
        .isEqualTo("CANCELLED");
    assertThat(tab.accessibilityViolations()).isEmpty();
    tab.assertClean();
  }

  @Test
  void theStaleFlagPageListsTheEvidenceAndArchives() throws Exception {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.enabled("done", ON_OFF, "on")).status())
        .isEqualTo(201);
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.enabled("idle", ON_OFF, "off")).status())
        .isEqualTo(201);
    try (var db = server.connect();
        var st = db.prepareStatement("UPDATE flags SET created_at = ?, updated_at = ?")) {
      long old = System.currentTimeMillis() - java.time.Duration.ofDays(40).toMillis();
      st.setLong(1, old);
      st.setLong(2, old);
      st.executeUpdate();
    }
    server
        .as(server.sdkToken())
        .post("/ofrep/v1/evaluate/flags/done", Map.of("context", Map.of("targetingKey", "u1")));
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("flags"));
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Stale flags")).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
        .hasText("Stale flags");
    Locator unused = page.locator("section.notEvaluated");
    assertThat(unused.locator("h2")).containsText("Not evaluated for 30 days (1)");
    assertThat(unused.locator("tr[data-flag=idle]"))
        .containsText("not evaluated in production for 30 days (never evaluated)");
    assertThat(page.locator("section.fullyRolledOut tr[data-flag=done]"))
        .containsText("served on to every evaluation in production for 30 days (1 evaluation)");
    assertThat(page.locator("section.unchanged tbody tr")).hasCount(2);
    assertThat(tab.accessibilityViolations()).isEmpty();

    page.getByLabel("Period").selectOption("90");
    assertThat(unused.locator("h2")).containsText("Not evaluated for 90 days (0)");
    assertThat(page).hasURL(java.util.regex.Pattern.compile(".*days=90$"));
    page.getByLabel("Period").selectOption("30");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Archive idle")).click();
    confirm(page, "Archive", "unused since the launch");
    assertThat(unused.locator("h2")).containsText("(0)");
    assertThat(admin.get(P + "/flags/idle").object()).containsEntry("archived", true);
    tab.assertClean();
  }

  @Test
  void aFlagdDocumentIsImportedFromThePageStrictlyOrAsFlagdTakesIt() {
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("flags"));
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Import")).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
        .hasText("Import into production");
    page.getByLabel("Document (JSON): chosen from a file, or pasted").fill("{\"flags\": ");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Import into production…"))
        .click();
    assertThat(page.locator(".import-result [role=alert]")).containsText("not JSON");

    page.getByLabel("Document (JSON): chosen from a file, or pasted")
        .fill(
            "{\"flags\": {\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"A\"},"
                + " \"defaultVariant\": \"a\"}, \"new-search\": {\"state\": \"ENABLED\","
                + " \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
                + " \"targeting\": {\"if\": [{\"$ref\": \"beta-testers\"}, \"on\"]}}}}");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Import into production…"))
        .click();
    confirm(page, "Import", "moving from flagd");
    assertThat(page.locator(".import-result [role=alert]"))
        .containsText("$ref to unknown evaluator \"beta-testers\"");
    assertThat(admin.get(P + "/flags/banner").status()).as("all or nothing").isEqualTo(404);

    page.getByLabel("As flagd takes it", new Page.GetByLabelOptions().setExact(false)).check();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Import into production…"))
        .click();
    confirm(page, "Import", "moving from flagd");
    assertThat(page.locator(".import-created")).containsText("Created (2)");
    assertThat(page.locator(".import-warnings"))
        .containsText("new-search: flags.new-search.targeting.if[0].$ref");
    assertThat(admin.get(P + "/flags/banner").status()).isEqualTo(200);
    assertThat(tab.accessibilityViolations()).isEmpty();

    // Unleash: a custom strategy is refused with the feature's name; a payload that converts is in.
    page.getByLabel("Format").selectOption("unleash");
    assertThat(page.locator(".import-options")).isHidden();
    String custom =
        "{\"version\": 2, \"features\": [{\"name\": \"dark-mode\", \"enabled\": true,"
            + " \"strategies\": [{\"name\": \"myCustom\", \"parameters\": {}}]}]}";
    page.getByLabel("Document (JSON): chosen from a file, or pasted").fill(custom);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Import into production…"))
        .click();
    confirm(page, "Import", "moving from Unleash");
    assertThat(page.locator(".import-result [role=alert]")).containsText("dark-mode");
    page.getByLabel("Document (JSON): chosen from a file, or pasted")
        .fill(
            custom.replace("myCustom", "flexibleRollout").replace("{}", "{\"rollout\": \"100\"}"));
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Import into production…"))
        .click();
    confirm(page, "Import", "moving from Unleash");
    assertThat(page.locator(".import-created")).containsText("dark-mode");
    assertThat(admin.get(P + "/flags/dark-mode").status()).isEqualTo(200);
    tab.assertClean();
  }

  @Test
  void aFlagImportedAsFlagdTakesItIsMarkedInvalidWithItsProblem() {
    String document =
        "{\"flags\": {\"new-search\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true,"
            + " \"off\": false}, \"defaultVariant\": \"off\", \"targeting\": {\"if\":"
            + " [{\"$ref\": \"beta-testers\"}, \"on\"]}}}}";
    assertThat(
            admin
                .send(
                    "PUT",
                    P + "/environments/production/flagd?strict=false",
                    dev.rollgate.core.json.Json.parse(document))
                .status())
        .isEqualTo(200);
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = tab.page();
    page.navigate(page("flags"));
    Locator row = page.locator("tr[data-flag=new-search]");
    assertThat(row).containsText("Invalid");
    page.navigate(page("flags/new-search"));
    Locator production = page.locator("tr[data-env=production]");
    assertThat(production).containsText("Invalid: serves PARSE_ERROR");
    assertThat(production.locator(".flag-problems"))
        .containsText("$ref to unknown evaluator \"beta-testers\"");
    tab.assertClean();
  }
}
