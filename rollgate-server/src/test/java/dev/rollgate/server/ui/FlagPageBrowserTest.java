package dev.rollgate.server.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.ColorScheme;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The flag page: its rule editor checked by the server's compile, the why panel, history. */
class FlagPageBrowserTest extends BrowserTestBase {
  private static final String FLAG = P + "/flags/new-checkout";

  /** An unknown operator two levels down, which the server's strict compile refuses. */
  private static final String UNKNOWN_OPERATOR =
      """
      {
        "if": [
          {"in": ["a", {"bogus": [1]}]},
          "on"
        ]
      }\
      """;

  private static final String STAFF_ONLY =
      """
      {
        "if": [
          {"ends_with": [{"var": "email"}, "@shop.example"]},
          "on"
        ]
      }\
      """;

  private Page open(UiBrowser.Tab tab) {
    Page page = tab.page();
    page.navigate(page("flags/new-checkout"));
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)))
        .hasText("new-checkout");
    // The history is the last part to arrive.
    assertThat(page.locator("table.history tbody")).not().hasCount(0);
    return page;
  }

  private static Locator editor(Page page) {
    return page.getByLabel("Targeting in production");
  }

  @Test
  void aRuleIsCheckedByTheServerAsItIsTypedAndSavedWithAComment() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    List<String> dryRuns = Collections.synchronizedList(new ArrayList<>());
    tab.page()
        .onRequest(r -> {
          if (r.url().contains("dryRun=true")) {
            dryRuns.add(r.postData());
          }
        });
    Page page = open(tab);
    // The header, the variants and every environment.
    assertThat(page.locator(".flag-facts")).containsText("boolean");
    assertThat(page.locator(".flag-facts")).containsText("checkout");
    assertThat(
            page.getByRole(
                AriaRole.LINK, new Page.GetByRoleOptions().setName("Rollout in production")))
        .hasAttribute("href", "/ui/p/default/production/flags/new-checkout/rollout");
    assertThat(
            page.getByRole(
                AriaRole.LINK, new Page.GetByRoleOptions().setName("Audit trail of this flag")))
        .hasAttribute(
            "href",
            "/ui/p/default/production/audit?resource=projects%2Fdefault%2Fflags%2Fnew-checkout");
    assertThat(page.locator("tr[data-env]")).hasCount(3);
    assertThat(page.locator("tr[data-env=production]")).containsText("Rule set");
    assertThat(page.locator("tr[data-env=staging]")).containsText("No rule");
    assertThat(
            page.getByRole(
                AriaRole.SWITCH, new Page.GetByRoleOptions().setName("new-checkout in staging")))
        .hasAttribute("aria-checked", "false");
    assertThat(editor(page)).hasValue(Pattern.compile("\"var\": \"plan\""));
    Locator save =
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save to production…"));
    assertThat(save).isDisabled();
    tab.assertClean();

    // Invalid JSON: its line and column, and no request.
    editor(page).fill("{\n  \"if\": [\n    {\"==\": [1, 1]},\n    \"on\"\n  \n}");
    Locator problem = page.locator("#rule-problem");
    assertThat(problem).containsText("JSON syntax");
    assertThat(problem).containsText("line 6, column 1");
    assertThat(problem).containsText("expected \",\" or \"]\"");
    assertThat(editor(page)).hasAttribute("aria-invalid", "true");
    assertThat(page.locator("#rule-status")).containsText("Nothing was sent to the server");
    assertThat(save).isDisabled();
    assertThat(dryRuns).isEmpty();
    tab.assertClean();

    // JSON the server's compile refuses: the path and message at the editor, the part marked.
    editor(page).fill(UNKNOWN_OPERATOR);
    assertThat(problem).containsText("targeting.if[0].in[1].bogus");
    assertThat(problem).containsText("unknown operator \"bogus\"");
    assertThat(problem).containsText("line 3, column 19");
    assertThat(problem.locator("mark")).hasText("\"bogus\": [1]");
    assertThat(editor(page)).hasAttribute("aria-invalid", "true");
    assertThat(editor(page))
        .hasAccessibleDescription(Pattern.compile(".*unknown operator \"bogus\".*"));
    assertThat(save).isDisabled();
    assertThat(dryRuns).isNotEmpty();
    assertThat(Json.parse(dryRuns.get(dryRuns.size() - 1)))
        .isEqualTo(
            Json.parse("{\"targeting\": " + UNKNOWN_OPERATOR + ", \"defaultVariant\": \"off\"}"));
    problem
        .getByRole(
            AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Select it in the editor"))
        .click();
    assertThat(editor(page)).isFocused();
    assertThat(editor(page).evaluate("t => t.value.slice(t.selectionStart, t.selectionEnd)"))
        .isEqualTo("\"bogus\": [1]");
    tab.screenshot("flag-rule-error-" + store);
    tab.assertClean();
    // The dry runs wrote nothing.
    assertThat(admin.get(FLAG).object()).containsEntry("version", 1L);

    // A variant the flag has not: the server compiles it (callers would get ERROR), so the page
    // warns without blocking.
    editor(page).fill("{\"if\": [{\"==\": [{\"var\": \"plan\"}, \"pro\"]}, \"onn\"]}");
    assertThat(page.locator("#rule-status")).containsText("The server compiles this rule");
    assertThat(problem).containsText("\"onn\" is not a variant of new-checkout");
    assertThat(problem.locator("mark")).hasText("\"onn\"");
    assertThat(editor(page)).not().hasAttribute("aria-invalid", "true");
    assertThat(save).isEnabled();

    // Fixed: the problem goes, and saving asks for a comment in production.
    editor(page).fill(STAFF_ONLY);
    assertThat(page.locator("#rule-status")).containsText("The server compiles this rule");
    assertThat(problem).isEmpty();
    assertThat(editor(page)).not().hasAttribute("aria-invalid", "true");
    assertThat(save).isEnabled();
    save.click();
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    assertThat(dialog).containsText("Save new-checkout in production");
    assertThat(dialog).containsText("the targeting rule changes");
    tab.assertClean();
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save")).click();
    assertThat(dialog.getByRole(AriaRole.ALERT)).containsText("comment is required");
    dialog.getByLabel("Comment").fill("INC-7: shop staff only");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Save")).click();
    assertThat(dialog).hasCount(0);
    assertThat(page.locator("#rule-status")).containsText("Saved: version 2");

    // The server has it, serves it, and the page's history shows the change with its comment.
    @SuppressWarnings("unchecked")
    Map<String, Object> production =
        (Map<String, Object>)
            ((Map<String, Object>) admin.get(FLAG).object().get("environments")).get("production");
    assertThat(production.get("targeting")).isEqualTo(Json.parse(STAFF_ONLY));
    ApiClient sdk = server.as(server.sdkToken());
    Map<String, Object> staff =
        sdk.post(
                "/ofrep/v1/evaluate/flags/new-checkout",
                Map.of("context", Map.of("targetingKey", "u1", "email", "ana@shop.example")))
            .object();
    assertThat(staff).containsEntry("variant", "on").containsEntry("reason", "TARGETING_MATCH");
    Locator newest = page.locator("table.history tbody").first();
    assertThat(page.locator("table.history tbody")).hasCount(2);
    assertThat(newest).containsText("INC-7: shop staff only");
    assertThat(newest).containsText("flag.update");
    assertThat(newest).containsText("environments.production.targeting");
    assertThat(newest.locator("ins")).containsText("ends_with");
    assertThat(newest).containsText("version 1 → 2");
    assertThat(page.locator("table.history tbody").last()).containsText("flag.create");
    tab.screenshot("flag-saved-" + store);
    tab.assertClean();
  }

  @Test
  void theWhyPanelExplainsAMatchAndTheDefault() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = open(tab);
    page.getByLabel("Targeting key").fill("u1");
    page.getByLabel("Attributes (JSON object)").fill("{\"plan\": \"pro\"}");
    Locator explain =
        page.getByRole(
            AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Explain in production"));
    explain.click();
    assertThat(page.locator(".why-reason")).hasText("TARGETING_MATCH");
    assertThat(page.locator(".why-variant")).hasText("on");
    assertThat(page.locator(".why-answer")).containsText("true");
    Locator steps = page.locator("ol.why-steps li");
    assertThat(steps.first()).containsText("condition matched");
    assertThat(steps.first()).containsText("{\"==\":[{\"var\":\"plan\"},\"pro\"]}");
    assertThat(steps.last()).containsText("targeting chose variant \"on\"");
    // The question is in the address, so it can be pasted.
    assertThat(page).hasURL(Pattern.compile(".*\\?key=u1&attrs=.*pro.*"));
    tab.assertClean();

    page.getByLabel("Attributes (JSON object)").fill("{\"plan\": \"free\"}");
    explain.click();
    assertThat(page.locator(".why-reason")).hasText("DEFAULT");
    assertThat(page.locator(".why-variant")).hasText("off");
    assertThat(steps.first()).containsText("condition did not match");
    assertThat(steps.last()).containsText("serving the default variant \"off\"");
    tab.screenshot("flag-why-" + store);
    tab.assertClean();

    // Attributes that are not JSON are said where they are wrong, and nothing is asked.
    page.getByLabel("Attributes (JSON object)").fill("{plan: 1}");
    explain.click();
    assertThat(page.locator("#why-problem")).containsText("line 1, column 2");
    assertThat(page.getByLabel("Attributes (JSON object)")).hasAttribute("aria-invalid", "true");
    assertThat(page.locator(".why-reason")).hasText("DEFAULT");
    tab.assertClean();

    // Opening the address again asks the same question.
    page.navigate(
        page(
            "flags/new-checkout?key=u2&attrs="
                + java.net.URLEncoder.encode(
                    "{\"plan\":\"pro\"}", java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(page.locator(".why-reason")).hasText("TARGETING_MATCH");
  }

  @Test
  void aViewerSeesTheFlagWithoutWriteControls() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    assertThat(
            admin
                .patch(
                    FLAG + "/environments/production",
                    Map.of("metadata", Map.of("owner", "payments")))
                .status())
        .isEqualTo(200);
    UiBrowser.Tab tab = tab().signIn(token("viewer"));
    Page page = open(tab);
    assertThat(page.locator(".flag-facts")).containsText("payments");
    assertThat(page.getByRole(AriaRole.SWITCH)).hasCount(0);
    assertThat(page.locator("tr[data-env=production]")).containsText("On");
    assertThat(page.locator("#rule-text")).hasCount(0);
    assertThat(page.locator("pre.rule-read")).containsText("\"pro\"");
    // The only button on the page is the why panel's, which reads.
    Locator main = page.locator("main");
    assertThat(main.getByRole(AriaRole.BUTTON)).hasCount(1);
    assertThat(main.getByRole(AriaRole.BUTTON)).hasText("Explain in production");
    assertThat(main.getByRole(AriaRole.COMBOBOX)).hasCount(0);
    assertThat(main.locator("textarea")).hasCount(1);
    assertThat(main.locator("textarea")).hasId("why-attrs");
    assertThat(page.locator("table.history tbody")).hasCount(2);
    assertThat(page.locator("table.history tbody").first())
        .containsText("environments.production.metadata.owner");
    tab.assertClean();
    page.getByLabel("Targeting key").fill("u1");
    page.getByLabel("Attributes (JSON object)").fill("{\"plan\": \"pro\"}");
    main.getByRole(AriaRole.BUTTON).click();
    assertThat(page.locator(".why-reason")).hasText("TARGETING_MATCH");
    tab.screenshot("flag-viewer-" + store);
    tab.assertClean();
  }

  @Test
  void aChangeMadeMeanwhileIsSaidAndTheFlagReloadedKeepingTheDraft() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    UiBrowser.Tab tab = tab().signIn(TestServer.ADMIN_TOKEN);
    Page page = open(tab);
    // Someone else changes the flag after the page loaded.
    assertThat(
            admin
                .patch(
                    FLAG + "/environments/production", Map.of("targeting", Json.parse(STAFF_ONLY)))
                .status())
        .isEqualTo(200);
    editor(page).fill("{\"if\": [{\"==\": [{\"var\": \"plan\"}, \"team\"]}, \"on\"]}");
    Locator problem = page.locator("#rule-problem");
    assertThat(problem.getByRole(AriaRole.ALERT))
        .containsText("The flag changed since this page loaded");
    tab.assertClean();
    problem
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reload the flag"))
        .click();
    assertThat(editor(page)).hasValue(Pattern.compile("ends_with"));
    assertThat(page.locator("details.draft pre")).containsText("\"team\"");
    assertThat(page.locator("table.history tbody")).hasCount(2);
    tab.assertClean();
  }

  @Test
  void thePageReadsInDarkAndAt390Pixels() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    assertThat(
            admin
                .patch(
                    FLAG + "/environments/production", Map.of("targeting", Json.parse(STAFF_ONLY)))
                .status())
        .isEqualTo(200);
    UiBrowser.Tab dark = tab(1280, 800, ColorScheme.DARK).signIn(TestServer.ADMIN_TOKEN);
    Page page = open(dark);
    editor(page).fill(UNKNOWN_OPERATOR);
    assertThat(page.locator("#rule-problem mark")).hasText("\"bogus\": [1]");
    page.getByLabel("Targeting key").fill("u1");
    page.getByLabel("Attributes (JSON object)").fill("{\"email\": \"ana@shop.example\"}");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Explain in production"))
        .click();
    assertThat(page.locator(".why-reason")).hasText("TARGETING_MATCH");
    page.locator("table.history details summary").first().click();
    dark.screenshot("flag-dark-" + store);
    dark.assertClean();

    UiBrowser.Tab narrow = tab(390, 844, ColorScheme.LIGHT).signIn(TestServer.ADMIN_TOKEN);
    Page small = open(narrow);
    editor(small).fill(UNKNOWN_OPERATOR);
    assertThat(small.locator("#rule-problem mark")).hasText("\"bogus\": [1]");
    // Nothing but the tables' own scrolling areas is wider than the screen.
    assertThat(small.evaluate("() => document.documentElement.scrollWidth")).isEqualTo(390);
    narrow.screenshot("flag-390-" + store);
    narrow.assertClean();
  }
}
