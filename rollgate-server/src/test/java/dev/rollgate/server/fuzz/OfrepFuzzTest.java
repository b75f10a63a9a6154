package dev.rollgate.server.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rollgate.core.fuzz.Bounded;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * OFREP's request parser through a real socket: any body, for the one-flag and the bulk endpoint
 * and any flag key, is answered by Rollgate itself (a 2xx or its JSON 4xx error, never a 5xx),
 * within a second. The input's first line is the flag key (empty: the bulk endpoint), the rest the
 * body. Replays OfrepFuzzTestInputs on every test run.
 */
class OfrepFuzzTest {
  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({
    "{\"context\":{",
    "\"targetingKey\":",
    "\"plan\":\"pro\"",
    "new-checkout",
    "null",
    "true",
    "[]",
    "1e309",
    "\"\\u0000\""
  })
  void anyRequestIsAnsweredWithoutAServerError(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    String key = newline < 0 ? "" : text.substring(0, newline);
    String body = newline < 0 ? text : text.substring(newline + 1);
    String path =
        key.isEmpty()
            ? "/ofrep/v1/evaluate/flags"
            : "/ofrep/v1/evaluate/flags/"
                + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    FuzzedServer.start(); // outside the deadline
    Bounded.run(() -> FuzzedServer.assertHandled(FuzzedServer.post(path, body)));
  }
}
