package dev.rollgate.server.audit;

import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireRead;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import dev.rollgate.server.store.Database;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/audit}, {@code /api/v1/audit/checkpoint} and {@code /api/v1/audit/verify}. Every
 * reader sees the events about what it may read.
 */
public final class AuditRoutes implements HttpApi.Routes {
  private static final Pattern HEX_64 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern HEX_128 = Pattern.compile("[0-9a-fA-F]{128}");

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
          Principal reader = requireRead(ctx);
          int limit = Requests.limit(ctx, 100, 1000);
          AuditLog.Query query =
              new AuditLog.Query(
                  reader.role(),
                  ctx.queryParam("resource"),
                  ctx.queryParam("actorId"),
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
        "/api/v1/audit/checkpoint",
        ctx -> {
          requireRead(ctx);
          json(ctx, 200, db.inTransaction(audit::checkpoint), null);
        });
    r.get(
        "/api/v1/audit/verify",
        ctx -> {
          requireRead(ctx);
          AuditLog.Checkpoint checkpoint = checkpoint(ctx);
          json(ctx, 200, db.inTransaction(tx -> audit.verify(tx, checkpoint)).toJson(), null);
        });
  }

  /** The checkpoint in {@code seq}, {@code hash} and {@code signature}, or null when none is. */
  private static AuditLog.Checkpoint checkpoint(Context ctx) {
    String seq = ctx.queryParam("seq");
    String hash = ctx.queryParam("hash");
    String signature = ctx.queryParam("signature");
    if (seq == null && hash == null && signature == null) {
      return null;
    }
    long number;
    try {
      number = seq == null ? -1 : Long.parseLong(seq);
    } catch (NumberFormatException e) {
      number = -1;
    }
    if (number < 0) {
      throw Failure.invalidField("seq", "must be a checkpoint's seq, a whole number of 0 or more");
    }
    if (hash == null || !HEX_64.matcher(hash).matches()) {
      throw Failure.invalidField("hash", "must be a checkpoint's hash, 64 hex digits");
    }
    if (signature == null || !HEX_128.matcher(signature).matches()) {
      throw Failure.invalidField("signature", "must be a checkpoint's signature, 128 hex digits");
    }
    return new AuditLog.Checkpoint(
        number, hash.toLowerCase(Locale.ROOT), signature.toLowerCase(Locale.ROOT));
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
