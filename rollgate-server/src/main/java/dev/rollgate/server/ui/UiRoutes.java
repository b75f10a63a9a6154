package dev.rollgate.server.ui;

import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.Gzip;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI, from the server's jar: {@code /} sends the browser to {@code /ui/}; every {@code
 * /ui/...} page address answers the one shell page (the page's script draws the page the address
 * names, so any page can be pasted into an incident channel); {@code /ui/assets/...} are its
 * scripts and styles, {@code /ui/vendor/...} the WebJars it uses. The shell needs no credentials:
 * its data comes from the API, which checks the session.
 */
public final class UiRoutes implements HttpApi.Routes {
  private static final String ROOT = "dev/rollgate/server/ui/";
  private static final Pattern ASSET =
      Pattern.compile("[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*\\.(js|css|svg)");

  /** The WebJar files the UI loads, by the name it loads them under. */
  private static final Map<String, String> VENDOR =
      Map.of(
          "uPlot.iife.min.js", "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
          "uPlot.min.css", "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css");

  private static final Map<String, String> TYPES =
      Map.of(
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "html", "text/html; charset=utf-8");

  /** Found files only, so that probing for missing ones does not grow it. */
  private final Map<String, Asset> cache = new ConcurrentHashMap<>();

  @Override
  public void register(RoutesConfig r) {
    r.get("/", ctx -> ctx.redirect("/ui/"));
    r.get("/ui", this::shell); // and /ui/: Javalin ignores trailing slashes
    r.get(
        "/ui/assets/<path>",
        ctx -> {
          String path = ctx.pathParam("path");
          if (!ASSET.matcher(path).matches()) {
            throw Failure.notFound("asset " + path);
          }
          serve(
              ctx,
              load(ROOT + "assets/" + path).orElseThrow(() -> Failure.notFound("asset " + path)));
        });
    r.get(
        "/ui/vendor/{file}",
        ctx -> {
          String resource = VENDOR.get(ctx.pathParam("file"));
          if (resource == null) {
            throw Failure.notFound("asset " + ctx.pathParam("file"));
          }
          serve(ctx, load(resource).orElseThrow());
        });
    r.get("/ui/<page>", this::shell);
  }

  private void shell(Context ctx) {
    serve(ctx, load(ROOT + "index.html").orElseThrow());
  }

  private Optional<Asset> load(String resource) {
    Asset known = cache.get(resource);
    if (known != null) {
      return Optional.of(known);
    }
    try (InputStream in = UiRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      Asset asset = Asset.of(resource, in.readAllBytes());
      cache.put(resource, asset);
      return Optional.of(asset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Answers a file, gzipped when the browser takes it; browsers revalidate (the version changes
   * with every release) and get 304 while the file is the same.
   */
  private static void serve(Context ctx, Asset asset) {
    boolean gzip = asset.gzipped() != null && Gzip.accepted(ctx);
    // A strong validator per content coding (RFC 9110 section 8.8.3).
    String etag = gzip ? asset.etag().replaceFirst("\"$", "-gz\"") : asset.etag();
    ctx.header("ETag", etag);
    ctx.header("Cache-Control", "no-cache");
    ctx.header("Vary", "Accept-Encoding");
    if (etag.equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    if (gzip) {
      Requests.compressed(ctx, 200, asset.contentType(), asset.gzipped());
    } else {
      Requests.bytes(ctx, 200, asset.contentType(), asset.bytes());
    }
  }

  /** A file with its type, entity tag and (when it saves anything) gzipped form. */
  private static final class Asset {
    private final String contentType;
    private final String etag;
    private final byte[] bytes;
    private final byte[] gzipped;

    private Asset(String contentType, String etag, byte[] bytes, byte[] gzipped) {
      this.contentType = contentType;
      this.etag = etag;
      this.bytes = bytes;
      this.gzipped = gzipped;
    }

    static Asset of(String resource, byte[] bytes) {
      String extension = resource.substring(resource.lastIndexOf('.') + 1);
      return new Asset(
          TYPES.getOrDefault(extension, "application/octet-stream"),
          "\"" + Sha256.hex(bytes, 12) + "\"",
          bytes,
          bytes.length > 1024 ? Gzip.of(bytes) : null);
    }

    String contentType() {
      return contentType;
    }

    String etag() {
      return etag;
    }

    byte[] bytes() {
      return bytes;
    }

    byte[] gzipped() {
      return gzipped;
    }
  }
}
