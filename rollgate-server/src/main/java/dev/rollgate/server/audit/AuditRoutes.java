package dev.rollgate.server.audit;

import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireRead;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import dev.rollgate.server.store.Database;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/audit} and {@code /api/v1/audit/verify}. */
public final class AuditRoutes implements HttpApi.Routes {
  private final Database db;
  private final AuditLog audit;

  public AuditRoutes(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        "/api/v1/audit",
        ctx -> {
          requireRead(ctx);
          int limit = Requests.limit(ctx, 100, 1000);
          AuditLog.Query query =
              new AuditLog.Query(
                  ctx.queryParam("resource"),
                  ctx.queryParam("actor"),
                  ctx.queryParam("action"),
                  time(ctx, "from"),
                  time(ctx, "to"),
                  cursor(ctx),
                  limit + 1);
          List<AuditLog.Event> events = db.inTransaction(tx -> audit.query(tx, query));
          Map<String, Object> body = new LinkedHashMap<>();
          List<AuditLog.Event> page = events.size() > limit ? events.subList(0, limit) : events;
          body.put("items", page.stream().map(AuditLog.Event::toJson).toList());
          body.put(
              "nextCursor", events.size() > limit ? String.valueOf(page.getLast().seq()) : null);
          json(ctx, 200, body, null);
        });
    r.get(
        "/api/v1/audit/verify",
        ctx -> {
          requireRead(ctx);
          json(ctx, 200, db.inTransaction(audit::verify).toJson(), null);
        });
  }

  private static Long time(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw Failure.invalidField(name, "must be an ISO-8601 instant such as 2026-11-24T09:00:00Z");
    }
  }

  private static long cursor(Context ctx) {
    String value = ctx.queryParam("cursor");
    if (value == null) {
      return 0;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw Failure.invalidField("cursor", "must be a cursor returned as nextCursor");
    }
  }
}
