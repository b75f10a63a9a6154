package dev.rollgate.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonPathTest {
  @Test
  void findsTheFlagAPathPointsInto() {
    for (String key : new String[] {"a", "new-checkout", "a.b", "say \"hi\"", "back\\slash"}) {
      String flag = JsonPath.member("flags", key);
      assertThat(JsonPath.flagOf(flag)).as(flag).isEqualTo(key);
      assertThat(JsonPath.flagOf(JsonPath.member(flag, "targeting") + "[0]")).isEqualTo(key);
      assertThat(JsonPath.flagOf(JsonPath.element(JsonPath.member(flag, "prerequisites"), 2)))
          .isEqualTo(key);
    }
    assertThat(JsonPath.flagOf("$evaluators.staff")).isNull();
    assertThat(JsonPath.flagOf("flags")).isNull();
    assertThat(JsonPath.flagOf("")).isNull();
    assertThat(JsonPath.flagOf("flags[\"unterminated")).isNull();
  }
}
