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
}
