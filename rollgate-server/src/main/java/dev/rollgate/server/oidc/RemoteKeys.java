package dev.rollgate.server.oidc;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An issuer's keys fetched from its JWKS URL, kept for {@link #MAX_AGE} and fetched again early
 * when a token names a key the set does not have (an issuer that rotated its keys), at most once
 * per {@link #MIN_REFETCH}, so tokens with made-up key ids cannot make the server hammer the
 * issuer. Times come from the server's clock. A fetch that fails keeps the keys fetched before;
 * with none yet, verification fails as unavailable (not as the token's fault).
 *
 * <p>The URL is the operator's (the trust file), not an API caller's, so it is not subject to the
 * webhooks' address policy; redirects are not followed and the answer is limited to {@link
 * #MAX_BYTES}.
 */
final class RemoteKeys implements JWKSource<SecurityContext> {
  private static final Logger log = LoggerFactory.getLogger(RemoteKeys.class);

  static final Duration MAX_AGE = Duration.ofMinutes(10);
  static final Duration MIN_REFETCH = Duration.ofSeconds(30);
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final int MAX_BYTES = 512 * 1024;

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final String issuer;
  private final URI url;
  private final Clock clock;
  private JWKSet keys; // guarded by this
  private long fetchedAt = Long.MIN_VALUE; // when keys were fetched
  private long triedAt = Long.MIN_VALUE; // the last attempt, successful or not

  RemoteKeys(String issuer, URI url, Clock clock) {
    this.issuer = issuer;
    this.url = url;
    this.clock = clock;
  }

  @Override
  public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
    List<JWK> found = selector.select(keys(false).set());
    if (found.isEmpty()) {
      Keys again = keys(true);
      if (again.fresh()) {
        found = selector.select(again.set());
      }
    }
    return found;
  }

  /** The key set, and whether this call fetched it. */
  private record Keys(JWKSet set, boolean fresh) {}

  /**
   * The keys: fetched when there are none or they are older than {@link #MAX_AGE}, or with {@code
   * unknownKey} when the last attempt is older than {@link #MIN_REFETCH}.
   */
  private synchronized Keys keys(boolean unknownKey) throws KeySourceException {
    long now = clock.millis();
    boolean mayTry = triedAt == Long.MIN_VALUE || now - triedAt >= MIN_REFETCH.toMillis();
    boolean stale = keys == null || now - fetchedAt >= MAX_AGE.toMillis();
    boolean fresh = false;
    if (mayTry && (stale || unknownKey)) {
      triedAt = now;
      try {
        keys = fetch();
        fetchedAt = now;
        fresh = true;
        log.info("oidc: fetched {} key(s) of issuer {}", keys.getKeys().size(), issuer);
      } catch (IOException | ParseException e) {
        log.warn(
            "oidc: could not fetch the keys of issuer {}{}: {}",
            issuer,
            keys == null ? "" : " (the keys fetched before are kept)",
            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KeySourceException("interrupted while fetching the keys", e);
      }
    }
    if (keys == null) {
      throw new KeySourceException("the keys of issuer " + issuer + " could not be fetched");
    }
    return new Keys(keys, fresh);
  }

  private JWKSet fetch() throws IOException, InterruptedException, ParseException {
    HttpRequest request =
        HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Accept", "application/json").build();
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("the key set URL answered " + response.statusCode());
      }
      byte[] bytes = body.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new IOException("the key set is larger than " + MAX_BYTES + " bytes");
      }
      return JWKSet.parse(new String(bytes, StandardCharsets.UTF_8)).toPublicJWKSet();
    }
  }
}
