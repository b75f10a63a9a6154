package dev.rollgate.core.internal.logic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operator, with JavaScript's coercions and missing attributes, from the table in {@code
 * logic/operators.jsonl}: one case a line, {@code logic} evaluated against {@code data} must give
 * {@code expect} (numbers compared by value).
 */
class OperatorTest {
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

  static Stream<Arguments> cases() throws IOException {
    try (InputStream in = OperatorTest.class.getResourceAsStream("/logic/operators.jsonl")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text
          .lines()
          .filter(line -> !line.isBlank())
          .map(line -> (Map<?, ?>) Json.parse(line))
          .map(c -> Arguments.of(Named.of((String) c.get("name"), c)))
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void operator(Map<String, Object> testCase) {
    LogicCompiler compiler = new LogicCompiler(Map.of(), CLOCK, ParseOptions.Limits.DEFAULTS);
    LogicCompiler.Result compiled = compiler.compile("my-flag", testCase.get("logic"), "targeting");
    assertThat(compiled.issues()).as("compile issues").isEmpty();

    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) testCase.get("data");
    Object actual = compiled.root().eval(EvaluationContext.fromJson(data), null);
    if (actual instanceof SplitChoice split) { // a top-level fractional marks its choice
      actual = split.value();
    }

    assertThat(numbersAsDoubles(actual)).isEqualTo(numbersAsDoubles(testCase.get("expect")));
  }

  /** JSON has one number type; compare 3 and 3.0 as equal. */
  static Object numbersAsDoubles(Object value) {
    return switch (value) {
      case Number n -> n.doubleValue();
      case List<?> l -> {
        List<Object> out = new ArrayList<>();
        l.forEach(e -> out.add(numbersAsDoubles(e)));
        yield out;
      }
      case Map<?, ?> m -> {
        Map<Object, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, numbersAsDoubles(v)));
        yield out;
      }
      case null, default -> value;
    };
  }
}
