package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.core.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FlagSnapshot#compile} with a previous snapshot answers what a compile from scratch
 * answers, over seeded random edits of flags, shared evaluators and prerequisites, and takes over
 * exactly the flags it may.
 */
class IncrementalCompileTest {
  private static final List<EvaluationContext> USERS = users();

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void editsCompileToWhatACompileFromScratchGives(long seed) {
    Random random = new Random(seed);
    Map<String, Object> flags = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      flags.put("flag-" + i, flag(random, i));
    }
    Map<String, Object> evaluators = new LinkedHashMap<>();
    evaluators.put("pros", Json.parse("{\"==\": [{\"var\": \"plan\"}, \"pro\"]}"));
    evaluators.put("dutch", Json.parse("{\"in\": [{\"var\": \"country\"}, [\"NL\", \"BE\"]]}"));
    FlagSnapshot previous = FlagSnapshot.compile(document(flags, evaluators), options(), null);
    for (int step = 0; step < 40; step++) {
      flags = new LinkedHashMap<>(flags);
      evaluators = new LinkedHashMap<>(evaluators);
      int edit = random.nextInt(10);
      String key = "flag-" + random.nextInt(35);
      if (edit < 6) {
        flags.put(key, flag(random, random.nextInt(1000)));
      } else if (edit < 8) {
        flags.remove(key);
      } else {
        evaluators.put(
            random.nextBoolean() ? "pros" : "dutch",
            Json.parse(
                "{\"==\": [{\"var\": \"plan\"}, \""
                    + (random.nextBoolean() ? "pro" : "free")
                    + "\"]}"));
      }
      Map<String, Object> document = document(flags, evaluators);
      FlagSnapshot scratch;
      try {
        scratch = FlagSnapshot.parse(Json.write(document), options());
      } catch (InvalidFlagDocumentException e) {
        Map<String, Object> rejected = document;
        FlagSnapshot base = previous;
        assertThatThrownBy(() -> FlagSnapshot.compile(rejected, options(), base))
            .isInstanceOf(InvalidFlagDocumentException.class)
            .hasMessage(e.getMessage());
        continue; // the writer keeps the previous snapshot
      }
      FlagSnapshot incremental = FlagSnapshot.compile(document, options(), previous);
      assertSameAnswers(incremental, scratch);
      previous = incremental;
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void takesOverTheFlagsThatDidNotChangeAndNoOthers(boolean evaluatorChanged) {
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put(
        "plain",
        Json.parse(
            "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
                + "\"defaultVariant\":\"off\",\"targeting\":{\"if\":[{\"==\":[{\"var\":\"plan\"},\"pro\"]},"
                + "\"on\",\"off\"]}}"));
    flags.put(
        "segmented",
        Json.parse(
            "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
                + "\"defaultVariant\":\"off\",\"targeting\":{\"if\":[{\"$ref\":\"pros\"},\"on\",\"off\"]}}"));
    flags.put(
        "dependent",
        Json.parse(
            "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
                + "\"defaultVariant\":\"on\",\"prerequisites\":[{\"flag\":\"plain\",\"variants\":[\"on\"]}]}"));
    flags.put(
        "edited",
        Json.parse(
            "{\"state\":\"DISABLED\",\"variants\":{\"on\":true,\"off\":false},"
                + "\"defaultVariant\":\"off\"}"));
    Map<String, Object> evaluators = new LinkedHashMap<>();
    evaluators.put("pros", Json.parse("{\"==\": [{\"var\": \"plan\"}, \"pro\"]}"));
    FlagSnapshot first = FlagSnapshot.compile(document(flags, evaluators), options(), null);

    flags.put(
        "edited",
        Json.parse(
            "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
                + "\"defaultVariant\":\"on\"}"));
    if (evaluatorChanged) {
      evaluators.put("pros", Json.parse("{\"==\": [{\"var\": \"plan\"}, \"free\"]}"));
    }
    FlagSnapshot second = FlagSnapshot.compile(document(flags, evaluators), options(), first);

    assertThat(second.compiled("plain")).isSameAs(first.compiled("plain"));
    assertThat(second.compiled("segmented") == first.compiled("segmented"))
        .as("a flag that refers to an evaluator is taken over only while the evaluators are")
        .isEqualTo(!evaluatorChanged);
    assertThat(second.compiled("dependent")).isNotSameAs(first.compiled("dependent"));
    assertThat(second.compiled("edited")).isNotSameAs(first.compiled("edited"));
    assertSameAnswers(
        second, FlagSnapshot.parse(Json.write(document(flags, evaluators)), options()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"strict", "flagd"})
  void otherOptionsCompileEverythingAgain(String strictness) {
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put(
        "plain",
        Json.parse(
            "{\"state\":\"ENABLED\",\"variants\":{\"on\":true}," + "\"defaultVariant\":\"on\"}"));
    FlagSnapshot first = FlagSnapshot.compile(document(flags, Map.of()), options(), null);
    ParseOptions other =
        strictness.equals("strict")
            ? options().withLimits(new ParseOptions.Limits(8, 1000, 1000))
            : options().withStrictness(ParseOptions.Strictness.FLAGD);
    FlagSnapshot second = FlagSnapshot.compile(document(flags, Map.of()), other, first);
    assertThat(second.compiled("plain")).isNotSameAs(first.compiled("plain"));
  }

  private static void assertSameAnswers(FlagSnapshot actual, FlagSnapshot expected) {
    assertThat(actual.flagKeys()).containsExactlyElementsOf(expected.flagKeys());
    assertThat(actual.metadata()).isEqualTo(expected.metadata());
    for (String key : expected.flagKeys()) {
      for (EvaluationContext user : USERS) {
        assertThat(actual.evaluate(key, ValueType.ANY, "default", user).toJson())
            .as("%s for %s", key, user)
            .isEqualTo(expected.evaluate(key, ValueType.ANY, "default", user).toJson());
      }
    }
  }

  /** A random flag: static, targeted, through an evaluator, or with a prerequisite. */
  private static Object flag(Random random, int n) {
    String targeting =
        switch (random.nextInt(5)) {
          case 0 -> "";
          case 1 ->
              ",\"targeting\":{\"if\":[{\"==\":[{\"var\":\"plan\"},\"pro\"]},\"on\",\"off\"]}";
          case 2 ->
              ",\"targeting\":{\"if\":[{\"$ref\":\""
                  + (n % 2 == 0 ? "pros" : "dutch")
                  + "\"},\"on\",\"off\"]}";
          case 3 -> ",\"targeting\":{\"fractional\":[[\"on\"," + (n % 100) + "],[\"off\",50]]}";
          default ->
              ",\"prerequisites\":[{\"flag\":\"flag-"
                  + random.nextInt(30)
                  + "\",\"variants\":[\"on\"]}]";
        };
    return Json.parse(
        "{\"state\":\""
            + (random.nextInt(8) == 0 ? "DISABLED" : "ENABLED")
            + "\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\""
            + (random.nextBoolean() ? "on" : "off")
            + "\""
            + targeting
            + "}");
  }

  private static Map<String, Object> document(
      Map<String, Object> flags, Map<String, Object> evaluators) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("metadata", Map.of("project", "p", "environment", "e"));
    document.put("flags", flags);
    if (!evaluators.isEmpty()) {
      document.put("$evaluators", evaluators);
    }
    return document;
  }

  private static ParseOptions options() {
    return OPTIONS;
  }

  private static final ParseOptions OPTIONS = ParseOptions.defaults().withEnvironment(Map.of());

  private static List<EvaluationContext> users() {
    List<EvaluationContext> users = new ArrayList<>();
    String[] plans = {"pro", "free"};
    String[] countries = {"NL", "DE"};
    for (int i = 0; i < 16; i++) {
      users.add(
          EvaluationContext.of(
              "user-" + i, Map.of("plan", plans[i % 2], "country", countries[(i / 2) % 2])));
    }
    return users;
  }
}
