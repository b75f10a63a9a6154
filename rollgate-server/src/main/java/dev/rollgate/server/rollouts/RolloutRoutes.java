package dev.rollgate.server.rollouts;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.http.EventStreams;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;

/**
 * {@code /api/v1/projects/{p}/environments/{env}/flags/{flag}/rollout}, its controls, and its live
 * feed ({@code .../rollout/live}, server-sent events: see {@link RolloutFeed}).
 */
public final class RolloutRoutes implements HttpApi.Routes {
  private static final Set<String> START_FIELDS = Set.of("treatment", "plan", "comment");
  private static final Set<String> ACTION_FIELDS = Set.of("comment");
  private static final String ROLLOUT =
      "/api/v1/projects/{project}/environments/{env}/flags/{flag}/rollout";

  private final RolloutService rollouts;
  private final RolloutFeed feed;
  private final EventStreams streams;

  public RolloutRoutes(RolloutService rollouts, RolloutFeed feed, EventStreams streams) {
    this.rollouts = rollouts;
    this.feed = feed;
    this.streams = streams;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        ROLLOUT,
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              201,
              rollouts.start(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ctx.pathParam("flag"),
                  start(Requests.body(ctx, START_FIELDS))));
        });
    r.get(
        ROLLOUT,
        ctx -> {
          requireRead(ctx);
          resource(
              ctx,
              200,
              rollouts.current(
                  ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("flag")));
        });
    r.get(
        ROLLOUT + "/history",
        ctx -> {
          requireRead(ctx);
          items(
              ctx,
              rollouts.history(
                  ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("flag")));
        });
    r.get(ROLLOUT + "/live", this::live);
    r.post(
        ROLLOUT + "/{action}",
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              rollouts.act(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ctx.pathParam("flag"),
                  RolloutAction.manual(ctx.pathParam("action")),
                  ifMatch(ctx),
                  optionalBody(ctx, ACTION_FIELDS).string("comment", false)));
        });
  }

  /** The live feed: 404 before the stream opens when there is no such flag or environment. */
  private void live(Context ctx) throws Exception {
    Principal principal = requireRead(ctx);
    String project = ctx.pathParam("project");
    String environment = ctx.pathParam("env");
    String flag = ctx.pathParam("flag");
    feed.check(project, environment, flag);
    StreamSink sink = new StreamSink();
    streams.open(
        ctx,
        principal,
        stream -> {
          sink.stream = stream;
          feed.watch(project, environment, flag, sink);
        },
        stream -> feed.unwatch(project, environment, flag, sink));
  }

  /** A browser's stream, as the feed writes to it. */
  private static final class StreamSink implements RolloutFeed.Sink {
    private volatile EventStreams.Stream stream; // set before the feed hears of the sink

    @Override
    public boolean send(String event, String json) {
      return stream.send(new EventStreams.Event(event, json, null));
    }

    @Override
    public void close() {
      stream.close();
    }
  }

  private static RolloutService.Start start(JsonBody b) {
    return new RolloutService.Start(
        b.string("treatment", true), b.object("plan"), b.string("comment", false));
  }

  /** A body that may be left out. */
  private static JsonBody optionalBody(Context ctx, Set<String> allowed) {
    String text = Requests.text(ctx);
    return JsonBody.parse(text.isBlank() ? "{}" : text, allowed);
  }
}
