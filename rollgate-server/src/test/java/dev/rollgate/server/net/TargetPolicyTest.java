package dev.rollgate.server.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The address policy with resolvers the tests define, so no answer depends on DNS; nothing here
 * connects anywhere.
 */
class TargetPolicyTest {
  /** A resolver for addresses written in the URL, which must never ask one. */
  private static final TargetPolicy.Resolver NONE =
      host -> {
        throw new AssertionError("asked to resolve " + host);
      };

  private static TargetPolicy.Resolver answering(Map<String, List<String>> names) {
    return host -> {
      List<String> addresses = names.get(host);
      if (addresses == null) {
        throw new UnknownHostException(host);
      }
      List<InetAddress> out = new java.util.ArrayList<>();
      for (String a : addresses) {
        out.add(InetAddress.getByName(a)); // literals only: no lookup
      }
      return out;
    };
  }

  private static TargetPolicy.Refused refused(TargetPolicy policy, String url) {
    try {
      policy.check(url);
    } catch (TargetPolicy.Refused e) {
      return e;
    }
    throw new AssertionError(url + " was not refused");
  }

  @Test
  void everyNonPublicAddressIsRefusedInEveryFormItCanBeWritten() {
    TargetPolicy policy = new TargetPolicy(false, NONE);
    Map<String, String> refusals =
        new java.util.LinkedHashMap<>(
            Map.ofEntries(
                Map.entry("http://127.0.0.1/hook", "loopback"),
                Map.entry("http://127.0.0.1:5432/", "loopback"), // the store's port
                Map.entry("http://127.8.9.10:8420/", "loopback"),
                Map.entry("http://localhost/", "loopback"),
                Map.entry("http://LocalHost./", "loopback"),
                Map.entry("http://api.localhost/", "loopback"),
                Map.entry("http://2130706433/", "loopback"), // 127.0.0.1 in decimal
                Map.entry("http://0x7f000001/", "loopback"), // and in hex
                Map.entry("http://0177.0.0.1/", "loopback"), // and in octal
                Map.entry("http://[::1]:8420/", "loopback"),
                Map.entry("http://[::ffff:127.0.0.1]/", "loopback"),
                Map.entry("http://[2002:7f00:1::]/", "loopback"), // 6to4
                Map.entry("http://0.0.0.0/", "unspecified"),
                Map.entry("http://0/", "unspecified"),
                Map.entry("http://[::]/", "unspecified"),
                Map.entry("http://169.254.169.254/latest/meta-data/", "link-local"),
                Map.entry("http://[fe80::1]/", "link-local"),
                Map.entry("http://10.0.0.1/", "private"),
                Map.entry("http://172.16.0.1/", "private"),
                Map.entry("http://172.31.255.255/", "private"),
                Map.entry("http://192.168.1.1/", "private"),
                Map.entry("http://[fc00::1]/", "private"),
                Map.entry("http://[fd12:3456::1]/", "private"),
                Map.entry("http://[::ffff:10.0.0.1]/", "private"),
                Map.entry("http://[::ffff:a9fe:a9fe]/", "link-local"),
                Map.entry("http://[64:ff9b::c0a8:101]/", "private"), // NAT64 of 192.168.1.1
                Map.entry("http://100.64.0.1/", "carrier-grade NAT"),
                Map.entry("http://100.127.255.255/", "carrier-grade NAT"),
                Map.entry("http://224.0.0.1/", "multicast"),
                Map.entry("http://[ff02::1]/", "multicast"),
                Map.entry("http://255.255.255.255/", "reserved"),
                Map.entry("http://240.0.0.1/", "reserved")));
    refusals.forEach((url, kind) -> {
      TargetPolicy.Refused e = refused(policy, url);
      assertThat(e.category()).as(url).isEqualTo("refused_address");
      assertThat(e.getMessage())
          .as(url)
          .contains(kind)
          .contains("ROLLGATE_WEBHOOK_ALLOW_PRIVATE")
          .doesNotContain(url.replaceAll("^http://|/.*$", ""));
    });
    // Short forms Java's URI does not read as a host are refused as URLs without one.
    assertThat(refused(policy, "http://127.1/").category()).isEqualTo("invalid_url");
    assertThat(refused(policy, "http://0x7f.1/").category()).isEqualTo("invalid_url");
  }

  @Test
  void publicAddressesAtTheEdgesOfTheRefusedRangesPass() throws Exception {
    TargetPolicy policy = new TargetPolicy(false, NONE);
    for (String host :
        List.of(
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "11.0.0.1",
            "192.169.0.1",
            "126.255.255.255",
            "128.0.0.1",
            "[2001:db8::1]")) {
      TargetPolicy.Target target = policy.check("https://" + host + "/hook");
      assertThat(target.addresses()).as(host).hasSize(1);
    }
  }

