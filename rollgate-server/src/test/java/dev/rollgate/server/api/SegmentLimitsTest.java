package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ValueType;
import dev.rollgate.server.testing.ApiClient.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Segments that refer to segments: shared when compiled, bounded in depth and evaluation cost, and
 * refused with a 400 that names the limit and the path; cycles named in the order the refs go.
 */
class SegmentLimitsTest extends ServerTestBase {

  private static Map<String, Object> ref(String segment) {
    return Map.of("$ref", segment);
  }

  private Response createSegment(String key, Object rules) {
    return admin.post(P + "/segments", Map.of("key", key, "rules", rules));
  }

  @Test
  void segmentsDoublingThroughRefsAreSharedUntilTheEvaluationCostLimit() {
    assertThat(
            createSegment("l0", Map.of("in", List.of("@pilot", Map.of("var", "email")))).status())
        .isEqualTo(201);
    // Each level is "or" over two refs to the level below: the cost doubles, the size does not.
    for (int i = 1; i <= 14; i++) {
      Response r =
          createSegment("l" + i, Map.of("or", List.of(ref("l" + (i - 1)), ref("l" + (i - 1)))));
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }
    Response refused = createSegment("l15", Map.of("or", List.of(ref("l14"), ref("l14"))));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.object()).containsEntry("code", "invalid_flag");
    assertThat((String) refused.object().get("message"))
        .endsWith(
            ": $evaluators.l15: one evaluation could visit more than 100000 expressions, the limit"
                + " on evaluation cost (each use of a $ref counts all of its evaluator)");
    assertThat(admin.get(P + "/segments/l15").status()).isEqualTo(404);

    // A flag that uses the deepest allowed segment twice is past the limit too.
    Map<String, Object> flag = new HashMap<>(checkoutFlag());
    flag.put(
        "environments",
        Map.of(
            "staging",
            Map.of(
                "targeting",
                Map.of("if", List.of(Map.of("or", List.of(ref("l14"), ref("l14"))), "on")))));
    Response twice = admin.post(P + "/flags", flag);
    assertThat(twice.status()).isEqualTo(400);
    List<?> details = (List<?>) twice.object().get("details");
    assertThat(details.stream().map(d -> (Object) ((Map<?, ?>) d).get("path")).toList())
        .containsExactly("flags.new-checkout.targeting");

    // Once, it is within the limits, and evaluates.
    flag.put(
        "environments",
        Map.of(
            "staging",
            Map.of("state", "ENABLED", "targeting", Map.of("if", List.of(ref("l14"), "on")))));
    assertThat(admin.post(P + "/flags", flag).status()).isEqualTo(201);
    var pilot = EvaluationContext.of("u", Map.of("email", "ann@pilot"));
    assertThat(
            server
                .snapshot("staging")
                .evaluate("new-checkout", ValueType.BOOLEAN, false, pilot)
                .value())
        .isEqualTo(true);
  }

  @Test
  void segmentsNestedPastTheDepthLimitAnswer400() {
    Object rules = Map.of("var", "email");
    for (int i = 0; i < 32; i++) {
      rules = Map.of("!", rules);
    }
    Response r = createSegment("deep", rules);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.object()).containsEntry("code", "invalid_flag");
    assertThat((String) r.object().get("message"))
        .contains(": $evaluators.deep[\"!\"][0]")
        .endsWith(": nests deeper than 32 levels, the limit on nesting");
    assertThat(admin.get(P + "/segments/deep").status()).isEqualTo(404);
  }

  @Test
  void aRefCycleIsNamedInTheOrderTheRefsGo() {
    assertThat(createSegment("staff", Map.of("var", "staff")).status()).isEqualTo(201);
    assertThat(createSegment("seg-b", Map.of("and", List.of(ref("staff")))).status())
        .isEqualTo(201);
    Response r =
        admin.patch(
            P + "/segments/staff", Map.of("rules", Map.of("or", List.of(true, ref("seg-b")))));
    assertThat(r.status()).isEqualTo(400);
    // The segments are compiled in key order: seg-b first, which refers to staff, and back.
    assertThat((String) r.object().get("message"))
        .endsWith(": $evaluators.staff.or[1].$ref: $ref cycle: seg-b -> staff -> seg-b");
  }

  @Test
  void flagdImportRefusesEvaluatorsThatTheSegmentsApiRefuses() {
    Response segment = createSegment("x", 5);
    assertThat(segment.status()).isEqualTo(400);
    assertThat(segment.object())
        .containsEntry("code", "invalid_field")
        .containsEntry("message", "rules: must be a JsonLogic object");

    Map<String, Object> flags =
        Map.of("a", Map.of("state", "ENABLED", "variants", Map.of("on", true)));
    for (Object rules : List.of(5, "staff", List.of(Map.of("var", "x")), true)) {
      Response r =
          admin.put(
              P + "/environments/production/flagd",
              Map.of("flags", flags, "$evaluators", Map.of("x", rules)));
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.object())
          .containsEntry("code", "invalid_field")
          .containsEntry("message", "$evaluators.x: must be a JsonLogic object")
          .containsEntry(
              "details",
              List.of(Map.of("field", "$evaluators.x", "message", "must be a JsonLogic object")));
    }
    for (Object evaluators : List.of("staff", List.of(Map.of("var", "x")), 5)) {
      Response r =
          admin.put(
              P + "/environments/production/flagd",
              Map.of("flags", flags, "$evaluators", evaluators));
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.object())
          .containsEntry(
              "message", "$evaluators: must be an object of named JsonLogic expressions");
    }
    // A project with segments used to stand in for a document's invalid $evaluators.
    assertThat(createSegment("staff", Map.of("var", "staff")).status()).isEqualTo(201);
    Response r =
        admin.put(
            P + "/environments/production/flagd", Map.of("flags", flags, "$evaluators", "staff"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(admin.get(P + "/segments/x").status()).isEqualTo(404);
    assertThat(admin.get(P + "/flags/a").status()).isEqualTo(404);
  }
}
