package dev.rollgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How events are encoded once for all the streams they go to. */
class EventStreamsFrameTest {
  @Test
  void eventsAreEncodedInOrderWithOneDataLineALine() {
    EventStreams.Frame frame =
        EventStreams.Frame.of(
            7,
            new EventStreams.Event("configuration", "{\"a\":1}", "7"),
            new EventStreams.Event("message", "first\nsecond\r\nthird", null));

    assertThat(frame)
        .hasToString(
            """
            id: 7
            event: configuration
            data: {"a":1}

            event: message
            data: first
            data: second
            data: third

            """);
  }

  @Test
  void anIdOrANameCannotEndTheLineItIsOn() {
    EventStreams.Frame frame =
        EventStreams.Frame.of(-1, new EventStreams.Event("a\nb", "x", "1\r\nevent: forged"));

    assertThat(frame).hasToString("id: 1event: forged\nevent: ab\ndata: x\n\n");
  }
}
