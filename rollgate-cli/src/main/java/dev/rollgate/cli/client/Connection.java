package dev.rollgate.cli.client;

import dev.rollgate.cli.common.CliEnvironment;
import dev.rollgate.cli.common.UserInputException;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * Which server, as whom, and in which project and environment: from the options, else the
 * environment variables, else the profile (the one {@code --profile} or {@code ROLLGATE_PROFILE}
 * names, or the default one). A profile named explicitly wins over the variables.
 */
public final class Connection {
  public static final String DEFAULT_URL = "http://127.0.0.1:8420";
  public static final String DEFAULT_PROJECT = "default";

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--url",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description =
          "The server (default: ROLLGATE_URL, else the profile's, else " + DEFAULT_URL + ").")
  String url;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      scope = ScopeType.INHERIT,
      description =
          "The API token (default: ROLLGATE_TOKEN, else the profile's). Prefer the variable"
              + " or a profile: options show in the process list.")
  String token;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description =
          "The profile of config.toml to use (default: ROLLGATE_PROFILE, else the default one).")
  String profile;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      scope = ScopeType.INHERIT,
      description = "How long to wait for each answer, in seconds.")
  int timeoutSeconds;

  private Profiles.Profile selected;
  private boolean resolved;

  public CliEnvironment environment() {
    return CliEnvironment.of(mixee);
  }

  /** The profile in use, or null when there is none. */
  public Profiles.Profile selectedProfile() {
    if (!resolved) {
      String name = profile != null ? profile : environment().variable("ROLLGATE_PROFILE");
      selected = Profiles.read(environment().configFile()).select(name);
      resolved = true;
    }
    return selected;
  }

  private boolean profileNamed() {
    return profile != null || environment().variable("ROLLGATE_PROFILE") != null;
  }

  /**
   * The value of an option, else the variable, else the profile's, with an explicit profile first.
   */
  private String pick(String option, String variable, String fromProfile) {
    if (option != null) {
      return option;
    }
    String fromVariable = environment().variable(variable);
    if (profileNamed() && fromProfile != null) {
      return fromProfile;
    }
    return fromVariable != null ? fromVariable : fromProfile;
  }

  public String url() {
    Profiles.Profile p = selectedProfile();
    String value = pick(url, "ROLLGATE_URL", p == null ? null : p.url());
    return value == null ? DEFAULT_URL : value;
  }

  /**
   * The token, which goes only where it belongs: a profile's token only to that profile's server,
   * so {@code --url https://elsewhere} or a stray ROLLGATE_URL never receives it.
   */
  public String token() {
    if (token != null) {
      return token;
    }
    Profiles.Profile p = selectedProfile();
    String fromProfile = p != null && sameServer(url(), p.url()) ? p.token() : null;
    if (profileNamed() && fromProfile != null) {
      return fromProfile;
    }
    String fromVariable = environment().variable("ROLLGATE_TOKEN");
    return fromVariable != null ? fromVariable : fromProfile;
  }

  private static boolean sameServer(String a, String b) {
    return b != null && baseUri(a).equals(baseUri(b));
  }

  /** The project: the option given, else ROLLGATE_PROJECT, the profile's, or "default". */
  public String project(String option) {
    Profiles.Profile p = selectedProfile();
    String value = pick(option, "ROLLGATE_PROJECT", p == null ? null : p.project());
    return value == null ? DEFAULT_PROJECT : value;
  }

  /** The environment: the option given, else ROLLGATE_ENV or the profile's; required. */
  public String environment(String option) {
    Profiles.Profile p = selectedProfile();
    String value = pick(option, "ROLLGATE_ENV", p == null ? null : p.environment());
    if (value == null) {
      throw new UserInputException(
          "which environment? pass --env, set ROLLGATE_ENV, or save one in the profile");
    }
    return value;
  }

  public Api api() {
    return new Api(baseUri(url()), token(), Duration.ofSeconds(Math.max(1, timeoutSeconds)));
  }

  /** The server's base URL, checked: http or https with a host. */
  public static URI baseUri(String url) {
    try {
      URI uri = URI.create(url.strip().replaceFirst("/+$", "") + "/");
      boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (!http || uri.getHost() == null || uri.getPort() > 65_535 || uri.getUserInfo() != null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--url: not an http(s) URL: " + url);
    }
  }
}
