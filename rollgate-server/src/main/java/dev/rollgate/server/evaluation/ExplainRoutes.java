package dev.rollgate.server.evaluation;

import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.optionalBody;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.requireReadOf;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/projects/{p}/environments/{env}/flags/{key}/explain}, and the same at {@code
 * .../flags/{key}/environments/{env}/explain}.
 */
public final class ExplainRoutes implements HttpApi.Routes {
  private static final Set<String> FIELDS = Set.of("context");

  private final ExplainService explainer;

  public ExplainRoutes(ExplainService explainer) {
    this.explainer = explainer;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        "/api/v1/projects/{project}/environments/{env}/flags/{flag}/explain",
        ctx -> {
          requireReadOf(ctx, ctx.pathParam("project"), ctx.pathParam("env"));
          explain(ctx);
        });
    // The same under the flag, where the admin client and the flag's other routes put it; for
    // people and pipelines only (admin, editor, viewer), not for an environment's sdk token.
    r.post(
        "/api/v1/projects/{project}/flags/{flag}/environments/{env}/explain",
        ctx -> {
          requireRead(ctx);
          explain(ctx);
        });
  }

  private void explain(Context ctx) {
    EvaluationContext context = context(optionalBody(ctx, FIELDS));
    json(
        ctx,
        200,
        Plain.of(
            explainer.explain(
                new ExplainService.Explain(
                    ctx.pathParam("project"),
                    ctx.pathParam("env"),
                    ctx.pathParam("flag"),
                    context))),
        null);
  }

  /** {@code context}: a JSON object (absent or null: empty) whose targetingKey is a string. */
  private static EvaluationContext context(JsonBody body) {
    Map<String, Object> context = body.object("context");
    if (context == null) {
      return EvaluationContext.empty();
    }
    Object key = context.get(EvaluationContext.TARGETING_KEY);
    if (key != null && !(key instanceof String)) {
      throw Failure.invalidField(
          JsonPath.member(body.path("context"), EvaluationContext.TARGETING_KEY),
          "must be a string, not " + JsonPath.typeName(key));
    }
    return EvaluationContext.fromJson(context);
  }
}
