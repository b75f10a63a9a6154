package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollgate.cli.common.ExitCodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code rollgate triggers create|list|revoke} against a real server, and a call of the URL. */
class TriggersCliTest extends AdminCliTestBase {
  private static final String FIRING =
      "{\"version\": \"4\", \"status\": \"firing\", \"commonLabels\": {\"alertname\":"
          + " \"HighErrorRate\"}, \"alerts\": [{\"status\": \"firing\", \"labels\": {\"alertname\":"
          + " \"HighErrorRate\"}}]}";

  private static HttpResponse<String> post(String url, String body) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create(url))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void triggersAreCreatedCalledListedAndRevoked() throws Exception {
    checkoutFlag();
    Run created =
        ok(
            "triggers",
            "create",
            "new-checkout",
            "--env",
            "production",
            "--name",
            "high-error-rate",
            "--on-resolved",
            "switch-on",
            "-m",
            "INC-88",
            "-o",
            "table");
    assertThat(created.out()).contains("(high-error-rate): switch_off new-checkout in production");
    String prefix = "url (shown once, store it now): ";
    String url =
        created
            .out()
            .lines()
            .filter(l -> l.startsWith(prefix))
            .findFirst()
            .orElseThrow()
            .substring(prefix.length());
    assertThat(url).startsWith(server.admin().base() + "/api/v1/triggers/rgtr_");
    String secret = url.substring(url.lastIndexOf('/') + 1);

    HttpResponse<String> fired = post(url, FIRING);
    assertThat(fired.statusCode()).as(fired.body()).isEqualTo(200);
    assertThat(fired.body()).contains("\"result\":\"switched_off\"");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "production").json().path("state").asText())
        .isEqualTo("DISABLED");

    JsonNode list = ok("triggers", "list", "new-checkout", "--env", "production").json();
    assertThat(list.toString()).doesNotContain(secret);
    JsonNode trigger = list.path("items").get(0);
    assertThat(trigger.path("onResolved").asText()).isEqualTo("switch_on");
    assertThat(trigger.path("calls").asLong()).isEqualTo(1);
    assertThat(ok("triggers", "list", "new-checkout", "--env", "production", "-o", "table").out())
        .containsPattern("high-error-rate +switch_off +switch_on +1 +switched_off");
    assertThat(ok("audit", "list").out())
        .contains("trigger:high-error-rate")
        .doesNotContain(secret);

    String id = trigger.path("id").asText();
    ok("triggers", "revoke", "new-checkout", id, "--env", "production", "-m", "alert retired");
    assertThat(post(url, FIRING).statusCode()).isEqualTo(404);
    assertThat(ok("triggers", "list", "new-checkout", "--env", "production").json().path("items"))
        .isEmpty();
    assertThat(
            ok("triggers", "list", "new-checkout", "--env", "production", "--revoked")
                .json()
                .path("items"))
        .hasSize(1);

    fails(
        ExitCodes.USAGE,
        "triggers",
        "create",
        "new-checkout",
        "--env",
        "production",
        "--name",
        "x",
        "--action",
        "explode");
    fails(
        ExitCodes.NOT_FOUND,
        "triggers",
        "create",
        "no-such-flag",
        "--env",
        "production",
        "--name",
        "x");
  }
}
