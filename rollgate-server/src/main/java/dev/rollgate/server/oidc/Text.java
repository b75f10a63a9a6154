package dev.rollgate.server.oidc;

/**
 * Values taken from a token (an issuer, a key id, a claim), made fit to quote in an answer and a
 * log line: control characters replaced, cut to a length, so a hostile token can neither forge log
 * lines nor flood them.
 */
final class Text {
  private static final int MAX = 200;

  private Text() {}

  static String safe(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX + 1));
    for (int i = 0; i < value.length() && out.length() < MAX; i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    if (value.length() > MAX) {
      out.append('…');
    }
    return out.toString();
  }

  static String quote(String value) {
    return "'" + safe(value) + "'";
  }
}
