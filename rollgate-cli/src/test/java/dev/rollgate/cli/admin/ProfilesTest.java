package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.cli.client.Profiles;
import dev.rollgate.cli.common.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profiles file: what is written is read back as it was, and bad files say so in a line. */
class ProfilesTest {
  @TempDir Path dir;

  @Test
  void writesTablesAndReadsThemBack() throws Exception {
    Path file = dir.resolve("sub").resolve("config.toml");
    Profiles profiles = Profiles.read(file);
    assertThat(profiles.select(null)).isNull();
    String odd = "tok\"en\\with\ttab";
    profiles.put("local", new Profiles.Profile("http://127.0.0.1:8420", odd, "shop", null), false);
    profiles.put(
        "ci", new Profiles.Profile("https://flags.example.com", "t2", null, "production"), false);
    profiles.save();
    assertThat(Files.readString(file))
        .contains("default = \"local\"\n")
        .contains(
            "[profiles.\"local\"]\nurl = \"http://127.0.0.1:8420\"\ntoken = \"tok\\\"en\\\\with\\u0009tab\"\nproject = \"shop\"\n");
    Profiles again = Profiles.read(file);
    assertThat(again.select(null))
        .isEqualTo(new Profiles.Profile("http://127.0.0.1:8420", odd, "shop", null));
    assertThat(again.select("ci").environment()).isEqualTo("production");
    assertThat(again.remove("local")).isTrue();
    assertThat(again.defaultName()).isNull(); // no other profile becomes the default unasked
  }

  @Test
  void serverTextCannotDriveTheTerminal() {
    assertThat(dev.rollgate.cli.common.Text.printable("ok\u001b[31m\rred\u009b"))
        .isEqualTo("ok?[31m?red?");
  }

  @Test
  void aBrokenFileOrNameIsOneLine() throws Exception {
    Path file = Files.writeString(dir.resolve("config.toml"), "default = \n[[[");
    assertThatThrownBy(() -> Profiles.read(file))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(file + ": not a valid profiles file: ");
    assertThatThrownBy(() -> Profiles.checkName("a b"))
        .hasMessage("--profile: 'a b' is not a profile name (letters, digits, - and _)");
  }
}
