package dev.rollgate.cli.coderefs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of one {@code .gitignore} file, for trees that are not git repositories: comments,
 * {@code !} negation, a trailing {@code /} for directories only, patterns anchored by a slash,
 * {@code *}, {@code ?}, {@code [...]} and {@code **}. Paths are relative to the file's directory,
 * with {@code /} between names.
 */
final class Gitignore {
  private record Rule(Pattern pattern, boolean negated, boolean directoryOnly) {}

  private final List<Rule> rules;

  private Gitignore(List<Rule> rules) {
    this.rules = rules;
  }

  static Gitignore parse(String text) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : text.split("\n", -1)) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      line = stripTrailingSpaces(line);
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean negated = line.startsWith("!");
      if (negated) {
        line = line.substring(1);
      }
      boolean directoryOnly = line.endsWith("/") && !line.endsWith("\\/");
      if (directoryOnly) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        continue;
      }
      // A slash at the start or in the middle anchors the pattern to this directory.
      boolean anchored = line.indexOf('/') >= 0;
      if (line.startsWith("/")) {
        line = line.substring(1);
      }
      String regex = (anchored ? "" : "(?:.*/)?") + globToRegex(line);
      rules.add(new Rule(Pattern.compile(regex, Pattern.DOTALL), negated, directoryOnly));
    }
    return new Gitignore(List.copyOf(rules));
  }

  /**
   * What this file says of {@code path}: TRUE ignored, FALSE re-included by a negation, null when
   * no rule matches it. As in git, the last matching rule decides.
   */
  Boolean decide(String path, boolean directory) {
    for (int i = rules.size() - 1; i >= 0; i--) {
      Rule rule = rules.get(i);
      if (rule.directoryOnly && !directory) {
        continue;
      }
      if (rule.pattern.matcher(path).matches()) {
        return !rule.negated;
      }
    }
    return null;
  }

  /** Trailing spaces are dropped unless escaped with a backslash. */
  private static String stripTrailingSpaces(String line) {
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) == ' ') {
      int backslashes = 0;
      for (int k = end - 2; k >= 0 && line.charAt(k) == '\\'; k--) {
        backslashes++;
      }
      if (backslashes % 2 == 1) {
        break;
      }
      end--;
    }
    return line.substring(0, end);
  }

  static String globToRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int n = glob.length();
    int i = 0;
    while (i < n) {
      char c = glob.charAt(i);
      boolean segmentStart = i == 0 || glob.charAt(i - 1) == '/';
      if (c == '*' && i + 1 < n && glob.charAt(i + 1) == '*' && segmentStart) {
        int after = i + 2;
        if (after == n) { // "**" at the end: everything inside
          regex.append(".*");
          i = after;
          continue;
        }
        if (glob.charAt(after) == '/') { // "**/": zero or more directories
          regex.append("(?:.*/)?");
          i = after + 1;
          continue;
        }
      }
      switch (c) {
        case '*' -> regex.append("[^/]*");
        case '?' -> regex.append("[^/]");
        case '\\' -> {
          if (i + 1 < n) {
            regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
          }
        }
        case '[' -> {
          int close = classEnd(glob, i);
          if (close < 0) {
            regex.append("\\[");
          } else {
            regex.append(characterClass(glob.substring(i + 1, close)));
            i = close;
          }
        }
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
      i++;
    }
    return regex.toString();
  }

  /** Where the class opened at {@code open} closes ({@code ]} first in it is literal), or -1. */
  private static int classEnd(String glob, int open) {
    int k = open + 1;
    if (k < glob.length() && (glob.charAt(k) == '!' || glob.charAt(k) == '^')) {
      k++;
    }
    if (k < glob.length() && glob.charAt(k) == ']') {
      k++;
    }
    for (; k < glob.length(); k++) {
      if (glob.charAt(k) == ']') {
        return k;
      }
      if (glob.charAt(k) == '/') {
        return -1;
      }
    }
    return -1;
  }

  private static String characterClass(String body) {
    // The lookahead keeps a negated class from matching the slash between names.
    StringBuilder s = new StringBuilder("(?=[^/])[");
    int k = 0;
    if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
      s.append('^');
      k = 1;
    }
    for (; k < body.length(); k++) {
      char c = body.charAt(k);
      if (c == '-' && k > 0 && k < body.length() - 1) {
        s.append('-');
      } else if (Character.isLetterOrDigit(c)) {
        s.append(c);
      } else {
        s.append('\\').append(c);
      }
    }
    return s.append(']').toString();
  }
}
