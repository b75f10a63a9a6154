package dev.rollgate.cli.coderefs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodeScannerTest {
  @Test
  void aNulInTheFirst8KiBAndOnlyThereMakesAFileBinary() {
    byte[] text = new byte[10_000];
    Arrays.fill(text, (byte) 'a');
    text[100] = (byte) 0x80; // high bytes (UTF-8) are text
    text[101] = (byte) 0xff;
    text[102] = 0x01;
    assertThat(CodeScanner.isBinary(text, text.length)).isFalse();
    for (int at : new int[] {0, 7, 8, 13, 4_095, 8_190, 8_191}) {
      byte[] b = text.clone();
      b[at] = 0;
      assertThat(CodeScanner.isBinary(b, b.length)).as("NUL at %d", at).isTrue();
      assertThat(CodeScanner.isBinary(b, at)).as("NUL at %d, past the length", at).isFalse();
    }
    byte[] late = text.clone();
    late[8_192] = 0;
    assertThat(CodeScanner.isBinary(late, late.length)).isFalse();
  }

  @Test
  void onlyTheBytesUpToTheLengthAreScannedAndLinesCountFromOne() {
    CodeScanner scanner =
        new CodeScanner(List.of("on", "off"), CallSites.builtIn(List.of()), 1 << 20);
    byte[] buffer = "\"on\"\r\n\n'off'\n\"on\" stale \"off\"".getBytes(StandardCharsets.UTF_8);
    CodeScanner.Partial partial = new CodeScanner.Partial();
    scanner.scan("f", buffer, buffer.length - "stale \"off\"".length(), partial);
    assertThat(partial.references.get("on"))
        .containsExactly(new Reference("f", 1), new Reference("f", 4));
    assertThat(partial.references.get("off")).containsExactly(new Reference("f", 3));
  }
}
