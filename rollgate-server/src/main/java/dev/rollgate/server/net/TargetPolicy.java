package dev.rollgate.server.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Where the server may send requests that users configure (webhooks, health checks): absolute
 * http(s) URLs without credentials, whose host resolves only to public addresses. Loopback, private
 * (RFC 1918, unique local IPv6), shared (carrier-grade NAT), link-local (cloud metadata services),
 * unspecified, multicast and reserved addresses are refused, IPv4 inside IPv6 is judged by its IPv4
 * address, and so is any address of this machine itself: a webhook must not be a way to reach the
 * server's own network. {@code ROLLGATE_WEBHOOK_ALLOW_PRIVATE=true} lifts the address rules (not
 * the others) for setups whose receivers are on a private network.
 *
 * <p>The check runs when a webhook is registered and again before each delivery, which connects to
 * the very addresses checked ({@link Target#addresses}), so a DNS answer that changes in between
 * cannot send a delivery somewhere the check did not see.
 */
public final class TargetPolicy {
  /** The name resolution the policy uses: a host name to all its addresses. */
  @FunctionalInterface
  public interface Resolver {
    List<InetAddress> resolve(String host) throws UnknownHostException;
  }

  /** The system's resolver (DNS, hosts file). */
  public static final Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

  /** The longest URL the store keeps. */
  private static final int MAX_URL = 2048;

  private final boolean allowPrivate;
  private final Resolver resolver;
  private final String refusalHint;

  /** The policy for webhooks. */
  public TargetPolicy(boolean allowPrivate, Resolver resolver) {
    this(
        allowPrivate,
        resolver,
        "webhooks go to public addresses only (ROLLGATE_WEBHOOK_ALLOW_PRIVATE=true allows private"
            + " ones)");
  }

  /**
   * @param refusalHint the end of the message for a refused address: who may go where, and the
   *     setting that allows private addresses
   */
  public TargetPolicy(boolean allowPrivate, Resolver resolver, String refusalHint) {
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
    this.refusalHint = refusalHint;
  }

  /**
   * A checked target: the URL in ASCII, the host as named (for the Host header, SNI and the
   * certificate check) and the addresses to connect to.
   */
  public record Target(URI uri, String host, int port, boolean https, List<InetAddress> addresses) {
    /** The Host header: the host as in the URL (brackets kept), with the port when not default. */
    public String hostHeader() {
      boolean defaultPort = port == (https ? 443 : 80);
      String named = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
      return defaultPort ? named : named + ":" + port;
    }

    /** The request target: the raw path (at least "/") and query, without the fragment. */
    public String pathAndQuery() {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
  }

  /**
   * Why a URL is refused. {@link #category} is what the delivery log records ({@code invalid_url},
   * {@code dns_failed}, {@code refused_address}); the message is for the person registering it and
   * names no address.
   */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final String category;

    Refused(String category, String message) {
      super(message);
      this.category = category;
    }

    public String category() {
      return category;
    }
  }

  /** Checks {@code url} and resolves its host; every address it resolves to must pass. */
  public Target check(String url) throws Refused {
    URI uri = parse(url);
    boolean https = uri.getScheme().equalsIgnoreCase("https");
    int port = uri.getPort() == -1 ? (https ? 443 : 80) : uri.getPort();
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    List<InetAddress> addresses = resolve(host);
    if (!allowPrivate) {
      for (InetAddress address : addresses) {
        String refusal = refusal(address);
        if (refusal != null) {
          throw new Refused(
              "refused_address",
              (literal(host) == null ? "the host resolves to " : "is ")
                  + refusal
                  + "; "
                  + refusalHint);
        }
      }
    }
    return new Target(uri, host, port, https, addresses);
  }

  /** The URL's form: http or https, a host, a valid port, no user name or password. */
  private static URI parse(String url) throws Refused {
    if (url.length() > MAX_URL) {
      throw new Refused("invalid_url", "is longer than " + MAX_URL + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
      uri = new URI(uri.toASCIIString());
    } catch (URISyntaxException e) {
      throw new Refused("invalid_url", "is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new Refused("invalid_url", "must be an http or https URL");
    }
    if (uri.getRawUserInfo() != null
        || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
      throw new Refused(
          "invalid_url",
          "must not carry a user name or password; use the signature to authenticate deliveries");
    }
    if (uri.getHost() == null) {
      throw new Refused("invalid_url", "must name a host: a DNS name or an IP address");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65_535) {
      throw new Refused("invalid_url", "has a port outside 1 to 65535");
    }
    return uri;
  }

  private List<InetAddress> resolve(String host) throws Refused {
    InetAddress literal = literal(host);
    if (literal != null) {
      return List.of(literal);
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.equals("localhost") || name.endsWith(".localhost")) {
      // RFC 6761: always loopback, whatever a resolver would say
      return List.of(InetAddress.getLoopbackAddress());
    }
    List<InetAddress> addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      addresses = List.of();
    }
    if (addresses.isEmpty()) {
      throw new Refused("dns_failed", "the host does not resolve");
    }
    return addresses;
  }

  /**
   * The address {@code host} spells, or null for a name. IPv4 in every form {@code inet_aton}
   * accepts ({@code 127.1}, {@code 2130706433}, {@code 0x7f000001}, {@code 0177.0.0.1}), since a
   * resolver or another client may read them so.
   */
  public static InetAddress literal(String host) {
    try {
      if (host.indexOf(':') >= 0) {
        return InetAddress.getByName(host); // an IPv6 literal; with a colon, never a DNS name
      }
      long value = posixIpv4(host);
      return value < 0
          ? null
          : InetAddress.getByAddress(
              new byte[] {
                (byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value
              });
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * The IPv4 address {@code host} spells as {@code inet_aton} reads it (one to four parts, the last
   * filling the remaining bytes; each decimal, octal with a leading 0, or hex with 0x), or -1.
   */
  private static long posixIpv4(String host) {
    long[] parts = new long[4];
    int count = 0;
    int at = 0;
    while (true) {
      int end = host.indexOf('.', at);
      if (end < 0) {
        end = host.length();
      }
      if (count == 4) {
        return -1;
      }
      long part = number(host.substring(at, end));
      if (part < 0) {
        return -1;
      }
      parts[count++] = part;
      if (end == host.length()) {
        break;
      }
      at = end + 1;
    }
    long value = 0;
    for (int i = 0; i < count - 1; i++) {
      if (parts[i] > 255) {
        return -1;
      }
      value |= parts[i] << (24 - 8 * i);
    }
    long last = parts[count - 1];
    return last >= 1L << (32 - 8 * (count - 1)) ? -1 : value | last;
  }

  /** One part of a POSIX IPv4 literal, or -1. */
  private static long number(String part) {
    int radix = 10;
    String digits = part;
    if (part.startsWith("0x") || part.startsWith("0X")) {
      radix = 16;
      digits = part.substring(2);
      if (digits.isEmpty()) {
        return 0; // inet_aton reads a bare 0x as 0
      }
    } else if (part.length() > 1 && part.charAt(0) == '0') {
      radix = 8;
      digits = part.substring(1);
    }
    int significant = 0;
    while (significant < digits.length() - 1 && digits.charAt(significant) == '0') {
      significant++;
    }
    digits = digits.substring(significant);
    if (digits.isEmpty() || digits.length() > 11) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), radix) < 0) {
        return -1;
      }
    }
    long value = Long.parseLong(digits, radix);
    return value > 0xffff_ffffL ? -1 : value;
  }

  /** Why {@code address} is not a public one ("a loopback address"), or null when it is. */
  static String refusal(InetAddress address) {
    String kind = kind(address);
    if (kind == null && isOwn(address)) {
      kind = "an address of this server";
    }
    return kind;
  }

  private static String kind(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return "the unspecified address";
    }
    if (address.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (address.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (address.isSiteLocalAddress()) {
      return "a private address";
    }
    if (address.isMulticastAddress()) {
      return "a multicast address";
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0) {
        return "the unspecified address";
      }
      if (first == 100 && (second & 0xc0) == 64) {
        return "a shared (carrier-grade NAT) address";
      }
      if (first >= 240
          || (first == 192 && second == 0 && b[2] == 0)
          || (first == 198 && (second & 0xfe) == 18)) {
        return "a reserved address";
      }
      return null;
    }
    if ((b[0] & 0xfe) == 0xfc) {
      return "a private address"; // unique local, fc00::/7
    }
    Inet4Address embedded = embeddedIpv4(b);
    return embedded == null ? null : kind(embedded);
  }

  /**
   * The IPv4 address inside an IPv6 one that carries it: mapped (::ffff:0:0/96), compatible
   * (::/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16).
   */
  private static Inet4Address embeddedIpv4(byte[] b) {
    int from = -1;
    boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    if (zero(b, 0, 10) && (mapped || zero(b, 10, 12))) {
      from = 12;
    } else if (b[0] == 0
        && b[1] == 0x64
        && (b[2] & 0xff) == 0xff
        && (b[3] & 0xff) == 0x9b
        && zero(b, 4, 12)) {
      from = 12;
    } else if (b[0] == 0x20 && b[1] == 0x02) {
      from = 2;
    }
    if (from < 0) {
      return null;
    }
    try {
      return (Inet4Address)
          InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, from, from + 4));
    } catch (UnknownHostException e) {
      return null; // four bytes are always an address
    }
  }

  private static boolean zero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code address} belongs to one of this machine's interfaces. */
  private static boolean isOwn(InetAddress address) {
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return false;
    }
  }
}
