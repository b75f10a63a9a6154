package dev.rollgate.server.projects;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.requireAdmin;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import java.util.List;
import java.util.Set;

/** {@code /api/v1/projects} and their environments. Creating and changing them takes an admin. */
public final class ProjectRoutes implements HttpApi.Routes {
  private static final Set<String> CREATE = Set.of("key", "name", "description", "environments");
  private static final Set<String> UPDATE = Set.of("name", "description");
  private static final Set<String> ENV_CREATE = Set.of("key", "name", "description");

  private final ProjectService projects;

  public ProjectRoutes(ProjectService projects) {
    this.projects = projects;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        "/api/v1/projects",
        ctx -> {
          requireRead(ctx);
          items(ctx, projects.list());
        });
    r.post(
        "/api/v1/projects",
        ctx -> {
          requireAdmin(ctx);
          JsonBody b = body(ctx, CREATE);
          List<String> envs = b.strings("environments");
          if (envs != null) {
            for (int i = 0; i < envs.size(); i++) {
              if (!JsonBody.KEY.matcher(envs.get(i)).matches()) {
                throw Failure.invalidField("environments[" + i + "]", "is not a valid key");
              }
            }
          }
          resource(
              ctx,
              201,
              projects.create(
                  actor(ctx),
                  new ProjectService.Create(
                      b.key("key"),
                      b.string("name", false),
                      b.string("description", false),
                      envs)));
        });
    r.get(
        "/api/v1/projects/{project}",
        ctx -> {
          requireRead(ctx);
          resource(ctx, 200, projects.get(ctx.pathParam("project")));
        });
    r.patch(
        "/api/v1/projects/{project}",
        ctx -> {
          requireAdmin(ctx);
          JsonBody b = body(ctx, UPDATE);
          resource(
              ctx,
              200,
              projects.update(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ifMatch(ctx),
                  new ProjectService.Change(
                      b.string("name", false), b.string("description", false))));
        });
    r.delete(
        "/api/v1/projects/{project}",
        ctx -> {
          requireAdmin(ctx);
          projects.delete(
              actor(ctx), ctx.pathParam("project"), ifMatch(ctx), Requests.flag(ctx, "force"));
          ctx.status(204);
        });
    r.get(
        "/api/v1/projects/{project}/environments",
        ctx -> {
          requireRead(ctx);
          items(ctx, projects.environments(ctx.pathParam("project")));
        });
    r.post(
        "/api/v1/projects/{project}/environments",
        ctx -> {
          requireAdmin(ctx);
          JsonBody b = body(ctx, ENV_CREATE);
          resource(
              ctx,
              201,
              projects.createEnvironment(
                  actor(ctx),
                  ctx.pathParam("project"),
                  new ProjectService.Create(
                      b.key("key"),
                      b.string("name", false),
                      b.string("description", false),
                      null)));
        });
    r.get(
        "/api/v1/projects/{project}/environments/{env}",
        ctx -> {
          requireRead(ctx);
          resource(ctx, 200, projects.environment(ctx.pathParam("project"), ctx.pathParam("env")));
        });
    r.patch(
        "/api/v1/projects/{project}/environments/{env}",
        ctx -> {
          requireAdmin(ctx);
          JsonBody b = body(ctx, UPDATE);
          resource(
              ctx,
              200,
              projects.updateEnvironment(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ifMatch(ctx),
                  new ProjectService.Change(
                      b.string("name", false), b.string("description", false))));
        });
    r.delete(
        "/api/v1/projects/{project}/environments/{env}",
        ctx -> {
          requireAdmin(ctx);
          projects.deleteEnvironment(
              actor(ctx), ctx.pathParam("project"), ctx.pathParam("env"), ifMatch(ctx));
          ctx.status(204);
        });
  }
}
