package dev.rollgate.cli.common;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a command may read of the world around it: the process environment, where its configuration
 * lives, whether its output goes to a terminal, and its standard input. Tests pass their own, so
 * nothing reads {@link System#getenv} or the user's home directly.
 *
 * @param env the environment variables ({@code ROLLGATE_URL}, {@code ROLLGATE_TOKEN}, ...)
 * @param configFile the profiles file ({@code config.toml})
 * @param terminal whether standard output is a terminal: then tables and progress, else JSON
 * @param stdin standard input, for {@code --file -}
 */
public record CliEnvironment(
    Map<String, String> env, Path configFile, boolean terminal, InputStream stdin) {

  /** The root command holds the environment that every subcommand reads. */
  public interface Holder {
    CliEnvironment environment();
  }

  /** The environment of the command line that {@code spec} belongs to. */
  public static CliEnvironment of(CommandSpec spec) {
    return spec.root().userObject() instanceof Holder holder ? holder.environment() : system();
  }

  /** This process's environment. */
  public static CliEnvironment system() {
    Map<String, String> env = System.getenv();
    return new CliEnvironment(env, configFile(env), isTerminal(), System.in);
  }

  /**
   * {@code ROLLGATE_CONFIG} when set; else {@code %APPDATA%\rollgate\config.toml} on Windows; else
   * {@code $XDG_CONFIG_HOME/rollgate/config.toml}, by default under {@code ~/.config}.
   */
  public static Path configFile(Map<String, String> env) {
    String explicit = env.get("ROLLGATE_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    String appData = env.get("APPDATA");
    if (windows && appData != null && !appData.isBlank()) {
      return Path.of(appData, "rollgate", "config.toml");
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("rollgate").resolve("config.toml");
  }

  /** The variable's value, or null when it is unset or blank. */
  public String variable(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * Whether standard output is a terminal. Java 22 added {@code Console.isTerminal()}, because from
   * then on {@code System.console()} is not null when output is redirected; on 21 null means not a
   * terminal.
   */
  @SuppressWarnings("SystemConsoleNull") // handled: isTerminal() where it exists
  private static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = java.io.Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // Java 21: a console exists only on a terminal
    }
  }
}
