package dev.rollgate.cli.coderefs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyTableTest {
  @Test
  void findsExactlyTheKeysInAByteRange() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      keys.add("flag-" + i);
    }
    keys.add("grüße");
    KeyTable table = new KeyTable(keys);
    byte[] text = "x\"flag-42\"y \"grüße\" flag-4200x".getBytes(StandardCharsets.UTF_8);
    assertThat(table.find(text, 2, 7)).isEqualTo("flag-42");
    assertThat(table.find(text, 2, 6)).isEqualTo("flag-4"); // the range, not the literal
    assertThat(table.find(text, 2, 8)).isNull();
    int at = "x\"flag-42\"y \"".getBytes(StandardCharsets.UTF_8).length;
    assertThat(table.find(text, at, "grüße".getBytes(StandardCharsets.UTF_8).length))
        .isEqualTo("grüße");
    assertThat(table.find(text, 1, 0)).isNull();
    assertThat(new KeyTable(List.of()).find(text, 0, 3)).isNull();
  }
}
