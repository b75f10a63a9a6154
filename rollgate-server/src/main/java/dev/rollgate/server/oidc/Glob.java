package dev.rollgate.server.oidc;

/**
 * Claim patterns: the exact string, where each {@code *} stands for any run of characters (none
 * included, {@code /} included): {@code refs/heads/release/*} matches {@code
 * refs/heads/release/1.2} and {@code refs/heads/release/1/hotfix}. No other character is special.
 * Matched without recursion or regular expressions, in at most (pattern length × value length)
 * steps, so a hostile claim value cannot make matching slow.
 */
final class Glob {
  private Glob() {}

  static boolean matches(String pattern, String value) {
    int p = 0;
    int v = 0;
    int star = -1; // the pattern position after the last star seen
    int resume = 0; // where in the value that star's run would end next
    while (v < value.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = ++p;
        resume = v;
      } else if (p < pattern.length() && pattern.charAt(p) == value.charAt(v)) {
        p++;
        v++;
      } else if (star >= 0) {
        p = star;
        v = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
