package dev.rollgate.server.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rollgate.core.fuzz.Bounded;
import java.nio.charset.StandardCharsets;

/**
 * The events parser through a real socket: any body sent to {@code POST /api/v1/events} is answered
 * by Rollgate itself (202 with what was rejected, or its JSON 4xx error, never a 5xx), within a
 * second. Replays EventsFuzzTestInputs on every test run.
 */
class EventsFuzzTest {
  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({
    "{\"events\":[",
    "{\"type\":\"exposure\"",
    "{\"type\":\"track\"",
    "{\"type\":\"outcome\"",
    "{\"type\":\"outcomes\"",
    "\"flag\":\"new-checkout\"",
    "\"variant\":\"on\"",
    "\"targetingKey\":",
    "\"latency\":{\"gamma\":1.02,\"buckets\":{",
    "\"start\":",
    "\"end\":",
    "\"count\":",
    "\"errors\":",
    "\"durationMs\":",
    "\"time\":",
    "\"value\":"
  })
  void anyBatchIsAnsweredWithoutAServerError(byte[] input) throws Exception {
    String body = new String(input, StandardCharsets.UTF_8);
    FuzzedServer.start(); // outside the deadline
    Bounded.run(() -> FuzzedServer.assertHandled(FuzzedServer.post("/api/v1/events", body)));
  }
}
