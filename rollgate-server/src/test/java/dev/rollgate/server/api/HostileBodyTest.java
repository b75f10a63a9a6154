package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.RawHttp;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bodies a hostile or careless client sends: broken chunking and charsets the server does not read.
 * Each is a 4xx JSON error on every endpoint that takes a body, never a 500.
 */
class HostileBodyTest extends ServerTestBase {

  /** The endpoints that read a body, with the token each takes. */
  private List<String[]> endpoints() {
    String sdk = token("sdk");
    return List.of(
        new String[] {P + "/flags", TestServer.ADMIN_TOKEN},
        new String[] {"/ofrep/v1/evaluate/flags", sdk},
        new String[] {"/ofrep/v1/evaluate/flags/anything", sdk},
        new String[] {"/api/v1/events", sdk});
  }

  @Test
  void aMalformedChunkedBodyIsABadRequest() throws IOException {
    for (String[] e : endpoints()) {
      String answer =
          RawHttp.send(
              admin.base(),
              "POST "
                  + e[0]
                  + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                  + e[1]
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                  + "Connection: close\r\n\r\nzz\r\n\r\n");
      assertThat(answer).as(e[0]).startsWith("HTTP/1.1 400");
      assertThat(answer).as(e[0]).contains("\"code\":\"malformed_body\"").contains("requestId");
    }
  }

  @Test
  void aCharsetOtherThanUtf8IsRefusedNamingTheOneThatIs() {
    for (String[] e : endpoints()) {
      for (String type :
          new String[] {
            "application/json; charset=latin-1",
            "application/json; charset=bogus",
            "application/json;charset=utf-7",
            "application/jsonx"
          }) {
        Response r = admin.withToken(e[1]).send("POST", e[0], "{}", "Content-Type", type);
        assertThat(r.status()).as("%s %s", e[0], type).isEqualTo(415);
        assertThat(r.object()).containsEntry("code", "unsupported_media_type");
        assertThat((String) r.object().get("message")).contains("charset=utf-8");
      }
    }
    // UTF-8, named in any case, is read as before.
    Response utf8 =
        admin.send(
            "POST",
            P + "/flags",
            Map.of("key", "ok", "variants", Map.of("on", true)),
            "Content-Type",
            "application/json; charset=UTF-8");
    assertThat(utf8.status()).isEqualTo(201);
  }

  @Test
  void errorsJettyAnswersItselfAreRollgatesJsonWithItsHeaders() throws IOException {
    Map<String, String> requests =
        Map.of(
            "400",
            "GARBAGE\r\n\r\n",
            "400 ",
            "GET /ofrep/v1/evaluate/flags/a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
            "414",
            "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "431",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n",
            "505",
            "GET / HTTP/9.9\r\nHost: x\r\n\r\n");
    for (Map.Entry<String, String> e : requests.entrySet()) {
      String answer = RawHttp.send(admin.base(), e.getValue());
      String head = answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n")));
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      String status = e.getKey().strip();
      assertThat(answer).as(e.getKey()).startsWith("HTTP/1.1 " + status);
      // Jetty closes the connection after these; saying so keeps clients from reusing it.
      assertThat(head.toLowerCase(java.util.Locale.ROOT))
          .as(e.getKey())
          .contains("connection: close")
          .contains("content-type: application/json")
          .contains("x-content-type-options: nosniff")
          .contains("x-frame-options: deny")
          .contains("x-request-id: ");
      @SuppressWarnings("unchecked")
      Map<String, Object> error =
          (Map<String, Object>) dev.rollgate.core.json.Json.parse(body.strip());
      assertThat(error.get("status")).as(e.getKey()).isEqualTo(Long.parseLong(status));
      assertThat(error.keySet()).contains("code", "message", "requestId");
      assertThat(body).doesNotContain("<html").doesNotContain("Exception");
    }
  }
}
