package dev.rollgate.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** A connection inside a transaction, with the few query shapes the stores need. */
public final class Tx {
  private final Connection connection;
  private final Map<Class<?>, Object> attachments = new HashMap<>();
  private final List<Hook> beforeCommit = new ArrayList<>();

  Tx(Connection connection) {
    this.connection = connection;
  }

  /** Work for the moment before commit. */
  @FunctionalInterface
  public interface Hook {
    void run() throws SQLException;
  }

  /**
   * Runs {@code hook} just before this transaction commits, in it; never when it rolls back. For
   * costly work whose only use is to be kept (signing what is stored), which a transaction that is
   * rehearsed and rolled back should not pay for.
   */
  public void beforeCommit(Hook hook) {
    beforeCommit.add(hook);
  }

  void runBeforeCommit() throws SQLException {
    for (int i = 0; i < beforeCommit.size(); i++) { // a hook may add hooks
      beforeCommit.get(i).run();
    }
  }

  /**
   * What a feature keeps about this transaction while it runs (such as what it changed), made by
   * {@code create} on first use; gone with the transaction.
   */
  public <T> T attachment(Class<T> type, Supplier<T> create) {
    return type.cast(attachments.computeIfAbsent(type, k -> create.get()));
  }

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it touched. */
  public int update(String sql, Object... args) throws SQLException {
    try (PreparedStatement statement = prepare(sql, args)) {
      return statement.executeUpdate();
    }
  }

  public <T> List<T> list(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    try (PreparedStatement statement = prepare(sql, args);
        ResultSet rows = statement.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rows.next()) {
        out.add(mapper.map(rows));
      }
      return out;
    }
  }

  public <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    List<T> rows = list(sql, mapper, args);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
  }

  public long count(String sql, Object... args) throws SQLException {
    return one(sql, r -> r.getLong(1), args).orElse(0L);
  }

  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      Object arg = args[i];
      switch (arg) {
        case null -> statement.setNull(i + 1, Types.NULL);
        case String s -> statement.setString(i + 1, s);
        case Long l -> statement.setLong(i + 1, l);
        case Integer n -> statement.setInt(i + 1, n);
        case Double d -> statement.setDouble(i + 1, d);
        case Boolean b -> statement.setShort(i + 1, (short) (b ? 1 : 0));
        default -> throw new IllegalArgumentException("unsupported parameter " + arg.getClass());
      }
    }
    return statement;
  }
}
