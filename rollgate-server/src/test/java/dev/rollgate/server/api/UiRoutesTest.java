package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The web UI's files as the server serves them: the shell, assets, policy headers. */
class UiRoutesTest {
  private static TestServer server;
  private static ApiClient anonymous;

  @BeforeAll
  static void start() {
    server = TestServer.start(StoreKind.SQLITE);
    anonymous = server.admin().withToken(null);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theRootSendsToTheUiAndEveryPageAddressIsTheShellUnderTheUiPolicy() {
    ApiClient.Response root = anonymous.get("/");
    assertThat(root.status()).isEqualTo(302);
    assertThat(root.header("Location")).isEqualTo("/ui/");
    for (String page : new String[] {"/ui/", "/ui/p/default/production/flags", "/ui/sign-in"}) {
      ApiClient.Response r = anonymous.get(page);
      assertThat(r.status()).as(page).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("text/html");
      assertThat(r.text()).contains("<script type=\"module\" src=\"/ui/assets/app.js\">");
      assertThat(r.header("Content-Security-Policy"))
          .contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
          .doesNotContain("unsafe-inline")
          .doesNotContain("unsafe-eval");
      assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    }
    // The shell holds no inline script or style, which the policy would refuse.
    String shell = anonymous.get("/ui/").text();
    assertThat(shell).doesNotContain("<style").doesNotContain("style=");
    assertThat(shell.split("<script", -1)).hasSize(2);
  }

  @Test
  void assetsAreGzippedRevalidatedAndConfinedToTheirFolder() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<byte[]> gz =
        http.send(
            HttpRequest.newBuilder(URI.create(server.admin().base() + "/ui/assets/app.js"))
                .header("Accept-Encoding", "gzip")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(gz.statusCode()).isEqualTo(200);
    assertThat(gz.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(gz.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
    assertThat(gunzip(gz.body())).isEqualTo(anonymous.get("/ui/assets/app.js").text());
    String etag = gz.headers().firstValue("ETag").orElseThrow();
    ApiClient.Response again =
        anonymous.send(
            "GET", "/ui/assets/app.js", null, "If-None-Match", etag, "Accept-Encoding", "gzip");
    assertThat(again.status()).isEqualTo(304);
    // The plain form is another representation, with a validator of its own.
    ApiClient.Response plain =
        anonymous.send("GET", "/ui/assets/app.js", null, "If-None-Match", etag);
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.header("ETag")).isNotEqualTo(etag);

    assertThat(anonymous.get("/ui/vendor/uPlot.iife.min.js").status()).isEqualTo(200);
    for (String bad :
        new String[] {
          "/ui/assets/../index.html",
          "/ui/assets/%2e%2e/index.html",
          "/ui/assets/nope.js",
          "/ui/assets/app.JS",
          "/ui/assets/lib/../app.js",
          "/ui/vendor/LICENSE",
          "/ui/assets/app.class"
        }) {
      ApiClient.Response r = anonymous.get(bad);
      assertThat(r.status()).as(bad).isIn(400, 404);
      assertThat(r.text()).as(bad).doesNotContain("import ");
    }
  }

  @Test
  void largeApiAnswersAreGzippedForClientsThatTakeIt() throws Exception {
    for (int i = 0; i < 60; i++) {
      server
          .admin()
          .post(
              "/api/v1/projects/default/flags",
              java.util.Map.of(
                  "key",
                  "flag-" + i,
                  "variants",
                  java.util.Map.of("on", true, "off", false),
                  "defaultVariant",
                  "off",
                  "description",
                  "x".repeat(100)));
    }
    HttpResponse<byte[]> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            server.admin().base() + "/api/v1/projects/default/flags?limit=500"))
                    .header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN)
                    .header("Accept-Encoding", "gzip, deflate")
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
    String json = gunzip(r.body());
    assertThat(json).contains("\"flag-59\"");
    assertThat(r.body().length).isLessThan(json.length() / 4);
    // Without Accept-Encoding, the same answer comes as it is.
    assertThat(server.admin().get("/api/v1/projects/default/flags?limit=500").text())
        .isEqualTo(json);
  }

  private static String gunzip(byte[] bytes) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
