package dev.rollgate.server.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/** Gzip for the answers worth it: the UI's files and large API answers (a 1,000-flag list). */
public final class Gzip {
  /** Smaller answers go as they are: compressing them costs more than it saves. */
  static final int MIN_BYTES = 8 * 1024;

  private Gzip() {}

  public static byte[] of(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Whether the client takes gzip ({@code Accept-Encoding} names it, without {@code q=0}). */
  public static boolean accepted(Context ctx) {
    String header = ctx.header("Accept-Encoding");
    if (header == null) {
      return false;
    }
    for (String part : header.toLowerCase(Locale.ROOT).split(",", -1)) {
      String[] coding = part.strip().split(";", -1);
      if (coding[0].strip().equals("gzip")) {
        return !(coding.length > 1 && coding[1].replace(" ", "").matches("q=0(\\.0*)?"));
      }
    }
    return false;
  }
}
