package dev.rollgate.server.http;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a scoped principal ({@link Principal#scoped}: an OIDC exchange's editor or viewer token
 * confined to a project, and maybe an environment) may go, checked once at the edge after
 * authentication and before any route runs. Its role's own rules still apply afterwards.
 *
 * <ul>
 *   <li>{@code GET /api/v1/projects}, {@code GET /api/v1/status} and {@code /api/v1/analysis*}
 *       (pure computations);
 *   <li>anything under {@code /api/v1/projects/{its project}}: reads anywhere there; changes only
 *       under {@code .../environments/{its env}} or {@code .../flags/{flag}/environments/{its env}}
 *       when it has an environment;
 *   <li>nothing else: tokens, webhooks, audit, sessions, other projects, the sdk routes.
 * </ul>
 *
 * <p>The path is compared segment by segment after percent-decoding, so no spelling of another
 * project's path passes; a segment that does not decode is refused.
 */
final class Scope {
  private Scope() {}

  /** Throws {@code forbidden} unless {@code principal} may send {@code method} to {@code path}. */
  static void check(Principal principal, String method, String path) {
    if (!principal.scoped()) {
      return;
    }
    if (!allows(principal, method, path)) {
      throw Failure.forbidden(
          "this token is scoped to "
              + describe(principal)
              + ": it may only read and change flags there (and read /api/v1/projects,"
              + " /api/v1/status and /api/v1/analysis), not "
              + method
              + " "
              + path);
    }
  }

  /** The scope in words: {@code project default} or {@code project default, environment x}. */
  static String describe(Principal principal) {
    return "project "
        + principal.project()
        + (principal.environment() == null ? "" : ", environment " + principal.environment());
  }

  static boolean allows(Principal principal, String method, String path) {
    List<String> s = segments(path);
    if (s == null || s.size() < 3 || !s.get(0).equals("api") || !s.get(1).equals("v1")) {
      return false;
    }
    boolean read = method.equals("GET") || method.equals("HEAD");
    String first = s.get(2);
    if (s.size() == 3 && read && (first.equals("projects") || first.equals("status"))) {
      return true;
    }
    if (first.equals("analysis")) {
      return true; // statistics over numbers the caller sends: no stored data
    }
    if (!first.equals("projects") || s.size() < 4 || !s.get(3).equals(principal.project())) {
      return false;
    }
    String environment = principal.environment();
    if (read || environment == null) {
      return true;
    }
    // .../environments/{env}[/...] or .../flags/{flag}/environments/{env}[/...]
    boolean underEnvironment =
        s.size() >= 6 && s.get(4).equals("environments") && s.get(5).equals(environment);
    boolean flagInEnvironment =
        s.size() >= 8
            && s.get(4).equals("flags")
            && s.get(6).equals("environments")
            && s.get(7).equals(environment);
    return underEnvironment || flagInEnvironment;
  }

  /**
   * The path's segments, percent-decoded, empty ones (a trailing slash) left out; null when a
   * segment does not decode or holds a {@code /} or a dot segment once decoded.
   */
  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String raw : path.split("/", -1)) {
      if (raw.isEmpty()) {
        continue;
      }
      String segment = decode(raw);
      if (segment == null
          || segment.indexOf('/') >= 0
          || segment.equals(".")
          || segment.equals("..")) {
        return null;
      }
      out.add(segment);
    }
    return out;
  }

  private static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    byte[] bytes = new byte[raw.length()];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        bytes[n++] = (byte) (high * 16 + low);
        i += 2;
      } else if (c < 0x80) {
        bytes[n++] = (byte) c;
      } else {
        return null; // a raw path is ASCII
      }
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }
}
