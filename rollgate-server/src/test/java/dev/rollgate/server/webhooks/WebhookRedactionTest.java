package dev.rollgate.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the audit trail keeps of a webhook's URL. */
class WebhookRedactionTest {
  @Test
  void theAuditTrailKeepsTheOriginAndAFingerprintOfTheRest() {
    String slack = "https://hooks.slack.com/services/T0001/B0001/s3cr3tT0k3n";
    String redacted = WebhookService.redacted(slack);
    assertThat(redacted).matches("https://hooks\\.slack\\.com/\u2026#sha256:[0-9a-f]{8}");
    assertThat(WebhookService.redacted(slack + "x")).isNotEqualTo(redacted);
    assertThat(WebhookService.redacted(slack)).isEqualTo(redacted);
    assertThat(WebhookService.redacted("http://user:pw@hooks.example.com:8080/x?token=t"))
        .startsWith("http://hooks.example.com:8080/\u2026#sha256:")
        .doesNotContain("user", "pw", "token");
    assertThat(WebhookService.redacted("not a url")).startsWith("\u2026#sha256:");
  }
}
