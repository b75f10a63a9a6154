package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.core.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
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
    // Half the seeds without prerequisites, which the writer's way (only the changed flags) takes.
    boolean links = seed % 2 == 0;
    for (int i = 0; i < 30; i++) {
      flags.put("flag-" + i, flag(random, i, links));
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
      // What a writer that knows what it changed says: the flag, or nothing for an evaluator.
      Set<String> changed = edit < 8 ? Set.of(key) : Set.of();
      if (edit < 6) {
        flags.put(key, flag(random, random.nextInt(1000), links));
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
        assertThatThrownBy(() -> FlagSnapshot.compile(rejected, options(), base, changed))
            .isInstanceOf(InvalidFlagDocumentException.class)
            .hasMessage(e.getMessage());
        continue; // the writer keeps the previous snapshot
      }
      FlagSnapshot incremental = FlagSnapshot.compile(document, options(), previous);
      assertSameAnswers(incremental, scratch);
      FlagSnapshot updated = FlagSnapshot.compile(document, options(), previous, changed);
      assertSameAnswers(updated, scratch);
      previous = random.nextBoolean() ? incremental : updated;
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

  @Test
  void aWriterThatSaysWhatItChangedRecompilesThatFlagAlone() {
    Map<String, Object> flags = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      flags.put("flag-" + i, Json.parse(targeted("pro")));
    }
    FlagSnapshot first = FlagSnapshot.compile(document(flags, Map.of()), options(), null);
    flags.put("flag-2", Json.parse(targeted("free")));
    flags.remove("flag-4");
    FlagSnapshot second =
        FlagSnapshot.compile(
            document(flags, Map.of()), options(), first, Set.of("flag-2", "flag-4"));
    assertThat(second.compiled("flag-1")).isSameAs(first.compiled("flag-1"));
    assertThat(second.compiled("flag-2")).isNotSameAs(first.compiled("flag-2"));
    assertThat(second.flagKeys()).containsExactly("flag-0", "flag-1", "flag-2", "flag-3");
    assertSameAnswers(second, FlagSnapshot.parse(Json.write(document(flags, Map.of()))));
  }

  @Test
  void anUpdateThatTakesTheDocumentPastItsNodeLimitIsRejectedAsAWholeCompileWouldBe() {
    // Each flag compiles into a handful of nodes; the limit leaves room for the first version.
    ParseOptions tight = options().withLimits(new ParseOptions.Limits(32, 100_000, 40));
    Map<String, Object> flags = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      flags.put("flag-" + i, Json.parse(targeted("pro")));
    }
    FlagSnapshot first = FlagSnapshot.compile(document(flags, Map.of()), tight, null);
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i < 30; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{\"==\":[{\"var\":\"plan\"},\"p")
          .append(i)
          .append("\"]}");
    }
    flags.put(
        "flag-1",
        Json.parse(
            "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
                + "\"defaultVariant\":\"off\",\"targeting\":{\"if\":[{\"or\":"
                + many.append(']')
                + "},\"on\",\"off\"]}}"));
    Map<String, Object> document = document(flags, Map.of());
    assertThatThrownBy(() -> FlagSnapshot.compile(document, tight, null))
        .isInstanceOf(InvalidFlagDocumentException.class)
        .hasMessageContaining("flags.flag-1.targeting")
        .hasMessageContaining("more than 40 expressions");
    // Counted in another order (the flags kept first), so it stops at another expression.
    assertThatThrownBy(() -> FlagSnapshot.compile(document, tight, first, Set.of("flag-1")))
        .isInstanceOf(InvalidFlagDocumentException.class)
        .hasMessageContaining("flags.flag-1.targeting")
        .hasMessageContaining("more than 40 expressions");
  }

  private static String targeted(String plan) {
    return "{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
        + "\"defaultVariant\":\"off\",\"targeting\":{\"if\":[{\"==\":[{\"var\":\"plan\"},\""
        + plan
        + "\"]},\"on\",\"off\"]}}";
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
  private static Object flag(Random random, int n, boolean links) {
    String targeting =
        switch (random.nextInt(links ? 5 : 4)) {
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
