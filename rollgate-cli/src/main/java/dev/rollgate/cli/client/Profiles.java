package dev.rollgate.cli.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The profiles file, {@code config.toml}: a server URL, a token and optional project and
 * environment per named profile, and which profile is the default. Written only with owner
 * permissions (0600), because it holds tokens.
 *
 * <pre>
 * default = "local"
 *
 * [profiles.local]
 * url = "http://127.0.0.1:8420"
 * token = "rg_..."
 * project = "default"
 * environment = "production"
 * </pre>
 */
public final class Profiles {
  private static final ObjectMapper TOML = new TomlMapper();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** One profile; project and environment may be null. */
  public record Profile(String url, String token, String project, String environment) {}

  private final Path file;
  private final Map<String, Profile> profiles;
  private String defaultName;

  private Profiles(Path file, Map<String, Profile> profiles, String defaultName) {
    this.file = file;
    this.profiles = profiles;
    this.defaultName = defaultName;
  }

  /** The profiles in {@code file}, none when it does not exist. */
  public static Profiles read(Path file) {
    if (!Files.exists(file)) {
      return new Profiles(file, new TreeMap<>(), null);
    }
    Map<?, ?> root;
    try {
      root = TOML.readValue(Files.readString(file, StandardCharsets.UTF_8), Map.class);
    } catch (JacksonException e) {
      throw new UserInputException(file + ": not a valid profiles file: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read: " + e.getMessage());
    }
    Map<String, Profile> profiles = new TreeMap<>();
    if (root.get("profiles") instanceof Map<?, ?> all) {
      for (Map.Entry<?, ?> e : all.entrySet()) {
        if (e.getValue() instanceof Map<?, ?> p) {
          profiles.put(
              String.valueOf(e.getKey()),
              new Profile(
                  string(p.get("url")),
                  string(p.get("token")),
                  string(p.get("project")),
                  string(p.get("environment"))));
        }
      }
    }
    return new Profiles(file, profiles, string(root.get("default")));
  }

  /**
   * The profile named, or the default one when {@code name} is null (then possibly none).
   *
   * @throws UserInputException when a profile is named that the file does not have
   */
  public Profile select(String name) {
    if (name == null) {
      return defaultName == null ? null : profiles.get(defaultName);
    }
    Profile profile = profiles.get(name);
    if (profile == null) {
      throw new UserInputException(
          "no profile '"
              + name
              + "' in "
              + file
              + (profiles.isEmpty() ? "" : " (it has " + String.join(", ", profiles.keySet()) + ")")
              + "; create it with rollgate login --profile "
              + name);
    }
    return profile;
  }

  public Map<String, Profile> all() {
    return Map.copyOf(profiles);
  }

  public String defaultName() {
    return defaultName;
  }

  public Path file() {
    return file;
  }

  /** Adds or replaces a profile; it becomes the default when there is none. */
  public void put(String name, Profile profile, boolean makeDefault) {
    checkName(name);
    profiles.put(name, profile);
    if (makeDefault || defaultName == null || !profiles.containsKey(defaultName)) {
      defaultName = name;
    }
  }

  /** Removes a profile; false when there was none of that name. */
  public boolean remove(String name) {
    if (profiles.remove(name) == null) {
      return false;
    }
    if (name.equals(defaultName)) {
      defaultName = null; // no other profile becomes the default behind the user's back
    }
    return true;
  }

  public static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new UserInputException(
          "--profile: '" + name + "' is not a profile name (letters, digits, - and _)");
    }
  }

  /**
   * Writes the file through a temporary file created with owner-only permissions and moved over the
   * old one, so the tokens are never readable by others, not even for a moment.
   */
  public void save() {
    StringBuilder toml =
        new StringBuilder("# Rollgate profiles: rollgate login writes this file.\n");
    if (defaultName != null) {
      toml.append("default = ").append(quoted(defaultName)).append('\n');
    }
    profiles.forEach((name, p) -> {
      toml.append("\n[profiles.").append(quoted(name)).append("]\n");
      line(toml, "url", p.url());
      line(toml, "token", p.token());
      line(toml, "project", p.project());
      line(toml, "environment", p.environment());
    });
    try {
      Path dir = file.toAbsolutePath().getParent();
      createPrivateDirectory(dir);
      Path temp = dir.resolve(".config.toml." + ProcessHandle.current().pid() + ".tmp");
      Files.deleteIfExists(temp);
      createPrivateFile(temp);
      Files.writeString(temp, toml, StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new CliFailure(ExitCodes.USAGE, file + ": cannot write: " + e.getMessage());
    }
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    try {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(dir); // Windows: %APPDATA% is the user's own
    } catch (FileAlreadyExistsException e) {
      // made meanwhile by another rollgate login
    }
  }

  private static void createPrivateFile(Path file) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
  }

  // Written by hand, as tables people can read ([profiles.x]); read back with a TOML parser.
  private static void line(StringBuilder toml, String key, String value) {
    if (value != null) {
      toml.append(key).append(" = ").append(quoted(value)).append('\n');
    }
  }

  /** A TOML basic string. */
  static String quoted(String value) {
    StringBuilder s = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            s.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    return s.append('"').toString();
  }

  private static String string(Object value) {
    return value == null ? null : String.valueOf(value);
  }
}
