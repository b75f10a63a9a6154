package dev.rollgate.cli.coderefs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How a flag evaluation looks in code, to find keys that no flag has: a call to one of the SDKs'
 * evaluation methods whose first argument is a string literal, plus the patterns a user adds (one
 * capture group: the key).
 */
public final class CallSites {
  /**
   * The evaluation methods of OpenFeature, the Rollgate SDK, LaunchDarkly and Unleash, as Java,
   * JavaScript and Kotlin spell them; {@link #builtIn} adds Go's and .NET's capitalised names and
   * Python's snake_case ones.
   */
  static final List<String> METHODS =
      List.of(
          // OpenFeature (Java, JavaScript, .NET; Go's take a context first, so --pattern)
          "getBooleanValue",
          "getStringValue",
          "getIntegerValue",
          "getDoubleValue",
          "getNumberValue",
          "getObjectValue",
          "getBooleanDetails",
          "getStringDetails",
          "getIntegerDetails",
          "getDoubleDetails",
          "getNumberDetails",
          "getObjectDetails",
          "getFloatValue",
          "getFloatDetails",
          // rollgate-sdk's RollgateClient
          "booleanValue",
          "stringValue",
          "longValue",
          "intValue",
          "doubleValue",
          "objectValue",
          "booleanDetails",
          "stringDetails",
          "longDetails",
          "doubleDetails",
          "objectDetails",
          "recordOutcome",
          // LaunchDarkly-like
          "variation",
          "variationDetail",
          "boolVariation",
          "boolVariationDetail",
          "stringVariation",
          "stringVariationDetail",
          "intVariation",
          "intVariationDetail",
          "doubleVariation",
          "doubleVariationDetail",
          "float64Variation",
          "float64VariationDetail",
          "numberVariation",
          "numberVariationDetail",
          "jsonVariation",
          "jsonVariationDetail",
          "jsonValueVariation",
          "jsonValueVariationDetail",
          // Unleash
          "isEnabled",
          "getVariant");

  private final KeyTable methods;
  private final List<Pattern> patterns;

  private CallSites(KeyTable methods, List<Pattern> patterns) {
    this.methods = methods;
    this.patterns = patterns;
  }

  /** The built-in methods and {@code userPatterns}, each checked to have a capture group. */
  public static CallSites builtIn(List<String> userPatterns) {
    Set<String> names = new LinkedHashSet<>();
    for (String method : METHODS) {
      names.add(method);
      String capitalised = Character.toUpperCase(method.charAt(0)) + method.substring(1);
      names.add(capitalised); // Go, .NET
      names.add(capitalised + "Async"); // .NET's OpenFeature client
      names.add(method.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT)); // Python
    }
    List<Pattern> compiled = new ArrayList<>();
    for (String regex : userPatterns) {
      compiled.add(compile(regex));
    }
    return new CallSites(new KeyTable(names), List.copyOf(compiled));
  }

  private static Pattern compile(String regex) {
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex, Pattern.MULTILINE);
    } catch (PatternSyntaxException e) {
      throw new dev.rollgate.cli.common.UserInputException(
          "--pattern " + regex + ": not a regular expression: " + e.getDescription());
    }
    if (pattern.matcher("").groupCount() < 1) {
      throw new dev.rollgate.cli.common.UserInputException(
          "--pattern "
              + regex
              + ": needs a capture group for the key, as in 'flag\\(\"([^\"]+)\"'");
    }
    return pattern;
  }

  List<Pattern> patterns() {
    return patterns;
  }

  /**
   * Whether the literal whose opening quote is at {@code quote} is the first argument of an
   * evaluation method: {@code name(} then spaces (a line break too) before it.
   */
  boolean isFirstArgument(byte[] b, int quote) {
    int k = quote - 1;
    while (k >= 0 && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r')) {
      k--;
    }
    if (k < 0 || b[k] != '(') {
      return false;
    }
    k--;
    while (k >= 0 && (b[k] == ' ' || b[k] == '\t')) {
      k--;
    }
    int end = k + 1;
    while (k >= 0 && identifierPart(b[k])) {
      k--;
    }
    return end > k + 1 && methods.find(b, k + 1, end - k - 1) != null;
  }

  private static boolean identifierPart(byte c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '$';
  }
}
