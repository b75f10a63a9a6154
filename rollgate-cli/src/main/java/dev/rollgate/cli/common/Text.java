package dev.rollgate.cli.common;

/** Text from a server or a file, made safe to print on a terminal. */
public final class Text {
  private Text() {}

  /**
   * {@code text} with control characters (C0, DEL, C1) shown as {@code ?}: a server's message or a
   * flag's description written by someone else cannot move the cursor, recolour the terminal or
   * hide what came before it.
   */
  public static String printable(String text) {
    StringBuilder s = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      s.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) ? '?' : c);
    }
    return s.toString();
  }
}
