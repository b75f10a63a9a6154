package dev.rollgate.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.protocol.Protocol;
import dev.rollgate.sdk.LogCapture.Line;
import dev.rollgate.sdk.ScriptedServer.Answer;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK logs a connection's health when it changes, never per attempt or per evaluation. The
 * package-private followers are driven one attempt at a time ({@link StreamFollower#followOnce},
 * {@link Events#send}) against a real local server, so no test waits on a thread or a clock.
 */
class HealthLoggingTest {
  private static final String TOKEN = "rgt_secret-sdk-token-1234";
  private static final String DOCUMENT =
      "{\"flags\": {\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"Hello\"},"
          + " \"defaultVariant\": \"a\"}}}";
  private static final String SSE =
      "event: " + Protocol.SSE_EVENT_CONFIGURATION + "\ndata: " + DOCUMENT + "\n\n";

  private ScriptedServer server;
  private HttpClient http;
  private final List<String> heard = new CopyOnWriteArrayList<>();

  /** Records what the follower tells the client. */
  private final ConfigurationSink sink =
      new ConfigurationSink() {
        @Override
        public void configuration(String document) {
          heard.add("configuration");
        }

        @Override
        public void current() {
          heard.add("current");
        }

        @Override
        public void refused() {
          heard.add("refused");
        }

        @Override
        public void lost() {
          heard.add("lost");
        }
      };

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedServer();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
  }

  private StreamFollower follower() {
    return new StreamFollower(URI.create(server.base()), TOKEN, http, Duration.ofSeconds(30), sink);
  }

  private static void assertNoToken(List<Line> lines) {
    assertThat(lines).allSatisfy(l -> assertThat(l.message()).doesNotContain(TOKEN));
  }

  @Test
  void aFailingStreamLogsOnceAndItsRecoveryOnce() throws Exception {
    server.answer(Protocol.STREAM_PATH, Answer.of(503));
    server.answer(Protocol.SDK_FLAGS_PATH, Answer.of(503));
    try (LogCapture stream = new LogCapture(StreamFollower.STREAM_LOGGER);
        LogCapture token = new LogCapture(StreamFollower.TOKEN_LOGGER);
        StreamFollower follower = follower()) {
      for (int i = 0; i < 5; i++) {
        follower.followOnce();
      }
      assertThat(stream.lines()).hasSize(1);
      Line failed = stream.lines().getFirst();
      assertThat(failed.level()).isEqualTo(Level.WARNING);
      assertThat(failed.message())
          .contains("HTTP 503", server.base() + Protocol.STREAM_PATH)
          .doesNotContain("$"); // no exception class names for a status code

      server.answer(Protocol.STREAM_PATH, new Answer(200, SSE)); // one event, then the end
      for (int i = 0; i < 3; i++) {
        follower.followOnce();
      }
      assertThat(stream.lines()).hasSize(2);
      assertThat(stream.lines().get(1).level()).isEqualTo(Level.INFO);
      assertThat(stream.lines().get(1).message()).contains("connected again");
      assertThat(heard).contains("configuration");

      server.answer(Protocol.STREAM_PATH, Answer.of(502)); // unhealthy again: logged again
      follower.followOnce();
      follower.followOnce();
      assertThat(stream.lines()).hasSize(3);
      assertThat(stream.lines().get(2).message()).contains("HTTP 502");

      assertThat(token.lines()).as("a 503 is not the token's fault").isEmpty();
      assertNoToken(stream.lines());
    }
    // the token went out, in its header, on every request
    assertThat(server.requests())
        .allSatisfy(r -> assertThat(r.header(Protocol.HEADER_API_KEY)).isEqualTo(TOKEN));
  }

  @Test
  void aFailureOfAnotherKindLogsAgainTheSameKindDoesNot() throws Exception {
    server.answer(Protocol.STREAM_PATH, Answer.of(503));
    try (LogCapture stream = new LogCapture(StreamFollower.STREAM_LOGGER);
        StreamFollower follower = follower()) {
      follower.followOnce();
      follower.followOnce();
      server.close(); // now the connection is refused
      for (int i = 0; i < 4; i++) {
        follower.followOnce();
      }
      assertThat(stream.lines())
          .extracting(Line::level)
          .containsExactly(Level.WARNING, Level.WARNING);
      assertThat(stream.lines().get(1).message()).contains("ConnectException");
    }
  }

  @Test
  void aRefusedTokenLogsOnceOnTheTokenLoggerAndItsAcceptanceOnce() throws Exception {
    server.answer(Protocol.STREAM_PATH, Answer.of(401));
    server.answer(Protocol.SDK_FLAGS_PATH, Answer.of(401));
    try (LogCapture stream = new LogCapture(StreamFollower.STREAM_LOGGER);
        LogCapture token = new LogCapture(StreamFollower.TOKEN_LOGGER);
        StreamFollower follower = follower()) {
      for (int i = 0; i < 6; i++) {
        follower.followOnce(); // the stream and a poll refused each time: 12 refusals
      }
      assertThat(heard).filteredOn("refused"::equals).hasSize(12);
      assertThat(token.lines()).hasSize(1);
      assertThat(token.lines().getFirst().level()).isEqualTo(Level.WARNING);
      assertThat(token.lines().getFirst().message()).contains("refused the sdk token", "HTTP 401");
      assertThat(stream.lines()).as("logged as the token's problem only").isEmpty();

      server.answer(Protocol.STREAM_PATH, new Answer(200, SSE)); // accepted again
      server.answer(Protocol.SDK_FLAGS_PATH, Answer.of(304));
      follower.followOnce();
      follower.followOnce();
      assertThat(token.lines()).hasSize(2);
      assertThat(token.lines().get(1).level()).isEqualTo(Level.INFO);
      assertThat(token.lines().get(1).message()).contains("accepts the sdk token again");
      assertThat(heard).endsWith("configuration", "lost", "current");
      assertNoToken(token.lines());
    }
  }

  @Test
  void aRejectedEventBatchLogsOnceAndTheNextAcceptedBatchOnce() throws Exception {
    server.answer(Protocol.EVENTS_PATH, Answer.of(400));
    List<Map<String, Object>> batch =
        List.of(Map.of(Protocol.FIELD_TYPE, Protocol.EVENT_TYPE_TRACK, Protocol.FIELD_NAME, "buy"));
    try (LogCapture log = new LogCapture(Events.LOGGER);
        Events events =
            new Events(
                URI.create(server.base()),
                TOKEN,
                http,
                Clock.systemUTC(),
                Duration.ofMinutes(1),
                10)) {
      for (int i = 0; i < 4; i++) {
        events.send(batch);
      }
      assertThat(events.dropped()).isEqualTo(4);
      assertThat(log.lines()).hasSize(1);
      assertThat(log.lines().getFirst().level()).isEqualTo(Level.WARNING);
      assertThat(log.lines().getFirst().message())
          .contains("HTTP 400", "1 event ", Protocol.EVENTS_PATH);

      server.answer(Protocol.EVENTS_PATH, Answer.of(202));
      events.send(batch);
      events.send(batch);
      assertThat(events.sent()).isEqualTo(2);
      assertThat(log.lines()).hasSize(2);
      assertThat(log.lines().get(1).level()).isEqualTo(Level.INFO);
      assertNoToken(log.lines());
    }
  }

  @Test
  void theClientLogsARefusedTokenOnceHoweverOftenItRetriesAndEvaluates() throws Exception {
    server.answer(Protocol.STREAM_PATH, Answer.of(403));
    server.answer(Protocol.SDK_FLAGS_PATH, Answer.of(403));
    try (LogCapture token = new LogCapture(StreamFollower.TOKEN_LOGGER);
        RollgateClient client =
            RollgateClient.builder()
                .baseUrl(server.base())
                .sdkToken(TOKEN)
                .pollInterval(Duration.ofMillis(10)) // retries quickly: many refusals
                .events(false)
                .environment(Map.of())
                .build()) {
      EvaluationContext user = EvaluationContext.of("u1");
      for (int i = 0; i < 1000; i++) {
        assertThat(client.booleanValue("banner", user, false)).isFalse();
      }
      assertThat(server.awaitRequests(20, Duration.ofSeconds(20))).isTrue();
      for (int i = 0; i < 1000; i++) {
        assertThat(client.booleanValue("banner", user, false)).isFalse();
      }
      assertThat(client.status()).isEqualTo(Status.ERROR);
      assertThat(token.lines()).hasSize(1);
      assertThat(token.lines().getFirst().message()).contains("HTTP 403");
      assertNoToken(token.lines());
    }
  }
}
