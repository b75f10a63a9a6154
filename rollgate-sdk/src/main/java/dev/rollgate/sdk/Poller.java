package dev.rollgate.sdk;

import dev.rollgate.core.protocol.Protocol;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks {@code GET /api/v1/sdk/flags} for the configuration while the stream is down. It sends the
 * ETag of the last answer, so an unchanged configuration costs a 304 and no body.
 */
final class Poller {
  private final URI endpoint;
  private final String token;
  private final HttpClient http;
  private final ConfigurationSink sink;
  private final StateLog tokenLog;
  private volatile String etag;

  Poller(URI base, String token, HttpClient http, ConfigurationSink sink, StateLog tokenLog) {
    this.endpoint = base.resolve(Protocol.SDK_FLAGS_PATH);
    this.token = token;
    this.http = http;
    this.sink = sink;
    this.tokenLog = tokenLog;
  }

  /** One request; a server that cannot be reached changes nothing (the stream logs that). */
  void poll() throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .header(Protocol.HEADER_API_KEY, token)
            .timeout(Duration.ofSeconds(10));
    String tag = etag;
    if (tag != null) {
      request.header(Protocol.HEADER_IF_NONE_MATCH, tag);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return; // the server is down: keep serving what we have
    }
    int code = response.statusCode();
    if (code == 200) {
      tokenLog.recovered(StreamFollower::tokenAccepted);
      etag = response.headers().firstValue(Protocol.HEADER_ETAG).orElse(null);
      sink.configuration(response.body());
    } else if (code == 304) {
      tokenLog.recovered(StreamFollower::tokenAccepted);
      sink.current();
    } else if (code == 401 || code == 403) {
      tokenLog.failed("HTTP " + code, () -> StreamFollower.tokenRefused(code, endpoint));
      sink.refused();
    }
  }
}