  @Test
  void aNameIsRefusedWhenAnyAddressItResolvesToIsNotPublic() throws Exception {
    TargetPolicy policy =
        new TargetPolicy(
            false,
            answering(
                Map.of(
                    "hooks.example.com", List.of("203.0.113.7", "2001:db8::7"),
                    "mixed.example.com", List.of("203.0.113.7", "10.1.2.3"),
                    "metadata.example.com", List.of("169.254.169.254"))));
    TargetPolicy.Target target = policy.check("https://hooks.example.com/rollgate");
    assertThat(target.addresses())
        .containsExactly(
            InetAddress.getByName("203.0.113.7"), InetAddress.getByName("2001:db8::7"));
    TargetPolicy.Refused mixed = refused(policy, "https://mixed.example.com/rollgate");
    assertThat(mixed.category()).isEqualTo("refused_address");
    assertThat(mixed.getMessage()).startsWith("the host resolves to a private address");
    assertThat(refused(policy, "http://metadata.example.com/").getMessage()).contains("link-local");
    TargetPolicy.Refused unknown = refused(policy, "https://nowhere.example.com/");
    assertThat(unknown.category()).isEqualTo("dns_failed");
    assertThat(unknown.getMessage()).isEqualTo("the host does not resolve");
  }

  @Test
  void credentialsOtherSchemesAndBadPortsAreRefusedEvenWhenPrivateTargetsAreAllowed() {
    TargetPolicy policy = new TargetPolicy(true, NONE);
    for (String url :
        List.of(
            "http://user:pass@127.0.0.1/hook",
            "https://token@127.0.0.1/hook",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "gopher://127.0.0.1:5432/",
            "javascript:alert(1)",
            "/relative/path",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:70000/",
            "http://bad host/",
            "http://127.0.0.1/" + "a".repeat(2048))) {
      assertThat(refused(policy, url).category()).as(url).isEqualTo("invalid_url");
    }
    assertThat(refused(policy, "http://user:pass@127.0.0.1/hook").getMessage())
        .contains("user name or password");
  }

  @Test
  void allowingPrivateTargetsLiftsOnlyTheAddressRules() throws Exception {
    TargetPolicy policy =
        new TargetPolicy(true, answering(Map.of("receiver.test", List.of("::1"))));
    assertThat(policy.check("http://127.0.0.1:8420/").addresses())
        .containsExactly(TargetPolicy.literal("127.0.0.1"));
    TargetPolicy.Target named = policy.check("HTTPS://receiver.test:8443/a%20b/c?x=1&y=%2F#part");
    assertThat(named.https()).isTrue();
    assertThat(named.host()).isEqualTo("receiver.test");
    assertThat(named.hostHeader()).isEqualTo("receiver.test:8443");
    assertThat(named.pathAndQuery()).isEqualTo("/a%20b/c?x=1&y=%2F");
    assertThat(named.addresses()).containsExactly(TargetPolicy.literal("::1"));
    TargetPolicy.Target ipv6 = policy.check("http://[::1]");
    assertThat(ipv6.host()).isEqualTo("::1");
    assertThat(ipv6.port()).isEqualTo(80);
    assertThat(ipv6.hostHeader()).isEqualTo("[::1]");
    assertThat(ipv6.pathAndQuery()).isEqualTo("/");
  }

  @Test
  void ipv4IsReadInEveryFormInetAtonAccepts() throws Exception {
    Map<String, String> forms =
        Map.of(
            "127.0.0.1", "127.0.0.1",
            "127.1", "127.0.0.1",
            "10.1.2", "10.1.0.2",
            "2130706433", "127.0.0.1",
            "0x7F000001", "127.0.0.1",
            "017700000001", "127.0.0.1",
            "0x000000000a.0.0.1", "10.0.0.1",
            "0", "0.0.0.0");
    for (var form : forms.entrySet()) {
      assertThat(TargetPolicy.literal(form.getKey()))
          .as(form.getKey())
          .isEqualTo(InetAddress.getByName(form.getValue()));
    }
    for (String name :
        List.of(
            "example.com",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.256.1.1",
            "4294967296",
            "08.1.1.1",
            "1..1",
            "1.2.3.")) {
      assertThat(TargetPolicy.literal(name)).as(name).isNull();
    }
  }

  @Test
  void aResolverThatFailsIsADnsFailure() throws Exception {
    TargetPolicy policy =
        new TargetPolicy(
            false,
            host -> {
              throw new UnknownHostException(host);
            });
    assertThat(refused(policy, "https://hooks.example.com/").category()).isEqualTo("dns_failed");
    assertThat(new TargetPolicy(false, host -> List.of()).check("http://203.0.113.1/").port())
        .isEqualTo(80);
    assertThatThrownBy(() -> new TargetPolicy(false, host -> List.of()).check("http://a.example/"))
        .isInstanceOf(TargetPolicy.Refused.class)
        .hasMessage("the host does not resolve");
  }
}
