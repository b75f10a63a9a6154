package dev.rollgate.server.oidc;

import com.nimbusds.jose.jwk.JWKSet;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.server.domain.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which OIDC issuers the server trusts, and what their identity tokens are exchanged for: the file
 * {@code ROLLGATE_OIDC_CONFIG} names, read once at start. Anything wrong in it stops the start with
 * one line that names the file, the place in it and the problem ({@link #load}).
 *
 * <pre>{@code
 * {"issuers": [{"issuer": "https://token.actions.githubusercontent.com",
 *               "jwksUrl": "https://token.actions.githubusercontent.com/.well-known/jwks",
 *               "audience": "rollgate",
 *               "rules": [{"name": "shop-main",
 *                          "claims": {"repository": "acme/shop", "ref": "refs/heads/main"},
 *                          "role": "editor", "project": "default", "environment": "production",
 *                          "ttlMinutes": 15}]}]}
 * }</pre>
 */
public record OidcTrust(List<Issuer> issuers) {
  /** The setting that names the file. */
  public static final String VARIABLE = "ROLLGATE_OIDC_CONFIG";

  /** How long an issued token lasts when its rule does not say. */
  public static final int DEFAULT_TTL_MINUTES = 15;

  /** The longest lifetime a rule may give (a day). */
  public static final int MAX_TTL_MINUTES = 1440;

  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final long MAX_FILE_BYTES = 1 << 20;

  /**
   * One trusted issuer.
   *
   * @param issuer the exact {@code iss} its tokens carry
   * @param jwksUrl where its keys are fetched (and fetched again on an unknown key id), or null
   * @param staticKeys its keys, read from {@code jwksFile} at start, when there is no URL
   * @param audience the {@code aud} its tokens must name
   * @param rules tried in order; the first that matches decides
   */
  public record Issuer(
      String issuer, URI jwksUrl, JWKSet staticKeys, String audience, List<Rule> rules) {}

  /**
   * A rule: when every claim it lists matches, the token is exchanged for {@code role}, scoped to
   * {@code project} (and {@code environment}) when they are set, for {@code ttlMinutes}.
   *
   * @param claims claim name to the patterns of which one must match its value (a string claim)
   */
  public record Rule(
      String name,
      Map<String, List<String>> claims,
      Role role,
      String project,
      String environment,
      int ttlMinutes) {

    /**
     * The claims that matched, name to value, when every listed claim is a string that matches one
     * of its patterns; null otherwise (a missing or non-string claim does not match).
     */
    public Map<String, String> match(Map<String, Object> tokenClaims) {
      Map<String, String> matched = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> claim : claims.entrySet()) {
        if (!(tokenClaims.get(claim.getKey()) instanceof String value)) {
          return null;
        }
        if (claim.getValue().stream().noneMatch(pattern -> Glob.matches(pattern, value))) {
          return null;
        }
        matched.put(claim.getKey(), value);
      }
      return matched;
    }
  }

  /** The issuer whose {@code iss} this is, or null. */
  public Issuer issuer(String iss) {
    for (Issuer i : issuers) {
      if (i.issuer().equals(iss)) {
        return i;
      }
    }
    return null;
  }

  /**
   * Reads and checks the file; any problem is an {@link IllegalArgumentException} whose message is
   * one line: {@code ROLLGATE_OIDC_CONFIG (<file>): <where>: <what>}.
   */
  public static OidcTrust load(Path file) {
    String prefix = VARIABLE + " (" + file + "): ";
    try {
      if (!Files.isRegularFile(file)) {
        throw new Problem("no such file");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new Problem("the file is larger than " + MAX_FILE_BYTES + " bytes");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Path base = file.toAbsolutePath().getParent();
      return parse(text, base);
    } catch (Problem e) {
      throw new IllegalArgumentException(prefix + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(prefix + "cannot read it: " + e.getMessage(), e);
    }
  }

  /** A problem in the file, said where it is. */
  private static final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Problem(String message) {
      super(message.replaceAll("[\\r\\n]+", " "));
    }

    Problem(String path, String message) {
      this(path + ": " + message);
    }
  }

  /** Parses the configuration; {@code base} is where relative {@code jwksFile} paths start. */
  static OidcTrust parse(String text, Path base) {
    Object root;
    try {
      root = Json.parse(text);
    } catch (JsonSyntaxException e) {
      throw new Problem(e.getMessage());
    }
    Map<String, Object> top = object(root, "", Set.of("issuers"));
    List<Object> list = list(top.get("issuers"), "issuers", true);
    List<Issuer> issuers = new ArrayList<>();
    Set<String> seenIssuers = new HashSet<>();
    Set<String> seenRules = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Issuer issuer = issuer(list.get(i), JsonPath.element("issuers", i), base, seenRules);
      if (!seenIssuers.add(issuer.issuer())) {
        throw new Problem(
            JsonPath.element("issuers", i) + ".issuer",
            "'" + issuer.issuer() + "' is listed twice");
      }
      issuers.add(issuer);
    }
    return new OidcTrust(List.copyOf(issuers));
  }

  private static Issuer issuer(Object value, String path, Path base, Set<String> seenRules) {
    Map<String, Object> o =
        object(value, path, Set.of("issuer", "jwksUrl", "jwksFile", "audience", "rules"));
    String iss = string(o, path, "issuer", true);
    String url = string(o, path, "jwksUrl", false);
    String file = string(o, path, "jwksFile", false);
    if ((url == null) == (file == null)) {
      throw new Problem(path, "give exactly one of jwksUrl and jwksFile");
    }
    URI jwksUrl = url == null ? null : jwksUrl(url, JsonPath.member(path, "jwksUrl"));
    JWKSet keys = file == null ? null : jwksFile(base, file, JsonPath.member(path, "jwksFile"));
    String audience = string(o, path, "audience", true);
    List<Object> ruleList = list(o.get("rules"), JsonPath.member(path, "rules"), true);
    List<Rule> rules = new ArrayList<>();
    for (int r = 0; r < ruleList.size(); r++) {
      String rulePath = JsonPath.element(JsonPath.member(path, "rules"), r);
      Rule rule = rule(ruleList.get(r), rulePath);
      if (!seenRules.add(rule.name().toLowerCase(Locale.ROOT))) {
        throw new Problem(
            rulePath + ".name", "'" + rule.name() + "' is used twice (rule names are unique)");
      }
      rules.add(rule);
    }
    return new Issuer(iss, jwksUrl, keys, audience, List.copyOf(rules));
  }

  /**
   * An absolute https URL; plain http only to this machine (a local issuer, tests): keys fetched
   * over the network without TLS could be anyone's.
   */
  private static URI jwksUrl(String value, String path) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new Problem(path, "is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new Problem(path, "must be an absolute https URL");
    }
    if (uri.getUserInfo() != null) {
      throw new Problem(path, "must not carry a user name or password");
    }
    if (scheme.equals("http") && !loopback(uri.getHost())) {
      throw new Problem(path, "must be https (plain http is accepted only to this machine)");
    }
    return uri;
  }

  private static boolean loopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+|\\[[0-9a-f:.]+]")) {
      return false; // a name: only localhost is known without asking DNS
    }
    try {
      return InetAddress.getByName(h.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private static JWKSet jwksFile(Path base, String value, String path) {
    Path file = base == null ? Path.of(value) : base.resolve(value);
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new Problem(path, file + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      JWKSet keys = JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8)).toPublicJWKSet();
      if (keys.getKeys().isEmpty()) {
        throw new Problem(path, file + " holds no public key");
      }
      return keys;
    } catch (IOException e) {
      throw new Problem(path, "cannot read " + file + ": " + e.getMessage());
    } catch (ParseException e) {
      throw new Problem(path, file + " is not a JWK set: " + e.getMessage());
    }
  }

  private static Rule rule(Object value, String path) {
    Map<String, Object> o =
        object(
            value, path, Set.of("name", "claims", "role", "project", "environment", "ttlMinutes"));
    String name = string(o, path, "name", true);
    if (!RULE_NAME.matcher(name).matches()) {
      throw new Problem(
          path + ".name",
          "must be 1-64 letters, digits, '.', '_' or '-', starting with one of the first two");
    }
    Map<String, List<String>> claims = claims(o.get("claims"), JsonPath.member(path, "claims"));
    String roleName = string(o, path, "role", true);
    Role role = Role.parse(roleName);
    if (role == null || role == Role.SDK) {
      throw new Problem(
          path + ".role", "must be admin, editor, viewer or approver, not '" + roleName + "'");
    }
    String project = string(o, path, "project", false);
    String environment = string(o, path, "environment", false);
    if (role == Role.ADMIN && (project != null || environment != null)) {
      throw new Problem(
          path + (project != null ? ".project" : ".environment"),
          "an admin token cannot be scoped; leave project and environment out");
    }
    if (environment != null && project == null) {
      throw new Problem(path + ".environment", "needs a project");
    }
    if (project != null && !KEY.matcher(project).matches()) {
      throw new Problem(path + ".project", "is not a project key");
    }
    if (environment != null && !KEY.matcher(environment).matches()) {
      throw new Problem(path + ".environment", "is not an environment key");
    }
    int ttl = DEFAULT_TTL_MINUTES;
    Object ttlValue = o.get("ttlMinutes");
    if (ttlValue != null) {
      if (!(ttlValue instanceof Long l) || l < 1 || l > MAX_TTL_MINUTES) {
        throw new Problem(
            path + ".ttlMinutes", "must be a whole number from 1 to " + MAX_TTL_MINUTES);
      }
      ttl = l.intValue();
    }
    return new Rule(name, claims, role, project, environment, ttl);
  }

  /**
   * Claim name to patterns: a string, or a non-empty list of strings. At least one claim must be
   * pinned to something narrower than {@code *}: an issuer such as GitHub's signs tokens for every
   * repository in the world.
   */
  private static Map<String, List<String>> claims(Object value, String path) {
    if (!(value instanceof Map<?, ?> map) || map.isEmpty()) {
      throw new Problem(path, "must be an object naming at least one claim");
    }
    Map<String, List<String>> claims = new LinkedHashMap<>();
    boolean pinned = false;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = (String) e.getKey();
      String claimPath = JsonPath.member(path, name);
      if (name.isEmpty()) {
        throw new Problem(claimPath, "a claim needs a name");
      }
      List<String> patterns = new ArrayList<>();
      if (e.getValue() instanceof String s) {
        patterns.add(s);
      } else if (e.getValue() instanceof List<?> items && !items.isEmpty()) {
        for (int i = 0; i < items.size(); i++) {
          if (!(items.get(i) instanceof String s)) {
            throw new Problem(JsonPath.element(claimPath, i), "must be a string");
          }
          patterns.add(s);
        }
      } else {
        throw new Problem(claimPath, "must be a string or a non-empty list of strings");
      }
      for (String pattern : patterns) {
        if (pattern.isEmpty()) {
          throw new Problem(claimPath, "a pattern cannot be empty");
        }
        pinned |= !pattern.chars().allMatch(c -> c == '*');
      }
      claims.put(name, List.copyOf(patterns));
    }
    if (!pinned) {
      throw new Problem(
          path, "pin at least one claim to something narrower than '*' (such as repository)");
    }
    return java.util.Collections.unmodifiableMap(claims);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String path, Set<String> allowed) {
    String where = path.isEmpty() ? "the file" : path;
    if (!(value instanceof Map<?, ?> map)) {
      throw new Problem(where, "must be a JSON object, not " + JsonPath.typeName(value));
    }
    for (Object key : map.keySet()) {
      if (!allowed.contains(key)) {
        throw new Problem(
            JsonPath.member(path, (String) key),
            "unknown field (expected one of " + new TreeSet<>(allowed) + ")");
      }
    }
    return (Map<String, Object>) map;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value, String path, boolean nonEmpty) {
    if (!(value instanceof List<?> items)) {
      throw new Problem(path, value == null ? "is required" : "must be a list");
    }
    if (nonEmpty && items.isEmpty()) {
      throw new Problem(path, "must list at least one");
    }
    return (List<Object>) items;
  }

  private static String string(Map<String, Object> o, String path, String name, boolean required) {
    Object v = o.get(name);
    String where = JsonPath.member(path, name);
    if (v == null) {
      if (required) {
        throw new Problem(where, "is required");
      }
      return null;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw new Problem(where, "must be a non-empty string");
    }
    if (!s.strip().equals(s)) {
      throw new Problem(where, "must not begin or end with white space");
    }
    return s;
  }
}
